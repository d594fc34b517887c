"""Factory fixtures for technopark tests: catalogues built through the services, in the tenant's scope."""

import itertools

import pytest

from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.technoparks.services.equipment import save_equipment
from clusterhub.technoparks.services.offers import save_service
from clusterhub.technoparks.services.technoparks import create_technopark, enterprise_by_inn
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope

_inn_counter = itertools.count(1)


def _detached(obj, tenant_id):
    """Load the row in its tenant's scope and detach it: on PostgreSQL, Row-Level Security hides it from a
    refresh outside the scope (after the test client's commit), so tests keep a loaded, detached copy and
    re-read it in a scope when they need a live one."""
    with tenant_scope(db.session, tenant_id):
        db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def valid_inn(prefix: str = "11") -> str:
    """A checksum-valid 10-digit organisation ИНН starting with the region's tax code."""
    body = f"{prefix}{next(_inn_counter) + 1000000:07d}"[:9]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


@pytest.fixture
def make_tp_enterprise():
    def make(name="ООО «Тест»", region="11"):
        enterprise, _ = enterprise_by_inn(valid_inn(region), name)
        db.session.commit()
        return enterprise

    return make


@pytest.fixture
def make_representative(make_user, make_tp_enterprise):
    """A user confirmed as representative of a (new) enterprise: returns (user, enterprise)."""

    def make(enterprise=None, name="ООО «Заказчик»", region="16"):
        enterprise = enterprise or make_tp_enterprise(name, region)
        # example.com: the login form's e-mail validator refuses the reserved .test domain
        user = make_user(email=f"rep{next(_inn_counter)}@example.com")
        with federal_read_scope(db.session):  # see enterprise_by_inn
            add_representative(enterprise, user, confirmed=True)
            db.session.flush()
        db.session.commit()
        return user, enterprise

    return make


@pytest.fixture
def make_technopark(make_tenant):
    def make(tenant=None, **values):
        tenant = tenant or make_tenant("komi")
        with tenant_scope(db.session, tenant.id):
            technopark = create_technopark(
                {"name_ru": "Технопарк «Тест»", "kind": "industrial", "region_id": tenant.region_id, **values}
            )
            db.session.commit()
        return _detached(technopark, tenant.id)

    return make


@pytest.fixture
def make_service():
    def make(technopark, **values):
        with tenant_scope(db.session, technopark.tenant_id):
            service = save_service(
                technopark,
                {
                    "name_ru": "Испытания на растяжение",
                    "category": "testing",
                    "unit": "piece",
                    "price": "1500.00",
                    "vat": "plus_20",
                    "status": "published",
                    **values,
                },
            )
            db.session.commit()
        return _detached(service, technopark.tenant_id)

    return make


@pytest.fixture
def make_equipment():
    def make(technopark, specs=None, **values):
        with tenant_scope(db.session, technopark.tenant_id):
            equipment = save_equipment(
                technopark,
                {"name_ru": "Фрезерный станок с ЧПУ", "category": "machining", "bookable": True, **values},
                specs,
            )
            db.session.commit()
        return _detached(equipment, technopark.tenant_id)

    return make


@pytest.fixture
def tp_request_context(app):
    """Services translate their messages: give them a request context (and so a locale)."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield

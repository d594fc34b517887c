"""Factory fixtures for the events module: events built through the services, as the staff would."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from clusterhub.events.models import EventStatus
from clusterhub.events.services.events import create_event, set_status
from clusterhub.events.services.registration import Participant
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.demo.events import build_model_event


def region_id(tax_code="11") -> int:
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == tax_code))


@pytest.fixture
def request_context(app):
    """Service tests run in a request context: translated error messages need a locale."""
    with app.test_request_context():
        yield


@pytest.fixture
def make_event(make_tenant):
    def make(tenant=None, publish=True, **values):
        tenant = tenant or make_tenant("komi")
        start = utcnow().date() + timedelta(days=20)
        data = {
            "title_ru": "Сессия",
            "title_en": "Session",
            "kind": "conference",
            "city_ru": "Сыктывкар",
            "start_date": start,
            "end_date": start + timedelta(days=1),
            **values,
        }
        with tenant_scope(db.session, tenant.id):
            event = create_event(tenant, data)
            if publish:
                set_status(event, EventStatus.PUBLISHED)
            db.session.commit()
            db.session.refresh(event)  # loaded in its scope: RLS hides it outside
        return event

    return make


@pytest.fixture
def model_event(make_tenant):
    tenant = make_tenant("komi")
    with tenant_scope(db.session, tenant.id):
        event = build_model_event(tenant)
        db.session.commit()
        db.session.refresh(event)
    return event


@pytest.fixture
def person():
    counter = iter(range(1, 100_000))

    def make(**values):
        n = next(counter)
        data = {
            "full_name": f"Участник {n}",
            "email": f"p{n}@example.test",
            "category": "enterprise",
            "region_id": region_id("11"),
            "organisation": f"ООО «Ромашка {n}»",
            "position_title": "Директор",
            "consent": True,
            "locale": "ru",
            **values,
        }
        return Participant(**data)

    return make

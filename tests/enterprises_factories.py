"""Factory fixtures for enterprises and clusters, built through their services."""

import itertools

import pytest
import sqlalchemy as sa

from clusterhub.clusters import models as cluster_models  # noqa: F401  (tables known at collection)
from clusterhub.enterprises.services.profiles import get_or_create_by_inn, update_profile
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub_dev.demo.enterprises import inn_with_checksum, ogrn_with_checksum

_serial = itertools.count(1)


def region_id(tax_code="11"):
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == tax_code))


@pytest.fixture
def request_ctx(app):
    """Services translate their messages, and the locale selector needs a request (as in a view)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def make_enterprise():
    def make(name=None, inn=None, region="11", **values):
        n = next(_serial)
        inn = inn or inn_with_checksum(f"11{n:07d}"[:9])
        enterprise, _created = get_or_create_by_inn(
            inn, name or f"ООО «Предприятие {n}»", region_id=region_id(region) if region else None
        )
        if values:
            update_profile(enterprise, values, actor=None)
        db.session.commit()
        return enterprise

    return make


@pytest.fixture
def make_owner(make_user):
    """A user who is the confirmed owner of ``enterprise``."""

    def make(enterprise, **kwargs):
        user = make_user(**kwargs)
        add_representative(enterprise, user, "owner", confirmed=True)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_cluster(make_tenant, make_enterprise):
    """A cluster in ``tenant`` (default komi) with ``members`` new enterprises (industrial unless told)."""
    from clusterhub.clusters.services.clusters import create_cluster
    from clusterhub.clusters.services.members import add_member
    from clusterhub.tenancy.scoping import tenant_scope

    def make(tenant=None, name="Лесопромышленный кластер", members=0, okved="16.10", **values):
        tenant = tenant or make_tenant("komi")
        companies = [make_enterprise(okved_main=okved) for _ in range(members)]
        with tenant_scope(db.session, tenant.id):
            cluster = create_cluster({"name": name, "cluster_type": "industrial", **values}, actor=None)
            for company in companies:
                add_member(cluster, company, "participant", None, actor=None)
            db.session.commit()
        # The row expires at every commit and, on PostgreSQL, reloads only inside its tenant's scope:
        # keep the tenant id at hand for tests that open that scope.
        cluster.test_tenant_id = tenant.id
        return cluster

    return make


__all__ = [
    "make_cluster",
    "request_ctx",
    "make_enterprise",
    "make_owner",
    "region_id",
    "inn_with_checksum",
    "ogrn_with_checksum",
]

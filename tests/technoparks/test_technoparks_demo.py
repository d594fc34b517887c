"""Demo data and the benchmark's bulk data builder."""

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.technoparks.models import Equipment, ServiceOffer
from clusterhub.technoparks.services import search
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.bench import technoparks as bench
from clusterhub_dev.demo import technoparks as demo

pytestmark = pytest.mark.usefixtures("tp_request_context")


def test_demo_load_is_idempotent(make_tenant):
    tenant = make_tenant("komi")
    demo.load()
    db.session.commit()
    demo.load()
    db.session.commit()
    with tenant_scope(db.session, tenant.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceOffer)) == 15
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Equipment)) == 5
        technopark = db.session.scalar(sa.select(demo.Technopark))
        assert technopark.operator.name == "ООО «Алграф»"


def test_bench_builds_searchable_tenants_quickly():
    result = bench.create(tenants=3, services=20, equipment=4)
    assert result["services"] == 60
    page = search.search_services(search.SearchFilters())
    assert page.total == 3 * 16  # every fifth service is a draft

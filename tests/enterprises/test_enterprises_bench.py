"""The benchmark builder, at a small scale: it inserts what it says and the measured pages answer."""

import sqlalchemy as sa

from clusterhub.clusters.models import ClusterMember, SupplyLink
from clusterhub.enterprises.models import Enterprise
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.bench import enterprises as bench


def test_build_dataset_small_and_measure(app, make_tenant, make_user):
    komi = make_tenant("komi")
    dataset = bench.build_dataset(enterprises=300, members=20, links=30)
    again = bench.build_dataset(enterprises=300, members=20, links=30)  # finds what exists
    assert again["cluster_id"] == dataset["cluster_id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)) == 300
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClusterMember)) == 20
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SupplyLink)) == 30
    admin = make_user("platform_admin")
    results = bench.measure(app, dataset, seconds=0.05, login_email=admin.email)
    assert set(results) == {"directory_search", "directory_okved", "cluster_page"}

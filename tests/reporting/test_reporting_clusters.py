"""Cluster indicators and the ЦКР KPIs computed on a small hand-built dataset with known answers."""

from datetime import date, timedelta
from decimal import Decimal

from clusterhub.clusters.models import Cluster
from clusterhub.clusters.services.clusters import create_cluster
from clusterhub.clusters.services.members import add_member
from clusterhub.enterprises.models import EnterpriseFigure
from clusterhub.extensions import db
from clusterhub.reporting import indicators as ind
from clusterhub.reporting import services as reporting
from clusterhub.reporting import sql
from clusterhub.reporting.periods import parse_period
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope

KEYS = [
    "clusters",
    "clusters_in_register",
    "register_expiring",
    "cluster_participants",
    "industrial_participants",
    "participant_employees",
    "sme_participant_revenue",
    "new_products_russia",
]


def compute(period="2026", grouping="country", **filters):
    with federal_read_scope(db.session):
        result = ind.compute(KEYS, sql.Scope(period=parse_period(period), **filters), grouping)
    return {k: (v.get(sql.COUNTRY) if grouping == "country" else v) for k, v in result.items()}


def test_cluster_kpis(make_tenant, make_cluster, make_enterprise, request_ctx):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    timber = make_cluster(komi, members=3)  # three industrial enterprises (ОКВЭД 16.10)
    make_cluster(tatarstan, name="IT-кластер", members=2, okved="62.01")  # not industrial
    shared = make_enterprise(okved_main="25.11", size_category="small")
    with tenant_scope(db.session, komi.id):
        cluster = db.session.get(Cluster, timber.id)
        add_member(cluster, shared, "supplier", None, actor=None)
        second = create_cluster({"name": "Второй кластер", "cluster_type": "industrial"}, actor=None)
        add_member(second, shared, "participant", None, actor=None)  # the same enterprise twice
        cluster.register_status = "registered"
        cluster.register_valid_until = date.today() + timedelta(days=100)
    for enterprise_id, headcount, revenue in [(shared.id, 40, Decimal("12500000.00"))]:
        db.session.add(
            EnterpriseFigure(enterprise_id=enterprise_id, year=2026, headcount=headcount, revenue=revenue)
        )
    db.session.commit()
    reporting.set_kpi_plan(komi, 2026, "new_products_russia", plan=5, fact=3)
    db.session.commit()

    result = compute()
    assert result["clusters"] == 3
    assert result["clusters_in_register"] == 1
    assert result["register_expiring"] == 1
    assert result["cluster_participants"] == 6  # 3 + 2 + the shared enterprise counted once
    assert result["industrial_participants"] == 4
    assert result["participant_employees"] == 40
    assert result["sme_participant_revenue"] == Decimal("12500.0")
    assert result["new_products_russia"] == 3

    by_district = compute(grouping="district")
    assert by_district["cluster_participants"] == {"NWFD": 4, "VFD": 2}
    assert compute(district="VFD")["clusters"] == 1
    assert compute(period="2025")["participant_employees"] == 0

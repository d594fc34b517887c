"""The demo data and the benchmark round are built through the services and stay consistent."""

import sqlalchemy as sa

from clusterhub.defenses.models import DefenseRound, PanelMember, Score
from clusterhub.defenses.services import assignments
from clusterhub.defenses.services.protocol import verify_protocol
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.bench import defenses as bench
from clusterhub_dev.demo import defenses as demo


def test_demo_load_is_idempotent(make_tenant):
    komi = make_tenant("komi")
    built = demo.load()
    db.session.commit()
    assert built is not None
    assert demo.load() is None
    with tenant_scope(db.session, komi.id):
        titles = set(db.session.scalars(sa.select(JointProject.title_ru)))
        assert "Освоение производства плит МДФ" in titles and len(titles) == 10
        rnd = db.session.scalar(sa.select(DefenseRound))
        assert len([m for m in rnd.panel if m.role == "expert"]) == 7
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) > 0
        proposal = assignments.propose(rnd)
        assert not proposal.short


def test_the_bench_round_is_complete_and_verifiable(make_tenant):
    komi = make_tenant("komi")
    data = bench.build("komi", sign=True)
    protocol, tenant, valid = verify_protocol(data["hash"])
    assert valid and tenant.id == komi.id
    assert len(protocol.content["projects"]) == 10 and all(
        p["count"] == 8 for p in protocol.content["projects"]
    )
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PanelMember)) == 9
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 10 * 8 * 6

"""The demo loaders: realistic Komi data, valid identifiers, the demo owner, and idempotence."""

import sqlalchemy as sa

from clusterhub.accounts.services import users
from clusterhub.clusters.models import Cluster
from clusterhub.clusters.services.clusters import cluster_view
from clusterhub.clusters.services.compliance import check_compliance
from clusterhub.enterprises.models import Enterprise
from clusterhub.enterprises.services.identifiers import clean_inn, clean_ogrn
from clusterhub.enterprises.services.representatives import is_representative, represented_enterprises
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.demo import clusters as cluster_demo


def test_demo_is_valid_idempotent_and_makes_the_luzales_owner(make_tenant, request_ctx):
    komi = make_tenant("komi")
    rep = users.create_user("rep@luzales.example.com", "Лев Лузалесов", "clusterhub-demo-password")
    for _ in range(2):
        cluster_demo.load(["komi"])
        db.session.commit()
    companies = db.session.scalars(sa.select(Enterprise)).all()
    assert len(companies) == 11
    for company in companies:
        assert clean_inn(company.inn) == company.inn
        assert clean_ogrn(company.ogrn) == company.ogrn
    luzales = next(c for c in companies if c.short_name == "Лузалес")
    assert is_representative(rep, luzales, "owner")
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Cluster)) == 1
        view = cluster_view(db.session.scalar(sa.select(Cluster)))
        assert len(view.members) == 11 and len(view.links) == 13
        assert all(r.passed for r in check_compliance(view) if r.rule.code != "min_industrial_members")


def test_the_whole_demo_has_one_profile_per_company(make_tenant, request_ctx):
    """The sessions, technopark and defense demos used to create their own «ООО «Лузалес»» and Algraf
    next to the enterprises demo's: a visitor found three of each."""
    from clusterhub_dev.demo import load_demo

    make_tenant("komi")
    load_demo()
    for name in ("лузалес", "алграф", "монди"):
        found = db.session.scalars(
            sa.select(Enterprise).where(Enterprise.search_text.like(f"%{name}%"))
        ).all()
        assert len(found) == 1, [e.full_name for e in found]
    luzales = db.session.scalar(sa.select(Enterprise).where(Enterprise.short_name == "Лузалес"))
    rep = users.find_user_by_email("rep@luzales.example.com")
    assert [e.id for e in represented_enterprises(rep)] == [luzales.id]

"""A benchmark round: 10 projects × 7 experts × 6 criteria, fully scored, closed and decided.

``build(tenant_slug)`` makes it through the services (used by ``make bench`` and the tests);
``python -m clusterhub_dev.bench.defenses`` times the results page and protocol generation in-process (the
pages need a logged-in chair, which the gunicorn load generator of ``make bench`` does not have) and
prints the query count of each.
"""

import time

import sqlalchemy as sa

from clusterhub.defenses.services import assignments, protocol, results, rounds, scoring
from clusterhub.extensions import db
from clusterhub.projects.services import selection_rounds
from clusterhub.regions.models import Region
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

from ..demo import defenses as demo

N_PROJECTS, N_EXPERTS = 10, 7


def build(tenant_slug: str = "komi", *, sign: bool = False) -> dict:
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == tenant_slug))
    selection_round = {r.code: r for r in selection_rounds.seed_selection_rounds()}["pp41-2023"]
    rows = [(f"Бенчмарк-проект {i + 1}", *demo.PROJECTS[i][1:]) for i in range(N_PROJECTS)]
    experts = [(f"bench-expert{i}@example.com", f"Эксперт {i}", "АКИТ") for i in range(N_EXPERTS)]
    with tenant_scope(db.session, tenant.id):
        chair = demo._user("bench-chair@example.com", "Председатель бенчмарка")
        secretary = demo._user("bench-secretary@example.com", "Секретарь бенчмарка")
        built = demo.build(
            tenant, selection_round, chair, secretary, "Бенчмарк", rows, experts, scored=0, number=2
        )
        defense_round = built["round"]
        assignments.assign_all(defense_round)
        for slot in defense_round.slots:
            for member in defense_round.panel:
                if member.scores:
                    values = {
                        c.id: (3 + (slot.id + member.id + c.position) % 8, "") for c in defense_round.criteria
                    }
                    scoring.score_project(slot, member, values)
        rounds.close_round(defense_round)
        for slot in defense_round.slots:
            results.record_decision(slot, "recommended", "")
        digest = protocol.sign_protocol(defense_round, actor=chair).content_hash if sign else None
        db.session.commit()
        return {
            "round_id": defense_round.id,
            "chair": chair,
            "hash": digest,
            "criteria": len(defense_round.criteria),
        }


def main() -> None:
    import tempfile

    from flask_migrate import upgrade

    from clusterhub import create_app
    from clusterhub.centers.services import create_tenant

    workdir = tempfile.mkdtemp(prefix="clusterhub-defense-bench-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
            "INSTANCE_PATH": workdir,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()

        region = db.session.scalar(sa.select(Region).where(Region.tax_code == "11"))
        create_tenant({"slug": "komi", "name_ru": "ЦКР Коми", "name_en": "Komi CDC", "region_id": region.id})
        db.session.commit()
        data = build("komi")
        client = app.test_client()
        client.post("/login", data={"email": "bench-chair@example.com", "password": demo.DEMO_PASSWORD})
        for label, url in [
            ("results page", f"/komi/defenses/{data['round_id']}/results"),
            ("protocol HTML (draft)", f"/komi/defenses/{data['round_id']}/protocol"),
            ("protocol PDF (draft)", f"/komi/defenses/{data['round_id']}/protocol.pdf"),
        ]:
            statements = []

            def listener(*args, statements=statements):
                statements.append(1)

            sa.event.listen(db.engine, "before_cursor_execute", listener)
            client.get(url)
            sa.event.remove(db.engine, "before_cursor_execute", listener)
            runs, started = 20, time.perf_counter()
            for _ in range(runs):
                assert client.get(url).status_code == 200
            elapsed = (time.perf_counter() - started) / runs * 1000
            print(
                f"{label:24} {elapsed:7.1f} ms  {len(statements):3d} queries  "
                f"({N_PROJECTS} projects × {N_EXPERTS} experts × {data['criteria']} criteria)"
            )


if __name__ == "__main__":
    main()

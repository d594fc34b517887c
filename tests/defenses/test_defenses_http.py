"""Defense pages and API over HTTP: who sees and changes what, immutability after signing, the protocol,
and constant query counts for the results page and the protocol."""

import contextlib

import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.defenses.models import DefenseRound, DefenseSlot, Score
from clusterhub.defenses.services import assignments, conflicts, panel, results, rounds, scoring
from clusterhub.defenses.services.protocol import protocol_of, sign_protocol
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


@contextlib.contextmanager
def count_queries():
    engine = db.engine
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def _score_everything(d, value=7):
    with tenant_scope(db.session, d["tenant"].id):
        rnd = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"]))
        for slot in rnd.slots:
            for member in rnd.panel:
                if member.scores and not conflicts.is_conflicted(slot.id, member.id):
                    scoring.score_project(slot, member, {c.id: (value, "") for c in rnd.criteria})
        db.session.commit()


def _close_decide(d, sign=True):
    with tenant_scope(db.session, d["tenant"].id):
        rnd = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"]))
        rounds.close_round(rnd)
        for slot in rnd.slots:
            results.record_decision(slot, "recommended", "Замечаний нет")
        protocol = sign_protocol(rnd, actor=d["chair"]) if sign else None
        db.session.commit()
        return protocol.content_hash if protocol else None


def test_an_expert_scores_on_the_page_and_sees_only_their_own_until_closing(client, login, make_defense):
    d = make_defense(projects=2, experts=2)
    expert = d["experts"][0]
    login(expert)
    slot_id = d["slots"][0]
    page = client.get(f"/komi/defenses/slots/{slot_id}/score")
    assert page.status_code == 200 and 'inputmode="decimal"' in page.get_data(as_text=True)
    with tenant_scope(db.session, d["tenant"].id):
        criteria = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"])).criteria
        ids = [c.id for c in criteria]
    form = {f"score-{i}": "8" for i in ids} | {f"comment-{ids[0]}": "Сильная кооперация"}
    assert client.post(f"/komi/defenses/slots/{slot_id}/score", data=form).status_code == 302
    bad = client.post(f"/komi/defenses/slots/{slot_id}/score", data={f"score-{ids[0]}": "42"})
    assert bad.status_code == 422
    assert client.get(f"/komi/defenses/{d['round']}/results").status_code == 403  # independence
    assert client.get(f"/api/v1/tenants/komi/defenses/{d['round']}/results").status_code == 401  # API: tokens
    with tenant_scope(db.session, d["tenant"].id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == len(ids)


def test_a_conflicted_expert_can_neither_score_nor_see_the_project(client, login, make_defense):
    d = make_defense(projects=2, experts=2, assign=None)
    expert = d["experts"][0]
    with tenant_scope(db.session, d["tenant"].id):
        slot = db.session.scalar(sa.select(DefenseSlot).where(DefenseSlot.id == d["slots"][0]))
        add_representative(slot.project.lead_enterprise, expert, confirmed=True)
        rnd = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"]))
        conflicts.detect_conflicts(rnd)
        assignments.assign_all(rnd)
        db.session.commit()
    _score_everything(d)
    login(expert)
    assert client.get(f"/komi/defenses/slots/{d['slots'][0]}/score").status_code == 403
    assert client.post(f"/komi/defenses/slots/{d['slots'][0]}/score", data={}).status_code == 403
    _close_decide(d, sign=False)
    page = client.get(f"/komi/defenses/{d['round']}/results").get_data(as_text=True)
    assert "P-02" in page and "P-01" not in page
    _token, secret = create_api_token(expert, "phone")
    db.session.commit()
    api = client.get(
        f"/api/v1/tenants/komi/defenses/{d['round']}/results", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert [item["code"] for item in api["items"]] == ["P-02"]


def test_a_cross_tenant_expert_sees_only_what_they_are_assigned(
    client, login, make_defense, make_tenant, make_user
):
    outsider = make_user("center_staff", tenant=make_tenant("tatarstan"))
    d = make_defense(projects=2, experts=1, assign=None)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"]))
        member = panel.add_panel_member(rnd, outsider, "expert", affiliation="ЦКР Татарстана")
        assignments.assign(rnd.slots[1], member)
        db.session.commit()
    _token, secret = create_api_token(outsider, "phone")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    items = client.get("/api/v1/tenants/komi/expert/assignments", headers=headers).get_json()["items"]
    assert [i["code"] for i in items] == ["P-02"]
    criterion = items[0]["criteria"][0]["id"]
    ok = client.put(
        f"/api/v1/tenants/komi/expert/slots/{d['slots'][1]}/scores",
        json={"scores": [{"criterion_id": criterion, "value": 6, "comment": "ok"}]},
        headers=headers,
    )
    assert ok.status_code == 200
    refused = client.put(
        f"/api/v1/tenants/komi/expert/slots/{d['slots'][0]}/scores",
        json={"scores": [{"criterion_id": criterion, "value": 6}]},
        headers=headers,
    )
    assert refused.status_code == 422  # not assigned
    login(outsider)
    assert client.get(f"/komi/defenses/slots/{d['slots'][0]}/score").status_code == 404
    assert client.get("/komi/projects/").status_code == 403  # an expert is not staff here
    assert client.get("/komi/staff/").status_code == 403
    # in their own center they stay staff; komi's round is not visible there
    assert client.get(f"/tatarstan/defenses/{d['round']}").status_code == 404


def test_after_signing_changes_are_refused_over_http_and_logged(client, login, make_defense):
    from clusterhub.audit.models import AuditEntry

    d = make_defense(projects=1, experts=1)
    _score_everything(d)
    digest = _close_decide(d)
    login(d["experts"][0])
    with tenant_scope(db.session, d["tenant"].id):
        criterion = (
            db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"])).criteria[0].id
        )
        before = db.session.scalar(
            sa.select(Score.value).where(Score.panel_member_id == d["members"][0]).limit(1)
        )
    response = client.post(f"/komi/defenses/slots/{d['slots'][0]}/score", data={f"score-{criterion}": "1"})
    assert response.status_code == 409
    client.post("/logout")
    login(d["chair"])
    response = client.post(
        f"/komi/defenses/slots/{d['slots'][0]}/decision", data={"outcome": "not_recommended"}
    )
    assert response.status_code == 409
    with tenant_scope(db.session, d["tenant"].id):
        assert db.session.scalar(sa.select(DefenseSlot.decision)) == "recommended"
        assert (
            db.session.scalar(sa.select(Score.value).where(Score.panel_member_id == d["members"][0]).limit(1))
            == before
        )
        refused = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "defense.change_refused")
        )
        assert len(refused.all()) == 2
    page = client.get(f"/verify/protocol/{digest}")
    assert page.status_code == 200


def test_protocol_html_pdf_and_public_verification(client, login, make_defense, app):
    d = make_defense(projects=2, experts=2)
    _score_everything(d)
    _close_decide(d, sign=False)
    login(d["chair"])
    draft = client.get(f"/komi/defenses/{d['round']}/protocol")
    assert draft.status_code == 200
    assert client.post(f"/komi/defenses/{d['round']}/sign", data={}).status_code == 302
    html = client.get(f"/komi/defenses/{d['round']}/protocol").get_data(as_text=True)
    with tenant_scope(db.session, d["tenant"].id):
        digest = protocol_of(d["round"]).content_hash
    assert digest in html and "Председатель" in html
    pdf = client.get(f"/komi/defenses/{d['round']}/protocol.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert b"/FontFile2" in pdf.data  # the TTF with Cyrillic glyphs is embedded
    client.post("/logout")
    assert client.get(f"/verify/protocol/{digest}").status_code == 200
    assert client.get(f"/verify/protocol/{'a' * 64}").status_code == 404


def test_staff_and_panel_pages_render(client, login, make_defense, make_user):
    d = make_defense(projects=2, experts=2)
    admin = make_user("center_admin", tenant=d["tenant"])
    login(admin)
    for url in [
        "/komi/defenses/",
        f"/komi/defenses/{d['round']}",
        f"/komi/defenses/{d['round']}/results",
        "/komi/projects/",
        f"/komi/projects/{d['projects'][0]}",
        "/komi/projects/new",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        f"/komi/defenses/{d['round']}/panel",
        data={"panel-email": d["experts"][0].email, "panel-role": "expert"},
        follow_redirects=True,
    )
    assert response.status_code == 200  # already on the panel: refused with a message
    client.post("/logout")
    login(d["experts"][0])
    assert client.get("/komi/expert/").status_code == 200
    assert client.get(f"/komi/defenses/{d['round']}").status_code == 200
    assert (
        client.get(f"/komi/defenses/{d['round']}/protocol").status_code == 403
    )  # a draft is not for experts


def test_results_and_protocol_take_a_constant_number_of_queries(client, login, make_defense, make_tenant):
    counts = []
    for slug, projects in (("komi", 2), ("tatarstan", 5)):
        d = make_defense(tenant=make_tenant(slug), projects=projects, experts=3)
        _score_everything(d)
        _close_decide(d, sign=False)
        client.post("/logout")
        login(d["chair"])
        with count_queries() as results_queries:
            assert client.get(f"/{slug}/defenses/{d['round']}/results").status_code == 200
        with count_queries() as protocol_queries:
            assert client.get(f"/{slug}/defenses/{d['round']}/protocol.pdf").status_code == 200
        counts.append((len(results_queries), len(protocol_queries)))
    assert counts[0] == counts[1], f"query counts grow with the number of projects: {counts}"
    assert counts[0][0] <= 20

"""The panel refuses members who could not score and says who is not ready; the results, the expert's
page and the protocol speak in words, the center's time and the language's decimals."""

from datetime import datetime

import pytest
import sqlalchemy as sa
from markupsafe import escape

from clusterhub.core.refusal import Refusal
from clusterhub.defenses.models import DefenseRound
from clusterhub.defenses.services import assignments, panel, results, rounds, scoring
from clusterhub.defenses.services.protocol import content_hash, protocol_of, sign_protocol
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope

EN = {"Accept-Language": "en"}


def _round(d):
    return db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"]))


@pytest.mark.parametrize("role", ["federal_reviewer", "federal_analyst"])
def test_a_read_only_federal_role_is_refused_a_panel_seat_with_the_reason(
    client, login, make_defense, make_user, role
):
    d = make_defense(projects=1, experts=1)
    federal = make_user(role, name="Вера Проверкина")
    admin = make_user("center_admin", tenant=d["tenant"])
    login(admin)
    response = client.post(
        f"/komi/defenses/{d['round']}/panel",
        data={"panel-email": federal.email, "panel-role": "expert"},
        headers=EN,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Вера Проверкина cannot be on the panel" in page
    assert "may read everything but change nothing, so they could not score" in page
    with tenant_scope(db.session, d["tenant"].id):
        assert federal.id not in {m.user_id for m in _round(d).panel}


def test_the_round_page_says_whether_the_panel_can_log_in_and_score(client, login, make_defense, make_user):
    d = make_defense(projects=1, experts=1)
    admin = make_user("center_admin", tenant=d["tenant"])
    login(admin)
    page = client.get(f"/komi/defenses/{d['round']}", headers=EN).get_data(as_text=True)
    assert "The panel is ready" in page
    expert = d["experts"][0]
    expert.password_hash = None  # e.g. an account created for the panel whose owner never set a password
    db.session.commit()
    page = client.get(f"/komi/defenses/{d['round']}", headers=EN).get_data(as_text=True)
    assert "The panel is not ready" in page and "The panel is ready" not in page
    assert f"{expert.full_name}: no password has been set for the account yet, so they cannot log in" in page


def test_a_member_who_became_read_only_is_left_out_of_assignments(make_defense):
    d = make_defense(projects=2, experts=3, assign=None)
    reviewer = d["experts"][0]
    reviewer.global_role = "federal_reviewer"
    with tenant_scope(db.session, d["tenant"].id):
        defense = _round(d)
        member = next(m for m in defense.panel if m.user_id == reviewer.id)
        assert panel.panel_readiness(defense) == [(member, panel.panel_member_problems(reviewer))]
        assignments.assign_all(defense)
        assert reviewer.id not in {a.member.user_id for a in assignments.assignments_in(defense.id)}
        with pytest.raises(Refusal, match="cannot score|не может оценивать"):
            assignments.assign(defense.slots[0], member)


def test_results_name_the_criteria_and_the_expert_is_asked_to_score_the_project(client, login, make_defense):
    d = make_defense(projects=1, experts=1)
    with tenant_scope(db.session, d["tenant"].id):
        criteria = [(c.code, c.name_en, c.name_ru) for c in _round(d).criteria]
    login(d["chair"])
    page = client.get(f"/komi/defenses/{d['round']}/results", headers=EN).get_data(as_text=True)
    head = page[page.index("<thead>") : page.index("</thead>")]
    for code, name_en, name_ru in criteria:
        assert str(escape(name_en or name_ru)) in head and f">{code}<" not in head
    client.post("/logout")
    login(d["experts"][0])
    page = client.get("/komi/expert/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Оценить проект" in page and ">Балл<" not in page


def _signed_protocol(d, value):
    with tenant_scope(db.session, d["tenant"].id):
        defense = _round(d)
        defense.held_on = datetime(2026, 4, 2, 7, 0)  # UTC: 10:00 in Syktyvkar (Moscow time)
        for slot in defense.slots:
            for member in defense.panel:
                if member.scores:
                    scoring.score_project(slot, member, {c.id: (value, "") for c in defense.criteria})
        rounds.close_round(defense)
        for slot in defense.slots:
            results.record_decision(slot, "recommended", None)
        sign_protocol(defense, actor=d["chair"])
        db.session.commit()


def test_the_protocol_shows_the_centers_time_and_russian_decimals(client, login, make_defense, monkeypatch):
    d = make_defense(projects=1, experts=2)
    _signed_protocol(d, "7.5")
    login(d["chair"])
    html = client.get(f"/komi/defenses/{d['round']}/protocol", headers={"Accept-Language": "ru"})
    page = html.get_data(as_text=True)
    assert "2 апреля 2026, 10:00 (Москва" in page and "07:00" not in page and "UTC" not in page
    assert "<td>7,5</td>" in page and "7.50" not in page
    drawn = {}
    monkeypatch.setattr(
        "clusterhub.defenses.views.protocol.render_pdf",
        lambda content, *args: drawn.update(content) or b"%PDF",
    )
    assert client.get(f"/komi/defenses/{d['round']}/protocol.pdf").status_code == 200
    assert drawn["round"]["held_on"].startswith("2 апреля 2026, 10:00")
    assert drawn["projects"][0]["per_criterion"][0] == "7,5"
    with tenant_scope(db.session, d["tenant"].id):
        stored = protocol_of(d["round"]).content
    assert stored["round"]["held_on"] == "2026-04-02T07:00"  # what the hash covers does not change
    english = client.get(f"/komi/defenses/{d['round']}/protocol", headers=EN).get_data(as_text=True)
    assert "2 April 2026, 10:00 (Moscow Standard Time)" in english and "<td>7.5</td>" in english
    client.post("/logout")
    verified = client.get(f"/verify/protocol/{content_hash(stored)}", headers={"Accept-Language": "ru"})
    assert "(Москва, стандартное время)" in verified.get_data(as_text=True)  # the center's zone, named

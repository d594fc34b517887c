"""Defense rounds at the service level: panel, assignment, conflicts, independent scoring, decisions,
signing and the protocol hash."""

import pytest
import sqlalchemy as sa

from clusterhub.accounts.models import Membership
from clusterhub.audit.models import AuditEntry
from clusterhub.core.refusal import Refusal
from clusterhub.defenses.models import Assignment, Conflict, DefenseRound, DefenseSlot, PanelMember, Score
from clusterhub.defenses.services import assignments, conflicts, panel, results, rounds, scoring
from clusterhub.defenses.services.locks import RoundLocked
from clusterhub.defenses.services.protocol import content_hash, protocol_of, sign_protocol, verify_protocol
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject
from clusterhub.tenancy.scoping import tenant_scope


def _get(model, id_):
    return db.session.scalar(sa.select(model).where(model.id == id_))


def _score_all(d, value=7):
    rnd = _get(DefenseRound, d["round"])
    for a in db.session.scalars(sa.select(Assignment)):
        scoring.score_project(
            a.slot, a.member, {c.id: (value, "ok") for c in rnd.criteria}, actor=a.member.user
        )


def test_the_round_copies_the_selection_round_criteria_and_numbers_within_the_cycle(
    make_defense, selection_round
):
    d = make_defense()
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        assert [c.code for c in rnd.criteria][:2] == ["import_substitution", "cooperation"]
        assert [s.code for s in rnd.slots] == ["P-01", "P-02", "P-03"]
        with pytest.raises(Refusal):
            rounds.create_round(selection_round(), 1, "Ещё одна первая")
        assert rounds.create_round(selection_round(), 2, "Вторая защита").number == 2


def test_an_expert_from_outside_gets_the_expert_role_and_staff_keep_theirs(make_defense):
    d = make_defense()
    with tenant_scope(db.session, d["tenant"].id):
        roles = dict(db.session.execute(sa.select(Membership.user_id, Membership.role)).all())
    assert all(roles[u.id] == "expert" for u in d["experts"])
    assert roles[d["chair"].id] == "center_staff"


def test_a_conflict_is_detected_for_a_representative_and_blocks_assignment_and_scoring(
    make_defense, make_user
):
    d = make_defense(assign=None)
    expert = d["experts"][0]
    with tenant_scope(db.session, d["tenant"].id):
        slot = _get(DefenseSlot, d["slots"][1])
        add_representative(slot.project.lead_enterprise, expert, confirmed=True)
        rnd = _get(DefenseRound, d["round"])
        added = conflicts.detect_conflicts(rnd)
        assert (
            len(added) == 1
            and added[0].source == "detected"
            and slot.project.lead_enterprise.inn in added[0].reason
        )
        member = _get(PanelMember, d["members"][0])
        with pytest.raises(Refusal):
            assignments.assign(slot, member)
        proposal = assignments.propose(rnd)
        assert member.id not in proposal.assignments[slot.id]
        assignments.assign_all(rnd)
        assert (
            db.session.scalar(
                sa.select(Assignment).where(
                    Assignment.defense_slot_id == slot.id, Assignment.panel_member_id == member.id
                )
            )
            is None
        )
        assert slot.id not in {a.defense_slot_id for a in assignments.assignments_of(member)}


def test_a_declared_conflict_withdraws_scores_and_hides_the_project(make_defense):
    d = make_defense()
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        slot, member = _get(DefenseSlot, d["slots"][0]), _get(PanelMember, d["members"][0])
        scoring.score_project(slot, member, {rnd.criteria[0].id: (5, "")})
        conflicts.declare_conflict(slot, member, "Бывший сотрудник заявителя", actor=member.user)
        assert scoring.own_scores(slot.id, member.id) == {}
        with pytest.raises(Refusal, match="(conflict|конфликт)"):
            scoring.score_project(slot, member, {rnd.criteria[0].id: (5, "")})
        assert slot.id not in {a.defense_slot_id for a in assignments.assignments_of(member)}
        with pytest.raises(Refusal):
            conflicts.declare_conflict(slot, member, "ещё раз")


def test_scores_are_validated_against_the_criterion_range(make_defense):
    d = make_defense()
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        slot, member = _get(DefenseSlot, d["slots"][0]), _get(PanelMember, d["members"][0])
        c = rnd.criteria[0]
        for bad in ("11", "-1", "abc", "5.55"):
            with pytest.raises(Refusal):
                scoring.score_project(slot, member, {c.id: (bad, "")})
        scoring.score_project(slot, member, {c.id: ("7,5", "Хорошо")})
        scoring.score_project(slot, member, {c.id: ("8", "Лучше")})  # an expert may revise while open
        assert [str(s.value) for s in scoring.own_scores(slot.id, member.id).values()] == ["8.00"]
        scoring.score_project(slot, member, {c.id: ("", "")})  # and clear
        assert scoring.own_scores(slot.id, member.id) == {}


def test_only_assigned_members_score_and_a_declined_assignment_stops_scoring(make_defense):
    d = make_defense(assign=None)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        slot, member = _get(DefenseSlot, d["slots"][0]), _get(PanelMember, d["members"][0])
        with pytest.raises(Refusal, match="(not assigned|не назначены)"):
            scoring.score_project(slot, member, {rnd.criteria[0].id: (5, "")})
        assignment = assignments.assign(slot, member)
        scoring.score_project(slot, member, {rnd.criteria[0].id: (5, "")})
        with pytest.raises(Refusal):
            assignments.decline(assignment, "  ")
        assignments.decline(assignment, "Нет компетенции в деревообработке", actor=member.user)
        assert scoring.own_scores(slot.id, member.id) == {}
        with pytest.raises(Refusal):
            scoring.score_project(slot, member, {rnd.criteria[0].id: (5, "")})
        # the proposal does not offer the declined pair again
        assert member.id not in assignments.propose(rnd).assignments[slot.id]


def test_the_balanced_proposal_applied_to_a_round(make_defense):
    d = make_defense(projects=4, experts=3, assign=None)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        proposal = assignments.apply_proposal(rnd)
        counts = dict(
            db.session.execute(
                sa.select(Assignment.defense_slot_id, sa.func.count()).group_by(Assignment.defense_slot_id)
            ).all()
        )
        assert all(counts[s] >= 2 for s in d["slots"])  # min_experts_per_project = 2
        loads = proposal.load.values()
        assert max(loads) - min(loads) <= 1


def test_progress_shows_who_has_not_scored(make_defense):
    d = make_defense(projects=2, experts=2)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        slot, member = _get(DefenseSlot, d["slots"][0]), _get(PanelMember, d["members"][0])
        scoring.score_project(slot, member, {c.id: (6, "") for c in rnd.criteria})
        rows = scoring.progress(rnd)
        done = {(r["slot"].id, r["member"].id) for r in rows if r["complete"]}
        assert done == {(slot.id, member.id)}
        assert len(rows) == 2 * 3  # chair + 2 experts on 2 projects


def test_results_decisions_signing_and_immutability(make_defense):
    d = make_defense(projects=2, experts=2)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        _score_all(d, 8)
        slot2 = _get(DefenseSlot, d["slots"][1])
        member = _get(PanelMember, d["members"][0])
        scoring.score_project(slot2, member, {c.id: (2, "слабо") for c in rnd.criteria})
        with pytest.raises(Refusal):  # decisions come after scoring closes
            results.record_decision(slot2, "recommended", "")
        rounds.close_round(rnd, actor=d["chair"])
        with pytest.raises(Refusal):
            scoring.score_project(slot2, member, {rnd.criteria[0].id: (9, "")})
        data = results.round_data(rnd.id)
        ranked = [(data["slots"][r.key].code, r.rank, str(r.score)) for r in data["results"]]
        assert ranked == [("P-01", 1, "80.00"), ("P-02", 2, "60.00")]
        with pytest.raises(Refusal):  # not every project decided yet
            sign_protocol(rnd, actor=d["chair"])
        results.record_decision(_get(DefenseSlot, d["slots"][0]), "recommended", "", actor=d["chair"])
        results.record_decision(slot2, "recommended_with_revisions", "Уточнить смету", actor=d["chair"])
        project = _get(JointProject, d["projects"][1])
        assert (project.status, project.defense_outcome, project.remarks) == (
            "defended",
            "recommended_with_revisions",
            "Уточнить смету",
        )
        with pytest.raises(Refusal):  # only the chair signs
            sign_protocol(rnd, actor=d["experts"][0])
        protocol = sign_protocol(rnd, actor=d["chair"])
        db.session.commit()
        assert protocol.content_hash == content_hash(protocol.content)
        assert protocol.content["projects"][1]["remarks"] == "Уточнить смету"

        before = db.session.scalar(sa.select(sa.func.count()).select_from(Score))
        attempts = [
            lambda: scoring.score_project(slot2, member, {rnd.criteria[0].id: (9, "")}, actor=member.user),
            lambda: results.record_decision(slot2, "not_recommended", "", actor=d["chair"]),
            lambda: rounds.reopen_round(rnd, actor=d["chair"]),
            lambda: conflicts.declare_conflict(slot2, member, "поздно", actor=member.user),
        ]
        for attempt in attempts:
            with pytest.raises(RoundLocked):
                attempt()
            db.session.commit()  # the refusal's audit entry is kept
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == before
        assert _get(DefenseSlot, d["slots"][1]).decision == "recommended_with_revisions"
        refused = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "defense.change_refused")
        ).all()
        assert len(refused) == 4


def test_the_hash_verifies_and_detects_tampering(make_defense, make_tenant):
    d = make_defense(projects=1, experts=1)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        _score_all(d)
        rounds.close_round(rnd)
        results.record_decision(rnd.slots[0], "recommended", "")
        protocol = sign_protocol(rnd, actor=d["chair"])
        db.session.commit()
        digest = protocol.content_hash
    found, tenant, valid = verify_protocol(digest)  # no tenant scope: a public page
    assert found is not None and valid and tenant.slug == "komi"
    assert verify_protocol("0" * 64) == (None, None, False)
    assert verify_protocol("not-a-hash") == (None, None, False)
    with tenant_scope(db.session, d["tenant"].id):
        found = protocol_of(d["round"])
        found.content = {**found.content, "projects": []}
        db.session.commit()
    _found, _tenant, valid = verify_protocol(digest)
    assert not valid


def test_conflicted_scores_never_count(make_defense):
    d = make_defense(projects=1, experts=2)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        _score_all(d, 10)
        member = _get(PanelMember, d["members"][1])
        # a conflict recorded directly (e.g. detected later) — its scores are excluded from results
        db.session.add(
            Conflict(defense_slot_id=d["slots"][0], panel_member_id=member.id, source="declared", reason="x")
        )
        slot = _get(DefenseSlot, d["slots"][0])
        scoring.score_project(slot, _get(PanelMember, d["members"][0]), {c.id: (0, "") for c in rnd.criteria})
        result = results.round_data(rnd.id)["results"][0]
        assert result.count == 2  # chair (10) and expert 0 (0); expert 1 excluded
        assert str(result.score) == "50.00"


def test_a_new_panel_member_is_told_by_mail_in_their_language(make_defense, make_user):
    from clusterhub.outbox.models import OutboxMessage

    d = make_defense(projects=1, experts=0)
    english = make_user(name="Jane Expert", locale="en")
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        panel.add_panel_member(rnd, english, "expert")
        db.session.commit()
        mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == english.email))
    assert mail.subject == "You are on the panel of a preliminary defense"
    assert f"/komi/defenses/{d['round']}" in mail.body_text and "Jane Expert" in mail.body_text


def test_panel_and_programme_change_only_while_scoring_is_open(make_defense):
    d = make_defense(projects=2, experts=2)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        _score_all(d)
        member, slot = _get(PanelMember, d["members"][0]), _get(DefenseSlot, d["slots"][1])
        panel.remove_panel_member(member)
        rounds.remove_slot(slot)
        db.session.commit()
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Score).where(Score.panel_member_id == d["members"][0])
            )
            == 0
        )
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Assignment)
                .where(Assignment.defense_slot_id == d["slots"][1])
            )
            == 0
        )
        assert [s.id for s in rnd.slots] == [d["slots"][0]]
        rounds.close_round(rnd)
        with pytest.raises(Refusal):
            panel.remove_panel_member(_get(PanelMember, d["members"][1]))


def test_two_simultaneous_signatures_make_one_protocol(app, make_defense, pg_only):
    import threading

    from clusterhub.defenses.models import Protocol

    d = make_defense(projects=1, experts=1)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = _get(DefenseRound, d["round"])
        _score_all(d)
        rounds.close_round(rnd)
        results.record_decision(rnd.slots[0], "recommended", "")
        db.session.commit()
    tenant_id, round_id, chair_id = d["tenant"].id, d["round"], d["chair"].id
    outcomes, barrier = [], threading.Barrier(2)

    def sign():
        from clusterhub.accounts.models import User

        with app.app_context():
            with tenant_scope(db.session, tenant_id):
                chair = db.session.get(User, chair_id)
                defense_round = _get(DefenseRound, round_id)
                barrier.wait()
                try:
                    sign_protocol(defense_round, actor=chair)
                    db.session.commit()
                    outcomes.append("signed")
                except RoundLocked:
                    db.session.commit()
                    outcomes.append("refused")
            db.session.remove()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "signed"]
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Protocol)) == 1


def test_an_expert_representing_a_cluster_partner_of_the_applicant_is_conflicted(make_defense, enterprise):
    """Detected conflict through a cluster: the expert's enterprise is in a cluster with the lead."""
    from clusterhub.clusters.services.clusters import create_cluster
    from clusterhub.clusters.services.members import add_member

    d = make_defense(assign=None)
    expert = d["experts"][0]
    partner = enterprise("ООО «Партнёр по кластеру»")
    with tenant_scope(db.session, d["tenant"].id):
        slot = _get(DefenseSlot, d["slots"][0])
        cluster = create_cluster({"name": "Кластер", "cluster_type": "industrial"}, actor=None)
        add_member(cluster, slot.project.lead_enterprise, "participant", None, actor=None)
        add_member(cluster, partner, "participant", None, actor=None)
        add_representative(partner, expert, confirmed=True)
        added = conflicts.detect_conflicts(_get(DefenseRound, d["round"]))
        assert [(c.source, c.defense_slot_id) for c in added] == [("detected", slot.id)]

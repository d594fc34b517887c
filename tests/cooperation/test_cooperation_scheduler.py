"""The B2B meeting scheduler (a pure module): hand-made cases with known optima, random instances against
the exact CP-SAT optimum, the issue's size, and stability when re-run."""

import pytest

from clusterhub.cooperation.meetings import scheduler
from clusterhub.cooperation.meetings.scheduler import Meeting, Problem, schedule, verify
from clusterhub_dev.bench.cooperation_meetings import exact_optimum, random_problem

pytestmark = pytest.mark.backend_independent  # no database: run once, in the SQLite pass


def meetings(*pairs):
    return [Meeting(f"m{i}", tuple(pair)) for i, pair in enumerate(pairs)]


def test_the_module_imports_neither_flask_nor_sqlalchemy():
    from pathlib import Path

    source = Path(scheduler.__file__).read_text(encoding="utf-8")
    assert "flask" not in source.lower().replace("no flask", "")
    assert "import sqlalchemy" not in source and "from sqlalchemy" not in source


def test_a_person_is_never_in_two_places_and_a_triangle_needs_three_slots():
    problem = Problem(slots=3, tables=5, meetings=meetings("ab", "bc", "ca"))
    result = schedule(problem)
    assert verify(problem, result) == []
    assert len(result.placed) == 3
    assert len({slot for slot, _ in result.placed.values()}) == 3


def test_a_triangle_in_two_slots_places_two_and_says_the_third_did_not_fit():
    problem = Problem(slots=2, tables=5, meetings=meetings("ab", "bc", "ca"))
    result = schedule(problem)
    assert len(result.placed) == 2 and len(result.unplaced) == 1
    assert result.optimal is False or result.upper_bound == 2


def test_tables_limit_each_slot():
    problem = Problem(slots=2, tables=2, meetings=meetings("ab", "cd", "ef", "gh", "ij"))
    result = schedule(problem)
    assert verify(problem, result) == []
    assert len(result.placed) == 4


def test_a_site_visit_and_a_break_slot_are_kept_free():
    problem = Problem(
        slots=4,
        tables=3,
        meetings=meetings("ab", "ac", "ad"),
        unavailable={"a": {0}},
        break_slots={2},
    )
    result = schedule(problem)
    assert verify(problem, result) == []
    assert len(result.placed) == 2  # a is free in slots 1 and 3 only
    assert {slot for slot, _ in result.placed.values()} == {1, 3}


def test_maximum_meetings_and_consecutive_limit():
    problem = Problem(
        slots=6,
        tables=4,
        meetings=meetings("ab", "ac", "ad", "ae", "af", "ag"),
        max_meetings={"a": 5},
        max_consecutive=2,
    )
    result = schedule(problem)
    assert verify(problem, result) == []
    # at most 2 in a row in 6 back-to-back slots: x x _ x x _ → 4, under the maximum of 5
    assert len(result.placed) == 4


def test_a_gap_between_slots_ends_a_run():
    problem = Problem(
        slots=4,
        tables=4,
        meetings=meetings("ab", "ac", "ad", "ae"),
        max_consecutive=2,
        adjacent=[True, False, True],  # a coffee break between slots 1 and 2
    )
    result = schedule(problem)
    assert verify(problem, result) == [] and len(result.placed) == 4


def test_the_greedy_trap_is_repaired():
    # c can only meet in slot 0, a can meet in 0 or 1: a greedy that puts a–b in slot 0 blocks a–c
    problem = Problem(
        slots=2,
        tables=1,
        meetings=meetings("ab", "ac"),
        unavailable={"c": {1}},
    )
    result = schedule(problem)
    assert len(result.placed) == 2
    assert result.placed["m1"][0] == 0 and result.placed["m0"][0] == 1


def test_announced_meetings_keep_slot_and_table_when_rerun_after_new_acceptances():
    problem = random_problem(30, 60, 6, 6, seed=7)
    first = schedule(problem)
    announced = [
        Meeting(m.id, m.persons, *first.placed[m.id]) for m in problem.meetings if m.id in first.placed
    ]
    new = [Meeting(f"new{i}", (f"p{i}", f"p{i + 10}")) for i in range(5)]
    problem.meetings = announced + new
    again = schedule(problem)
    assert verify(problem, again) == []
    assert again.moved == []
    for m in announced:
        assert again.placed[m.id] == (m.slot, m.table)


def test_a_new_break_releases_an_announced_meeting_to_another_slot_and_keeps_the_others():
    # a–b announced in slot 1; a then says she is away in slot 1: the meeting moves to a free slot,
    # c–d keeps its place
    ab = Meeting("ab", ("a", "b"), slot=1, table=0)
    cd = Meeting("cd", ("c", "d"), slot=1, table=1)
    problem = Problem(slots=3, tables=2, meetings=[ab, cd], unavailable={"a": {1}})
    result = schedule(problem)
    assert verify(problem, result) == []
    assert result.released == ["ab"] and result.moved == ["ab"]
    assert result.placed["ab"][0] != 1 and result.placed["cd"] == (1, 1)


def test_a_lower_maximum_keeps_the_earliest_announced_meetings_and_says_which_lost_their_place():
    announced = [Meeting(f"a{n}", ("a", f"p{n}"), slot=n, table=0) for n in range(3)]
    problem = Problem(slots=3, tables=1, meetings=announced, max_meetings={"a": 2})
    result = schedule(problem)
    assert verify(problem, result) == []
    assert result.placed == {"a0": (0, 0), "a1": (1, 0)}
    assert result.released == ["a2"] and result.unplaced == ["a2"]
    # without the new limit nothing moves
    unchanged = schedule(Problem(slots=3, tables=1, meetings=announced))
    assert unchanged.released == [] and len(unchanged.placed) == 3


def test_moving_allowed_places_more_and_counts_the_moves():
    # a–b announced in slot 0 blocks a–c, which only fits slot 0
    announced = Meeting("ab", ("a", "b"), slot=0, table=0)
    blocked = Meeting("ac", ("a", "c"))
    fixed = Problem(slots=2, tables=1, meetings=[announced, blocked], unavailable={"c": {1}})
    assert schedule(fixed).unplaced == ["ac"]
    movable = Problem(
        slots=2, tables=1, meetings=[announced, blocked], unavailable={"c": {1}}, allow_moving=True
    )
    result = schedule(movable)
    assert len(result.placed) == 2 and result.moved == ["ab"]


def test_the_same_input_gives_the_same_schedule():
    problem = random_problem(40, 100, 6, 6, seed=3, time_limit=600)
    problem.max_steps = 20_000  # a work budget: two runs do the same work whatever the machine's load
    assert schedule(problem).placed == schedule(problem).placed


@pytest.mark.parametrize("seed", range(12))
def test_small_random_instances_reach_the_exact_optimum(seed):
    problem = random_problem(
        12 + seed, 25 + 3 * seed, 4 + seed % 3, 2 + seed % 3, seed=seed, announced=seed % 4, time_limit=60
    )
    problem.max_steps = 50_000  # a work budget, not a time limit: the same result on any machine
    result = schedule(problem)
    assert verify(problem, result) == []
    optimum, proven = exact_optimum(problem, time_limit=20)
    assert proven
    assert len(result.placed) == optimum


def test_the_issue_size_fills_every_place():
    # 480 places, fewer than the accepted requests: every table of every slot is the optimum. (Its time,
    # under 0.1 s, is measured by `make bench`, not asserted here.)
    problem = random_problem(300, 1000, 12, 40, seed=1)
    result = schedule(problem)
    assert verify(problem, result) == []
    assert len(result.placed) == 12 * 40 and result.optimal


def test_a_harder_instance_where_persons_bind_reaches_98_percent_of_the_proven_optimum():
    # 8 slots and 80 tables: the site visits and maximums bind, not the tables (CP-SAT proves 640)
    problem = random_problem(300, 1000, 8, 80, seed=3, busy_share=0.6, max_share=0.2, time_limit=600)
    problem.max_steps = 100_000  # about what 1.5 s allows on this machine under load; the same on any machine
    result = schedule(problem)
    assert verify(problem, result) == []
    assert len(result.placed) >= 0.98 * 640

"""Pure functions of the defenses: the assignment proposal and the scoring arithmetic."""

import itertools
from decimal import Decimal

import pytest

from clusterhub.defenses.services.arithmetic import CriterionSpec, expert_total, project_result, rank
from clusterhub.defenses.services.proposal import propose_assignment

pytestmark = pytest.mark.backend_independent  # no database: run once, in the SQLite pass

D = Decimal


def test_every_project_gets_its_experts_and_the_load_is_even():
    p = propose_assignment(range(10), "ABCDEFG", per_project=3)
    assert all(len(set(v)) == 3 for v in p.assignments.values())
    assert sum(p.load.values()) == 30 and max(p.load.values()) - min(p.load.values()) <= 1
    assert not p.short


def test_conflicts_are_never_proposed_and_scarce_experts_serve_where_needed():
    excluded = {(0, "A"), (0, "B"), (1, "C")}
    p = propose_assignment([0, 1, 2], "ABCD", per_project=2, excluded=excluded)
    for project, experts in p.assignments.items():
        assert len(experts) == 2 and not {(project, e) for e in experts} & excluded
    assert p.assignments[0] == ["C", "D"]
    assert max(p.load.values()) - min(p.load.values()) <= 1


def test_too_few_eligible_experts_is_reported_not_hidden():
    p = propose_assignment([0, 1], "AB", per_project=2, excluded={(0, "A")})
    assert p.assignments[0] == ["B"] and p.short == {0: 1}


def test_existing_assignments_are_kept_and_counted():
    p = propose_assignment([0, 1, 2], "ABC", per_project=1, existing={0: ["A"], 1: ["A"]})
    assert p.assignments[0] == ["A"] and p.assignments[1] == ["A"]
    assert p.assignments[2] in (["B"], ["C"]) and p.load["A"] == 2


@pytest.mark.parametrize("projects,experts,n", [(10, 7, 3), (7, 7, 7), (5, 3, 2), (1, 4, 3)])
def test_balance_holds_across_shapes(projects, experts, n):
    p = propose_assignment(range(projects), range(experts), n)
    loads = p.load.values()
    assert max(loads) - min(loads) <= 1
    assert all(len(v) == min(n, experts) for v in p.assignments.values())


CRITERIA = [
    CriterionSpec("a", D("0.5"), D(0), D(10)),
    CriterionSpec("b", D("0.3"), D(1), D(5)),
    CriterionSpec("c", D("0.2"), D(0), D(100)),
]


def test_an_expert_total_normalises_each_range_and_weights_it():
    # a: 8/10 = 0.8; b: (4-1)/4 = 0.75; c: 50/100 = 0.5 -> 0.4 + 0.225 + 0.1 = 0.725
    assert expert_total({"a": 8, "b": 4, "c": 50}, CRITERIA) == (D("72.50"), 0)
    assert expert_total({"a": 10, "b": 5, "c": 100}, CRITERIA) == (D("100.00"), 0)
    assert expert_total({"a": 0, "b": 1, "c": 0}, CRITERIA) == (D("0.00"), 0)


def test_missing_criteria_are_left_out_of_both_sums_and_counted():
    # only a and c scored: (0.5*0.8 + 0.2*0.5) / 0.7 = 0.714285…
    assert expert_total({"a": 8, "c": 50}, CRITERIA) == (D("71.43"), 1)
    assert expert_total({}, CRITERIA) == (None, 3)


def test_scores_outside_the_range_are_refused():
    with pytest.raises(ValueError):
        expert_total({"b": 0}, CRITERIA)
    with pytest.raises(ValueError):
        expert_total({"a": D("10.5")}, CRITERIA)


def test_project_result_gives_mean_spread_and_count():
    sheets = [{"a": 8, "b": 4, "c": 50}, {"a": 10, "b": 5, "c": 100}, {"a": 6}, {}]
    r = project_result("p", sheets, CRITERIA)
    # totals 72.50, 100.00, 60.00 (a only); the empty sheet does not count
    assert (r.score, r.minimum, r.maximum, r.count, r.missing) == (D("77.50"), D("60.00"), D("100.00"), 3, 2)
    assert r.std_dev == D("16.71")  # population: sqrt((5² + 22.5² + 17.5²) / 3) = 16.708…


def test_a_project_without_scores_has_no_result():
    r = project_result("p", [], CRITERIA)
    assert r.score is None and r.count == 0


def test_ranking_shares_ranks_on_ties_and_puts_unscored_last():
    results = [
        project_result(k, [{"a": v}], CRITERIA) if v is not None else project_result(k, [], CRITERIA)
        for k, v in [("x", 5), ("y", 9), ("z", None), ("w", 9), ("v", 1)]
    ]
    ranked = rank(results)
    assert [(r.key, r.rank) for r in ranked] == [("y", 1), ("w", 1), ("x", 3), ("v", 4), ("z", None)]


def test_weights_matter():
    heavy_a = [CriterionSpec("a", D(9), D(0), D(10)), CriterionSpec("b", D(1), D(0), D(10))]
    totals = {
        k: expert_total(s, heavy_a)[0]
        for k, s in {"good_a": {"a": 10, "b": 0}, "good_b": {"a": 0, "b": 10}}.items()
    }
    assert totals == {"good_a": D("90.00"), "good_b": D("10.00")}
    assert (
        list(
            itertools.islice(
                rank(
                    [
                        project_result(k, [s], heavy_a)
                        for k, s in [("1", {"a": 0, "b": 10}), ("2", {"a": 10, "b": 0})]
                    ]
                ),
                1,
            )
        )[0].key
        == "2"
    )

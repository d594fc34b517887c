"""The scheduler's benchmark and its exact oracle: random instances, and the optimum by OR-Tools CP-SAT.

``make bench`` runs :func:`scenario` (300 participants, 1,000 accepted requests, 12 slots, 40 tables) and
prints the number placed, the exact optimum and the time; the tests use :func:`random_problem` and
:func:`exact_optimum` on small sizes. OR-Tools is a development dependency: the application never needs it.
"""

import random
import time

from clusterhub.cooperation.meetings.scheduler import Meeting, Problem, schedule, upper_bound, verify


def random_problem(
    persons: int,
    requests: int,
    slots: int,
    tables: int,
    *,
    seed: int = 0,
    busy_share: float = 0.3,
    max_share: float = 0.5,
    max_consecutive: int | None = 4,
    announced: int = 0,
    allow_moving: bool = False,
    time_limit: float = 1.5,
) -> Problem:
    """A session-like instance: a few popular persons get many requests, ``busy_share`` of the persons
    sit out a site visit (a run of 2–4 slots), ``max_share`` set a maximum of 3–6 meetings, and
    ``announced`` meetings of an earlier run already have a place."""
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(persons)]
    weights = [1.0 / (1 + i) ** 0.5 for i in range(persons)]  # some are sought after more than others
    pairs: set = set()
    while len(pairs) < requests:
        a, b = rng.choices(people, weights)[0], rng.choice(people)
        if a != b and (a, b) not in pairs and (b, a) not in pairs:
            pairs.add((a, b))
    meetings = [Meeting(f"m{i}", pair) for i, pair in enumerate(sorted(pairs))]
    unavailable = {}
    for p in people:
        if rng.random() < busy_share:
            start, length = rng.randrange(slots), rng.randint(2, 4)
            unavailable[p] = set(range(start, min(slots, start + length)))
    max_meetings = {p: rng.randint(3, 6) for p in people if rng.random() < max_share}
    problem = Problem(
        slots=slots,
        tables=tables,
        meetings=meetings,
        unavailable=unavailable,
        max_meetings=max_meetings,
        max_consecutive=max_consecutive,
        allow_moving=allow_moving,
        time_limit=time_limit,
        seed=seed,
    )
    if announced:
        first = schedule(problem)
        keep = list(first.placed.items())[:announced]
        chosen = dict(keep)
        problem.meetings = [
            Meeting(m.id, m.persons, *chosen[m.id]) if m.id in chosen else m for m in problem.meetings
        ]
    return problem


def exact_optimum(problem: Problem, time_limit: float = 60.0) -> tuple[int, bool]:
    """The most meetings any schedule places, by CP-SAT: ``(value, proven)``; ``proven`` is False when
    the time limit stopped the solver first (the value is then its best bound, rounded down)."""
    from ortools.sat.python import cp_model

    adjacent = problem.adjacent or [True] * max(0, problem.slots - 1)
    breaks = set(problem.break_slots)
    model = cp_model.CpModel()
    x = {}
    by_person: dict = {}
    for m in problem.meetings:
        for s in range(problem.slots):
            closed = s in breaks or any(s in set(problem.unavailable.get(p, ())) for p in m.persons)
            if closed and not (m.slot == s and not problem.allow_moving):
                continue
            x[m.id, s] = model.new_bool_var(f"x_{m.id}_{s}")
            for p in m.persons:
                by_person.setdefault(p, {}).setdefault(s, []).append(x[m.id, s])
        model.add_at_most_one(x[m.id, s] for s in range(problem.slots) if (m.id, s) in x)
        if m.slot is not None and not problem.allow_moving and (m.id, m.slot) in x:
            model.add(x[m.id, m.slot] == 1)
    for s in range(problem.slots):
        model.add(sum(x[m.id, s] for m in problem.meetings if (m.id, s) in x) <= problem.tables)
    for p, per_slot in by_person.items():
        for variables in per_slot.values():
            model.add_at_most_one(variables)
        cap = problem.max_meetings.get(p, problem.default_max)
        if cap is not None:
            model.add(sum(v for vs in per_slot.values() for v in vs) <= cap)
        limit = problem.max_consecutive_by_person.get(p, problem.max_consecutive)
        if limit is not None:
            for start in range(problem.slots - limit):
                window = range(start, start + limit + 1)
                if all(adjacent[s] for s in range(start, start + limit)):
                    model.add(sum(v for s in window for v in per_slot.get(s, [])) <= limit)
    model.maximize(sum(x.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return int(round(solver.objective_value)), True
    return int(solver.best_objective_bound + 1e-6), False


# (label, persons, requests, slots, tables, seed, share at a site visit, share with a maximum)
CASES = (
    ("issue size, seed 1", 300, 1000, 12, 40, 1, 0.3, 0.5),
    ("issue size, seed 2", 300, 1000, 12, 40, 2, 0.3, 0.5),
    ("issue size, seed 3", 300, 1000, 12, 40, 3, 0.3, 0.5),
    # the tables no longer bind: site visits, maximums and the run limit do
    ("8 slots x 80 tables", 300, 1000, 8, 80, 3, 0.6, 0.2),
    ("12 slots x 60 tables", 300, 1000, 12, 60, 1, 0.5, 0.7),
)


def run(cases=CASES, oracle: bool = True, oracle_seconds: float = 60.0) -> list[dict]:
    """The bench: one row per case with the number placed, the exact optimum (or CP-SAT's bound when it
    cannot prove one within ``oracle_seconds``) and the scheduler's time."""
    rows = []
    for label, persons, requests, slots, tables, seed, busy, capped in cases:
        problem = random_problem(
            persons, requests, slots, tables, seed=seed, busy_share=busy, max_share=capped
        )
        started = time.perf_counter()
        result = schedule(problem)
        seconds = time.perf_counter() - started
        row = {
            "label": label,
            "placed": len(result.placed),
            "bound": upper_bound(problem),
            "seconds": seconds,
            "errors": len(verify(problem, result)),
        }
        if oracle:
            try:
                row["optimum"], row["proven"] = exact_optimum(problem, oracle_seconds)
            except ImportError:  # OR-Tools is a development dependency
                row["optimum"], row["proven"] = row["bound"], False
        rows.append(row)
    return rows


def report(rows: list[dict]) -> None:
    print("\nB2B scheduler: 300 participants, 1,000 accepted requests (time limit 1.5 s)")
    print(f"{'case':24} {'placed':>7} {'optimum':>16} {'share':>7} {'seconds':>8} {'clashes':>8}")
    for row in rows:
        optimum = row.get("optimum", row["bound"])
        shown = f"{optimum}" if row.get("proven") else f"<= {optimum} (bound)"
        print(
            f"{row['label']:24} {row['placed']:>7} {shown:>16} {row['placed'] / optimum * 100:6.1f}% "
            f"{row['seconds']:8.2f} {row['errors']:>8}"
        )


def scenario(app) -> list:
    """For ``bench.scenarios.SCENARIOS``: no page, the scheduler's figures printed while preparing."""
    report(run())
    return []


if __name__ == "__main__":
    report(run())

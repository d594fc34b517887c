"""The balanced automatic assignment proposal: a pure function, no database."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field


@dataclass
class Proposal:
    assignments: dict  # project -> list of experts, in the order they were picked
    load: dict  # expert -> number of projects
    short: dict = field(default_factory=dict)  # project -> how many experts it still lacks (too few eligible)


def propose_assignment(
    projects: Iterable[Hashable],
    experts: Iterable[Hashable],
    per_project: int,
    excluded: Iterable[tuple] = (),
    existing: dict | None = None,
) -> Proposal:
    """Give every project at least ``per_project`` experts, spreading the load as evenly as possible.

    ``excluded``: ``(project, expert)`` pairs that must not be paired (conflicts of interest, declined
    assignments). ``existing``: assignments already made (``project -> experts``), kept and counted in
    the load. Projects with the fewest eligible experts are served first so that a scarce expert is not
    used up elsewhere; among eligible experts the least loaded wins (ties by the order given), which keeps
    the difference between the most and least loaded expert at one when nothing is excluded. Deterministic.
    """
    projects, experts = list(projects), list(experts)
    excluded = set(excluded)
    order = {expert: i for i, expert in enumerate(experts)}
    existing = existing or {}
    assignments = {p: [e for e in existing.get(p, []) if e in order] for p in projects}
    load = {e: 0 for e in experts}
    for chosen in assignments.values():
        for e in chosen:
            load[e] += 1
    eligible = {p: [e for e in experts if (p, e) not in excluded] for p in projects}
    short = {}
    for p in sorted(projects, key=lambda p: (len(eligible[p]), projects.index(p))):
        need = per_project - len(assignments[p])
        candidates = sorted(
            (e for e in eligible[p] if e not in assignments[p]), key=lambda e: (load[e], order[e])
        )
        for e in candidates[: max(need, 0)]:
            assignments[p].append(e)
            load[e] += 1
        if len(assignments[p]) < per_project:
            short[p] = per_project - len(assignments[p])
    return Proposal(assignments=assignments, load=load, short=short)

"""The B2B meeting scheduler: accepted meetings → (slot, table), with no person or table in two places.

A pure module (no Flask, no SQLAlchemy): the service layer builds a :class:`Problem` from the database and
stores the :class:`Schedule` it gets back, and the tests and ``make bench`` call it directly.

The model. A block has ``slots`` time slots in order and ``tables`` tables. Each meeting joins two persons.
A placement puts a meeting in one slot at one table so that

* a table holds at most one meeting per slot, and a person sits in at most one meeting per slot;
* no meeting falls in a block-wide break slot or a slot the person is unavailable in (an agenda item they
  signed up for, such as a site visit);
* a person has at most their maximum number of meetings, and at most ``max_consecutive`` meetings in a row
  (slots are "in a row" when ``adjacent[i]`` says slot ``i + 1`` starts when slot ``i`` ends);
* an announced meeting (``Meeting.slot``/``Meeting.table`` given) keeps its place unless the problem allows
  moving announced meetings (it is then only a preference), or unless that place now breaks a rule above —
  a person's new break or lower maximum: such a meeting is *released* (earliest slots are kept first) and
  placed like a new one where it still fits, or reported unplaced.

Objective: as many meetings placed as possible; then as few announced meetings moved as possible.

Algorithm. Tables are interchangeable apart from announced ones, so the search assigns slots (a slot has
``tables`` places) and tables are handed out at the end, each meeting keeping its previous table when it is
free. Slots are assigned by a greedy pass, most constrained meeting first, followed by ejection chains: an
unplaced meeting may take a slot whose blockers (the meeting a person already has there, or one meeting of a
full slot) can themselves be re-placed, recursively to a small depth. Then, until the time limit or until an
upper bound is reached, a randomised "ruin and recreate" loop empties a few slots' worth of meetings and
re-inserts them, keeping the result only when no fewer meetings are placed. The bound (total places, and
each person's capacity) lets it stop early when the schedule is provably optimal. The search is seeded, so a
re-run on the same input gives the same schedule as long as it is not cut short by the time limit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

__all__ = ["Meeting", "Problem", "Schedule", "schedule", "upper_bound", "verify"]


@dataclass(frozen=True)
class Meeting:
    """An accepted meeting between two persons; ``slot``/``table`` are its announced place, if any."""

    id: Hashable
    persons: tuple[Hashable, Hashable]
    slot: int | None = None
    table: int | None = None


@dataclass
class Problem:
    slots: int
    tables: int
    meetings: list[Meeting]
    # person → slots they cannot meet in (agenda items they signed up for, own breaks)
    unavailable: dict[Hashable, Iterable[int]] = field(default_factory=dict)
    # person → their maximum number of meetings in the block (``default_max`` when absent)
    max_meetings: dict[Hashable, int] = field(default_factory=dict)
    default_max: int | None = None
    # at most this many meetings in a row for anybody (None: no limit); per-person overrides
    max_consecutive: int | None = None
    max_consecutive_by_person: dict[Hashable, int] = field(default_factory=dict)
    # block-wide breaks: nobody meets in these slots
    break_slots: Iterable[int] = ()
    # adjacent[i]: slot i + 1 follows slot i without a gap (default: all back to back)
    adjacent: list[bool] | None = None
    # announced meetings may move (to place more meetings); otherwise they keep slot and table
    allow_moving: bool = False
    # the search stops at whichever comes first; the iteration budget makes a result independent of the
    # machine's speed (tests), the time limit keeps a page responsive on a busy machine
    time_limit: float = 1.0
    max_iterations: int = 4000
    max_steps: int = 400_000  # ejection-chain steps, all phases together
    seed: int = 0


@dataclass
class Schedule:
    placed: dict[Hashable, tuple[int, int]]  # meeting id → (slot, table)
    unplaced: list[Hashable]
    moved: list[Hashable]  # announced meetings that got another slot or table
    upper_bound: int
    seconds: float
    iterations: int = 0
    # announced meetings that could not keep their place because it breaks a rule now (a person's new break
    # or lower maximum); each is placed elsewhere if it fits (then also in ``moved``) or else unplaced
    released: list[Hashable] = field(default_factory=list)

    @property
    def optimal(self) -> bool:
        """True when the number placed equals the upper bound (provably the most that fit)."""
        return len(self.placed) == self.upper_bound


def _person_capacity(problem: Problem, person, blocked: set[int], adjacent: list[bool]) -> int:
    """How many meetings ``person`` could have at most, alone: free slots limited by the run length."""
    cap = problem.max_meetings.get(person, problem.default_max)
    limit = problem.max_consecutive_by_person.get(person, problem.max_consecutive)
    run, total = 0, 0
    for s in range(problem.slots):
        if s in blocked:
            run = 0
            continue
        if s > 0 and not adjacent[s - 1]:
            run = 0
        if limit is None or run < limit:
            total += 1
            run += 1
        else:
            run = 0  # this slot stays empty: the run restarts after it
    return total if cap is None else min(cap, total)


def upper_bound(problem: Problem) -> int:
    """A bound no schedule can beat: the places in open slots, and half the persons' capacities."""
    adjacent = problem.adjacent or [True] * max(0, problem.slots - 1)
    breaks = set(problem.break_slots)
    open_slots = problem.slots - len(breaks & set(range(problem.slots)))
    degree: dict = {}
    for m in problem.meetings:
        for p in m.persons:
            degree[p] = degree.get(p, 0) + 1
    caps = {
        p: min(d, _person_capacity(problem, p, breaks | set(problem.unavailable.get(p, ())), adjacent))
        for p, d in degree.items()
    }
    # every meeting needs both persons to have capacity left; a meeting counts against both
    by_meeting = sum(1 for m in problem.meetings if all(caps[p] > 0 for p in m.persons))
    return min(by_meeting, open_slots * problem.tables, sum(caps.values()) // 2)


class _State:
    """Slots of the placed meetings with the counters the constraints need, and an undo journal."""

    def __init__(self, problem: Problem):
        self.p = problem
        self.S = problem.slots
        self.adjacent = problem.adjacent or [True] * max(0, self.S - 1)
        breaks = set(problem.break_slots)
        persons = {x for m in problem.meetings for x in m.persons}
        self.allowed = {
            x: [s not in breaks and s not in set(problem.unavailable.get(x, ())) for s in range(self.S)]
            for x in persons
        }
        self.cap = {x: problem.max_meetings.get(x, problem.default_max) for x in persons}
        self.run_limit = {
            x: problem.max_consecutive_by_person.get(x, problem.max_consecutive) for x in persons
        }
        self.meetings = {m.id: m for m in problem.meetings}
        self.busy = {x: [None] * self.S for x in persons}
        self.count = dict.fromkeys(persons, 0)
        self.load = [0] * self.S
        self.capacity = [0 if s in breaks else problem.tables for s in range(self.S)]
        self.in_slot: list[set] = [set() for _ in range(self.S)]
        self.slot_of: dict = {}
        self.fixed: set = set()
        self.journal: list = []
        self.steps = 0

    # -- moves -----------------------------------------------------------------------------------------
    def place(self, mid, s):
        a, b = self.meetings[mid].persons
        self.busy[a][s] = mid
        self.busy[b][s] = mid
        self.count[a] += 1
        self.count[b] += 1
        self.load[s] += 1
        self.in_slot[s].add(mid)
        self.slot_of[mid] = s
        self.journal.append((True, mid, s))

    def remove(self, mid):
        s = self.slot_of.pop(mid)
        a, b = self.meetings[mid].persons
        self.busy[a][s] = None
        self.busy[b][s] = None
        self.count[a] -= 1
        self.count[b] -= 1
        self.load[s] -= 1
        self.in_slot[s].discard(mid)
        self.journal.append((False, mid, s))

    def mark(self) -> int:
        return len(self.journal)

    def rollback(self, mark: int):
        while len(self.journal) > mark:
            placed, mid, s = self.journal.pop()
            if placed:
                self.remove(mid)
            else:
                self.place(mid, s)
            self.journal.pop()  # the inverse move just journalled

    # -- checks ----------------------------------------------------------------------------------------
    def _run_ok(self, x, s) -> bool:
        limit = self.run_limit[x]
        if limit is None:
            return True
        busy, adjacent, run = self.busy[x], self.adjacent, 1
        i = s - 1
        while i >= 0 and adjacent[i] and busy[i] is not None:
            run += 1
            i -= 1
        i = s + 1
        while i < self.S and adjacent[i - 1] and busy[i] is not None:
            run += 1
            i += 1
        return run <= limit

    def person_ok(self, x, s) -> bool:
        cap = self.cap[x]
        return (
            self.allowed[x][s]
            and self.busy[x][s] is None
            and (cap is None or self.count[x] < cap)
            and self._run_ok(x, s)
        )

    def fits(self, mid, s) -> bool:
        a, b = self.meetings[mid].persons
        return self.load[s] < self.capacity[s] and self.person_ok(a, s) and self.person_ok(b, s)

    def free_slots(self, mid) -> list[int]:
        return [s for s in range(self.S) if self.fits(mid, s)]


def _insert(state: _State, mid, depth: int, tabu: set, rng: random.Random, preferred=None) -> bool:
    """Place ``mid`` somewhere, moving other (movable) meetings out of the way up to ``depth`` levels."""
    direct = state.free_slots(mid)
    if direct:
        if preferred in direct:
            state.place(mid, preferred)
        else:
            # the least loaded slot keeps room everywhere for the meetings still to come
            state.place(mid, min(direct, key=lambda s: (state.load[s], s)))
        return True
    state.steps += 1
    if depth <= 0 or state.steps > state.p.max_steps:
        return False
    a, b = state.meetings[mid].persons
    order = list(range(state.S))
    rng.shuffle(order)
    for s in order:
        if not (state.allowed[a][s] and state.allowed[b][s]):
            continue
        blockers = {state.busy[a][s], state.busy[b][s]} - {None}
        if blockers & state.fixed or blockers & tabu:
            continue
        choices: list = [None]
        if state.load[s] - len(blockers) >= state.capacity[s]:
            # the slot is full: one more meeting must leave it; try a few
            candidates = sorted(state.in_slot[s] - blockers - state.fixed - tabu, key=str)
            rng.shuffle(candidates)
            choices = candidates[:4]
        for extra in choices:
            out = blockers | ({extra} if extra is not None else set())
            mark = state.mark()
            for other in out:
                state.remove(other)
            if not state.fits(mid, s):
                state.rollback(mark)
                continue
            state.place(mid, s)
            inner_tabu = tabu | out | {mid}
            if all(_insert(state, other, depth - 1, inner_tabu, rng) for other in sorted(out, key=str)):
                return True
            state.rollback(mark)
    return False


def _keep_announced(state: _State) -> None:
    """Fix announced meetings in their slot, earliest first, as long as the slot is still open to both
    persons, the table is free and neither person goes over their maximum or run; unless moving is allowed."""
    problem = state.p
    if problem.allow_moving:
        return
    announced = sorted((m for m in problem.meetings if m.slot is not None), key=lambda m: (m.slot, str(m.id)))
    for m in announced:
        if 0 <= m.slot < state.S and state.fits(m.id, m.slot):
            state.place(m.id, m.slot)
            state.fixed.add(m.id)


def schedule(problem: Problem) -> Schedule:
    """Place as many of ``problem.meetings`` as possible; see the module docstring for the rules."""
    started = time.perf_counter()
    rng = random.Random(problem.seed)
    state = _State(problem)
    bound = upper_bound(problem)
    by_id = state.meetings

    # 1. announced meetings that may not move keep their place while it respects every rule (a person's new
    # break or lower maximum releases it; it is then placed like a new meeting, if it still fits)
    _keep_announced(state)
    released = [m.id for m in problem.meetings if m.slot is not None and m.id not in state.fixed]
    if problem.allow_moving:
        released = []

    # 2. greedy, most constrained first: fewest open slots, then the busiest persons
    degree: dict = {}
    for m in problem.meetings:
        for x in m.persons:
            degree[x] = degree.get(x, 0) + 1
    pending = [m for m in problem.meetings if m.id not in state.slot_of]

    def tightness(m: Meeting):
        a, b = m.persons
        open_slots = sum(1 for s in range(state.S) if state.allowed[a][s] and state.allowed[b][s])
        return (m.slot is None, open_slots, degree[a] + degree[b], str(m.id))

    pending.sort(key=tightness)
    for m in pending:
        if len(state.slot_of) >= bound:
            break
        _insert(state, m.id, 0, set(), rng, preferred=m.slot)

    # 3. ejection chains for whatever is left, a few rounds while they help
    def repair(depth: int) -> None:
        for m in pending:
            if len(state.slot_of) >= bound or time.perf_counter() - started > problem.time_limit * 0.5:
                return
            if m.id not in state.slot_of:
                mark = state.mark()
                if not _insert(state, m.id, depth, set(), rng):
                    state.rollback(mark)

    for depth in (1, 2, 3):
        if len(state.slot_of) >= bound or time.perf_counter() - started > problem.time_limit:
            break
        repair(depth)
    state.journal.clear()

    # 4. ruin and recreate until the bound, the iteration budget or the time limit: free the persons of an
    # unplaced meeting (and a place in a full slot they could share), put it in first, then the freed
    # meetings and the unplaced meetings of the persons involved; keep the result unless fewer are placed
    movable = {m.id for m in problem.meetings if m.id not in state.fixed}
    meetings_of: dict = {}
    for m in problem.meetings:
        for x in m.persons:
            meetings_of.setdefault(x, []).append(m)
    iteration = 0
    while (
        len(state.slot_of) < bound
        and movable
        and iteration < problem.max_iterations
        and state.steps < problem.max_steps
        and time.perf_counter() - started < problem.time_limit * 0.9
    ):
        iteration += 1
        before = len(state.slot_of)
        mark = state.mark()
        unplaced = [m for m in pending if m.id not in state.slot_of]
        seed_meeting = rng.choice(unplaced)
        a, b = seed_meeting.persons
        victims = {mid for x in (a, b) for mid in state.busy[x] if mid is not None and mid in movable}
        shared = [s for s in range(state.S) if state.allowed[a][s] and state.allowed[b][s]]
        if shared:
            s = rng.choice(shared)
            if state.load[s] >= state.capacity[s]:
                crowd = sorted(state.in_slot[s] & movable, key=str)
                victims |= set(rng.sample(crowd, min(len(crowd), 2)))
        for mid in victims:
            state.remove(mid)
        freed = sorted((by_id[mid] for mid in victims), key=tightness)
        persons = {x for m in freed for x in m.persons} | {a, b}
        nearby = [
            m for x in persons for m in meetings_of[x] if m.id not in state.slot_of and m.id not in victims
        ]
        rng.shuffle(nearby)
        for m in [seed_meeting, *freed, *nearby[:30]]:
            if m.id not in state.slot_of:
                _insert(state, m.id, 1, set(), rng)
        if len(state.slot_of) < before:
            state.rollback(mark)
        state.journal.clear()

    # 5. tables: announced ones first, then each meeting at its previous table when free, then in order
    placed: dict = {}
    taken = [set() for _ in range(state.S)]
    ordered = sorted(
        state.slot_of, key=lambda mid: (mid not in state.fixed, by_id[mid].table is None, str(mid))
    )
    late = []
    for mid in ordered:
        s, m = state.slot_of[mid], by_id[mid]
        own_table = m.table is not None and 0 <= m.table < problem.tables and m.table not in taken[s]
        if own_table and (mid in state.fixed or m.slot == s):
            placed[mid] = (s, m.table)
            taken[s].add(m.table)
            continue
        late.append(mid)
    for mid in late:
        s = state.slot_of[mid]
        table = next(t for t in range(problem.tables) if t not in taken[s])
        placed[mid] = (s, table)
        taken[s].add(table)
    moved = [m.id for m in problem.meetings if m.slot is not None and placed.get(m.id) != (m.slot, m.table)]
    unplaced = [m.id for m in problem.meetings if m.id not in placed]
    return Schedule(placed, unplaced, moved, bound, time.perf_counter() - started, iteration, released)


def verify(problem: Problem, result: Schedule) -> list[str]:
    """Every rule the schedule breaks, in words (empty when it is valid); for tests and the bench."""
    errors = []
    adjacent = problem.adjacent or [True] * max(0, problem.slots - 1)
    breaks = set(problem.break_slots)
    by_id = {m.id: m for m in problem.meetings}
    keeping = _State(problem)
    _keep_announced(keeping)  # the announced meetings that must keep their place
    for mid in keeping.fixed:
        if mid not in result.placed:
            errors.append(f"announced {mid} taken out")
    tables, persons = {}, {}
    for mid, (s, t) in result.placed.items():
        m = by_id[mid]
        if not (0 <= s < problem.slots and 0 <= t < problem.tables):
            errors.append(f"{mid}: no such place {s}/{t}")
        if (s, t) in tables:
            errors.append(f"table {t} in slot {s} twice: {tables[(s, t)]} and {mid}")
        tables[(s, t)] = mid
        for x in m.persons:
            if (x, s) in persons:
                errors.append(f"{x} in two meetings in slot {s}: {persons[(x, s)]} and {mid}")
            persons[(x, s)] = mid
            if s in breaks or s in set(problem.unavailable.get(x, ())):
                errors.append(f"{x} is unavailable in slot {s} ({mid})")
        if mid in keeping.fixed and (s, t) != (m.slot, m.table):
            errors.append(f"announced {mid} moved")
    for x in {x for m in problem.meetings for x in m.persons}:
        busy = [(x, s) in persons for s in range(problem.slots)]
        cap = problem.max_meetings.get(x, problem.default_max)
        if cap is not None and sum(busy) > cap:
            errors.append(f"{x} has {sum(busy)} meetings, more than {cap}")
        limit = problem.max_consecutive_by_person.get(x, problem.max_consecutive)
        run = 0
        for s in range(problem.slots):
            run = (run + 1 if s > 0 and adjacent[s - 1] else 1) if busy[s] else 0
            if limit is not None and run > limit:
                errors.append(f"{x} has more than {limit} meetings in a row at slot {s}")
                break
    return errors

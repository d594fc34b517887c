"""The score of a possible partner: a pure function of plain facts, with the reasons in words-to-be.

No Flask and no database here: ``services`` gathers the facts of a request and of its candidate offers
(or the other way round) and this module ranks them, so the ranking is tested on hand-made cases.

What counts, in points (the total orders the suggestions; only the reasons are shown to people):

* classification codes, ОКПД 2 and ОКВЭД 2, along the dotted hierarchy: the same code 40, the same group
  (the first three digits, e.g. 22.2) 25, the same class (two digits, e.g. 22) 10; the best pair counts;
* text relevance, a number between 0 and 1 given by the caller (PostgreSQL's ``ts_rank`` with Russian
  stemming, or shared word stems on SQLite): up to 25;
* place: the offer serves the other side's region or district by name 15, else the same region 15, the
  same federal district 10, a neighbouring district 4;
* the same kind of cooperation (e.g. both contract manufacturing): 5;
* history: each session both enterprises took part in 5 (at most 15), each cluster both belong to 8 (at
  most 16).
"""

from dataclasses import dataclass, field

CODE_POINTS = {"code": 40, "group": 25, "class": 10}
TEXT_POINTS = 25
SERVES_POINTS = 15
SAME_REGION_POINTS = 15
SAME_DISTRICT_POINTS = 10
NEIGHBOUR_DISTRICT_POINTS = 4
SAME_KIND_POINTS = 5
SESSION_POINTS, SESSION_MAX = 5, 15
CLUSTER_POINTS, CLUSTER_MAX = 8, 16
MIN_TEXT_RELEVANCE = 0.4  # below this (on SQLite: fewer than two shared stems) the text is not named
MIN_SCORE = 10  # a candidate scoring less is not suggested

# Federal districts that share a border (codes of regions.models.FEDERAL_DISTRICTS).
NEIGHBOURS = {
    "CFD": {"NWFD", "VFD", "SFD"},
    "NWFD": {"CFD", "VFD", "UFD"},
    "SFD": {"CFD", "NCFD", "VFD"},
    "NCFD": {"SFD"},
    "VFD": {"CFD", "NWFD", "SFD", "UFD"},
    "UFD": {"NWFD", "VFD", "SibFD"},
    "SibFD": {"UFD", "FEFD"},
    "FEFD": {"SibFD"},
}


@dataclass(frozen=True)
class Facts:
    """What the match looks at in one offer or request."""

    okpd2: tuple[str, ...] = ()
    okved: tuple[str, ...] = ()
    region_id: int | None = None  # the enterprise's region
    district: str | None = None  # the enterprise's federal district
    served_region_ids: frozenset[int] = frozenset()
    served_districts: frozenset[str] = frozenset()
    kind: str = ""


@dataclass(frozen=True)
class Reason:
    """One reason of a match: ``code`` names it (see ``services.reason_text``), ``value`` details it."""

    code: str
    value: str | int | None = None


@dataclass
class Match:
    score: float
    reasons: list[Reason] = field(default_factory=list)


def digits(code: str) -> str:
    return code.replace(".", "")


def dotted(digit_string: str) -> str:
    """'2229' -> '22.29', '222' -> '22.2': the dotted form of a code prefix."""
    parts = [digit_string[:2]]
    rest = digit_string[2:]
    if rest:
        parts.append(rest[:2])
    if len(rest) > 2:
        parts.append(rest[2:4])
    if len(rest) > 4:
        parts.append(rest[4:])
    return ".".join(parts)


def code_level(a: str, b: str) -> tuple[str, str] | None:
    """How close two codes of one classifier are, along the dotted hierarchy: ('code', a) when equal;
    ('group', '22.2') when they share three digits or more (also when one is a subdivision of the other,
    "22.2" and "22.29.21"), with the shared prefix; ('class', '22') when they share two; else None."""
    da, db_ = digits(a), digits(b)
    if da == db_:
        return "code", a
    common = 0
    for x, y in zip(da, db_, strict=False):
        if x != y:
            break
        common += 1
    if common >= 3:
        return "group", dotted(da[:common])
    if common == 2:
        return "class", da[:2]
    return None


_LEVEL_RANK = {"code": 3, "group": 2, "class": 1}


def best_code_match(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, str] | None:
    """The closest pair of codes between two lists, and a longer shared prefix among equals."""
    best, best_key = None, (0, 0)
    for a in mine:
        for b in theirs:
            level = code_level(a, b)
            if level is None:
                continue
            key = (_LEVEL_RANK[level[0]], len(digits(level[1])))
            if key > best_key:
                best, best_key = level, key
    return best


def score(
    source: Facts,
    candidate: Facts,
    *,
    text_relevance: float = 0.0,
    shared_sessions: int = 0,
    shared_clusters: int = 0,
) -> Match:
    """Score ``candidate`` as a partner of ``source`` and say why, strongest reason first."""
    match = Match(0.0)
    code_reason = None
    for system in ("okpd2", "okved"):
        found = best_code_match(getattr(source, system), getattr(candidate, system))
        if found is None:
            continue
        points = CODE_POINTS[found[0]]
        if code_reason is None or points > code_reason[0]:
            code_reason = (points, Reason(f"{system}_{found[0]}", found[1]))
    if code_reason:
        match.score += code_reason[0]
        match.reasons.append(code_reason[1])

    relevance = max(0.0, min(1.0, text_relevance))
    match.score += TEXT_POINTS * relevance
    if relevance >= MIN_TEXT_RELEVANCE:
        match.reasons.append(Reason("text"))

    match.score += _place(source, candidate, match.reasons)

    if source.kind and source.kind == candidate.kind:
        match.score += SAME_KIND_POINTS
        match.reasons.append(Reason("kind", source.kind))
    if shared_sessions:
        match.score += min(SESSION_MAX, SESSION_POINTS * shared_sessions)
        match.reasons.append(Reason("sessions", shared_sessions))
    if shared_clusters:
        match.score += min(CLUSTER_MAX, CLUSTER_POINTS * shared_clusters)
        match.reasons.append(Reason("clusters", shared_clusters))
    return match


def _serves(server: Facts, other: Facts) -> bool:
    return (other.region_id is not None and other.region_id in server.served_region_ids) or (
        other.district is not None and other.district in server.served_districts
    )


def _place(source: Facts, candidate: Facts, reasons: list[Reason]) -> float:
    if _serves(candidate, source) or _serves(source, candidate):
        reasons.append(Reason("serves_region"))
        return SERVES_POINTS
    if source.region_id is not None and source.region_id == candidate.region_id:
        reasons.append(Reason("same_region"))
        return SAME_REGION_POINTS
    if source.district and source.district == candidate.district:
        reasons.append(Reason("same_district", source.district))
        return SAME_DISTRICT_POINTS
    if source.district and candidate.district in NEIGHBOURS.get(source.district, ()):
        reasons.append(Reason("neighbour_district", candidate.district))
        return NEIGHBOUR_DISTRICT_POINTS
    return 0


# Words that say nothing about what is traded: the verbs titles start with ("Ищем", "Предлагаем") and
# generic nouns. They are left out of the text match, else every request would match every request.
STOP_WORDS = frozenset(
    (  # noqa: SIM905  (a sentence of words reads better than 42 quoted ones)
        "также более менее иных иные другие услуги услуга работы работ изделий изделия продукции продукция "
        "ищем ищет нужны нужен нужна нужно требуется требуются закупаем закупим купим приобретём приобретем "
        "предлагаем предлагает производим выполняем оказываем изготовим изготавливаем поставляем поставка "
        "поставки заказ заказу заказчика договору партия"
    ).split()
)


def significant_words(text: str) -> list[str]:
    """The words of ``text`` worth matching: three letters or more, not in STOP_WORDS, first 40."""
    folded = (text or "").casefold().replace("ё", "е")
    words = "".join(ch if ch.isalnum() else " " for ch in folded).split()
    return [w for w in words if len(w) >= 3 and w not in STOP_WORDS and not w.isdigit()][:40]


def stems(text: str) -> frozenset[str]:
    """Crude word stems for the SQLite fallback: words of four letters or more, cut to five letters."""
    return frozenset(w[:5] for w in significant_words(text) if len(w) >= 4)


def stem_relevance(mine: frozenset[str], theirs: frozenset[str]) -> float:
    """Shared stems as a relevance between 0 and 1 (four shared stems or more count fully)."""
    if not mine or not theirs:
        return 0.0
    return min(1.0, len(mine & theirs) / 4)

"""The ranked suggestions of partners for an offer or request, and their reasons in words."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import defer, joinedload

from ....enterprises.models import Enterprise
from ....extensions import db
from ....regions.models import district_name
from ....tenancy import cross_tenant
from .. import matching
from ..models import COOPERATION_KIND_LABELS, CooperationOffer, CooperationOfferCode
from .entries import live
from .search import RUSSIAN, SEARCH_VECTOR, _is_postgresql

CODE_CANDIDATES = 100  # candidates found by their codes, closest first
TEXT_CANDIDATES = 30  # and by their text, most relevant first
SUGGESTIONS = 20


@dataclass
class Suggestion:
    offer: CooperationOffer
    match: matching.Match
    reasons: list[str] = field(default_factory=list)


def facts(offer: CooperationOffer) -> matching.Facts:
    region = offer.enterprise.region
    return matching.Facts(
        okpd2=tuple(offer.okpd2_list),
        okved=tuple(offer.okved_list),
        region_id=offer.enterprise.region_id,
        district=region.federal_district if region else None,
        served_region_ids=frozenset(offer.served_region_id_list),
        served_districts=frozenset(offer.served_district_list),
        kind=offer.kind,
    )


def _code_condition(source: CooperationOffer, column) -> sa.ColumnElement | None:
    """Codes of the candidates that share ``column`` (class_code or group_code) with the source's."""
    conditions = []
    for system, codes in (("okpd2", source.okpd2_list), ("okved", source.okved_list)):
        values = set()
        for code in codes:
            digits = matching.digits(code)
            if column is CooperationOfferCode.class_code:
                values.add(digits[:2])
            elif len(digits) >= 3:
                values.add(matching.dotted(digits[:3]))
        if values:
            conditions.append(sa.and_(CooperationOfferCode.system == system, column.in_(sorted(values))))
    return sa.or_(*conditions) if conditions else None


def _counterparts(source: CooperationOffer):
    return sa.and_(
        live(),
        CooperationOffer.kind_of_entry == source.counterpart,
        CooperationOffer.enterprise_id != source.enterprise_id,
    )


def _text_query(source: CooperationOffer, title_only: bool = False):
    """Any of the source's words (plainto_tsquery joins them with AND; the match wants OR). The words of
    the title find the candidates (the description's common words would match half the table); title and
    description together rank the candidates found."""
    text = source.title_ru if title_only else f"{source.title_ru} {source.description_ru}"
    text = " ".join(matching.significant_words(text)) or "-"
    plain = sa.cast(sa.func.plainto_tsquery(RUSSIAN, text), sa.Text)
    return sa.cast(sa.func.replace(plain, "&", "|"), postgresql.TSQUERY)


def candidate_queries(source: CooperationOffer) -> list[sa.Select]:
    """Live counterparts worth scoring, as id subqueries: the closest by code (group before class), and
    the most relevant by text."""
    queries = []
    class_condition = _code_condition(source, CooperationOfferCode.class_code)
    if class_condition is not None:
        group_condition = _code_condition(source, CooperationOfferCode.group_code)
        level = sa.func.max(sa.case((group_condition, 2), else_=1) if group_condition is not None else 1)
        queries.append(
            sa.select(CooperationOfferCode.offer_id)
            .join(CooperationOffer, CooperationOffer.id == CooperationOfferCode.offer_id)
            .where(class_condition, _counterparts(source))
            .group_by(CooperationOfferCode.offer_id)
            .order_by(level.desc(), CooperationOfferCode.offer_id.desc())
            .limit(CODE_CANDIDATES)
        )
    if _is_postgresql():
        query = _text_query(source, title_only=True)
        # the GIN index first and alone: else the planner walks every live entry testing the match
        # (ranked there too: the live filter below then reads the covering listing index alone)
        hits = (
            sa.select(CooperationOffer.id, sa.func.ts_rank(SEARCH_VECTOR, query).label("rank"))
            .where(SEARCH_VECTOR.op("@@")(query))
            .cte("text_hits")
            .prefix_with("MATERIALIZED")
        )
        queries.append(
            sa.select(CooperationOffer.id)
            .join(hits, hits.c.id == CooperationOffer.id)
            .where(_counterparts(source))
            .order_by(hits.c.rank.desc())
            .limit(TEXT_CANDIDATES)
        )
    else:
        stems = sorted(matching.stems(f"{source.title_ru} {source.description_ru}"), key=len, reverse=True)
        if stems:
            queries.append(
                sa.select(CooperationOffer.id)
                .where(
                    sa.or_(*[CooperationOffer.search_text.contains(s, autoescape=True) for s in stems[:8]]),
                    _counterparts(source),
                )
                .order_by(CooperationOffer.id.desc())
                .limit(TEXT_CANDIDATES)
            )
    return queries


def _shared_history(source_enterprise_id: int, enterprise_ids: set[int]) -> tuple[dict, dict]:
    """Sessions and clusters each enterprise shares with the source's: ``{enterprise_id: count}`` twice.

    A read across every center (registrations and cluster memberships are tenant-owned): read-only,
    restricted to the enterprises on the page, and only counts leave this function."""
    from ....clusters.models import ClusterMember
    from ....events.models import ACTIVE_STATUSES, Registration

    wanted = sorted(enterprise_ids | {source_enterprise_id})
    today = date.today()
    sessions = sa.select(
        sa.literal("s").label("what"),
        Registration.enterprise_id,
        Registration.tenant_id,
        Registration.event_id.label("thing_id"),
    ).where(Registration.enterprise_id.in_(wanted), Registration.status.in_(ACTIVE_STATUSES))
    clusters = sa.select(
        sa.literal("c").label("what"),
        ClusterMember.enterprise_id,
        ClusterMember.tenant_id,
        ClusterMember.cluster_id.label("thing_id"),
    ).where(
        ClusterMember.enterprise_id.in_(wanted),
        sa.or_(ClusterMember.left_on.is_(None), ClusterMember.left_on > today),
    )
    rows = cross_tenant.enterprise_rows(sa.union(sessions, clusters))  # UNION: distinct rows

    def shared(rows) -> dict[int, int]:
        by_enterprise: dict[int, set] = {}
        for enterprise_id, tenant_id, thing_id in rows:
            by_enterprise.setdefault(enterprise_id, set()).add((tenant_id, thing_id))
        mine = by_enterprise.get(source_enterprise_id, set())
        return {e: len(things & mine) for e, things in by_enterprise.items() if e != source_enterprise_id}

    return (
        shared((e, t, i) for what, e, t, i in rows if what == "s"),
        shared((e, t, i) for what, e, t, i in rows if what == "c"),
    )


def suggestions(source: CooperationOffer, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Ranked partners for ``source``: for a request, live offers of other enterprises, and back.

    A constant number of queries whatever the data: the candidates (by code and by text) with their
    enterprise and region in one, and the shared sessions and clusters in another."""
    queries = candidate_queries(source)
    if not queries:
        return []
    # A set of at most CODE_CANDIDATES + TEXT_CANDIDATES ids, computed first (MATERIALIZED): joined by
    # primary key, the offers and enterprises are then read by index, not hashed whole.
    candidates = sa.union(*[sa.select(q.subquery().c[0].label("id")) for q in queries]).cte("candidates")
    if _is_postgresql():
        candidates = candidates.prefix_with("MATERIALIZED")
    columns = [CooperationOffer]
    if _is_postgresql():
        columns.append(sa.func.ts_rank(SEARCH_VECTOR, _text_query(source)))
    rows = db.session.execute(
        sa.select(*columns)
        .options(
            defer(CooperationOffer.search_text),
            defer(CooperationOffer.terms),
            defer(CooperationOffer.description_en),
            joinedload(CooperationOffer.enterprise, innerjoin=True)
            .load_only(Enterprise.id, Enterprise.full_name, Enterprise.short_name, Enterprise.region_id)
            .joinedload(Enterprise.region),
        )
        # the candidates and their rows in one round trip
        .join(candidates, candidates.c.id == CooperationOffer.id)
    ).all()
    sessions, clusters = _shared_history(source.enterprise_id, {row[0].enterprise_id for row in rows})
    mine = facts(source)
    my_stems = None if _is_postgresql() else matching.stems(f"{source.title_ru} {source.description_ru}")
    found = []
    for row in rows:
        offer = row[0]
        if my_stems is None:
            relevance = min(1.0, float(row[1] or 0) / 0.1)  # ts_rank of a good match is around 0.1
        else:
            relevance = matching.stem_relevance(
                my_stems, matching.stems(f"{offer.title_ru} {offer.description_ru}")
            )
        match = matching.score(
            mine,
            facts(offer),
            text_relevance=relevance,
            shared_sessions=sessions.get(offer.enterprise_id, 0),
            shared_clusters=clusters.get(offer.enterprise_id, 0),
        )
        if match.score >= matching.MIN_SCORE:
            found.append(Suggestion(offer, match))
    found.sort(key=lambda s: (-s.match.score, -s.offer.id))
    for suggestion in found[:limit]:
        suggestion.reasons = [reason_text(r) for r in suggestion.match.reasons]
    return found[:limit]


def reason_text(reason: matching.Reason) -> str:
    """One reason of a match in the user's language."""
    code, value = reason.code, reason.value
    texts = {
        "okpd2_code": lambda: _("the same ОКПД 2 code %(code)s", code=value),
        "okpd2_group": lambda: _("ОКПД 2 group %(code)s", code=value),
        "okpd2_class": lambda: _("ОКПД 2 class %(code)s", code=value),
        "okved_code": lambda: _("the same ОКВЭД 2 code %(code)s", code=value),
        "okved_group": lambda: _("ОКВЭД 2 group %(code)s", code=value),
        "okved_class": lambda: _("ОКВЭД 2 class %(code)s", code=value),
        "text": lambda: _("similar description"),
        "serves_region": lambda: _("serves the region"),
        "same_region": lambda: _("the same region"),
        "same_district": lambda: district_name(value),
        "neighbour_district": lambda: _("neighbouring district: %(name)s", name=district_name(value)),
        "kind": lambda: _("the same kind: %(kind)s", kind=COOPERATION_KIND_LABELS.get(value, value)),
        "sessions": lambda: ngettext("%(num)d session in common", "%(num)d sessions in common", value),
        "clusters": lambda: ngettext("%(num)d cluster in common", "%(num)d clusters in common", value),
    }
    return texts[code]() if code in texts else code

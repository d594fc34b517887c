"""Offers and requests: editing (by the enterprise's confirmed representatives and platform admins), the
draft → published → archived workflow, search, the ranked suggestions, the weekly digest and the
featured entries of a center.

Expired entries (``valid_until`` before today) leave the search and the suggestions by a condition in
every query (:func:`live`), not by a job. Services add and flush; the request commits.

Text relevance: on PostgreSQL the stored ``search_vector`` (``to_tsvector('russian', search_text)``,
migration 0027) with its GIN index; the table has no row-level security (the rows are global and public
once published), so the index serves the match. On SQLite, words of four letters or more are cut to five
letters and compared (see ``matching.stems`` and docs/cooperation.md).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import defer, joinedload, selectinload

from ...core.refusal import Refusal
from ...enterprises.models import Enterprise, EnterpriseRepresentative, RepresentativeStatus
from ...enterprises.services import representatives
from ...enterprises.services.identifiers import OKVED_PATTERN
from ...extensions import db
from ...projects.services.rules import OKPD2_PATTERN
from ...regions.models import FEDERAL_DISTRICTS, Region, district_name
from ...tenancy import cross_tenant
from ...tenancy.models import utcnow
from . import matching
from .models import (
    COOPERATION_KIND_LABELS,
    CooperationKind,
    CooperationOffer,
    CooperationOfferCode,
    DigestSetting,
    EntryKind,
    FeaturedOffer,
    OfferStatus,
)

RUSSIAN = sa.literal_column("'russian'::regconfig")
SEARCH_VECTOR = sa.literal_column("cooperation_offers.search_vector")
CODE_CANDIDATES = 100  # candidates found by their codes, closest first
TEXT_CANDIDATES = 30  # and by their text, most relevant first
SUGGESTIONS = 20
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- who may do what ----------------------------------------------------------------------------------


def can_edit(user, offer_or_enterprise) -> bool:
    """The enterprise's confirmed representatives (owners and editors) and platform admins."""
    enterprise = getattr(offer_or_enterprise, "enterprise", offer_or_enterprise)
    return representatives.can_edit(user, enterprise)


ContactGrant = Callable[[object, CooperationOffer], bool]
_contact_grants: list[ContactGrant] = []


def register_contact_grant(grant: ContactGrant) -> None:
    """Let another module show an entry's contact person to a user, e.g. the B2B meetings once a meeting
    between the two enterprises is accepted: ``grant(user, offer)`` returns True to show it."""
    if grant not in _contact_grants:
        _contact_grants.append(grant)


def contact_visible(user, offer: CooperationOffer) -> bool:
    """Contacts are for the entry's own editors and for those a registered grant lets in; a match shows
    the enterprise, its region and the text only."""
    if can_edit(user, offer):
        return True
    return bool(getattr(user, "is_authenticated", False)) and any(g(user, offer) for g in _contact_grants)


def _require_editor(user, enterprise) -> None:
    if not can_edit(user, enterprise):
        raise Refusal(
            _("Only the enterprise's confirmed representatives may change its offers and requests.")
        )


# --- validation ---------------------------------------------------------------------------------------


def _code_list(value, pattern, system_label: str, field_name: str) -> list[str]:
    codes = value.replace(",", " ").replace(";", " ").split() if isinstance(value, str) else list(value or [])
    cleaned = []
    for code in codes:
        code = str(code).strip()
        if not pattern.match(code):
            raise Refusal(
                _("%(code)s is not an %(system)s code.", code=code, system=system_label), field_name
            )
        if code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > 20:
        raise Refusal(_("Give at most 20 codes."), field_name)
    return cleaned


def _date(value, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Refusal(_("Give the date as YYYY-MM-DD."), field_name) from None


def _text(values, name, limit, required=False) -> str | None:
    value = values.get(name)
    value = str(value).strip() if value is not None else ""
    if required and not value:
        raise Refusal(_("This field is required."), name)
    if len(value) > limit:
        raise Refusal(_("At most %(n)d characters.", n=limit), name)
    return value or None


def clean_values(values: dict) -> dict:
    """Check and normalise the fields of an offer or request; refuses with the field's name."""
    cleaned = {}
    if "kind_of_entry" in values:
        if values["kind_of_entry"] not in set(EntryKind):
            raise Refusal(_("Choose an offer or a request."), "kind_of_entry")
        cleaned["kind_of_entry"] = str(values["kind_of_entry"])
    if values.get("kind") not in set(CooperationKind):
        raise Refusal(_("Choose the kind of cooperation."), "kind")
    cleaned["kind"] = str(values["kind"])
    cleaned["title_ru"] = _text(values, "title_ru", 300, required=True)
    cleaned["title_en"] = _text(values, "title_en", 300)
    cleaned["description_ru"] = _text(values, "description_ru", 10_000, required=True)
    cleaned["description_en"] = _text(values, "description_en", 10_000)
    okved = _code_list(values.get("okved_codes"), OKVED_PATTERN, "ОКВЭД 2", "okved_codes")
    okpd2 = _code_list(values.get("okpd2_codes"), OKPD2_PATTERN, "ОКПД 2", "okpd2_codes")
    if not okved and not okpd2:
        raise Refusal(
            _("Give at least one ОКПД 2 or ОКВЭД 2 code: the matching starts from them."), "okpd2_codes"
        )
    cleaned["okved_codes"] = f" {' '.join(okved)} " if okved else ""
    cleaned["okpd2_codes"] = f" {' '.join(okpd2)} " if okpd2 else ""
    districts = [str(d) for d in (values.get("served_districts") or [])]
    for district in districts:
        if district not in FEDERAL_DISTRICTS:
            raise Refusal(_("Unknown federal district %(code)s.", code=district), "served_districts")
    try:
        region_ids = sorted({int(r) for r in (values.get("served_region_ids") or [])})
    except (TypeError, ValueError):
        raise Refusal(_("Unknown region."), "served_region_ids") from None
    if region_ids:
        known = set(db.session.scalars(sa.select(Region.id).where(Region.id.in_(region_ids))))
        if known != set(region_ids):
            raise Refusal(_("Unknown region."), "served_region_ids")
    cleaned["served_districts"] = f" {' '.join(sorted(set(districts)))} " if districts else ""
    cleaned["served_region_ids"] = f" {' '.join(map(str, region_ids))} " if region_ids else ""
    cleaned["volume"] = _text(values, "volume", 300)
    cleaned["terms"] = _text(values, "terms", 5_000)
    cleaned["valid_from"] = _date(values.get("valid_from"), "valid_from")
    cleaned["valid_until"] = _date(values.get("valid_until"), "valid_until")
    if cleaned["valid_from"] and cleaned["valid_until"] and cleaned["valid_until"] < cleaned["valid_from"]:
        raise Refusal(_("The end of validity comes before its start."), "valid_until")
    cleaned["contact_name"] = _text(values, "contact_name", 200, required=True)
    cleaned["contact_email"] = _text(values, "contact_email", 254)
    if cleaned["contact_email"] and not EMAIL_PATTERN.match(cleaned["contact_email"]):
        raise Refusal(_("Enter a valid e-mail address."), "contact_email")
    cleaned["contact_phone"] = _text(values, "contact_phone", 40)
    if not cleaned["contact_email"] and not cleaned["contact_phone"]:
        raise Refusal(_("Give an e-mail address or a phone of the contact person."), "contact_email")
    return cleaned


def code_rows(offer: CooperationOffer) -> list[CooperationOfferCode]:
    rows = []
    for system, codes in (("okpd2", offer.okpd2_list), ("okved", offer.okved_list)):
        for code in codes:
            digits = matching.digits(code)
            rows.append(
                CooperationOfferCode(
                    system=system,
                    code=code,
                    class_code=digits[:2],
                    group_code=matching.dotted(digits[:3]) if len(digits) >= 3 else None,
                )
            )
    return rows


def _search_text(offer: CooperationOffer) -> str:
    parts = (offer.title_ru, offer.title_en, offer.description_ru, offer.description_en)
    return " ".join(p for p in parts if p).casefold()


def _apply(offer: CooperationOffer, cleaned: dict) -> None:
    for key, value in cleaned.items():
        setattr(offer, key, value)
    offer.search_text = _search_text(offer)
    # Keep the rows of codes that stay: the unit of work inserts before it deletes, so a code removed and
    # added again in one flush would break the unique (offer, system, code).
    wanted = {(row.system, row.code): row for row in code_rows(offer)}
    kept = [row for row in offer.codes if (row.system, row.code) in wanted]
    have = {(row.system, row.code) for row in kept}
    offer.codes = kept + [row for key, row in wanted.items() if key not in have]


# --- the workflow -------------------------------------------------------------------------------------


def create_offer(enterprise: Enterprise, values: dict, actor) -> CooperationOffer:
    """A new draft offer or request of ``enterprise`` (``values['kind_of_entry']``), by its editor."""
    _require_editor(actor, enterprise)
    if "kind_of_entry" not in values:
        raise Refusal(_("Choose an offer or a request."), "kind_of_entry")
    cleaned = clean_values(values)
    offer = CooperationOffer(
        enterprise=enterprise, status=OfferStatus.DRAFT, created_by_id=getattr(actor, "id", None)
    )
    _apply(offer, cleaned)
    db.session.add(offer)
    db.session.flush()
    return offer


def update_offer(offer: CooperationOffer, values: dict, actor) -> CooperationOffer:
    """Change an entry's fields (not its status, nor whether it is an offer or a request)."""
    _require_editor(actor, offer)
    cleaned = clean_values({k: v for k, v in values.items() if k != "kind_of_entry"})
    _apply(offer, cleaned)
    offer.updated_at = utcnow()
    db.session.flush()
    return offer


def publish(offer: CooperationOffer, actor) -> None:
    """A draft (or an archived entry) becomes visible in the search and the matching."""
    _require_editor(actor, offer)
    if offer.status == OfferStatus.PUBLISHED:
        return
    if offer.is_expired():
        raise Refusal(
            _("Its validity has ended: extend the end date before publishing it again."), "valid_until"
        )
    offer.status = OfferStatus.PUBLISHED
    offer.published_at = utcnow()
    db.session.flush()


def archive(offer: CooperationOffer, actor) -> None:
    """The entry leaves the search and the matching; it stays on record for its enterprise."""
    _require_editor(actor, offer)
    offer.status = OfferStatus.ARCHIVED
    offer.updated_at = utcnow()
    db.session.flush()


def served_area_names(offer: CooperationOffer) -> list[str]:
    """The districts and regions an entry serves, by name (empty: all Russia)."""
    names = [district_name(code) for code in offer.served_district_list]
    if offer.served_region_id_list:
        regions = db.session.scalars(
            sa.select(Region).where(Region.id.in_(offer.served_region_id_list)).order_by(Region.name_ru)
        )
        names += [region.name for region in regions]
    return names


def visible_to(user, offer: CooperationOffer) -> bool:
    """Published entries are public; drafts and archived ones are for the enterprise's editors."""
    return offer.status == OfferStatus.PUBLISHED or can_edit(user, offer)


def live(today: date | None = None):
    """The condition of an entry in the search and the matching: published and not expired."""
    today = today or date.today()
    return sa.and_(
        CooperationOffer.status == OfferStatus.PUBLISHED,
        sa.or_(CooperationOffer.valid_until.is_(None), CooperationOffer.valid_until >= today),
    )


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# --- search -------------------------------------------------------------------------------------------


@dataclass
class SearchFilters:
    kind_of_entry: str = ""
    kind: str = ""
    code: str = ""
    district: str = ""
    region_id: int | None = None
    enterprise_id: int | None = None
    q: str = ""

    @property
    def any(self) -> bool:
        return any((self.kind_of_entry, self.kind, self.code, self.district, self.region_id, self.q))


def search_statement(filters: SearchFilters) -> sa.Select:
    """Live entries of every region matching the filters; newest first, or by relevance with words.

    A code filter matches the code and everything under it (``22.2`` finds ``22.29.21``) in either
    classifier; a district or region filter matches the enterprise's place or the area it serves."""
    statement = (
        sa.select(CooperationOffer)
        .join(Enterprise, Enterprise.id == CooperationOffer.enterprise_id)
        .outerjoin(Region, Region.id == Enterprise.region_id)
        # the page's 20 enterprises by primary key afterwards: joined, every match's whole enterprise row
        # would be read before the sort keeps 20
        .options(selectinload(CooperationOffer.enterprise).joinedload(Enterprise.region))
        .where(live())
    )
    if filters.kind_of_entry in set(EntryKind):
        statement = statement.where(CooperationOffer.kind_of_entry == filters.kind_of_entry)
    if filters.kind in set(CooperationKind):
        statement = statement.where(CooperationOffer.kind == filters.kind)
    if filters.enterprise_id:
        statement = statement.where(CooperationOffer.enterprise_id == filters.enterprise_id)
    code = filters.code.strip()
    if code:
        # through the codes' class index: the class narrows, the prefix decides ("22.2" finds "22.29.21")
        digits = matching.digits(code)
        statement = statement.where(
            CooperationOffer.id.in_(
                sa.select(CooperationOfferCode.offer_id).where(
                    CooperationOfferCode.system.in_(("okpd2", "okved")),
                    CooperationOfferCode.class_code == digits[:2],
                    CooperationOfferCode.code.startswith(code, autoescape=True),
                )
            )
        )
    if filters.region_id:
        statement = statement.where(
            sa.or_(
                Enterprise.region_id == filters.region_id,
                CooperationOffer.served_region_ids.contains(f" {filters.region_id} "),
            )
        )
    if filters.district in FEDERAL_DISTRICTS:
        statement = statement.where(
            sa.or_(
                Region.federal_district == filters.district,
                CooperationOffer.served_districts.contains(f" {filters.district} "),
            )
        )
    words = filters.q.casefold().split()[:10]
    if words and _is_postgresql():
        query = sa.func.plainto_tsquery(RUSSIAN, " ".join(words))
        statement = statement.where(SEARCH_VECTOR.op("@@")(query)).order_by(
            sa.func.ts_rank(SEARCH_VECTOR, query).desc()
        )
    else:
        for word in words:
            statement = statement.where(CooperationOffer.search_text.contains(word, autoescape=True))
    return statement.order_by(CooperationOffer.published_at.desc(), CooperationOffer.id.desc())


# --- suggestions --------------------------------------------------------------------------------------


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
    from ...clusters.models import ClusterMember
    from ...events.models import ACTIVE_STATUSES, Registration

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


# --- representatives' lists ---------------------------------------------------------------------------


def entries_of(enterprise_ids: list[int]) -> list[CooperationOffer]:
    """Every entry (any status) of the given enterprises, newest first."""
    if not enterprise_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(CooperationOffer)
            .options(joinedload(CooperationOffer.enterprise))
            .where(CooperationOffer.enterprise_id.in_(enterprise_ids))
            .order_by(CooperationOffer.enterprise_id, CooperationOffer.created_at.desc())
        )
    )


def live_entries_of(enterprise_ids) -> list[CooperationOffer]:
    """The published, unexpired entries of the given enterprises, by enterprise and title."""
    if not enterprise_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(CooperationOffer)
            .options(joinedload(CooperationOffer.enterprise))
            .where(CooperationOffer.enterprise_id.in_(list(enterprise_ids)), live())
            .order_by(
                CooperationOffer.enterprise_id, CooperationOffer.kind_of_entry, CooperationOffer.title_ru
            )
        )
    )


def enterprise_ids_represented(user_id: int | None) -> set[int]:
    """The enterprises whose confirmed representative the account is."""
    if user_id is None:
        return set()
    return set(
        db.session.scalars(
            sa.select(EnterpriseRepresentative.enterprise_id).where(
                EnterpriseRepresentative.user_id == user_id,
                EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
            )
        )
    )


# --- the weekly digest --------------------------------------------------------------------------------


def digest_enabled(user) -> bool:
    setting = db.session.get(DigestSetting, user.id)
    return setting is None or setting.enabled


def set_digest(user, enabled: bool) -> None:
    """Switch the user's weekly digest of new matches on or off."""
    setting = db.session.get(DigestSetting, user.id)
    if setting is None:
        setting = DigestSetting(user_id=user.id)
        db.session.add(setting)
    setting.enabled = bool(enabled)
    db.session.flush()


DIGEST_MIN_SCORE = 25
DIGEST_PER_ENTRY = 5


def send_digest(now: datetime | None = None) -> int:
    """Queue one e-mail per representative with new matches of their enterprises' live entries: partners
    published since the user's last digest (at most a week ago) that score at least DIGEST_MIN_SCORE.
    Users who switched the digest off get nothing; running it twice sends nothing new. Returns the count
    of messages queued."""
    from ...accounts.models import User
    from ...core.urls import external_url
    from ...outbox.services import enqueue_template

    now = now or utcnow()
    week_ago = now - timedelta(days=7)
    rows = db.session.execute(
        sa.select(User, CooperationOffer)
        .join(EnterpriseRepresentative, EnterpriseRepresentative.user_id == User.id)
        .join(CooperationOffer, CooperationOffer.enterprise_id == EnterpriseRepresentative.enterprise_id)
        .outerjoin(DigestSetting, DigestSetting.user_id == User.id)
        .where(
            EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
            live(now.date()),
            sa.or_(DigestSetting.enabled.is_(None), DigestSetting.enabled.is_(True)),
            User.active.is_(True),
        )
        .order_by(User.id, CooperationOffer.id)
    ).all()
    by_user: dict[int, tuple] = {}
    for user, offer in rows:
        by_user.setdefault(user.id, (user, []))[1].append(offer)
    sent = 0
    for user, offers in by_user.values():
        setting = db.session.get(DigestSetting, user.id)
        since = max(week_ago, setting.last_sent_at) if setting and setting.last_sent_at else week_ago
        sections = []
        for offer in offers:
            new = [
                s
                for s in suggestions(offer, limit=50)
                if s.offer.published_at and s.offer.published_at > since and s.match.score >= DIGEST_MIN_SCORE
            ][:DIGEST_PER_ENTRY]
            if new:
                sections.append(
                    (offer, [(s, external_url("cooperation.offer", offer_id=s.offer.id)) for s in new])
                )
        if not sections:
            continue
        enqueue_template(
            user.email,
            "cooperation_digest",
            getattr(user, "locale", None),
            user=user,
            sections=sections,
            page_url=external_url("cooperation.mine"),
        )
        if setting is None:
            setting = DigestSetting(user_id=user.id, enabled=True)
            db.session.add(setting)
        setting.last_sent_at = now
        sent += 1
    db.session.flush()
    return sent


# --- a center's featured entries ----------------------------------------------------------------------


def feature(offer: CooperationOffer, actor) -> FeaturedOffer:
    """Show a published entry on the current center's home page (idempotent)."""
    if offer.status != OfferStatus.PUBLISHED:
        raise Refusal(_("Only published offers and requests can be featured."))
    existing = db.session.scalar(sa.select(FeaturedOffer).where(FeaturedOffer.offer_id == offer.id))
    if existing:
        return existing
    featured = FeaturedOffer(offer_id=offer.id, created_by_id=getattr(actor, "id", None))
    db.session.add(featured)
    db.session.flush()
    return featured


def featured_rows() -> list[FeaturedOffer]:
    """Every entry the current center features (live or not), for its staff page."""
    return list(
        db.session.scalars(
            sa.select(FeaturedOffer)
            .options(joinedload(FeaturedOffer.offer).joinedload(CooperationOffer.enterprise))
            .order_by(FeaturedOffer.created_at.desc())
        )
    )


def featured_offers(limit: int = 6) -> list[CooperationOffer]:
    """The current center's featured entries that are still live, newest featured first."""
    return list(
        db.session.scalars(
            sa.select(CooperationOffer)
            .join(FeaturedOffer, FeaturedOffer.offer_id == CooperationOffer.id)
            .options(joinedload(CooperationOffer.enterprise).joinedload(Enterprise.region))
            .where(live())
            .order_by(FeaturedOffer.created_at.desc())
            .limit(limit)
        )
    )


def featured_ids() -> set[int]:
    return set(db.session.scalars(sa.select(FeaturedOffer.offer_id)))

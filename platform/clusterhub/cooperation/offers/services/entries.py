"""Offers and requests: who may edit them (the enterprise's confirmed representatives and platform
admins) and see their contacts, the draft → published → archived workflow, the condition of a live entry
and the lists of an enterprise's entries.

Expired entries (``valid_until`` before today) leave the search and the suggestions by a condition in
every query (:func:`live`), not by a job. Services add and flush; the request commits.
"""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ....core.refusal import Refusal
from ....enterprises.models import Enterprise, EnterpriseRepresentative, RepresentativeStatus
from ....enterprises.services import representatives
from ....extensions import db
from ....regions.models import Region, district_name
from ....tenancy.models import utcnow
from ..models import CooperationOffer, OfferStatus
from .validation import clean_values, code_rows

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

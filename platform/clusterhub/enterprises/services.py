"""Enterprise profiles: identifiers, profile edits, claims and representatives, search, merge and the
cross-tenant history shown on a profile.

Who confirms a first claim: a staff member of the center (tenant) whose region is the enterprise's
region; when no active center serves that region (or the profile has no region yet), any center's staff
may confirm it, so that no claim is stranded. Later claims are approved by one of the enterprise's owners.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from ..audit.models import AuditEntry
from ..audit.services import record
from ..core import signals
from ..core.refusal import Refusal
from ..core.unit_of_work import after_commit
from ..core.urls import is_web_address
from ..extensions import db
from ..regions.models import Region
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant, TenantStatus, utcnow
from ..tenancy.scoping import mapped_attribute, tenant_scope
from .models import (
    PUBLIC_FIELDS,
    REPRESENTATIVE_ROLE_LABELS,
    REPRESENTATIVE_STATUS_LABELS,
    SIZE_LABELS,
    Enterprise,
    EnterpriseFigure,
    EnterpriseProduct,
    EnterpriseRepresentative,
    RepresentativeRole,
    RepresentativeStatus,
    SizeCategory,
)

KPP_PATTERN = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")
# ОКВЭД 2: NN, NN.N, NN.NN, NN.NN.N, NN.NN.NN
OKVED_PATTERN = re.compile(r"^\d{2}(\.\d{1,2}|\.\d{2}\.\d{1,2})?$")
# ОКПД2 goes one level deeper: ... NN.NN.NN.N, NN.NN.NN.NNN
OKPD2_PATTERN = re.compile(r"^\d{2}(\.\d{1,2}|\.\d{2}\.\d{1,2}|\.\d{2}\.\d{2}\.\d{1,3})?$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- identifiers -----------------------------------------------------------------------------------


def _compact(value) -> str:
    return re.sub(r"[\s-]", "", value or "")


def clean_inn(value: str) -> str:
    """A valid ИНН (10 digits for an organisation, 12 for an individual), checksum verified."""
    value = _compact(value)
    try:
        return inn_number.validate(value)
    except StdnumError as exc:
        raise Refusal(_("The ИНН %(inn)s is not valid: check the digits.", inn=value), "inn") from exc


def ogrn_check_digit(number: str) -> str:
    """The check digit of a 13-digit ОГРН or a 15-digit ОГРНИП (given with or without its last digit).

    For an ОГРНИП the remainder modulo 13 can be 10, 11 or 12; the check digit is then its last digit.
    python-stdnum (up to at least 2.2) compares against "10"/"11"/"12" and so rejects those valid
    numbers, which is why the 15-digit case is computed here.
    """
    if len(number) in (13, 15):
        number = number[:-1]
    if len(number) == 12:
        return str(int(number) % 11 % 10)
    return str(int(number) % 13 % 10)


def clean_ogrn(value: str) -> str:
    """A valid ОГРН (13 digits, organisations) or ОГРНИП (15 digits, individual entrepreneurs)."""
    value = _compact(value)
    message = _("The ОГРН %(ogrn)s is not valid: check the digits.", ogrn=value)
    if len(value) == 13:
        try:
            return ogrn_number.validate(value)
        except StdnumError as exc:
            raise Refusal(message, "ogrn") from exc
    if len(value) == 15 and value.isdigit() and value[0] in "34" and value[-1] == ogrn_check_digit(value):
        return value
    raise Refusal(message, "ogrn")


# Codes that once were subjects' own and now belong to the subject they merged into (the Federal Tax
# Service kept them in ИНН and ОГРН issued before the merger). 82 is the Koryak district's tax code, not
# Crimea's: Crimea's tax code is 91 (82 is its vehicle-plate code), Sevastopol's 92.
MERGED_TAX_CODES = {
    "80": "75",  # Агинский Бурятский АО → Забайкальский край (2008)
    "81": "59",  # Коми-Пермяцкий АО → Пермский край (2005)
    "82": "41",  # Корякский АО → Камчатский край (2007)
    "84": "24",  # Таймырский (Долгано-Ненецкий) АО → Красноярский край (2007)
    "85": "38",  # Усть-Ордынский Бурятский АО → Иркутская область (2008)
    "88": "24",  # Эвенкийский АО → Красноярский край (2007)
}
# Codes of no subject: 99 is Baikonur and the interregional inspections (the largest taxpayers), 00 none.
NO_REGION_TAX_CODES = frozenset({"00", "99"})


def _subject_code(code: str) -> str | None:
    if len(code) != 2 or not code.isdigit() or code in NO_REGION_TAX_CODES:
        return None
    return MERGED_TAX_CODES.get(code, code)


def tax_region_code(inn: str | None, ogrn: str | None = None) -> str | None:
    """The current tax code of the subject (``regions.tax_code``) where the enterprise was registered.

    Read from the first two digits of the ИНН, else from digits 4–5 of the ОГРН/ОГРНИП; the codes of
    merged subjects give the subject they merged into, and codes of no subject (99) give ``None``. The
    digits say where the tax number was issued, so an enterprise that moved keeps its old region here:
    the result is a default to confirm, never a fact.
    """
    inn, ogrn = _compact(inn), _compact(ogrn)
    if len(inn) in (10, 12) and inn.isdigit():
        code = _subject_code(inn[:2])
        if code:
            return code
    if len(ogrn) in (13, 15) and ogrn.isdigit():
        return _subject_code(ogrn[3:5])
    return None


def derived_region_id(inn: str | None, ogrn: str | None = None) -> int | None:
    """The id of the region :func:`tax_region_code` names, or ``None`` (no code, or not in the reference)."""

    code = tax_region_code(inn, ogrn)
    if code is None:
        return None
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == code))


def clean_kpp(value: str) -> str:
    value = _compact(value).upper()
    if not KPP_PATTERN.match(value):
        raise Refusal(_("The КПП must be 9 characters: 4 digits, 2 digits or letters, 3 digits."), "kpp")
    return value


def clean_okved(value: str, field="okved_main") -> str:
    value = (value or "").strip()
    if not OKVED_PATTERN.match(value):
        raise Refusal(
            _(
                "%(code)s is not an ОКВЭД 2 code: use the form 16, 16.1, 16.10, 16.10.1 or 16.10.11.",
                code=value,
            ),
            field,
        )
    return value


def clean_okved_list(value) -> list[str]:
    codes = value.replace(",", " ").replace(";", " ").split() if isinstance(value, str) else list(value or [])
    cleaned = []
    for code in codes:
        code = clean_okved(code, "okved_additional")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def clean_okpd2(value: str, field="okpd2") -> str:
    value = (value or "").strip()
    if not OKPD2_PATTERN.match(value):
        raise Refusal(
            _("%(code)s is not an ОКПД2 code: use the form 16.10 or 16.10.10.110.", code=value), field
        )
    return value


def industry_okved(code: str | None) -> bool:
    """Is an ОКВЭД code industrial (sections B, C, D, E: classes 05–39)?"""
    return bool(code) and code[:2].isdigit() and 5 <= int(code[:2]) <= 39


# --- finding and creating --------------------------------------------------------------------------


def find_by_inn(inn: str) -> Enterprise | None:
    return db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == clean_inn(inn)))


def _search_text(enterprise: Enterprise) -> str:
    parts = [enterprise.full_name, enterprise.short_name, enterprise.inn, enterprise.ogrn]
    return " ".join(p for p in parts if p).casefold()[:800]


def get_or_create_by_inn(inn: str, full_name: str, *, region_id=None, actor=None) -> tuple[Enterprise, bool]:
    """The one profile for this ИНН, created (with ``full_name``) if it does not exist yet.

    A new profile without ``region_id`` gets the region its ИНН was issued in, marked as derived
    (``region_derived``) until someone confirms or changes it. Returns ``(enterprise, created)``. One profile per ИНН is also guaranteed by a unique index.
    """
    inn = clean_inn(inn)
    existing = db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == inn))
    if existing is not None:
        return existing, False
    if not (full_name or "").strip():
        raise Refusal(_("Give the organisation's name."), "full_name")
    if len(full_name.strip()) > Enterprise.full_name.type.length:
        raise Refusal(_("The text is too long."), "full_name")
    region_derived = region_id is None
    if region_derived:
        region_id = derived_region_id(inn)
        region_derived = region_id is not None
    enterprise = Enterprise(
        inn=inn, full_name=full_name.strip(), region_id=region_id, region_derived=region_derived
    )
    enterprise.search_text = _search_text(enterprise)
    db.session.add(enterprise)
    db.session.flush()
    record(
        "enterprise.created", enterprise, actor=actor, after={"inn": inn, "full_name": enterprise.full_name}
    )
    return enterprise, True


# --- the profile -----------------------------------------------------------------------------------

PROFILE_FIELDS = tuple(f for f in PUBLIC_FIELDS if f != "inn")
_OPTIONAL_TEXT = {
    "short_name": 200,
    "legal_form": 100,
    "legal_address": 500,
    "actual_address": 500,
    "website": 200,
    "phone": 40,
    "description": 10_000,
}


def clean_profile(values: dict) -> dict:
    """Validated profile values (only the keys given). Raises :class:`Refusal` on the first fault."""
    cleaned = {}
    for key, raw in values.items():
        if key not in PROFILE_FIELDS:
            raise KeyError(key)
        value = raw.strip() if isinstance(raw, str) else raw
        if key == "full_name":
            if not value:
                raise Refusal(_("Give the organisation's name."), key)
            if len(value) > 500:
                raise Refusal(_("The name is too long."), key)
        elif key == "ogrn":
            value = clean_ogrn(value) if value else None
        elif key == "kpp":
            value = clean_kpp(value) if value else None
        elif key == "okved_main":
            value = clean_okved(value) if value else None
        elif key == "okved_additional":
            codes = clean_okved_list(value)
            value = f" {' '.join(codes)} " if codes else None
        elif key == "size_category":
            if value and value not in set(SizeCategory):
                raise Refusal(_("Choose a size category from the list."), key)
            value = value or None
        elif key == "email":
            if value and not EMAIL_PATTERN.match(value):
                raise Refusal(_("Give a valid e-mail address."), key)
            value = value or None
        elif key == "website":
            if value and not re.match(r"^https?://", value):
                value = f"https://{value}"
            if value and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
                raise Refusal(_("Give the website address, for example https://example.ru."), key)
            if value and not is_web_address(value):
                raise Refusal(_("Give the website address, for example https://example.ru."), key)
        elif key == "region_id":
            value = int(value) if value else None
        if key in _OPTIONAL_TEXT:
            value = value or None
            if value and len(value) > _OPTIONAL_TEXT[key]:
                raise Refusal(_("The text is too long."), key)
        cleaned[key] = value
    return cleaned


def update_profile(enterprise: Enterprise, values: dict, actor) -> dict:
    """Apply validated ``values``; returns the changed fields. The audit log keeps before and after."""
    cleaned = clean_profile(values)
    if cleaned.get("okved_main") and cleaned["okved_main"] in (cleaned.get("okved_additional") or "").split():
        raise Refusal(_("The main ОКВЭД code is also listed as additional."), "okved_additional")
    before, after = {}, {}
    for key, value in cleaned.items():
        if getattr(enterprise, key) != value:
            before[key], after[key] = getattr(enterprise, key), value
            setattr(enterprise, key, value)
    if "region_id" in cleaned and enterprise.region_derived:
        # Saving the profile form with the region shown is a person's choice: no longer a guess.
        enterprise.region_derived = False
        after.setdefault("region_id", enterprise.region_id)
    if after:
        enterprise.search_text = _search_text(enterprise)
        enterprise.updated_at = utcnow()
        db.session.flush()
        record("enterprise.updated", enterprise, actor=actor, before=before, after=after)
    return after


def _clean_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 1990 <= year <= date.today().year:
        raise Refusal(_("Give a year between 1990 and the current year."), "year")
    return year


def _clean_revenue(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise Refusal(_("Give the revenue in roubles, for example 1250000.50."), "revenue") from exc
    if amount < 0 or amount >= Decimal("1e12"):
        raise Refusal(_("Give the revenue in roubles, for example 1250000.50."), "revenue")
    return amount


def set_figures(enterprise: Enterprise, year, headcount, revenue, actor) -> EnterpriseFigure:
    """Record (or correct) the headcount and revenue of one year; earlier years stay as they were."""
    year = _clean_year(year)
    if headcount in ("", None):
        headcount = None
    else:
        try:
            headcount = int(headcount)
        except (TypeError, ValueError):
            headcount = -1
        if headcount < 0:
            raise Refusal(_("Give the number of employees as a whole number."), "headcount")
    revenue = _clean_revenue(revenue)
    if headcount is None and revenue is None:
        raise Refusal(_("Give the headcount, the revenue or both."), "headcount")
    figure = db.session.scalar(
        sa.select(EnterpriseFigure).where(
            EnterpriseFigure.enterprise_id == enterprise.id, EnterpriseFigure.year == year
        )
    )
    before = None
    if figure is None:
        figure = EnterpriseFigure(enterprise_id=enterprise.id, year=year)
        db.session.add(figure)
    else:
        before = {"year": year, "headcount": figure.headcount, "revenue": figure.revenue}
    figure.headcount, figure.revenue = headcount, revenue
    db.session.flush()
    record(
        "enterprise.figures_set",
        enterprise,
        actor=actor,
        before=before,
        after={"year": year, "headcount": headcount, "revenue": revenue},
    )
    return figure


def remove_figures(figure: EnterpriseFigure, actor) -> None:
    record(
        "enterprise.figures_removed",
        ("Enterprise", figure.enterprise_id),
        actor=actor,
        before={"year": figure.year, "headcount": figure.headcount, "revenue": figure.revenue},
    )
    db.session.delete(figure)
    db.session.flush()


def add_product(enterprise: Enterprise, name: str, okpd2: str | None, description: str | None, actor):
    name = (name or "").strip()
    if not name:
        raise Refusal(_("Give the product's name."), "name")
    okpd2 = clean_okpd2(okpd2) if (okpd2 or "").strip() else None
    product = EnterpriseProduct(
        enterprise_id=enterprise.id,
        name=name[:300],
        okpd2=okpd2,
        description=(description or "").strip() or None,
    )
    db.session.add(product)
    db.session.flush()
    record("enterprise.product_added", enterprise, actor=actor, after={"name": name, "okpd2": okpd2})
    return product


def remove_product(product: EnterpriseProduct, actor) -> None:
    record(
        "enterprise.product_removed",
        ("Enterprise", product.enterprise_id),
        actor=actor,
        before={"name": product.name, "okpd2": product.okpd2},
    )
    db.session.delete(product)
    db.session.flush()


def edit_history(enterprise: Enterprise, limit: int = 100) -> list[AuditEntry]:
    """The audit entries about the profile, newest first.

    Platform-level entries (no tenant) are readable on PostgreSQL only in the federal read scope; this
    read is limited to the entries about this one enterprise.
    """
    return cross_tenant.enterprise_profile_audit(enterprise.id, limit)


def history_value(field: str, value) -> str:
    """A value of the edit history in words: labels for stored codes (roles, statuses, size
    categories), the region's name for its id, "yes"/"no" for flags; "—" for nothing."""

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = {
        "role": REPRESENTATIVE_ROLE_LABELS,
        "status": REPRESENTATIVE_STATUS_LABELS,
        "size_category": SIZE_LABELS,
    }.get(field)
    if labels is not None:
        return str(labels.get(value, value))
    if field == "region_id":
        region = db.session.get(Region, value) if str(value).isdigit() else None
        return region.name if region else str(value)
    if field == "okved_additional":
        return ", ".join(str(value).split())
    return str(value)


# --- representatives and claims --------------------------------------------------------------------


def _profile_link(enterprise) -> str:
    from flask import current_app, url_for

    return current_app.config["BASE_URL"].rstrip("/") + url_for(
        "enterprises.profile", enterprise_id=enterprise.id
    )


def _notify_decision(link: EnterpriseRepresentative, confirmed: bool) -> None:
    from ..outbox.services import enqueue_template

    enqueue_template(
        link.user.email,
        "enterprise_claim_decided",
        link.user.locale,
        enterprise_name=link.enterprise.name,
        confirmed=confirmed,
        link=_profile_link(link.enterprise),
    )


def represented_enterprises(user) -> list[Enterprise]:
    """Enterprises for which ``user`` is a confirmed representative."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(Enterprise)
            .join(EnterpriseRepresentative, EnterpriseRepresentative.enterprise_id == Enterprise.id)
            .where(
                EnterpriseRepresentative.user_id == user.id,
                EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
            )
            .order_by(Enterprise.full_name)
        )
    )


def is_representative(user, enterprise, role: str | None = None) -> bool:
    """Is ``user`` a confirmed representative of ``enterprise`` (with ``role``, if given)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    statement = sa.select(EnterpriseRepresentative.id).where(
        EnterpriseRepresentative.user_id == user.id,
        EnterpriseRepresentative.enterprise_id == enterprise.id,
        EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
    )
    if role is not None:
        statement = statement.where(EnterpriseRepresentative.role == role)
    return db.session.scalar(statement) is not None


def can_edit(user, enterprise) -> bool:
    """Confirmed representatives (owners and editors) and platform admins edit a profile."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_platform_admin or is_representative(user, enterprise)
    )


def add_representative(
    enterprise: Enterprise, user, role: str = RepresentativeRole.OWNER, *, confirmed=False, actor=None
) -> EnterpriseRepresentative:
    """Link a user to an enterprise (confirmed directly when ``confirmed``, e.g. in demo data and tests)."""
    link = EnterpriseRepresentative(
        enterprise_id=enterprise.id,
        user_id=user.id,
        role=role,
        status=RepresentativeStatus.CONFIRMED if confirmed else RepresentativeStatus.PENDING,
        confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "enterprise.representative_added",
        enterprise,
        actor=actor,
        after={"user": user.email, "role": role, "status": link.status},
    )
    return link


def representatives(enterprise: Enterprise) -> list[EnterpriseRepresentative]:
    return list(
        db.session.scalars(
            sa.select(EnterpriseRepresentative)
            .where(EnterpriseRepresentative.enterprise_id == enterprise.id)
            .options(sa.orm.joinedload(EnterpriseRepresentative.user))
            .order_by(EnterpriseRepresentative.status, EnterpriseRepresentative.created_at)
        )
    )


def _confirmed_count(enterprise, role=None) -> int:
    statement = (
        sa.select(sa.func.count())
        .select_from(EnterpriseRepresentative)
        .where(
            EnterpriseRepresentative.enterprise_id == enterprise.id,
            EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
        )
    )
    if role:
        statement = statement.where(EnterpriseRepresentative.role == role)
    return db.session.scalar(statement)


def claim(user, inn: str, full_name: str | None = None) -> EnterpriseRepresentative:
    """``user`` asks to represent the enterprise with ``inn`` (creating the profile if there is none).

    A duplicate claim finds the existing profile: one profile per ИНН. The claim stays pending until a
    center's staff member (first claim) or an owner (later claims) decides on it.
    """
    enterprise = find_by_inn(inn)
    if enterprise is None:
        if not (full_name or "").strip():
            raise Refusal(
                _("No enterprise with this ИНН is registered yet: give its full name to create the profile."),
                "full_name",
            )
        enterprise, _created = get_or_create_by_inn(inn, full_name, actor=user)
    existing = db.session.scalar(
        sa.select(EnterpriseRepresentative).where(
            EnterpriseRepresentative.enterprise_id == enterprise.id,
            EnterpriseRepresentative.user_id == user.id,
        )
    )
    if existing is not None:
        if existing.status == RepresentativeStatus.CONFIRMED:
            raise Refusal(_("You already represent %(name)s.", name=enterprise.name), "inn")
        raise Refusal(
            _("Your claim for %(name)s is already awaiting a decision.", name=enterprise.name), "inn"
        )
    first = _confirmed_count(enterprise) == 0
    link = EnterpriseRepresentative(
        enterprise_id=enterprise.id,
        user_id=user.id,
        role=RepresentativeRole.OWNER if first else RepresentativeRole.EDITOR,
        status=RepresentativeStatus.PENDING,
    )
    db.session.add(link)
    db.session.flush()
    record("enterprise.claimed", enterprise, actor=user, after={"user": user.email, "first": first})
    if not first:
        from ..outbox.services import enqueue_template

        owners = db.session.scalars(
            sa.select(EnterpriseRepresentative)
            .where(
                EnterpriseRepresentative.enterprise_id == enterprise.id,
                EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
                EnterpriseRepresentative.role == RepresentativeRole.OWNER,
            )
            .options(sa.orm.joinedload(EnterpriseRepresentative.user))
        ).all()
        for owner in owners:
            enqueue_template(
                owner.user.email,
                "enterprise_claim_received",
                owner.user.locale,
                enterprise_name=enterprise.name,
                claimant=user.full_name,
                claimant_email=user.email,
                link=_profile_link(enterprise) + "#representatives",
            )
    return link


def _serving_region_ids() -> sa.Select:
    return sa.select(Tenant.region_id).where(Tenant.status == TenantStatus.ACTIVE)


def first_claims_for_center(tenant: Tenant) -> sa.Select:
    """Pending claims on enterprises with no confirmed representative that ``tenant``'s staff decide:
    enterprises of the center's region, and those of regions no active center serves (or of no region)."""
    other = sa.orm.aliased(EnterpriseRepresentative)
    confirmed = (
        sa.select(other.id)
        .where(other.enterprise_id == Enterprise.id, other.status == RepresentativeStatus.CONFIRMED)
        .exists()
    )
    return (
        sa.select(EnterpriseRepresentative)
        .join(EnterpriseRepresentative.enterprise)
        .where(
            EnterpriseRepresentative.status == RepresentativeStatus.PENDING,
            ~confirmed,
            sa.or_(
                Enterprise.region_id == tenant.region_id,
                Enterprise.region_id.is_(None),
                Enterprise.region_id.not_in(_serving_region_ids()),
            ),
        )
        .options(
            sa.orm.contains_eager(EnterpriseRepresentative.enterprise),
            sa.orm.joinedload(EnterpriseRepresentative.user),
        )
        .order_by(EnterpriseRepresentative.created_at)
    )


def center_may_decide(tenant: Tenant, link: EnterpriseRepresentative) -> bool:
    statement = first_claims_for_center(tenant).where(EnterpriseRepresentative.id == link.id)
    return db.session.scalar(statement.with_only_columns(EnterpriseRepresentative.id)) is not None


def confirm_first_claim(link: EnterpriseRepresentative, tenant: Tenant, actor) -> None:
    """A center's staff member confirms the first claim: the claimant becomes the owner."""
    if link.status != RepresentativeStatus.PENDING or not center_may_decide(tenant, link):
        raise Refusal(_("This claim is not yours to decide, or it has been decided already."))
    link.status, link.role, link.confirmed_at = (
        RepresentativeStatus.CONFIRMED,
        RepresentativeRole.OWNER,
        utcnow(),
    )
    db.session.flush()
    record(
        "enterprise.claim_confirmed",
        link.enterprise,
        actor=actor,
        after={"user": link.user.email, "role": link.role, "by_center": tenant.slug},
    )
    _notify_decision(link, confirmed=True)


def approve_claim(link: EnterpriseRepresentative, actor, role: str = RepresentativeRole.EDITOR) -> None:
    """An owner approves a later claim, choosing the role."""
    if not is_representative(actor, link.enterprise, RepresentativeRole.OWNER):
        raise Refusal(_("Only an owner of the enterprise can approve claims."))
    if link.status != RepresentativeStatus.PENDING:
        raise Refusal(_("This claim has been decided already."))
    if role not in set(RepresentativeRole):
        raise Refusal(_("Choose a role from the list."))
    link.status, link.role, link.confirmed_at = RepresentativeStatus.CONFIRMED, role, utcnow()
    db.session.flush()
    record(
        "enterprise.claim_approved",
        link.enterprise,
        actor=actor,
        after={"user": link.user.email, "role": role},
    )
    _notify_decision(link, confirmed=True)


def reject_claim(link: EnterpriseRepresentative, actor, tenant: Tenant | None = None) -> None:
    """An owner (or, for a first claim, the deciding center's staff) rejects a pending claim."""
    allowed = is_representative(actor, link.enterprise, RepresentativeRole.OWNER) or (
        tenant is not None and center_may_decide(tenant, link)
    )
    if not allowed or link.status != RepresentativeStatus.PENDING:
        raise Refusal(_("This claim is not yours to decide, or it has been decided already."))
    record("enterprise.claim_rejected", link.enterprise, actor=actor, before={"user": link.user.email})
    _notify_decision(link, confirmed=False)
    db.session.delete(link)
    db.session.flush()


def set_representative_role(link: EnterpriseRepresentative, role: str, actor) -> None:
    """An owner changes a representative's role; the last owner cannot step down this way."""
    if not is_representative(actor, link.enterprise, RepresentativeRole.OWNER):
        raise Refusal(_("Only an owner of the enterprise can manage representatives."))
    if role not in set(RepresentativeRole) or link.status != RepresentativeStatus.CONFIRMED:
        raise Refusal(_("Choose a role from the list."))
    if (
        link.role == RepresentativeRole.OWNER
        and role != RepresentativeRole.OWNER
        and _confirmed_count(link.enterprise, RepresentativeRole.OWNER) <= 1
    ):
        raise Refusal(_("The enterprise needs at least one owner: make someone else an owner first."))
    before = link.role
    link.role = role
    db.session.flush()
    record(
        "enterprise.representative_role_changed",
        link.enterprise,
        actor=actor,
        before={"user": link.user.email, "role": before},
        after={"user": link.user.email, "role": role},
    )


def remove_representative(link: EnterpriseRepresentative, actor) -> None:
    """An owner removes a representative, or a representative leaves (removes their own link).

    The last owner may leave only when nobody else represents the enterprise (the profile then waits for
    a new first claim); otherwise they must make someone else an owner first.
    """
    own = link.user_id == actor.id
    if not own and not is_representative(actor, link.enterprise, RepresentativeRole.OWNER):
        raise Refusal(_("Only an owner of the enterprise can manage representatives."))
    if link.status == RepresentativeStatus.CONFIRMED and link.role == RepresentativeRole.OWNER:
        owners = _confirmed_count(link.enterprise, RepresentativeRole.OWNER)
        others = _confirmed_count(link.enterprise) - 1
        if owners <= 1 and others > 0:
            raise Refusal(_("The enterprise needs at least one owner: make someone else an owner first."))
    record(
        "enterprise.representative_left" if own else "enterprise.representative_removed",
        link.enterprise,
        actor=actor,
        before={"user": link.user.email, "role": link.role, "status": link.status},
    )
    db.session.delete(link)
    db.session.flush()


# --- search ----------------------------------------------------------------------------------------


def search_statement(q: str = "", region_id: int | None = None, okved: str = "") -> sa.Select:
    """Enterprises matching a free text (name, ИНН, ОГРН), a region and an ОКВЭД code prefix, by name.

    Digits search ИНН and ОГРН by prefix (index-friendly); words search the folded name column, which a
    trigram GIN index serves on PostgreSQL. One statement: the directory costs one COUNT and one page.
    """
    statement = sa.select(Enterprise).options(sa.orm.joinedload(Enterprise.region))
    q = (q or "").strip()
    if q:
        compact = _compact(q)
        if compact.isdigit() and len(compact) >= 4:
            statement = statement.where(
                sa.or_(Enterprise.inn.startswith(compact), Enterprise.ogrn.startswith(compact))
            )
        else:
            for word in q.casefold().split()[:5]:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                statement = statement.where(Enterprise.search_text.like(f"%{escaped}%", escape="\\"))
    if region_id:
        statement = statement.where(Enterprise.region_id == region_id)
    okved = (okved or "").strip()
    if okved:
        statement = statement.where(
            sa.or_(Enterprise.okved_main.startswith(okved), Enterprise.okved_additional.contains(f" {okved}"))
        )
    return statement.order_by(Enterprise.full_name, Enterprise.id)


# --- merging duplicate profiles --------------------------------------------------------------------


def enterprise_references() -> list[tuple[sa.Table, sa.Column]]:
    """Every (table, column) with a foreign key to ``enterprises.id``, discovered from the metadata, so
    references added by any module later are moved by a merge without registering anything."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name == Enterprise.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Enterprise.__tablename__ and fk.column.name == "id":
                found.append((table, fk.parent))
    return found


def _merge_representatives(source: Enterprise, target: Enterprise) -> None:
    rank = {
        (RepresentativeStatus.CONFIRMED, RepresentativeRole.OWNER): 3,
        (RepresentativeStatus.CONFIRMED, RepresentativeRole.EDITOR): 2,
    }
    target_links = {
        link.user_id: link
        for link in db.session.scalars(
            sa.select(EnterpriseRepresentative).where(EnterpriseRepresentative.enterprise_id == target.id)
        )
    }
    for link in db.session.scalars(
        sa.select(EnterpriseRepresentative).where(EnterpriseRepresentative.enterprise_id == source.id)
    ).all():
        kept = target_links.get(link.user_id)
        if kept is None:
            continue
        if rank.get((link.status, link.role), 1) > rank.get((kept.status, kept.role), 1):
            kept.status, kept.role, kept.confirmed_at = link.status, link.role, link.confirmed_at
        db.session.delete(link)
    db.session.flush()


def _merge_figures(source: Enterprise, target: Enterprise) -> None:
    target_years = set(
        db.session.scalars(
            sa.select(EnterpriseFigure.year).where(EnterpriseFigure.enterprise_id == target.id)
        )
    )
    db.session.execute(
        sa.delete(EnterpriseFigure).where(
            EnterpriseFigure.enterprise_id == source.id, EnterpriseFigure.year.in_(target_years)
        )
    )


def reference_counts(enterprise: Enterprise) -> dict[str, int]:
    """How many rows of each referencing table point at ``enterprise`` (every tenant; read-only), for the
    merge preview."""
    return cross_tenant.enterprise_reference_counts(enterprise_references(), enterprise.id)


def _move_references(table: sa.Table, column: sa.Column, source_id: int, target_id: int) -> int:
    move = sa.update(table).where(column == source_id).values({column.name: target_id})
    if "tenant_id" not in table.c:
        return db.session.execute(move).rowcount
    # A tenant-owned table: RLS lets the application change rows only inside their tenant's scope, so
    # find the tenants that hold references (a read-only cross-tenant read) and move each tenant's rows.
    tenant_ids = cross_tenant.tenants_referencing(table, column, source_id)
    # Through the model: the tenant guard refuses a plain tenant-owned table inside a tenant scope.
    reference = mapped_attribute(table, column.name)
    move = (
        sa.update(reference.class_)
        .where(reference == source_id)
        .values({reference.key: target_id})
        .execution_options(synchronize_session=False)
    )
    moved = 0
    for tenant_id in tenant_ids:
        with tenant_scope(db.session, tenant_id):
            moved += db.session.execute(move).rowcount
    return moved


def merge_enterprises(source: Enterprise, target: Enterprise, actor) -> dict:
    """Merge the duplicate ``source`` into ``target``: every reference moves, empty fields of the target
    are filled from the source, the source is deleted and the audit log records what happened.

    Returns the number of moved rows per ``table.column``.
    """
    if source.id == target.id:
        raise Refusal(_("Choose two different profiles."))
    db.session.flush()
    source_id = source.id
    snapshot = {key: getattr(source, key) for key in PUBLIC_FIELDS}
    # This module's own conflicts first, then every other module's (signals.enterprise_merging).
    _merge_representatives(source, target)
    _merge_figures(source, target)
    signals.enterprise_merging.send(source, target=target)
    db.session.flush()
    moved = {}
    for table, column in enterprise_references():
        count = _move_references(table, column, source.id, target.id)
        if count:
            moved[f"{table.name}.{column.name}"] = count
    filled = {}
    for key in PUBLIC_FIELDS:
        if key != "inn" and getattr(target, key) in (None, "") and getattr(source, key) not in (None, ""):
            filled[key] = getattr(source, key)
            setattr(target, key, filled[key])
    if "region_id" in filled:
        target.region_derived = source.region_derived
    elif target.region_derived and source.region_id and not source.region_derived:
        # A region someone gave beats one read from the ИНН.
        filled["region_id"] = target.region_id = source.region_id
        target.region_derived = False
    target.search_text = _search_text(target)
    target.updated_at = utcnow()
    db.session.flush()
    db.session.expunge(source)
    db.session.expire_all()  # relationships loaded before the move are stale
    db.session.execute(sa.delete(Enterprise).where(Enterprise.id == source_id))
    db.session.flush()
    record(
        "enterprise.merged",
        target,
        actor=actor,
        before={"merged_id": source_id, **{k: v for k, v in snapshot.items() if v is not None}},
        after={"moved": ", ".join(f"{k}={v}" for k, v in sorted(moved.items())), **filled},
    )
    return moved


# --- the cross-tenant history on a profile ----------------------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    """One thing an enterprise did in some center: a registration, a membership, a project..."""

    tenant: Tenant
    kind: str  # a translated label, e.g. "Cluster membership"
    title: str
    date: date | datetime | None
    status: str = ""
    url: str | None = None


def history_tenant_ids(enterprise: Enterprise, viewer) -> set[int] | None:
    """The tenants whose history items ``viewer`` may see: ``None`` means all (representatives, platform
    admins, federal analysts); center people see their own centers' items; others see nothing."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    if viewer.is_platform_admin or viewer.is_federal_analyst or is_representative(viewer, enterprise):
        return None
    return cross_tenant.member_tenant_ids(viewer.id)


def enterprise_history(enterprise: Enterprise, viewer) -> list[HistoryItem]:
    """Items from every receiver of ``signals.enterprise_history`` that ``viewer`` may see, newest first."""
    visible = history_tenant_ids(enterprise, viewer)
    if visible is not None and not visible:
        return []
    items = []
    for answer in signals.answers(signals.enterprise_history, enterprise, viewer=viewer):
        for item in answer or ():
            if visible is None or item.tenant.id in visible:
                items.append(item)

    def sort_key(item):
        value = item.date
        if isinstance(value, datetime):
            return value
        return datetime.combine(value, datetime.min.time()) if value else datetime.min

    return sorted(items, key=sort_key, reverse=True)


LOGO_MAX_BYTES = 2 * 1024 * 1024


def set_logo(enterprise: Enterprise, fileobj, filename: str, actor) -> None:
    """Replace the enterprise's logo (PNG or JPEG up to 2 MB, checked by content)."""
    import io
    import secrets

    from flask import current_app

    from ..core.uploads import IMAGES, read_upload

    try:
        upload = read_upload(fileobj, filename, IMAGES, LOGO_MAX_BYTES)
    except Refusal as exc:
        raise Refusal(str(exc), "logo") from exc
    storage = current_app.extensions["storage"]
    key = f"enterprises/{enterprise.id}/logo-{secrets.token_hex(8)}{upload.extension}"
    storage.save(key, io.BytesIO(upload.data), upload.content_type)
    if enterprise.logo_key:
        replaced = enterprise.logo_key
        after_commit(lambda: storage.delete(replaced))  # a rolled-back request keeps the old logo
    enterprise.logo_key, enterprise.logo_content_type = key, upload.content_type
    db.session.flush()
    record("enterprise.logo_changed", enterprise, actor=actor, after={"filename": upload.name})

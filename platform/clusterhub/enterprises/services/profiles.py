"""An enterprise profile: found by ИНН or created (one profile per ИНН), its fields edited, its yearly
figures and its logo."""

import io
import re
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...core.unit_of_work import after_commit, after_rollback
from ...core.uploads import IMAGES, read_upload
from ...core.urls import is_web_address
from ...extensions import db
from ...tenancy.models import utcnow
from ..models import PUBLIC_FIELDS, Enterprise, EnterpriseFigure, SizeCategory
from .identifiers import clean_inn, clean_kpp, clean_ogrn, clean_okved, clean_okved_list, derived_region_id

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


LOGO_MAX_BYTES = 2 * 1024 * 1024


def set_logo(enterprise: Enterprise, fileobj, filename: str, actor) -> None:
    """Replace the enterprise's logo (PNG or JPEG up to 2 MB, checked by content)."""
    try:
        upload = read_upload(fileobj, filename, IMAGES, LOGO_MAX_BYTES)
    except Refusal as exc:
        raise Refusal(str(exc), "logo") from exc
    storage = current_app.extensions["storage"]
    key = f"enterprises/{enterprise.id}/logo-{secrets.token_hex(8)}{upload.extension}"
    storage.save(key, io.BytesIO(upload.data), upload.content_type)
    after_rollback(lambda: storage.delete(key))  # a rolled-back request leaves no logo without its row
    if enterprise.logo_key:
        replaced = enterprise.logo_key
        after_commit(lambda: storage.delete(replaced))  # a rolled-back request keeps the old logo
    enterprise.logo_key, enterprise.logo_content_type = key, upload.content_type
    db.session.flush()
    record("enterprise.logo_changed", enterprise, actor=actor, after={"filename": upload.name})

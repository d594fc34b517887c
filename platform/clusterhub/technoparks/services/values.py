"""Cleaning of the values the catalogue's forms, API and imports send: amounts of money and area,
choices among an enum, bounded texts, yes/no flags. Each refuses bad input with :class:`Refusal` naming
the field."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ...core.refusal import Refusal

MAX_MONEY = Decimal("999999999999.99")
MAX_AREA = Decimal("9999999999.99")
CENT = Decimal("0.01")


def _decimal(value, field: str, label: str, maximum: Decimal) -> Decimal:
    """A non-negative amount with at most two decimals, from a Decimal, int or text like '1 500,50'."""
    if isinstance(value, float):
        # Floats cannot carry money exactly: go through their shortest text form.
        value = repr(value)
    if isinstance(value, str):
        text = re.sub(r"[\s\u00a0₽]", "", value).replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise Refusal(_("%(label)s must be a number, e.g. 1500 or 1500.50.", label=label), field) from exc
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise Refusal(_("%(label)s must be a number, e.g. 1500 or 1500.50.", label=label), field) from exc
    if not value.is_finite():
        raise Refusal(_("%(label)s must be a number, e.g. 1500 or 1500.50.", label=label), field)
    if value < 0:
        raise Refusal(_("%(label)s cannot be negative.", label=label), field)
    if value != value.quantize(CENT):
        raise Refusal(_("%(label)s can have at most two decimal places.", label=label), field)
    if value > maximum:
        raise Refusal(_("%(label)s is too large.", label=label), field)
    return value.quantize(CENT)


def clean_price(value, field: str = "price") -> Decimal:
    """A price in roubles: a number ≥ 0 with at most two decimals (kopecks)."""
    return _decimal(value, field, _("The price"), MAX_MONEY)


def clean_area(value, field: str = "area", required: bool = True) -> Decimal | None:
    """An area in m²: a number ≥ 0 with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refusal(_("Give the area in m²."), field)
        return None
    return _decimal(value, field, _("The area"), MAX_AREA)


def clean_choice(value, enum_cls, field: str, message: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    try:
        return enum_cls(value).value
    except ValueError as exc:
        allowed = ", ".join(member.value for member in enum_cls)
        raise Refusal(f"{message} ({_('allowed: %(values)s', values=allowed)})", field) from exc


def clean_text(values: dict, key: str, max_length: int, required_message: str | None = None) -> str | None:
    value = values.get(key)
    value = value.strip() if isinstance(value, str) else value
    if not value:
        if required_message:
            raise Refusal(required_message, key)
        return None
    if len(value) > max_length:
        raise Refusal(_("At most %(n)s characters.", n=max_length), key)
    return value


def search_text(*parts) -> str:
    return " ".join(p.strip().lower() for p in parts if p)


def clean_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "да", "x", "on"}
    return bool(value)


def changed_fields(obj, cleaned: dict) -> dict:
    return {key: value for key, value in cleaned.items() if getattr(obj, key) != value}

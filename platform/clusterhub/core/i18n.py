"""Language and time-zone choice, and locale-aware formatting helpers for templates."""

from decimal import Decimal

from babel import Locale
from flask import Flask, g, has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LOCALES = ("ru", "en")
DEFAULT_LOCALE = "ru"
DEFAULT_TIMEZONE = "Europe/Moscow"


# Flask-Babel takes a Locale as it is, where it would parse a code on every request.
_LOCALES = {code: Locale.parse(code) for code in LOCALES}


def select_locale() -> Locale:
    """User preference, then an explicit switch, then Accept-Language, then the tenant's default."""
    if not has_request_context():
        return _LOCALES[DEFAULT_LOCALE]
    user = current_user._get_current_object()  # one proxy look-up
    if user is not None and user.is_authenticated and user.locale in LOCALES:
        return _LOCALES[user.locale]
    chosen = session.get("lang")
    if chosen in LOCALES:
        return _LOCALES[chosen]
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE")
    if header:
        best = _best_match(header)
        if best:
            return _LOCALES[best]
    tenant = g.get("tenant")
    if tenant is not None and tenant.default_locale in LOCALES:
        return _LOCALES[tenant.default_locale]
    return _LOCALES[DEFAULT_LOCALE]


_matches: dict[str, str | None] = {}


def _best_match(header: str) -> str | None:
    """Our language that the browser's Accept-Language prefers, remembered per header: browsers send a
    handful of distinct values, and parsing one on every request cost several microseconds."""
    try:
        return _matches[header]
    except KeyError:
        pass
    best = parse_accept_header(header, LanguageAccept).best_match(LOCALES)
    if len(_matches) < 1024:  # a client sending a new value every time cannot grow the worker
        _matches[header] = best
    return best


def select_timezone() -> str:
    tenant = g.get("tenant")
    return tenant.timezone if tenant is not None else DEFAULT_TIMEZONE


def money(value: int | Decimal | str | None, currency: str = "RUB") -> str:
    """Money for the locale. Integers are kopecks; ``Decimal`` values are roubles."""
    if value is None:
        return ""
    amount = Decimal(value) / 100 if isinstance(value, int) else Decimal(value)
    if currency == "RUB":  # "123 456,78 ₽" / "123,456.78 ₽" rather than the English "RUB123,456.78"
        return f"{format_decimal(amount, format='#,##0.00')}\u00a0₽"
    return format_currency(amount, currency)


def localized(obj: object, field: str) -> str:
    """``obj.<field>_ru`` or ``obj.<field>_en`` for the current language, falling back to Russian."""
    lang = str(get_locale())
    value = getattr(obj, f"{field}_{lang}", None) or getattr(obj, f"{field}_ru", None)
    return str(value) if value else ""  # an empty field is "" (falsy in templates), never "None"


def _minutes_pattern() -> str:
    """The locale's medium date with its short time: «2 апр. 2026 г., 10:00» rather than the medium
    «…, 10:00:00» (nobody plans a session to the second)."""
    locale = get_locale()
    return str(locale.datetime_formats["medium"]).format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )


def register(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, _minutes_pattern() if fmt == "medium" else fmt) if value else ""
    )
    # a calendar date (joined on, resident since): 10.03.2027 in Russian, 3/10/27 in English
    app.jinja_env.filters["date"] = lambda value, fmt="short": format_date(value, fmt) if value else ""
    app.jinja_env.filters["number"] = lambda value: format_decimal(value) if value is not None else ""
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["LOCALES"] = LOCALES

"""Pages of the events module: the public pages of a center's events and the platform calendar with their
iCalendar feeds (``public_pages``), registration and the registrant's ticket (``registration``), and the
staff's pages: organising (``staff``), participants (``participants``), the rosters of agenda items
(``rosters``) and check-in and badges (``check_in``). The blueprint, the module's permissions, menu
entries, home block, template filters and the ``remind`` command live here."""

import io

import sqlalchemy as sa
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ...accounts.models import GlobalRole, TenantRole
from ...core import signals
from ...core.access import can
from ...core.menu import STAFF_GROUP, HomeBlock, MenuItem
from ...extensions import db
from ..models import Event, EventStatus
from ..services.notifications import send_reminders

MANAGE_EVENTS = "events.manage"
CHECK_IN = "events.check_in"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_EVENTS, CHECK_IN}),
        (TenantRole.CENTER_STAFF, {MANAGE_EVENTS, CHECK_IN}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_EVENTS, CHECK_IN}),
    ]


bp = Blueprint("events", __name__, template_folder="../templates")


PER_PAGE = 50


def _staff_home_block():
    if not can(MANAGE_EVENTS):
        return None
    drafts = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.status == EventStatus.DRAFT)
    )
    return {"drafts": drafts}


def _get(model, object_id, **where):
    """A row of the current tenant, or 404 (another tenant's row is not found)."""
    return db.first_or_404(sa.select(model).where(model.id == object_id).filter_by(**where))


def _locale():
    from flask_babel import get_locale

    return get_locale()


def _qr_svg(data: str) -> str:
    buffer = io.BytesIO()
    import segno

    segno.make(data, error="m").save(buffer, kind="svg", scale=3, border=1, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


@bp.cli.command("remind")
def remind_command():
    """Queue the reminders for sessions that start tomorrow, for the centers whose local morning it is
    (run hourly: REMINDER_LOCAL_HOUR on each center's clock)."""
    import click

    count = send_reminders()
    db.session.commit()  # a command, not a request: no unit of work commits for it
    click.echo(f"queued {count} reminders")


@bp.app_template_filter("date_short")
def _date_short(value):
    from flask_babel import format_date

    return format_date(value, "medium") if value else ""


@bp.app_template_filter("date_long")
def _date_long(value):
    from flask_babel import format_date

    return format_date(value, "full") if value else ""


@bp.app_template_filter("time_local")
def _time_local(value):
    """A stored naive-UTC time as HH:mm in the request's (the tenant's) time zone."""
    from flask_babel import format_time

    return format_time(value, "HH:mm") if value else ""


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Sessions"), "events.index"),
            MenuItem(_l("Manage sessions"), "events.staff_events", MANAGE_EVENTS, group=STAFF_GROUP),
        ],
        "global": [
            MenuItem(_l("Calendar"), "events.calendar"),
            MenuItem(
                _l("Services"), "technoparks.search"
            ),  # the platform-wide catalogue of technopark services
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "staff": [
            HomeBlock("events/_staff_block.html", _staff_home_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)


# The pages register their routes on ``bp``; imported last, as they use what is defined above.
from . import check_in, participants, public_pages, registration, rosters, staff  # noqa: E402, F401

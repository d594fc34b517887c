"""Navigation menus and home-page blocks. Each module answers ``signals.menu_items`` and
``signals.home_blocks`` (connected in ``create_app``) with its entries and the permission that shows them.

Menu entries for everybody stay in the top bar; entries of the center's staff and of the platform's
administrators go into one dropdown each, so the bar fits a 1366 px screen whatever the role.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from . import signals
from .access import can

STAFF_GROUP = "staff"
PLATFORM_GROUP = "platform"
GROUP_LABELS = {STAFF_GROUP: _l("Center management"), PLATFORM_GROUP: _l("Platform")}


@dataclass(frozen=True)
class MenuItem:
    label: object  # a lazy string
    endpoint: str
    permission: object = None  # None: everyone
    group: str | None = None  # None: the top bar; else the dropdown of GROUP_LABELS


def _collected(signal: Any, sender: str, key: Callable[[Any], Any]) -> list[Any]:
    """Every receiver's answer to ``signal``, in connection order, the first of each ``key`` only."""
    found: dict[Any, Any] = {}
    for answer in signals.answers(signal, sender):
        for entry in answer or ():
            found.setdefault(key(entry), entry)
    return list(found.values())


def menu(sender: str) -> list[MenuItem]:
    """The entries of the ``"tenant"`` or ``"global"`` menu."""
    return _collected(signals.menu_items, sender, lambda item: item.endpoint)


def home_blocks(sender: str) -> list["HomeBlock"]:
    """The blocks of the ``"center"`` or ``"staff"`` home page."""
    return _collected(signals.home_blocks, sender, lambda block: block.template)


def _visible(items: Iterable[MenuItem]) -> list[dict[str, Any]]:
    """The entries the current user may follow: top-bar links first, then one dropdown per group."""
    links: list[dict[str, Any]] = []
    dropdowns: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.permission is not None and not can(item.permission):
            continue
        link = {"label": item.label, "url": url_for(item.endpoint)}
        if item.group is None:
            links.append(link)
        elif item.group in dropdowns:
            dropdowns[item.group]["children"].append(link)
        else:
            dropdowns[item.group] = {"label": GROUP_LABELS[item.group], "children": [link], "id": item.group}
    return links + list(dropdowns.values())


def register(app: Flask) -> None:
    app.jinja_env.globals["tenant_menu"] = lambda: _visible(menu("tenant"))
    app.jinja_env.globals["global_menu"] = lambda: _visible(menu("global"))
    register_blocks(app)


@dataclass(frozen=True)
class HomeBlock:
    """A block on a home page: a template and the function giving its context (None hides the block).

    Blocks are templates, never strings of HTML built in Python, so everything in them is escaped by Jinja.
    """

    template: str
    # context(tenant) on a center's home page, context() on the staff home: the template's variables,
    # or None when the block is not for this user
    context: Callable[..., dict[str, Any] | None]


def _render(blocks: Iterable[Any], *args: Any) -> list[Markup]:
    rendered = []
    for block in blocks:
        context = block.context(*args)
        if context is not None:
            # The output of an autoescaped template is safe HTML by construction.
            rendered.append(Markup(render_template(block.template, **context)))
    return rendered


def register_blocks(app: Flask) -> None:
    app.jinja_env.globals["center_home_blocks"] = lambda tenant: _render(home_blocks("center"), tenant)
    app.jinja_env.globals["staff_home_blocks"] = lambda: _render(home_blocks("staff"))
    app.jinja_env.globals["can"] = can

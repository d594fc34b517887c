"""Navigation menus and home-page blocks. Each module adds its entries with the permission that shows them.

Menu entries for everybody stay in the top bar; entries of the center's staff and of the platform's
administrators go into one dropdown each, so the bar fits a 1366 px screen whatever the role.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..accounts.authz import can

STAFF_GROUP = "staff"
PLATFORM_GROUP = "platform"
GROUP_LABELS = {STAFF_GROUP: _l("Center management"), PLATFORM_GROUP: _l("Platform")}


@dataclass(frozen=True)
class MenuItem:
    label: object  # a lazy string
    endpoint: str
    permission: object = None  # None: everyone
    group: str | None = None  # None: the top bar; else the dropdown of GROUP_LABELS


TENANT_MENU: list[MenuItem] = []
GLOBAL_MENU: list[MenuItem] = []


def add_tenant_item(
    label: object, endpoint: str, permission: object = None, group: str | None = None
) -> None:
    if all(item.endpoint != endpoint for item in TENANT_MENU):
        TENANT_MENU.append(MenuItem(label, endpoint, permission, group))


def add_global_item(
    label: object, endpoint: str, permission: object = None, group: str | None = None
) -> None:
    if all(item.endpoint != endpoint for item in GLOBAL_MENU):
        GLOBAL_MENU.append(MenuItem(label, endpoint, permission, group))


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
    app.jinja_env.globals["tenant_menu"] = lambda: _visible(TENANT_MENU)
    app.jinja_env.globals["global_menu"] = lambda: _visible(GLOBAL_MENU)
    register_blocks(app)


@dataclass(frozen=True)
class HomeBlock:
    """A block on a home page: a template and the function giving its context (None hides the block).

    Blocks are templates, never strings of HTML built in Python, so everything in them is escaped by Jinja.
    """

    template: str
    context: Callable[..., dict[str, Any] | None]


CENTER_HOME_BLOCKS: list[HomeBlock] = []
STAFF_HOME_BLOCKS: list[HomeBlock] = []


def add_center_home_block(template: str, context: Callable[..., dict[str, Any] | None]) -> None:
    """``context(tenant)`` gives the template's variables, or None when the block is not for this user."""
    if all(block.template != template for block in CENTER_HOME_BLOCKS):
        CENTER_HOME_BLOCKS.append(HomeBlock(template, context))


def add_staff_home_block(template: str, context: Callable[..., dict[str, Any] | None]) -> None:
    """``context()`` gives the template's variables, or None when the block is not for this user."""
    if all(block.template != template for block in STAFF_HOME_BLOCKS):
        STAFF_HOME_BLOCKS.append(HomeBlock(template, context))


def _render(blocks: Iterable[Any], *args: Any) -> list[Markup]:
    rendered = []
    for block in blocks:
        context = block.context(*args)
        if context is not None:
            # The output of an autoescaped template is safe HTML by construction.
            rendered.append(Markup(render_template(block.template, **context)))
    return rendered


def register_blocks(app: Flask) -> None:
    app.jinja_env.globals["center_home_blocks"] = lambda tenant: _render(CENTER_HOME_BLOCKS, tenant)
    app.jinja_env.globals["staff_home_blocks"] = lambda: _render(STAFF_HOME_BLOCKS)
    app.jinja_env.globals["can"] = can

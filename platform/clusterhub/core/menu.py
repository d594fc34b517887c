"""Navigation menus. Each module adds its entries with the permission that shows them."""

from dataclasses import dataclass

from flask import url_for

from ..accounts.authz import can


@dataclass(frozen=True)
class MenuItem:
    label: object  # a lazy string
    endpoint: str
    permission: object = None  # None: everyone


TENANT_MENU: list[MenuItem] = []
GLOBAL_MENU: list[MenuItem] = []


def add_tenant_item(label, endpoint, permission=None) -> None:
    if all(item.endpoint != endpoint for item in TENANT_MENU):
        TENANT_MENU.append(MenuItem(label, endpoint, permission))


def add_global_item(label, endpoint, permission=None) -> None:
    if all(item.endpoint != endpoint for item in GLOBAL_MENU):
        GLOBAL_MENU.append(MenuItem(label, endpoint, permission))


def _visible(items):
    return [
        {"label": item.label, "url": url_for(item.endpoint)}
        for item in items
        if item.permission is None or can(item.permission)
    ]


def register(app) -> None:
    app.jinja_env.globals["tenant_menu"] = lambda: _visible(TENANT_MENU)
    app.jinja_env.globals["global_menu"] = lambda: _visible(GLOBAL_MENU)
    register_blocks(app)


# Blocks that other modules add to the center's home page and to the staff area: callables returning HTML.
CENTER_HOME_BLOCKS: list = []
STAFF_HOME_BLOCKS: list = []


def add_center_home_block(render) -> None:
    if render not in CENTER_HOME_BLOCKS:
        CENTER_HOME_BLOCKS.append(render)


def add_staff_home_block(render) -> None:
    if render not in STAFF_HOME_BLOCKS:
        STAFF_HOME_BLOCKS.append(render)


def register_blocks(app) -> None:
    app.jinja_env.globals["center_home_blocks"] = lambda tenant: [
        render(tenant) for render in CENTER_HOME_BLOCKS
    ]
    app.jinja_env.globals["staff_home_blocks"] = lambda: [render() for render in STAFF_HOME_BLOCKS]
    app.jinja_env.globals["can"] = can

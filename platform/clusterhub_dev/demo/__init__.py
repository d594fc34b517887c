"""Demo data for a local run: ``flask demo load`` (idempotent)."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from clusterhub.extensions import db
from clusterhub.tenancy.models import Tenant

DEMO_PASSWORD = "clusterhub-demo"
DEMO_USERS = [
    # email, name, global role, (tenant slug, tenant role)
    ("admin@clusterhub.example.com", "Анна Платформина", "platform_admin", None),
    ("analyst@minpromtorg.example.com", "Фёдор Аналитиков", "federal_analyst", None),
    ("reviewer@minpromtorg.example.com", "Вера Проверкина", "federal_reviewer", None),
    ("komi-admin@clusterhub.example.com", "Ирина Коми", None, ("komi", "center_admin")),
    ("komi-staff@clusterhub.example.com", "Олег Сотрудников", None, ("komi", "center_staff")),
    ("expert@clusterhub.example.com", "Эдуард Экспертов", None, ("komi", "expert")),
    ("rep@luzales.example.com", "Лев Лузалесов", None, None),
]


@click.group("demo", help="Demo data.")
def demo_cli():
    pass


def _register_scale():
    from .scale import register

    register(demo_cli)


@demo_cli.command("load")
@with_appcontext
def demo_load():
    """Create the demo accounts (and, as modules land, their demo data) and print how to log in."""
    load_demo()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, _name, global_role, membership in DEMO_USERS:
        role = global_role or (
            f"{membership[1]} @ {membership[0]}" if membership else "enterprise representative"
        )
        click.echo(f"  {email:32} {role}")


# Each module's demo data, loaded in this order after the accounts: (module, call).
MODULE_DEMOS = [
    ("clusterhub_dev.demo.clusters", lambda module: module.load(("komi",))),  # loads the enterprises first
    ("clusterhub_dev.demo.technoparks", lambda module: module.load("komi")),
    ("clusterhub_dev.demo.events", lambda module: module.load()),
    ("clusterhub_dev.demo.defenses", lambda module: module.load()),
    ("clusterhub_dev.demo.cooperation_offers", lambda module: module.load()),
    ("clusterhub_dev.demo.cooperation_meetings", lambda module: module.load()),
]


def load_demo() -> None:
    import importlib

    from clusterhub.accounts.services import memberships, users

    for email, name, global_role, membership in DEMO_USERS:
        user = users.find_user_by_email(email)
        if user is None:
            user = users.create_user(email, name, DEMO_PASSWORD, global_role=global_role)
        if membership:
            tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == membership[0]))
            if tenant is None:
                raise click.ClickException(f"tenant {membership[0]} missing: run `flask tenants sync` first")
            memberships.add_membership(user, tenant, membership[1])
    db.session.commit()
    for module_name, load in MODULE_DEMOS:
        load(importlib.import_module(module_name))
        db.session.commit()


_register_scale()

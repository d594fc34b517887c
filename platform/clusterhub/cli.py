"""Command-line interface: ``flask --app clusterhub ...`` or the ``clusterhub`` console script
(:mod:`clusterhub.console`); ``create_app`` registers these commands."""

import contextlib
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .core.refusal import Refusal
from .tenancy.models import Tenant


def register(app) -> None:
    app.cli.add_command(tenants_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)


@click.group("tenants", help="Regional centers.")
def tenants_cli():
    pass


@tenants_cli.command("sync")
@click.option("--dry-run", is_flag=True, help="Show what would change without changing anything.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder with <slug>/tenant.toml files (default: TENANTS_DIR or ./tenants).",
)
@with_appcontext
def tenants_sync(dry_run, directory):
    """Create or update centers from tenants/*/tenant.toml (idempotent)."""
    from .centers.services import sync_tenants

    report = sync_tenants(Path(directory or current_app.config["TENANTS_DIR"]), dry_run=dry_run)
    if report.errors:
        for error in report.errors:
            click.secho(f"error: {error}", fg="red", err=True)
        raise click.ClickException("invalid tenant files: nothing was changed")
    prefix = "would " if dry_run else ""
    for slug in report.created:
        click.echo(f"{prefix}create {slug}")
    for slug, fields in report.changed.items():
        click.echo(f"{prefix}update {slug}: {', '.join(fields)}")
    click.echo(
        f"{len(report.created)} created, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged" + (" (dry run)" if dry_run else "")
    )


@click.group("users", help="User accounts.")
def users_cli():
    pass


GLOBAL_ROLE_NAMES = ["platform_admin", "federal_analyst", "federal_reviewer"]
TENANT_ROLE_NAMES = ["center_admin", "center_staff", "expert"]


@users_cli.command("create")
@click.argument("email")
@click.option("--name", "full_name", required=True, help="The person's full name.")
@click.option("--role", type=click.Choice(GLOBAL_ROLE_NAMES), default=None, help="A platform-wide role.")
@click.option("--center", "center_slug", default=None, help="A center's slug, with --center-role.")
@click.option("--center-role", type=click.Choice(TENANT_ROLE_NAMES), default=None, help="The role there.")
@click.password_option(help="At least 10 characters; asked for when not given.")
@with_appcontext
def users_create(email, full_name, role, center_slug, center_role, password):
    """Create a user with a confirmed address (the first platform admin, or anyone else)."""
    import sqlalchemy as sa

    from .accounts.services import memberships
    from .accounts.services import users as users_services
    from .extensions import db

    if bool(center_slug) != bool(center_role):
        raise click.UsageError("--center and --center-role go together")
    try:
        user = users_services.create_user(email, full_name, password, global_role=role)
        if center_slug:
            tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == center_slug))
            if tenant is None:
                raise click.ClickException(f"no center with the slug {center_slug!r}")
            memberships.add_membership(user, tenant, center_role)
    except Refusal as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    roles = [r for r in (role, center_role and f"{center_role} @ {center_slug}") if r]
    click.echo(f"created {user.email}" + (f" ({', '.join(roles)})" if roles else ""))


@click.group("outbox", help="Outgoing mail.")
def outbox_cli():
    pass


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, polling for new mail (the worker).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls with --loop.")
@click.option(
    "--heartbeat",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --loop: touch this file after every poll and every message (the liveness probe checks its age).",
)
@with_appcontext
def outbox_send(loop, interval, heartbeat):
    """Send queued mail; failures are retried with backoff."""
    from .extensions import db
    from .outbox.services import current_mailer, send_due

    mailer = current_mailer()

    def beat():
        if heartbeat:
            Path(heartbeat).touch()

    while True:
        try:
            counts = send_due(mailer, after_each=beat)
        except sa.exc.OperationalError as error:
            # The database went away (a failover, a restart): the worker waits for it instead of dying,
            # and no message is lost, since each one leaves the outbox only when its send is committed.
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                db.session.rollback()
            if not loop:
                raise
            click.echo(f"database unreachable ({error.__class__.__name__}); trying again", err=True)
        else:
            if any(counts.values()) or not loop:
                click.echo(f"sent {counts['sent']}, retrying {counts['retry']}, failed {counts['failed']}")
            if not loop:
                break
        beat()
        time.sleep(interval)

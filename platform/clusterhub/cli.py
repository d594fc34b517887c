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
    app.cli.add_command(housekeeping_cli)


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


@click.group("housekeeping", help="Removing rows that are no longer needed.")
def housekeeping_cli():
    pass


@housekeeping_cli.command("purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    default=90,
    show_default=True,
    help="Delete what was sent or delivered more than this many days ago.",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=1000, show_default=True, help="Rows per commit."
)
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@with_appcontext
def housekeeping_purge(older_than_days, batch_size, dry_run):
    """Delete sent mail (and webhook tickets) from the outbox and delivered webhook deliveries older than
    the limit (run daily). Pending, failed and withheld rows stay, whatever their age."""
    from datetime import timedelta

    from .extensions import db
    from .outbox.services import count_sent_before, purge_sent
    from .tenancy.models import utcnow
    from .webhooks.services.delivery import count_delivered_before, purge_delivered

    cutoff = utcnow() - timedelta(days=older_than_days)
    messages = count_sent_before(cutoff)
    tenant_ids = list(db.session.scalars(sa.select(Tenant.id).order_by(Tenant.id)))
    deliveries = {tenant_id: count_delivered_before(tenant_id, cutoff) for tenant_id in tenant_ids}
    db.session.rollback()  # the counts hold no transaction open during the purge
    if dry_run:
        click.echo(
            f"{messages} outbox messages and {sum(deliveries.values())} webhook deliveries would be deleted"
        )
        return
    done = {"messages": 0, "deliveries": 0}
    # One transaction per batch: a long purge holds no lock for long, and the worker keeps sending.
    with click.progressbar(length=messages, label="Outbox messages", file=None) as bar:
        while count := purge_sent(cutoff, batch_size):
            db.session.commit()
            done["messages"] += count
            bar.update(count)
    with click.progressbar(length=sum(deliveries.values()), label="Webhook deliveries", file=None) as bar:
        for tenant_id in (t for t, n in deliveries.items() if n):
            while count := purge_delivered(tenant_id, cutoff, batch_size):
                db.session.commit()
                done["deliveries"] += count
                bar.update(count)
    click.echo(f"deleted {done['messages']} outbox messages and {done['deliveries']} webhook deliveries")

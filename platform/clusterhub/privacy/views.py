"""«Мои данные» (the person's own page) and the center admin's list of erasure requests."""

from datetime import date

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from ..audit import presentation
from ..audit.services import record
from ..core import signals
from ..core.access import Permission, can, login_required, personal, requires
from ..core.menu import STAFF_GROUP, HomeBlock, MenuItem
from .forms import ActionForm, ErasureForm, MailConsentForm
from .services import consent as consent_services
from .services import erasure as erasure_services
from .services import export as export_services
from .services import pseudonyms
from .services import retention as retention_services

bp = Blueprint("privacy", __name__, template_folder="templates")
presentation.ACTION_LABELS.update(
    {
        "privacy.data_exported": _l("Personal data downloaded by its owner"),
        "privacy.erasure_requested": _l("Erasure of personal data requested"),
        "privacy.erasure_completed": _l("Erasure of personal data completed"),
        "privacy.account_anonymised": _l("Account anonymised"),
        "privacy.mail_consent_withdrawn": _l("Consent to e-mail withdrawn"),
        "privacy.mail_consent_given": _l("Consent to e-mail given again"),
        "privacy.retention_anonymised": _l("Registrations of old sessions anonymised"),
        "privacy.registration_consent_withdrawn": _l("Consent to processing withdrawn for a registration"),
    }
)


def _staff_block():
    if not can(Permission.MANAGE_MEMBERS):
        return None
    pending = erasure_services.center_erasures(pending_only=True)
    return {"pending": pending} if pending else None


@bp.route("/account/my-data")
@login_required
def my_data():
    pending = erasure_services.pending_erasure(current_user)
    return render_template(
        "privacy/my_data.html",
        withdrawal=consent_services.mail_consent_withdrawal(current_user),
        erasures=erasure_services.erasure_requests_of(current_user),
        pending=pending,
        progress=erasure_services.erasure_progress(pending) if pending else [],
        erasure_form=ErasureForm(),
        mail_form=MailConsentForm(),
        registrations=[
            r
            for r in export_services.read_own_data_across_centers(current_user).registrations
            if not r["email"].endswith("@" + pseudonyms.ANONYMOUS_DOMAIN)
        ],
        action_form=ActionForm(),
        days=current_app.config["PRIVACY_ERASURE_DAYS"],
    )


@bp.route("/account/my-data/export.zip")
@login_required
def export():
    """The archive is built from data read here, then zipped and sent file by file."""
    user = current_user._get_current_object()
    files = export_services.export_files(user)
    record("privacy.data_exported", user, actor=user)
    name = f"clusterhub-my-data-{date.today():%Y%m%d}.zip"
    return Response(
        export_services.zip_stream(files),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.route("/account/my-data/mail-consent", methods=["POST"])
@login_required
@personal
def mail_consent():
    form = MailConsentForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if form.action.data == "withdraw":
        consent_services.withdraw_mail_consent(user)
        flash(_("Consent to e-mail withdrawn: the platform sends you nothing from now on."), "success")
    else:
        consent_services.give_mail_consent(user)
        flash(_("Thank you: you will receive e-mail from the platform again."), "success")
    return redirect(url_for("privacy.my_data"), 303)


@bp.route("/account/my-data/registrations/<center>/<int:registration_id>/withdraw", methods=["POST"])
@login_required
def withdraw_registration(center, registration_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    erasure_services.withdraw_registration_consent(
        current_user._get_current_object(), center, registration_id
    )
    flash(_("Consent withdrawn: the registration is cancelled and your details in it are erased."), "success")
    return redirect(url_for("privacy.my_data"), 303)


@bp.route("/account/my-data/erasure", methods=["POST"])
@login_required
@personal
def request_erasure():
    form = ErasureForm()
    if not form.validate_on_submit():
        for error in form.confirm.errors:
            flash(error, "danger")
        return redirect(url_for("privacy.my_data"), 303)
    request_row = erasure_services.request_erasure(current_user._get_current_object())
    if request_row.completed_at is not None:
        logout_user()
        flash(_("Your account has been anonymised. Thank you for using ClusterHub."), "success")
        return redirect(url_for("core.home"), 303)
    flash(
        _(
            "Your erasure request has been sent to %(count)d center(s); they must complete it by %(due)s.",
            count=len(erasure_services.erasure_progress(request_row)),
            due=format_date(request_row.due_at, "medium"),
        ),
        "success",
    )
    return redirect(url_for("privacy.my_data"), 303)


@bp.route("/<tenant>/staff/privacy")
@requires(Permission.MANAGE_MEMBERS)
def center_requests():
    return render_template(
        "privacy/center_requests.html",
        parts=erasure_services.center_erasures(),
        form=ActionForm(),
        days=current_app.config["PRIVACY_ERASURE_DAYS"],
    )


@bp.route("/<tenant>/staff/privacy/<int:center_erasure_id>/complete", methods=["POST"])
@requires(Permission.MANAGE_MEMBERS)
def complete(center_erasure_id):
    part = erasure_services.center_erasure(center_erasure_id)
    if part is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = erasure_services.complete_center_erasure(part, actor=current_user._get_current_object())
    flash(
        _(
            "Erasure completed: %(registrations)d registration(s) anonymised, %(memberships)d role(s) and "
            "%(invitations)d invitation(s) deleted, %(protocols)d protocol(s) pseudonymised.",
            **done,
        ),
        "success",
    )
    return redirect(url_for("privacy.center_requests"), 303)


@bp.cli.command("remind")
def remind_command():
    """Mail center admins about erasure requests nearing their deadline (run daily)."""
    from ..extensions import db

    count = retention_services.remind_due_erasures()
    db.session.commit()
    click.echo(f"queued {count} reminders")


@bp.cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def retention_command(dry_run):
    """Anonymise registrations of sessions that ended more than PRIVACY_RETENTION_DAYS ago (run daily)."""
    from ..extensions import db

    batches = retention_services.retention_due()
    total = sum(len(batch.registration_ids) for batch in batches)
    if dry_run:
        for batch in batches:
            click.echo(f"{batch.tenant.slug}: would anonymise {len(batch.registration_ids)} registrations")
        click.echo(f"{total} registrations would be anonymised (dry run)")
        return
    done = 0
    with click.progressbar(length=total, label="Anonymising registrations", file=None) as bar:
        for batch in batches:
            ids = batch.registration_ids
            for start in range(0, len(ids), 500):  # one transaction per 500 rows: a long run holds no lock
                chunk = ids[start : start + 500]
                done += retention_services.anonymise_expired(batch, chunk)
                db.session.commit()
                bar.update(len(chunk))
    click.echo(f"{done} registrations anonymised")


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(
                _l("Personal data requests"),
                "privacy.center_requests",
                Permission.MANAGE_MEMBERS,
                group=STAFF_GROUP,
            ),
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "staff": [
            HomeBlock("privacy/_staff_block.html", _staff_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)

"""The protocol: signing by the chair, the HTML page and the PDF, and the public verification by
hash."""

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import login_required, public, requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ...projects.models import OUTCOME_LABELS
from ..models import PANEL_ROLE_LABELS, PanelRole, RoundStatus
from ..services.panel import is_chair
from ..services.protocol import protocol_content, protocol_of, sign_protocol, verify_protocol
from ..services.protocol_pdf import displayed, local_time, render_pdf
from . import LABELS, PANEL_WORK, access, bp, round_or_404


@bp.route("/<tenant>/defenses/<int:defense_round_id>/sign", methods=["POST"])
@requires(PANEL_WORK)
def sign(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    access(defense_round)
    if not is_chair(defense_round, current_user):
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            sign_protocol(defense_round, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The protocol is signed."), "success")
    return redirect(url_for("defenses.protocol", defense_round_id=defense_round.id))


def _protocol_content(defense_round):
    member, manager = access(defense_round)
    protocol = protocol_of(defense_round.id)
    if protocol is not None:
        return protocol.content, protocol.content_hash, protocol
    if not manager and not (member and member.role in (PanelRole.CHAIR, PanelRole.SECRETARY)):
        abort(403)  # a draft protocol shows every score: only the chair, the secretary and staff see it
    if defense_round.status == RoundStatus.OPEN:
        abort(403)
    return protocol_content(defense_round.id), None, None


@bp.route("/<tenant>/defenses/<int:defense_round_id>/protocol")
@login_required
def protocol(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    content, digest, signed = _protocol_content(defense_round)
    return render_template(
        "defenses/protocol.html",
        content=displayed(content, g.tenant.timezone),
        digest=digest,
        signed=signed,
        round=defense_round,
        chair=is_chair(defense_round, current_user),
        confirm_form=ConfirmForm(),
        labels=LABELS,
    )


@bp.route("/<tenant>/defenses/<int:defense_round_id>/protocol.pdf")
@login_required
def protocol_pdf(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    content, digest, _signed = _protocol_content(defense_round)
    pdf = render_pdf(
        displayed(content, g.tenant.timezone),
        digest,
        {k: str(v) for k, v in OUTCOME_LABELS.items()},
        {k: str(v) for k, v in PANEL_ROLE_LABELS.items()},
    )
    name = f"protocol-{defense_round.id}{'' if digest else '-draft'}.pdf"
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@bp.route("/verify/protocol/<digest>")
@public
def verify(digest):
    protocol, tenant, valid = verify_protocol(digest)
    status = 200 if protocol is not None else 404
    signed_at = None
    if protocol is not None:
        signed_at = local_time(protocol.signed_at.isoformat(timespec="minutes"), tenant.timezone)
    return render_template(
        "defenses/verify.html",
        protocol=protocol,
        tenant=tenant,
        valid=valid,
        digest=digest,
        signed_at=signed_at,
        labels=LABELS,
    ), status

"""Service requests: an enterprise's representative sends and follows them, the technopark's staff
handle them; both sides see the request's page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import can, login_required, requires
from ...core.forms import show_on
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...enterprises.services.representatives import is_representative, represented_enterprises
from ..forms import AcceptForm, NoteForm, RequestForm
from ..models import REQUEST_STATUS_LABELS, OfferStatus, ServiceOffer
from ..services import attachments, requests
from . import HANDLE_REQUESTS, bp, child_or_404, technopark_or_404


@bp.route(
    "/<tenant>/technoparks/<int:technopark_id>/services/<int:service_id>/request", methods=["GET", "POST"]
)
@login_required
def new_request(technopark_id, service_id):
    technopark = technopark_or_404(technopark_id)
    offer = child_or_404(ServiceOffer, service_id, technopark)
    if offer.status != OfferStatus.PUBLISHED:
        abort(404)
    enterprises = represented_enterprises(current_user)
    form = RequestForm(enterprises)
    if enterprises and form.validate_on_submit():
        enterprise = next(e for e in enterprises if e.id == form.enterprise_id.data)
        try:
            created = requests.create_request(
                offer,
                enterprise,
                current_user,
                form.quantity.data,
                form.desired_start.data,
                form.desired_end.data,
                form.comment.data,
            )
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("Your request has been sent to the technopark."), "success")
            return redirect(url_for("technoparks.request_detail", request_id=created.id))
    return render_template(
        "technoparks/request_form.html",
        technopark=technopark,
        offer=offer,
        form=form,
        enterprises=enterprises,
    )


def request_or_404(request_id):
    service_request = requests.get_request(request_id)
    if service_request is None:
        abort(404)
    return service_request


def side_of(service_request) -> str | None:
    if can(HANDLE_REQUESTS):
        return "technopark"
    if is_representative(current_user, service_request.enterprise):
        return "enterprise"
    return None


@bp.route("/<tenant>/technoparks/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def request_detail(request_id):
    service_request = request_or_404(request_id)
    side = side_of(service_request)
    if side is None:
        abort(404)
    accept_form, note_form = AcceptForm(prefix="accept"), NoteForm(prefix="note")
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action not in requests.TRANSITIONS:
                abort(400)
            if action == "accept" and side == "technopark":
                if not accept_form.validate():
                    raise Refusal(_("Give the quote and the scheduled dates."), "quote")
                requests.accept(
                    service_request,
                    current_user,
                    accept_form.quote.data,
                    accept_form.scheduled_start.data,
                    accept_form.scheduled_end.data,
                    accept_form.note.data,
                )
            elif action == "request_changes" and side == "technopark":
                requests.request_changes(service_request, current_user, note_form.note.data)
            elif action == "reject" and side == "technopark":
                requests.reject(service_request, current_user, note_form.note.data)
            elif action == "complete" and side == "technopark":
                requests.complete(service_request, current_user, note_form.note.data)
            elif action == "resubmit" and side == "enterprise":
                requests.resubmit(service_request, current_user, comment=note_form.note.data)
            elif action == "cancel" and side == "enterprise":
                requests.cancel(service_request, current_user, note_form.note.data)
            else:
                raise Refusal(_("This step belongs to the other side of the request."))
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(
                _("The request is now “%(status)s”.", status=requests.status_label(service_request.status)),
                "success",
            )
            return redirect(url_for("technoparks.request_detail", request_id=service_request.id))
    return render_template(
        "technoparks/request_detail.html",
        req=service_request,
        side=side,
        actions=requests.allowed_actions(service_request, side),
        accept_form=accept_form,
        note_form=note_form,
        status_labels=REQUEST_STATUS_LABELS,
        attachments=attachments.attachments_of(service_request.id),
    )


@bp.route("/technoparks/my-requests")
@login_required
def my_requests():
    enterprises = represented_enterprises(current_user)
    rows = requests.requests_of_enterprises([e.id for e in enterprises])
    return render_template(
        "technoparks/my_requests.html",
        rows=rows,
        enterprises={e.id: e for e in enterprises},
        status_labels=REQUEST_STATUS_LABELS,
    )


@bp.route("/<tenant>/staff/technoparks/requests/")
@requires(HANDLE_REQUESTS)
def staff_requests():
    status = request.args.get("status") or None
    if status not in REQUEST_STATUS_LABELS:
        status = None
    page = paginate(requests.requests_for_staff(status), per_page=30)
    return render_template(
        "technoparks/staff_requests.html", page=page, status=status, status_labels=REQUEST_STATUS_LABELS
    )

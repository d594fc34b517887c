"""Technopark pages: the public catalogue of a center, the staff pages that maintain it, the
platform-wide service search, service requests and equipment booking."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.authz import can, login_required, public, requires
from ..accounts.forms import ConfirmForm
from ..accounts.models import GlobalRole, TenantRole
from ..core import signals
from ..core.forms import show_on
from ..core.menu import STAFF_GROUP, MenuItem
from ..core.pagination import paginate
from ..core.refusal import Refusal, expected_refusals
from ..core.uploads import send_stored
from ..enterprises.services.representatives import is_representative, represented_enterprises
from ..extensions import db
from ..regions.models import FEDERAL_DISTRICTS, region_names
from . import attachments, booking, imports, requests, stats
from . import search as search_module
from . import services as svc
from .forms import (
    AcceptForm,
    BookingForm,
    EquipmentForm,
    ImportForm,
    NoteForm,
    RequestForm,
    ResidentForm,
    ServiceForm,
    TechnoparkForm,
    ZoneForm,
)
from .models import (
    AUDIENCE_LABELS,
    BOOKING_STATUS_LABELS,
    EQUIPMENT_CATEGORY_LABELS,
    OFFER_STATUS_LABELS,
    REGISTER_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    SERVICE_CATEGORY_LABELS,
    SERVICE_UNIT_LABELS,
    TECHNOPARK_KIND_LABELS,
    VAT_LABELS,
    ZONE_KIND_LABELS,
    Equipment,
    EquipmentBooking,
    OfferStatus,
    RequestAttachment,
    Resident,
    ServiceOffer,
    TechnoparkPhoto,
    Zone,
)

MANAGE_CATALOGUE = "technoparks.manage"
HANDLE_REQUESTS = "technoparks.requests"
VIEW_STATISTICS = "technoparks.statistics"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_CATALOGUE, HANDLE_REQUESTS, VIEW_STATISTICS}),
        (TenantRole.CENTER_STAFF, {MANAGE_CATALOGUE, HANDLE_REQUESTS, VIEW_STATISTICS}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_CATALOGUE, HANDLE_REQUESTS, VIEW_STATISTICS}),
        (GlobalRole.FEDERAL_ANALYST, {VIEW_STATISTICS}),  # read-only figures
    ]


bp = Blueprint("technoparks", __name__, template_folder="templates")


LABELS = {
    "technopark_kind": TECHNOPARK_KIND_LABELS,
    "register_status": REGISTER_STATUS_LABELS,
    "zone_kind": ZONE_KIND_LABELS,
    "equipment_category": EQUIPMENT_CATEGORY_LABELS,
    "service_category": SERVICE_CATEGORY_LABELS,
    "unit": SERVICE_UNIT_LABELS,
    "vat": VAT_LABELS,
    "audience": AUDIENCE_LABELS,
    "offer_status": OFFER_STATUS_LABELS,
}


@bp.app_context_processor
def _labels():
    return {"tp_labels": LABELS}


def _technopark_or_404(technopark_id):
    technopark = svc.get_technopark(technopark_id)
    if technopark is None:
        abort(404)
    return technopark


def _child_or_404(model, object_id, technopark):
    return db.first_or_404(
        sa.select(model).where(model.id == object_id, model.technopark_id == technopark.id)
    )


# --- public catalogue of a center ------------------------------------------------------------------


@bp.route("/<tenant>/technoparks/")
@public
def catalogue():
    return render_template("technoparks/catalogue.html", technoparks=svc.technoparks())


@bp.route("/<tenant>/technoparks/<int:technopark_id>")
@public
def technopark(technopark_id):
    technopark = _technopark_or_404(technopark_id)
    q = (request.args.get("q") or "").strip()
    category = request.args.get("category") or ""
    statement = svc.services_of(technopark, published_only=True)
    if category in SERVICE_CATEGORY_LABELS:
        statement = statement.where(ServiceOffer.category == category)
    if q:
        for word in q.lower().split()[:8]:
            statement = statement.where(ServiceOffer.search_text.contains(word, autoescape=True))
    services_page = paginate(statement, per_page=30)
    return render_template(
        "technoparks/technopark.html",
        technopark=technopark,
        zones=svc.zones(technopark),
        equipment=svc.equipment_list(technopark),
        services_page=services_page,
        q=q,
        category=category,
        residents=[r for r in svc.residents(technopark) if r.active_on(date.today())],
        photos=attachments.photos_of(technopark.id),
    )


@bp.route("/<tenant>/technoparks/<int:technopark_id>/services/<int:service_id>")
@public
def service(technopark_id, service_id):
    technopark = _technopark_or_404(technopark_id)
    offer = _child_or_404(ServiceOffer, service_id, technopark)
    if offer.status != OfferStatus.PUBLISHED and not _can_manage():
        abort(404)
    return render_template(
        "technoparks/service.html",
        technopark=technopark,
        offer=offer,
        equipment=svc.linked_equipment(offer),
    )


def _can_manage() -> bool:
    return can(MANAGE_CATALOGUE)


# --- staff: technoparks ----------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/")
@requires(MANAGE_CATALOGUE)
def staff_list():
    return render_template("technoparks/staff_list.html", technoparks=svc.technoparks())


def _technopark_values(form) -> dict:
    values = {name: form[name].data for name in svc.TECHNOPARK_FIELDS if name in form}
    inn = (form.operator_inn.data or "").strip()
    if inn:
        try:
            enterprise, _created = svc.enterprise_by_inn(
                inn, form.operator_name.data or "", region_id=form.region_id.data, actor=current_user
            )
        except Refusal as error:  # the enterprise's fields are the operator's on this form
            raise Refusal(
                str(error), "operator_name" if error.field == "full_name" else "operator_inn"
            ) from error
        values["operator_id"] = enterprise.id
    return values


@bp.route("/<tenant>/staff/technoparks/new", methods=["GET", "POST"])
@requires(MANAGE_CATALOGUE)
def new_technopark():
    form = TechnoparkForm()
    if request.method == "GET":
        form.region_id.data = g.tenant.region_id
    if form.validate_on_submit():
        try:
            technopark = svc.create_technopark(_technopark_values(form), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The technopark has been created."), "success")
            return redirect(url_for("technoparks.manage", technopark_id=technopark.id))
    return render_template(
        "technoparks/form.html", form=form, title=_("New technopark"), back=url_for("technoparks.staff_list")
    )


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_CATALOGUE)
def edit_technopark(technopark_id):
    technopark = _technopark_or_404(technopark_id)
    form = TechnoparkForm(obj=technopark)
    if request.method == "GET" and technopark.operator:
        form.operator_inn.data = technopark.operator.inn
    if form.validate_on_submit():
        try:
            values = _technopark_values(form)
            if not (form.operator_inn.data or "").strip():
                values["operator_id"] = None
            svc.update_technopark(technopark, values, actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("technoparks.manage", technopark_id=technopark.id))
    back = url_for("technoparks.manage", technopark_id=technopark.id)
    return render_template("technoparks/form.html", form=form, title=technopark.name_ru, back=back)


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/")
@requires(MANAGE_CATALOGUE)
def manage(technopark_id):
    technopark = _technopark_or_404(technopark_id)
    return render_template(
        "technoparks/manage.html",
        technopark=technopark,
        zones=svc.zones(technopark),
        equipment=svc.equipment_list(technopark),
        services=db.session.scalars(svc.services_of(technopark)).all(),
        residents=svc.residents(technopark),
        photos=attachments.photos_of(technopark.id),
        resident_form=ResidentForm(),
        confirm_form=ConfirmForm(),
        today=date.today(),
    )


# --- staff: residents ------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/residents", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def add_resident(technopark_id):
    technopark = _technopark_or_404(technopark_id)
    form = ResidentForm()
    if form.validate_on_submit():
        try:
            enterprise, _created = svc.enterprise_by_inn(
                form.inn.data, form.full_name.data or "", actor=current_user
            )
            svc.add_resident(technopark, enterprise, form.since.data, form.until.data, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("%(name)s has been added as a resident.", name=enterprise.name), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "danger")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#residents")


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/residents/<int:resident_id>/end", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def end_resident(technopark_id, resident_id):
    technopark = _technopark_or_404(technopark_id)
    resident = _child_or_404(Resident, resident_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            svc.end_residency(resident, date.today(), actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The residency has ended today."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#residents")


# --- staff: zones ----------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/zones/new", methods=["GET", "POST"])
@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/zones/<int:zone_id>", methods=["GET", "POST"])
@requires(MANAGE_CATALOGUE)
def edit_zone(technopark_id, zone_id=None):
    technopark = _technopark_or_404(technopark_id)
    zone = _child_or_404(Zone, zone_id, technopark) if zone_id else None
    form = ZoneForm(obj=zone)
    back = url_for("technoparks.manage", technopark_id=technopark.id) + "#zones"
    if form.validate_on_submit():
        try:
            svc.save_zone(technopark, form.data, zone=zone, actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The zone has been saved."), "success")
            return redirect(back)
    title = zone.name_ru if zone else _("New zone")
    return render_template("technoparks/form.html", form=form, title=title, back=back, technopark=technopark)


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/zones/<int:zone_id>/delete", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def delete_zone(technopark_id, zone_id):
    technopark = _technopark_or_404(technopark_id)
    zone = _child_or_404(Zone, zone_id, technopark)
    if ConfirmForm().validate_on_submit():
        svc.delete_zone(zone, actor=current_user)
        flash(_("The zone has been deleted."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#zones")


# --- staff: equipment ------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/equipment/new", methods=["GET", "POST"])
@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>", methods=["GET", "POST"]
)
@requires(MANAGE_CATALOGUE)
def edit_equipment(technopark_id, equipment_id=None):
    technopark = _technopark_or_404(technopark_id)
    equipment = _child_or_404(Equipment, equipment_id, technopark) if equipment_id else None
    form = EquipmentForm(svc.zones(technopark), obj=equipment)
    if request.method == "GET" and equipment is not None:
        form.specs.data = svc.format_specs(equipment.specs)
        form.zone_id.data = equipment.zone_id or 0
    back = url_for("technoparks.manage", technopark_id=technopark.id) + "#equipment"
    if form.validate_on_submit():
        try:
            specs = svc.parse_specs(form.specs.data or "")
            svc.save_equipment(technopark, form.data, specs, equipment=equipment, actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The equipment has been saved."), "success")
            return redirect(back)
    title = equipment.name_ru if equipment else _("New equipment")
    return render_template("technoparks/form.html", form=form, title=title, back=back, technopark=technopark)


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/delete", methods=["POST"]
)
@requires(MANAGE_CATALOGUE)
def delete_equipment(technopark_id, equipment_id):
    technopark = _technopark_or_404(technopark_id)
    equipment = _child_or_404(Equipment, equipment_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            svc.delete_equipment(equipment, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The equipment has been deleted."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#equipment")


# --- staff: services -------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/services/new", methods=["GET", "POST"])
@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/services/<int:service_id>", methods=["GET", "POST"]
)
@requires(MANAGE_CATALOGUE)
def edit_service(technopark_id, service_id=None):
    technopark = _technopark_or_404(technopark_id)
    offer = _child_or_404(ServiceOffer, service_id, technopark) if service_id else None
    form = ServiceForm(svc.equipment_list(technopark), obj=offer)
    if request.method == "GET" and offer is not None:
        form.equipment_ids.data = [e.id for e in svc.linked_equipment(offer)]
        form.price.data = "" if offer.price is None else str(offer.price)
    back = url_for("technoparks.manage", technopark_id=technopark.id) + "#services"
    if form.validate_on_submit():
        try:
            svc.save_service(
                technopark, form.data, form.equipment_ids.data or [], service=offer, actor=current_user
            )
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The service has been saved."), "success")
            return redirect(back)
    title = offer.name_ru if offer else _("New service")
    return render_template("technoparks/form.html", form=form, title=title, back=back, technopark=technopark)


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/services/<int:service_id>/status", methods=["POST"]
)
@requires(MANAGE_CATALOGUE)
def service_status(technopark_id, service_id):
    technopark = _technopark_or_404(technopark_id)
    offer = _child_or_404(ServiceOffer, service_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            svc.set_service_status(offer, request.form.get("status", ""), actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The service's status has been changed."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#services")


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/services/<int:service_id>/delete", methods=["POST"]
)
@requires(MANAGE_CATALOGUE)
def delete_service(technopark_id, service_id):
    technopark = _technopark_or_404(technopark_id)
    offer = _child_or_404(ServiceOffer, service_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            svc.delete_service(offer, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The service has been deleted."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#services")


# --- platform-wide search ---------------------------------------------------------------------------


def _filters_from_args(args) -> search_module.SearchFilters:
    filters = search_module.SearchFilters(
        q=(args.get("q") or "").strip()[:200],
        category=args.get("category") or "",
        district=args.get("district") if args.get("district") in FEDERAL_DISTRICTS else "",
        sort=args.get("sort") if args.get("sort") in search_module.SORTS else "relevance",
    )
    filters.region_id = args.get("region", type=int)
    for name in ("price_min", "price_max"):
        raw = (args.get(name) or "").strip()
        if raw:
            with expected_refusals():  # an unreadable price filter is ignored, not a failed request
                try:
                    setattr(filters, name, svc.clean_price(raw, field=name))
                except Refusal:
                    setattr(filters, name, None)
    return filters


@bp.route("/services/")
@public
def search():
    kind = "equipment" if request.args.get("kind") == "equipment" else "services"
    filters = _filters_from_args(request.args)
    categories = EQUIPMENT_CATEGORY_LABELS if kind == "equipment" else SERVICE_CATEGORY_LABELS
    if filters.category not in categories:
        filters.category = ""
    page_number = request.args.get("page", 1, type=int)
    if kind == "equipment":
        page = search_module.search_equipment(filters, page_number)
    else:
        page = search_module.search_services(filters, page_number)
    regions = region_names(str(get_locale()))
    return render_template(
        "technoparks/search.html",
        kind=kind,
        filters=filters,
        page=page,
        categories=categories,
        regions=regions,
        districts=FEDERAL_DISTRICTS,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


# --- service requests: the enterprise side ---------------------------------------------------------


@bp.route(
    "/<tenant>/technoparks/<int:technopark_id>/services/<int:service_id>/request", methods=["GET", "POST"]
)
@login_required
def new_request(technopark_id, service_id):
    technopark = _technopark_or_404(technopark_id)
    offer = _child_or_404(ServiceOffer, service_id, technopark)
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


def _request_or_404(request_id):
    service_request = requests.get_request(request_id)
    if service_request is None:
        abort(404)
    return service_request


def _side(service_request) -> str | None:
    if can(HANDLE_REQUESTS):
        return "technopark"
    if is_representative(current_user, service_request.enterprise):
        return "enterprise"
    return None


@bp.route("/<tenant>/technoparks/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def request_detail(request_id):
    service_request = _request_or_404(request_id)
    side = _side(service_request)
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


@bp.route("/<tenant>/technoparks/requests/<int:request_id>/attachments", methods=["POST"])
@login_required
def attach(request_id):
    """Either side of the request attaches a file (documents or images, size-limited)."""
    service_request = _request_or_404(request_id)
    if _side(service_request) is None:
        abort(404)
    upload = request.files.get("attachment")

    def attach():
        if upload is None or not upload.filename:
            raise Refusal(_("Choose a file."))
        attachments.attach_to_request(service_request, upload.stream, upload.filename, actor=current_user)

    try:
        attach()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The file has been attached."), "success")
    return redirect(url_for("technoparks.request_detail", request_id=request_id))


@bp.route("/<tenant>/technoparks/attachments/<int:request_attachment_id>")
@login_required
def attachment(request_attachment_id):
    """Only the two sides of the request download its files."""
    stored = db.session.scalar(
        sa.select(RequestAttachment).where(RequestAttachment.id == request_attachment_id)
    )
    if stored is None or _side(_request_or_404(stored.request_id)) is None:
        abort(404)
    return send_stored(stored.storage_key, stored.content_type, download_name=stored.filename)


@bp.route("/<tenant>/technoparks/photos/<int:technopark_photo_id>")
@public
def photo(technopark_photo_id):
    stored = db.session.scalar(sa.select(TechnoparkPhoto).where(TechnoparkPhoto.id == technopark_photo_id))
    if stored is None:
        abort(404)
    return send_stored(stored.storage_key, stored.content_type, max_age=86400)


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/photos", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def add_photo(technopark_id):
    technopark = _technopark_or_404(technopark_id)
    upload = request.files.get("photo")

    def add():
        if upload is None or not upload.filename:
            raise Refusal(_("Choose a file."))
        attachments.add_photo(technopark, upload.stream, upload.filename, actor=current_user)

    try:
        add()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The photo has been added."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#photos")


@bp.route("/<tenant>/staff/technoparks/photos/<int:technopark_photo_id>/remove", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def remove_photo(technopark_photo_id):
    stored = db.session.scalar(sa.select(TechnoparkPhoto).where(TechnoparkPhoto.id == technopark_photo_id))
    if stored is None:
        abort(404)
    technopark_id = stored.technopark_id
    if ConfirmForm().validate_on_submit():
        attachments.remove_photo(stored, actor=current_user)
        flash(_("The photo has been removed."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark_id) + "#photos")


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


# --- service requests: the technopark side ---------------------------------------------------------


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


# --- equipment calendars and booking ---------------------------------------------------------------


def _week_start() -> datetime:
    raw = request.args.get("from")
    try:
        day = date.fromisoformat(raw) if raw else date.today()
    except ValueError:
        day = date.today()
    return datetime.combine(day, time())


def _local_to_utc(value: datetime | None) -> datetime | None:
    """A naive local time typed in the tenant's time zone, as naive UTC."""
    if value is None:
        return None
    zone = ZoneInfo(g.tenant.timezone)
    return value.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


@bp.route(
    "/<tenant>/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/calendar", methods=["GET", "POST"]
)
@public
def equipment_calendar(technopark_id, equipment_id):
    technopark = _technopark_or_404(technopark_id)
    equipment = _child_or_404(Equipment, equipment_id, technopark)
    if not equipment.bookable:
        abort(404)
    enterprises = represented_enterprises(current_user) if current_user.is_authenticated else []
    form = BookingForm()
    form.enterprise_id.choices = [(e.id, e.name) for e in enterprises]
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(403)
        if enterprises and form.validate_on_submit():
            enterprise = next((e for e in enterprises if e.id == form.enterprise_id.data), None)
            try:
                booking.book(
                    equipment,
                    _local_to_utc(form.starts_at.data),
                    _local_to_utc(form.ends_at.data),
                    actor=current_user,
                    enterprise=enterprise,
                    note=form.note.data,
                )
            except Refusal as error:
                show_on(form, error)
            else:
                flash(_("Your booking request has been sent; the technopark will confirm it."), "success")
                return redirect(request.url)
    start = _week_start()
    return render_template(
        "technoparks/calendar.html",
        technopark=technopark,
        equipment=equipment,
        cal=booking.calendar(equipment, start),
        form=form,
        enterprises=enterprises,
        staff=False,
        status_labels=BOOKING_STATUS_LABELS,
        prev_week=(start - timedelta(days=7)).date(),
        next_week=(start + timedelta(days=7)).date(),
    )


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/bookings",
    methods=["GET", "POST"],
)
@requires(MANAGE_CATALOGUE)
def staff_calendar(technopark_id, equipment_id):
    technopark = _technopark_or_404(technopark_id)
    equipment = _child_or_404(Equipment, equipment_id, technopark)
    form = BookingForm()
    form.enterprise_id.choices = [(0, "—")]
    if form.validate_on_submit():
        try:
            starts_at, ends_at = _local_to_utc(form.starts_at.data), _local_to_utc(form.ends_at.data)
            if form.maintenance.data:
                booking.block_maintenance(
                    equipment, starts_at, ends_at, actor=current_user, note=form.note.data
                )
            else:
                booking.book(
                    equipment, starts_at, ends_at, actor=current_user, confirmed=True, note=form.note.data
                )
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The period has been booked."), "success")
            return redirect(request.url)
    start = _week_start()
    return render_template(
        "technoparks/calendar.html",
        technopark=technopark,
        equipment=equipment,
        cal=booking.calendar(equipment, start),
        form=form,
        enterprises=[],
        staff=True,
        confirm_form=ConfirmForm(),
        status_labels=BOOKING_STATUS_LABELS,
        prev_week=(start - timedelta(days=7)).date(),
        next_week=(start + timedelta(days=7)).date(),
    )


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/bookings/<int:booking_id>",
    methods=["POST"],
)
@requires(MANAGE_CATALOGUE)
def booking_action(technopark_id, equipment_id, booking_id):
    technopark = _technopark_or_404(technopark_id)
    equipment = _child_or_404(Equipment, equipment_id, technopark)
    row = db.session.scalar(
        sa.select(EquipmentBooking).where(
            EquipmentBooking.id == booking_id, EquipmentBooking.equipment_id == equipment.id
        )
    )
    if row is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        decide = booking.confirm if request.form.get("action") == "confirm" else booking.cancel
        try:
            decide(row, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The booking has been updated."), "success")
    return redirect(
        url_for("technoparks.staff_calendar", technopark_id=technopark.id, equipment_id=equipment.id)
    )


# --- import / export --------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/import", methods=["GET", "POST"])
@requires(MANAGE_CATALOGUE)
def import_export(technopark_id):
    technopark = _technopark_or_404(technopark_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise Refusal(_("Choose a file to import."))
            rows = imports.read_rows(upload.filename, upload.read())
            if form.what.data == "equipment":
                report = imports.import_equipment(technopark, rows, actor=current_user)
            else:
                report = imports.import_services(technopark, rows, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            if report.ok:
                flash(
                    _(
                        "Imported: %(created)s created, %(updated)s updated.",
                        created=report.created,
                        updated=report.updated,
                    ),
                    "success",
                )
                return redirect(url_for("technoparks.manage", technopark_id=technopark.id))
    return render_template(
        "technoparks/import.html",
        technopark=technopark,
        form=form,
        report=report,
        service_columns=imports.SERVICE_COLUMNS,
        equipment_columns=imports.EQUIPMENT_COLUMNS,
    )


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/export/<what>.<fmt>")
@requires(MANAGE_CATALOGUE)
def export(technopark_id, what, fmt):
    technopark = _technopark_or_404(technopark_id)
    if what not in ("services", "equipment") or fmt not in ("csv", "xlsx"):
        abort(404)
    rows = imports.service_rows(technopark) if what == "services" else imports.equipment_rows(technopark)
    if fmt == "csv":
        body, mimetype = imports.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = imports.to_xlsx(rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        content_type=mimetype,  # not mimetype=: Flask would add a second charset to a text type
        headers={"Content-Disposition": f'attachment; filename="technopark-{technopark.id}-{what}.{fmt}"'},
    )


# --- statistics -------------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/technoparks/statistics")
@requires(VIEW_STATISTICS)
def statistics():
    try:
        start = date.fromisoformat(request.args.get("from") or "")
    except ValueError:
        start = date.today().replace(day=1)
    try:
        end = date.fromisoformat(request.args.get("to") or "")
    except ValueError:
        end = (start + timedelta(days=32)).replace(day=1)
    if end <= start:
        end = start + timedelta(days=1)
    return render_template(
        "technoparks/statistics.html",
        services=stats.service_statistics(),
        equipment=stats.equipment_statistics(datetime.combine(start, time()), datetime.combine(end, time())),
        start=start,
        end=end,
        status_labels=REQUEST_STATUS_LABELS,
    )


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Technoparks"), "technoparks.catalogue"),
            MenuItem(_l("Manage technoparks"), "technoparks.staff_list", MANAGE_CATALOGUE, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)

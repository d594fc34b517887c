"""The staff's pages of the catalogue: technoparks, residents, zones, equipment and services."""

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import requires
from ...core.forms import ConfirmForm, show_on
from ...core.refusal import Refusal
from ...extensions import db
from ..forms import EquipmentForm, ResidentForm, ServiceForm, TechnoparkForm, ZoneForm
from ..models import Equipment, Resident, ServiceOffer, Zone
from ..services import attachments, offers, technoparks, zones
from ..services import equipment as equipment_services
from . import MANAGE_CATALOGUE, bp, child_or_404, technopark_or_404


@bp.route("/<tenant>/staff/technoparks/")
@requires(MANAGE_CATALOGUE)
def staff_list():
    return render_template("technoparks/staff_list.html", technoparks=technoparks.technoparks())


def _technopark_values(form) -> dict:
    values = {name: form[name].data for name in technoparks.TECHNOPARK_FIELDS if name in form}
    inn = (form.operator_inn.data or "").strip()
    if inn:
        try:
            enterprise, _created = technoparks.enterprise_by_inn(
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
            technopark = technoparks.create_technopark(_technopark_values(form), actor=current_user)
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
    technopark = technopark_or_404(technopark_id)
    form = TechnoparkForm(obj=technopark)
    if request.method == "GET" and technopark.operator:
        form.operator_inn.data = technopark.operator.inn
    if form.validate_on_submit():
        try:
            values = _technopark_values(form)
            if not (form.operator_inn.data or "").strip():
                values["operator_id"] = None
            technoparks.update_technopark(technopark, values, actor=current_user)
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
    technopark = technopark_or_404(technopark_id)
    return render_template(
        "technoparks/manage.html",
        technopark=technopark,
        zones=zones.zones(technopark),
        equipment=equipment_services.equipment_list(technopark),
        services=db.session.scalars(offers.services_of(technopark)).all(),
        residents=technoparks.residents(technopark),
        photos=attachments.photos_of(technopark.id),
        resident_form=ResidentForm(),
        confirm_form=ConfirmForm(),
        today=date.today(),
    )


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/residents", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def add_resident(technopark_id):
    technopark = technopark_or_404(technopark_id)
    form = ResidentForm()
    if form.validate_on_submit():
        try:
            enterprise, _created = technoparks.enterprise_by_inn(
                form.inn.data, form.full_name.data or "", actor=current_user
            )
            technoparks.add_resident(technopark, enterprise, form.since.data, form.until.data, current_user)
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
    technopark = technopark_or_404(technopark_id)
    resident = child_or_404(Resident, resident_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            technoparks.end_residency(resident, date.today(), actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The residency has ended today."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#residents")


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/zones/new", methods=["GET", "POST"])
@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/zones/<int:zone_id>", methods=["GET", "POST"])
@requires(MANAGE_CATALOGUE)
def edit_zone(technopark_id, zone_id=None):
    technopark = technopark_or_404(technopark_id)
    zone = child_or_404(Zone, zone_id, technopark) if zone_id else None
    form = ZoneForm(obj=zone)
    back = url_for("technoparks.manage", technopark_id=technopark.id) + "#zones"
    if form.validate_on_submit():
        try:
            zones.save_zone(technopark, form.data, zone=zone, actor=current_user)
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
    technopark = technopark_or_404(technopark_id)
    zone = child_or_404(Zone, zone_id, technopark)
    if ConfirmForm().validate_on_submit():
        zones.delete_zone(zone, actor=current_user)
        flash(_("The zone has been deleted."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#zones")


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/equipment/new", methods=["GET", "POST"])
@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>", methods=["GET", "POST"]
)
@requires(MANAGE_CATALOGUE)
def edit_equipment(technopark_id, equipment_id=None):
    technopark = technopark_or_404(technopark_id)
    equipment = child_or_404(Equipment, equipment_id, technopark) if equipment_id else None
    form = EquipmentForm(zones.zones(technopark), obj=equipment)
    if request.method == "GET" and equipment is not None:
        form.specs.data = equipment_services.format_specs(equipment.specs)
        form.zone_id.data = equipment.zone_id or 0
    back = url_for("technoparks.manage", technopark_id=technopark.id) + "#equipment"
    if form.validate_on_submit():
        try:
            specs = equipment_services.parse_specs(form.specs.data or "")
            equipment_services.save_equipment(
                technopark, form.data, specs, equipment=equipment, actor=current_user
            )
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
    technopark = technopark_or_404(technopark_id)
    equipment = child_or_404(Equipment, equipment_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            equipment_services.delete_equipment(equipment, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The equipment has been deleted."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#equipment")


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/services/new", methods=["GET", "POST"])
@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/services/<int:service_id>", methods=["GET", "POST"]
)
@requires(MANAGE_CATALOGUE)
def edit_service(technopark_id, service_id=None):
    technopark = technopark_or_404(technopark_id)
    offer = child_or_404(ServiceOffer, service_id, technopark) if service_id else None
    form = ServiceForm(equipment_services.equipment_list(technopark), obj=offer)
    if request.method == "GET" and offer is not None:
        form.equipment_ids.data = [e.id for e in offers.linked_equipment(offer)]
        form.price.data = "" if offer.price is None else str(offer.price)
    back = url_for("technoparks.manage", technopark_id=technopark.id) + "#services"
    if form.validate_on_submit():
        try:
            offers.save_service(
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
    technopark = technopark_or_404(technopark_id)
    offer = child_or_404(ServiceOffer, service_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            offers.set_service_status(offer, request.form.get("status", ""), actor=current_user)
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
    technopark = technopark_or_404(technopark_id)
    offer = child_or_404(ServiceOffer, service_id, technopark)
    if ConfirmForm().validate_on_submit():
        try:
            offers.delete_service(offer, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The service has been deleted."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#services")

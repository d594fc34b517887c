"""Import and export of a technopark's services and equipment as CSV or XLSX."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import requires
from ...core.refusal import Refusal
from ..forms import ImportForm
from ..services import imports
from . import MANAGE_CATALOGUE, bp, technopark_or_404


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/import", methods=["GET", "POST"])
@requires(MANAGE_CATALOGUE)
def import_export(technopark_id):
    technopark = technopark_or_404(technopark_id)
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
    technopark = technopark_or_404(technopark_id)
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

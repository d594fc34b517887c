"""A center's clusters: list, page (compliance, cooperation scheme, members, supplies), editing,
members import/export and the center's compliance rules."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import GlobalRole, TenantRole
from ..core import signals
from ..core.access import requires
from ..core.forms import ConfirmForm, show_on
from ..core.menu import STAFF_GROUP, MenuItem
from ..core.pagination import paginate
from ..core.refusal import Refusal
from ..core.uploads import previewed_rows, send_stored
from ..extensions import db
from ..regions.models import Region
from .forms import ClusterForm, ImportForm, LinkForm, MemberEditForm, MemberForm, RuleForm
from .models import (
    MEMBER_ROLE_LABELS,
    Cluster,
    ClusterDocument,
    ClusterDocumentKind,
    ClusterMember,
    SupplyLink,
)
from .services import clusters, compliance, documents, exports, imports, members, supply

VIEW_CLUSTERS = "clusters.view"
MANAGE_CLUSTERS = "clusters.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {VIEW_CLUSTERS, MANAGE_CLUSTERS}),
        (TenantRole.CENTER_STAFF, {VIEW_CLUSTERS, MANAGE_CLUSTERS}),
        (GlobalRole.PLATFORM_ADMIN, {VIEW_CLUSTERS, MANAGE_CLUSTERS}),
        (GlobalRole.FEDERAL_ANALYST, {VIEW_CLUSTERS}),  # read-only
    ]


bp = Blueprint("clusters", __name__, template_folder="templates")


def _cluster(cluster_id) -> Cluster:
    """A cluster of the current center, or 404 (another center's cluster is simply not found)."""
    return db.first_or_404(sa.select(Cluster).where(Cluster.id == cluster_id))


def _member(cluster, member_id) -> ClusterMember:
    member = db.session.scalar(
        sa.select(ClusterMember).where(ClusterMember.id == member_id, ClusterMember.cluster_id == cluster.id)
    )
    if member is None:
        abort(404)
    return member


@bp.route("/<tenant>/clusters/")
@requires(VIEW_CLUSTERS)
def index():
    active = (
        sa.select(ClusterMember.cluster_id, sa.func.count().label("n"))
        .where(members.active_on())
        .group_by(ClusterMember.cluster_id)
        .subquery()
    )
    statement = (
        sa.select(Cluster, sa.func.coalesce(active.c.n, 0))
        .outerjoin(active, active.c.cluster_id == Cluster.id)
        .order_by(Cluster.name)
    )
    page = paginate(statement, per_page=50, scalars=False)
    return render_template("clusters/index.html", page=page)


def _save_cluster(form, cluster=None):
    try:
        values = form.values()
        values["specialised_org_id"] = clusters.specialised_org_id_for(form.specialised_org_inn.data)
        if cluster is None:
            cluster = clusters.create_cluster(values, current_user)
        else:
            clusters.update_cluster(cluster, values, current_user)
    except Refusal as error:
        show_on(form, error, "name")
        return None
    return cluster


@bp.route("/<tenant>/clusters/new", methods=["GET", "POST"])
@requires(MANAGE_CLUSTERS)
def new():
    form = ClusterForm()
    if request.method == "GET":
        form.region_ids.data = [g.tenant.region_id]
    if form.validate_on_submit() and (cluster := _save_cluster(form)):
        flash(_("The cluster has been created."), "success")
        return redirect(url_for("clusters.detail", cluster_id=cluster.id))
    return render_template("clusters/form.html", form=form, cluster=None)


@bp.route("/<tenant>/clusters/<int:cluster_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_CLUSTERS)
def edit(cluster_id):
    cluster = _cluster(cluster_id)
    form = ClusterForm(obj=cluster)
    if request.method == "GET":
        form.specialised_org_inn.data = cluster.specialised_org.inn if cluster.specialised_org else ""
    if form.validate_on_submit() and _save_cluster(form, cluster):
        flash(_("The cluster has been saved."), "success")
        return redirect(url_for("clusters.detail", cluster_id=cluster.id))
    return render_template("clusters/form.html", form=form, cluster=cluster)


@bp.route("/<tenant>/clusters/<int:cluster_id>")
@requires(VIEW_CLUSTERS)
def detail(cluster_id):
    cluster = _cluster(cluster_id)
    view = clusters.cluster_view(cluster)
    link_form = LinkForm(prefix="link")
    choices = [(m.id, m.enterprise.name) for m in view.members]
    link_form.supplier_id.choices = link_form.customer_id.choices = choices
    return render_template(
        "clusters/detail.html",
        cluster=cluster,
        view=view,
        compliance=compliance.check_compliance(view),
        svg=supply.cooperation_svg(view, _("Cooperation scheme of %(name)s", name=cluster.name)),
        member_form=MemberForm(prefix="member"),
        link_form=link_form,
        confirm_form=ConfirmForm(),
        regions=_regions(cluster.region_ids),
        role_colours=supply.ROLE_COLOURS,
        role_labels=MEMBER_ROLE_LABELS,
        documents=documents.documents_of(cluster),
        document_kinds=DOCUMENT_KIND_LABELS,
    )


DOCUMENT_KIND_LABELS = {
    ClusterDocumentKind.FUNCTIONAL_MAP: _l("Functional map"),
    ClusterDocumentKind.PROGRAMME: _l("Development programme"),
    ClusterDocumentKind.OTHER: _l("Other document"),
}


@bp.route("/<tenant>/clusters/<int:cluster_id>/documents", methods=["POST"])
@requires(MANAGE_CLUSTERS)
def add_document(cluster_id):
    cluster = _cluster(cluster_id)
    upload = request.files.get("document")

    def add():
        if upload is None or not upload.filename:
            raise Refusal(_("Choose a file."), "document")
        documents.add_document(
            cluster, request.form.get("kind", ""), upload.stream, upload.filename, current_user
        )

    try:
        add()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The document has been added."), "success")
    return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#documents")


@bp.route("/<tenant>/clusters/documents/<int:cluster_document_id>")
@requires(VIEW_CLUSTERS)
def document(cluster_document_id):
    stored = db.session.scalar(sa.select(ClusterDocument).where(ClusterDocument.id == cluster_document_id))
    if stored is None:
        abort(404)
    return send_stored(stored.storage_key, stored.content_type, download_name=stored.filename)


def _regions(ids):

    if not ids:
        return []
    return db.session.scalars(sa.select(Region).where(Region.id.in_(ids)).order_by(Region.name_ru)).all()


@bp.route("/<tenant>/clusters/<int:cluster_id>/members", methods=["POST"])
@requires(MANAGE_CLUSTERS)
def add_member(cluster_id):
    cluster = _cluster(cluster_id)
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        try:
            member = members.add_member_by_inn(
                cluster, form.inn.data, form.full_name.data, form.role.data, form.joined_on.data, current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("%(name)s has joined the cluster.", name=member.enterprise.name), "success")
    else:
        flash(_("Give the member's ИНН."), "danger")
    return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#members")


@bp.route("/<tenant>/clusters/<int:cluster_id>/members/<int:cluster_member_id>", methods=["GET", "POST"])
@requires(MANAGE_CLUSTERS)
def edit_member(cluster_id, cluster_member_id):
    cluster = _cluster(cluster_id)
    member = _member(cluster, cluster_member_id)
    form = MemberEditForm(obj=member)
    if form.validate_on_submit():
        try:
            members.update_member(
                member, form.role.data, form.joined_on.data, form.left_on.data, current_user
            )
        except Refusal as error:
            show_on(form, error, "role")
        else:
            flash(_("The membership has been saved."), "success")
            return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#members")
    return render_template("clusters/member.html", cluster=cluster, member=member, form=form)


@bp.route(
    "/<tenant>/clusters/<int:cluster_id>/members/<int:cluster_member_id>/remove", methods=["GET", "POST"]
)
@requires(MANAGE_CLUSTERS)
def remove_member(cluster_id, cluster_member_id):
    cluster = _cluster(cluster_id)
    member = _member(cluster, cluster_member_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = member.enterprise.name
        members.remove_member(member, current_user)
        flash(_("%(name)s has been removed from the cluster.", name=name), "success")
        return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#members")
    return render_template("clusters/confirm_remove_member.html", cluster=cluster, member=member, form=form)


@bp.route("/<tenant>/clusters/<int:cluster_id>/links", methods=["POST"])
@requires(MANAGE_CLUSTERS)
def add_link(cluster_id):
    cluster = _cluster(cluster_id)
    form = LinkForm(prefix="link")
    form.supplier_id.choices = form.customer_id.choices = [
        (m, m)
        for m in db.session.scalars(sa.select(ClusterMember.id).where(ClusterMember.cluster_id == cluster.id))
    ]
    if form.validate_on_submit():
        try:
            supply.add_link(
                cluster,
                form.supplier_id.data,
                form.customer_id.data,
                form.product.data,
                form.okpd2.data,
                current_user,
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The supply has been added to the scheme."), "success")
    else:
        flash(_("Choose the supplier and the customer and name the product."), "danger")
    return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#scheme")


@bp.route("/<tenant>/clusters/<int:cluster_id>/links/<int:supply_link_id>/remove", methods=["POST"])
@requires(MANAGE_CLUSTERS)
def remove_link(cluster_id, supply_link_id):
    cluster = _cluster(cluster_id)
    link = db.session.scalar(
        sa.select(SupplyLink).where(SupplyLink.id == supply_link_id, SupplyLink.cluster_id == cluster.id)
    )
    if link is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        supply.remove_link(link, current_user)
        flash(_("The supply has been removed from the scheme."), "success")
    return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#scheme")


@bp.route("/<tenant>/clusters/<int:cluster_id>/import", methods=["GET", "POST"])
@requires(MANAGE_CLUSTERS)
def import_members(cluster_id):
    """Upload → preview with errors per row → commit everything or nothing."""
    cluster = _cluster(cluster_id)
    form = ImportForm()
    confirm_form = ConfirmForm()
    rows = None
    if request.form.get("rows") and confirm_form.validate_on_submit():
        try:
            raw = previewed_rows(request.form["rows"])
            count = imports.commit_import(cluster, raw, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        except (ValueError, TypeError):  # not a refusal: the view returns normally, so it drops the attempt
            db.session.rollback()
            flash(_("The preview has expired: upload the file again."), "danger")
        else:
            flash(_("%(count)s members have been imported.", count=count), "success")
            return redirect(url_for("clusters.detail", cluster_id=cluster.id) + "#members")
    elif form.validate_on_submit():
        upload = form.file.data
        try:
            rows = imports.preview_import(
                cluster, imports.read_members_file(upload.filename or "", upload.read())
            )
        except Refusal as error:
            show_on(form, error, "file")
    return render_template(
        "clusters/import.html",
        cluster=cluster,
        form=form,
        confirm_form=confirm_form,
        rows=rows,
        rows_json=imports.rows_to_json(rows) if rows else "",
        error_count=sum(1 for r in rows if r.errors) if rows else 0,
    )


@bp.route("/<tenant>/clusters/<int:cluster_id>/members.<fmt>")
@requires(VIEW_CLUSTERS)
def export_members(cluster_id, fmt):
    cluster = _cluster(cluster_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    view = clusters.cluster_view(cluster)
    if fmt == "csv":
        body, mimetype = exports.members_csv(view), "text/csv; charset=utf-8"
    else:
        body = exports.members_xlsx(view)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"cluster-{cluster.id}-members.{fmt}"
    return Response(
        body, content_type=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/<tenant>/clusters/rules", methods=["GET", "POST"])
@requires(MANAGE_CLUSTERS)
def rules():
    """The center's compliance rules: defaults from the domain notes, each threshold configurable."""
    if request.method == "POST":
        form = RuleForm()
        code = request.form.get("code", "")
        if form.validate_on_submit():
            try:
                compliance.set_rule(code, form.threshold.data, form.enabled.data, current_user)
            except Refusal as error:
                flash(str(error), "danger")
            else:
                flash(_("The rule has been saved."), "success")
        return redirect(url_for("clusters.rules"))
    return render_template("clusters/rules.html", rules=compliance.center_rules(), form=RuleForm())


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Clusters"), "clusters.index", VIEW_CLUSTERS, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)

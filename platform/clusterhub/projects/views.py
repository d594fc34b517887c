"""Pages of joint project dossiers: staff manage them; enterprise representatives follow their own."""

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..accounts.authz import can, login_required, requires
from ..accounts.forms import ConfirmForm
from ..accounts.models import GlobalRole, TenantRole
from ..core import signals
from ..core.forms import show_on
from ..core.menu import (
    PLATFORM_GROUP,
    HomeBlock,
    MenuItem,
)
from ..core.pagination import paginate
from ..core.refusal import Refusal
from ..enterprises.services.profiles import get_or_create_by_inn
from ..extensions import db
from . import documents, services
from .forms import (
    CATEGORY_LABELS,
    DOCUMENT_LABELS,
    INDICATOR_LABELS,
    OUTCOME_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    CostForm,
    DocumentForm,
    IndicatorForm,
    ParticipantForm,
    ProductForm,
    ProjectEditForm,
    ProjectForm,
    SelectionRoundForm,
    StageForm,
    StatusForm,
)
from .models import (
    CostItem,
    JointProject,
    PlanStage,
    ProjectDocument,
    ProjectParticipant,
    ProjectProduct,
    TargetIndicator,
)

VIEW_PROJECTS = "projects.view"
MANAGE_PROJECTS = "projects.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {VIEW_PROJECTS, MANAGE_PROJECTS}),
        (TenantRole.CENTER_STAFF, {VIEW_PROJECTS, MANAGE_PROJECTS}),
        (GlobalRole.PLATFORM_ADMIN, {VIEW_PROJECTS, MANAGE_PROJECTS}),
        (GlobalRole.FEDERAL_ANALYST, {VIEW_PROJECTS}),  # read-only
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_SELECTION_ROUNDS}),
    ]


# Selection rounds are federal and shared by every center: only platform administrators change them.
MANAGE_SELECTION_ROUNDS = "projects.manage_selection_rounds"

bp = Blueprint("projects", __name__, template_folder="templates")


def _my_projects_block(tenant):
    """On the center's home page: a link for representatives of enterprises taking part in a project."""
    if not current_user.is_authenticated or not services.projects_of_representative(current_user):
        return None
    return {}


LABELS = {
    "status": STATUS_LABELS,
    "outcome": OUTCOME_LABELS,
    "role": ROLE_LABELS,
    "category": CATEGORY_LABELS,
    "indicator": INDICATOR_LABELS,
    "document": DOCUMENT_LABELS,
}


def _project_or_404(project_id) -> JointProject:
    return db.first_or_404(
        sa.select(JointProject)
        .options(joinedload(JointProject.lead_enterprise), joinedload(JointProject.selection_round))
        .where(JointProject.id == project_id)
    )


@bp.route("/<tenant>/projects/")
@requires(VIEW_PROJECTS)
def index():
    status = request.args.get("status") or None
    statement = sa.select(JointProject).options(joinedload(JointProject.lead_enterprise))
    if status in STATUS_LABELS:
        statement = statement.where(JointProject.status == status)
    page = paginate(statement.order_by(JointProject.created_at.desc(), JointProject.id.desc()), per_page=25)
    return render_template("projects/index.html", page=page, status=status, labels=LABELS)


@bp.route("/<tenant>/projects/new", methods=["GET", "POST"])
@requires(MANAGE_PROJECTS)
def new():
    form = ProjectForm()
    rounds = (
        services.seed_selection_rounds() if not services.selection_rounds() else services.selection_rounds()
    )
    form.selection_round_id.choices = [(r.id, f"{r.year} — {r.legal_edition}") for r in rounds]
    form.cluster_id.choices = [(0, _("— no cluster —")), *services.cluster_choices()]
    if form.validate_on_submit():
        selection_round = next(r for r in rounds if r.id == form.selection_round_id.data)
        try:
            lead, _created = get_or_create_by_inn(form.lead_inn.data, form.lead_name.data, actor=current_user)
            project = services.create_project(
                selection_round,
                lead,
                form.title_ru.data,
                actor=current_user,
                title_en=form.title_en.data or None,
                summary_ru=form.summary_ru.data or None,
                summary_en=form.summary_en.data or None,
                requested_subsidy=form.requested_subsidy.data,
                cluster_id=form.cluster_id.data or None,
                co_financing=form.co_financing.data,
            )
        except Refusal as error:
            show_on(form, error, "lead_inn")
        else:
            flash(_("The project has been created as a draft."), "success")
            return redirect(url_for("projects.detail", joint_project_id=project.id))
    return render_template("projects/form.html", form=form)


@bp.route("/<tenant>/projects/<int:joint_project_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_PROJECTS)
def edit(joint_project_id):
    project = _project_or_404(joint_project_id)
    if project.status != "draft":
        flash(_("Only a draft can be edited."), "warning")
        return redirect(url_for("projects.detail", joint_project_id=project.id))
    form = ProjectEditForm(
        obj=project,
        data=None
        if request.method == "POST"
        else {
            "requested_subsidy": Decimal(project.requested_subsidy) / 100,
            "co_financing": Decimal(project.co_financing) / 100,
        },
    )
    if form.validate_on_submit():
        try:
            services.update_project(
                project,
                {
                    "title_ru": form.title_ru.data,
                    "title_en": form.title_en.data or None,
                    "summary_ru": form.summary_ru.data or None,
                    "summary_en": form.summary_en.data or None,
                    "requested_subsidy": form.requested_subsidy.data,
                    "co_financing": form.co_financing.data,
                },
                actor=current_user,
            )
        except Refusal as error:
            show_on(form, error, "title_ru")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("projects.detail", joint_project_id=project.id))
    return render_template("projects/edit.html", form=form, project=project)


def _forms(project):
    participants = [(p.id, p.enterprise.name) for p in project.participants]
    product = ProductForm(prefix="product")
    product.maker_id.choices = participants
    product.buyer_id.choices = participants
    status = StatusForm(prefix="status")
    status.to_status.choices = [(s, STATUS_LABELS[s]) for s in services.allowed_transitions(project)]
    return {
        "participant_form": ParticipantForm(prefix="participant"),
        "product_form": product,
        "cost_form": CostForm(prefix="cost"),
        "stage_form": StageForm(prefix="stage"),
        "indicator_form": IndicatorForm(prefix="indicator"),
        "status_form": status,
        "document_form": DocumentForm(prefix="document"),
        "confirm_form": ConfirmForm(),
    }


@bp.route("/<tenant>/projects/<int:joint_project_id>")
@requires(VIEW_PROJECTS)
def detail(joint_project_id):
    project = _project_or_404(joint_project_id)
    return render_template(
        "projects/detail.html",
        project=project,
        checks=services.rule_checks(project),
        labels=LABELS,
        editable=project.status == "draft",
        **_forms(project),
    )


def _parse_plan(text: str) -> dict:
    plan = {}
    for line in (text or "").splitlines():
        parts = line.replace(";", " ").replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 3:
            raise Refusal(_("Each line needs a year, a half (1 or 2) and a value."))
        try:
            plan[(int(parts[0]), int(parts[1]))] = Decimal(parts[2])
        except (ValueError, ArithmeticError) as exc:
            raise Refusal(_("Each line needs a year, a half (1 or 2) and a value.")) from exc
    return plan


@bp.route("/<tenant>/projects/<int:joint_project_id>/add/<what>", methods=["POST"])
@requires(MANAGE_PROJECTS)
def add(joint_project_id, what):
    """One endpoint for the dossier's line forms: participant, product, cost, stage, indicator."""
    project = _project_or_404(joint_project_id)
    forms = _forms(project)
    form = forms.get(f"{what}_form")
    if form is None or what == "status":
        abort(404)
    if not form.validate_on_submit():
        errors = "; ".join(f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())
        flash(errors or _("Check the form."), "danger")
        return redirect(url_for("projects.detail", joint_project_id=project.id))

    def add():
        if what == "participant":
            enterprise, _created = get_or_create_by_inn(form.inn.data, form.name.data, actor=current_user)
            services.add_participant(project, enterprise, form.role.data, actor=current_user)
        elif what == "product":
            by_id = {p.id: p for p in project.participants}
            services.add_product(
                project,
                form.name.data,
                form.okpd2.data,
                import_substitution=form.import_substitution.data,
                maker=by_id.get(form.maker_id.data),
                buyer=by_id.get(form.buyer_id.data),
                actor=current_user,
            )
        elif what == "cost":
            services.add_cost_item(
                project,
                form.category.data,
                form.description.data,
                form.amount.data,
                eligible=form.eligible.data,
                actor=current_user,
            )
        elif what == "stage":
            services.add_stage(
                project, form.title.data, form.starts_on.data, form.ends_on.data, actor=current_user
            )
        elif what == "indicator":
            services.add_indicator(
                project, form.kind.data, form.unit.data, _parse_plan(form.plan.data), actor=current_user
            )

    try:
        add()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


@bp.route("/<tenant>/projects/<int:joint_project_id>/indicator-facts", methods=["POST"])
@requires(MANAGE_PROJECTS)
def indicator_facts(joint_project_id):
    """Record the half-year facts the subsidy recipient reported (fields named fact-<value id>)."""
    project = _project_or_404(joint_project_id)
    facts = {
        int(name.removeprefix("fact-")): value
        for name, value in request.form.items()
        if name.startswith("fact-") and name.removeprefix("fact-").isdigit() and value.strip()
    }

    def report():
        for value_id, fact in facts.items():
            services.report_indicator_fact(project, value_id, fact, actor=current_user)

    try:
        report()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


LINE_MODELS = {
    "participant": ProjectParticipant,
    "product": ProjectProduct,
    "cost": CostItem,
    "stage": PlanStage,
    "indicator": TargetIndicator,
}


@bp.route("/<tenant>/projects/<int:joint_project_id>/remove/<what>/<int:line>", methods=["POST"])
@requires(MANAGE_PROJECTS)
def remove(joint_project_id, what, line):
    project = _project_or_404(joint_project_id)
    model = LINE_MODELS.get(what)
    if model is None:
        abort(404)
    row = db.session.scalar(sa.select(model).where(model.id == line, model.joint_project_id == project.id))
    if row is None or not ConfirmForm().validate_on_submit():
        abort(404)
    if what == "participant":
        try:
            services.remove_participant(row, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed."), "success")
    else:
        try:
            services.remove_line(project, row, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


@bp.route("/<tenant>/projects/<int:joint_project_id>/status", methods=["POST"])
@requires(MANAGE_PROJECTS)
def change_status(joint_project_id):
    project = _project_or_404(joint_project_id)
    form = _forms(project)["status_form"]
    if form.validate_on_submit():
        try:
            services.change_status(
                project,
                form.to_status.data,
                actor=current_user,
                outcome=form.outcome.data or None,
                remark=form.remark.data or None,
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The status is now: %(status)s.", status=STATUS_LABELS[project.status]), "success")
    else:
        flash(_("This status change is not possible."), "danger")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


# --- documents -------------------------------------------------------------------------------------------


@bp.route("/<tenant>/projects/<int:joint_project_id>/documents", methods=["POST"])
@requires(MANAGE_PROJECTS)
def upload(joint_project_id):
    project = _project_or_404(joint_project_id)
    form = DocumentForm(prefix="document")
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "danger")
    else:
        try:
            documents.add_document(
                project, form.kind.data, form.file.data.stream, form.file.data.filename, actor=current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The document has been uploaded."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


def _document_or_404(document_id) -> ProjectDocument:
    return db.first_or_404(sa.select(ProjectDocument).where(ProjectDocument.id == document_id))


@bp.route("/<tenant>/projects/documents/<int:project_document_id>")
@login_required
def download(project_document_id):
    """Served through the app (never a public URL) to staff, participants' representatives and the
    panel members who review the project."""
    document = _document_or_404(project_document_id)
    project = _project_or_404(document.joint_project_id)
    if not documents.may_download(current_user, project, staff=can(VIEW_PROJECTS)):
        abort(404)
    return send_file(
        documents.open_document(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )


@bp.route("/<tenant>/projects/documents/<int:project_document_id>/remove", methods=["POST"])
@requires(MANAGE_PROJECTS)
def remove_document(project_document_id):
    document = _document_or_404(project_document_id)
    project_id = document.joint_project_id
    if ConfirmForm().validate_on_submit():
        try:
            documents.remove_document(document, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project_id))


# --- the enterprise's view -----------------------------------------------------------------------------


@bp.route("/<tenant>/my-projects/")
@login_required
def mine():
    return render_template(
        "projects/mine.html", projects=services.projects_of_representative(current_user), labels=LABELS
    )


@bp.route("/<tenant>/my-projects/<int:joint_project_id>")
@login_required
def my_project(joint_project_id):
    """Status, history and the panel's remarks, for representatives of a participating enterprise."""
    project = _project_or_404(joint_project_id)
    if not services.represents_participant(current_user, project):
        abort(404)
    return render_template(
        "projects/my_project.html", project=project, checks=services.rule_checks(project), labels=LABELS
    )


# --- selection rounds (platform) --------------------------------------------------------------------------


def _parse_criteria(text: str) -> list[tuple]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 6 or not all(parts):
            raise Refusal(
                _(
                    "Each criterion line needs six parts separated by “;”: code, names, weight, lowest, highest."
                )
            )
        code, name_ru, name_en, weight, low, high = parts
        try:
            rows.append((code, name_ru, name_en, Decimal(weight.replace(",", ".")), int(low), int(high)))
        except (ArithmeticError, ValueError) as exc:
            raise Refusal(_("The weight is a number and the scores are whole numbers.")) from exc
    if not rows:
        raise Refusal(_("Give at least one criterion."))
    return rows


@bp.route("/admin/selection-rounds/", methods=["GET", "POST"])
@requires(MANAGE_SELECTION_ROUNDS)
def selection_rounds():
    """The rounds of the federal selection and their rules; a new round is data, not code."""
    form = SelectionRoundForm()
    if form.validate_on_submit():
        try:
            criteria = _parse_criteria(form.criteria.data)
            if any(r.code == form.code.data.strip() for r in services.selection_rounds()):
                raise Refusal(_("A round with this code exists."))
            services.create_selection_round(
                {
                    "code": form.code.data.strip(),
                    "year": form.year.data,
                    "legal_edition": form.legal_edition.data.strip(),
                    "applicant_cap": int(form.applicant_cap.data * 100),
                    "max_subsidy_share": form.max_subsidy_share.data,
                    "min_participants": form.min_participants.data,
                    "deadline": form.deadline.data,
                },
                criteria,
                actor=current_user,
            )
        except Refusal as error:
            show_on(form, error, "criteria")
        else:
            flash(_("The selection round has been created."), "success")
            return redirect(url_for("projects.selection_rounds"))
    rounds = services.selection_rounds() or services.seed_selection_rounds()
    return render_template("projects/selection_rounds.html", rounds=rounds, form=form)


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Projects"), "projects.index", VIEW_PROJECTS),
        ],
        "global": [
            MenuItem(
                _l("Selection rounds"),
                "projects.selection_rounds",
                MANAGE_SELECTION_ROUNDS,
                group=PLATFORM_GROUP,
            ),
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "center": [
            HomeBlock("projects/_home_block.html", _my_projects_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)

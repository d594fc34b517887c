"""The staff's pages of a dossier: the list, a new project, editing a draft, its lines (participants,
products, costs, plan, indicators), the half-year facts and the status."""

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...core.access import requires
from ...core.forms import ConfirmForm, show_on
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...enterprises.services.profiles import get_or_create_by_inn
from ...extensions import db
from ..forms import (
    CostForm,
    DocumentForm,
    IndicatorForm,
    ParticipantForm,
    ProductForm,
    ProjectEditForm,
    ProjectForm,
    StageForm,
    StatusForm,
)
from ..models import (
    STATUS_LABELS,
    CostItem,
    JointProject,
    PlanStage,
    ProjectParticipant,
    ProjectProduct,
    TargetIndicator,
)
from ..services import dossier, participants, selection_rounds, workflow
from . import LABELS, MANAGE_PROJECTS, VIEW_PROJECTS, bp, project_or_404


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
        selection_rounds.seed_selection_rounds()
        if not selection_rounds.selection_rounds()
        else selection_rounds.selection_rounds()
    )
    form.selection_round_id.choices = [(r.id, f"{r.year} — {r.legal_edition}") for r in rounds]
    form.cluster_id.choices = [(0, _("— no cluster —")), *dossier.cluster_choices()]
    if form.validate_on_submit():
        selection_round = next(r for r in rounds if r.id == form.selection_round_id.data)
        try:
            lead, _created = get_or_create_by_inn(form.lead_inn.data, form.lead_name.data, actor=current_user)
            project = dossier.create_project(
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
    project = project_or_404(joint_project_id)
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
            dossier.update_project(
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
    choices = [(p.id, p.enterprise.name) for p in project.participants]
    product = ProductForm(prefix="product")
    product.maker_id.choices = choices
    product.buyer_id.choices = choices
    status = StatusForm(prefix="status")
    status.to_status.choices = [(s, STATUS_LABELS[s]) for s in workflow.allowed_transitions(project)]
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
    project = project_or_404(joint_project_id)
    return render_template(
        "projects/detail.html",
        project=project,
        checks=dossier.rule_checks(project),
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
    project = project_or_404(joint_project_id)
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
            participants.add_participant(project, enterprise, form.role.data, actor=current_user)
        elif what == "product":
            by_id = {p.id: p for p in project.participants}
            participants.add_product(
                project,
                form.name.data,
                form.okpd2.data,
                import_substitution=form.import_substitution.data,
                maker=by_id.get(form.maker_id.data),
                buyer=by_id.get(form.buyer_id.data),
                actor=current_user,
            )
        elif what == "cost":
            dossier.add_cost_item(
                project,
                form.category.data,
                form.description.data,
                form.amount.data,
                eligible=form.eligible.data,
                actor=current_user,
            )
        elif what == "stage":
            dossier.add_stage(
                project, form.title.data, form.starts_on.data, form.ends_on.data, actor=current_user
            )
        elif what == "indicator":
            dossier.add_indicator(
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
    project = project_or_404(joint_project_id)
    facts = {
        int(name.removeprefix("fact-")): value
        for name, value in request.form.items()
        if name.startswith("fact-") and name.removeprefix("fact-").isdigit() and value.strip()
    }

    def report():
        for value_id, fact in facts.items():
            dossier.report_indicator_fact(project, value_id, fact, actor=current_user)

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
    project = project_or_404(joint_project_id)
    model = LINE_MODELS.get(what)
    if model is None:
        abort(404)
    row = db.session.scalar(sa.select(model).where(model.id == line, model.joint_project_id == project.id))
    if row is None or not ConfirmForm().validate_on_submit():
        abort(404)
    if what == "participant":
        try:
            participants.remove_participant(row, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed."), "success")
    else:
        try:
            dossier.remove_line(project, row, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


@bp.route("/<tenant>/projects/<int:joint_project_id>/status", methods=["POST"])
@requires(MANAGE_PROJECTS)
def change_status(joint_project_id):
    project = project_or_404(joint_project_id)
    form = _forms(project)["status_form"]
    if form.validate_on_submit():
        try:
            workflow.change_status(
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

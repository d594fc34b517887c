"""Pages of defense rounds: staff organise, the chair runs the panel, experts score (phone-friendly)."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.authz import Permission, can, login_required, public, register_permissions, requires
from ..accounts.forms import ConfirmForm, role_label
from ..accounts.models import GlobalRole, TenantRole
from ..accounts.services import find_user_by_email
from ..core import signals
from ..core.forms import show_on
from ..core.menu import STAFF_GROUP, MenuItem
from ..core.refusal import Refusal
from ..extensions import db
from ..projects import services as project_services
from ..projects.forms import OUTCOME_LABELS
from ..projects.models import JointProject, ProjectStatus
from . import services
from .forms import (
    PANEL_ROLE_LABELS,
    ROUND_STATUS_LABELS,
    DecisionForm,
    PanelForm,
    ReasonForm,
    RoundForm,
    SlotForm,
)
from .models import Assignment, DefenseRound, DefenseSlot, PanelMember, PanelRole, RoundStatus
from .protocol import displayed, local_time, render_pdf

MANAGE_DEFENSES = "defenses.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_DEFENSES}),
        (TenantRole.CENTER_STAFF, {MANAGE_DEFENSES}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_DEFENSES}),
    ]


# Panel work (scoring, chairing) is checked per round; this permission only keeps out users with no role in
# the center, such as federal analysts. Adding someone to a panel gives them the expert role if they had none.
PANEL_WORK = "defenses.panel_work"
for _role in (TenantRole.CENTER_ADMIN, TenantRole.CENTER_STAFF, TenantRole.EXPERT, GlobalRole.PLATFORM_ADMIN):
    register_permissions(_role, {PANEL_WORK})

bp = Blueprint("defenses", __name__, template_folder="templates")

LABELS = {"outcome": OUTCOME_LABELS, "panel_role": PANEL_ROLE_LABELS, "round_status": ROUND_STATUS_LABELS}


def _round_or_404(round_id) -> DefenseRound:
    return db.first_or_404(sa.select(DefenseRound).where(DefenseRound.id == round_id))


def _access(defense_round):
    """(panel member or None, is manager); neither -> 404, so the round's existence is not revealed."""
    manager = can(MANAGE_DEFENSES)
    member = services.member_of(defense_round, current_user)
    if not manager and member is None:
        abort(404)
    return member, manager


def _chair_or_manager(defense_round):
    member, manager = _access(defense_round)
    if not manager and not (member and member.role == PanelRole.CHAIR):
        abort(403)
    return member, manager


def _slot_or_404(slot_id) -> DefenseSlot:
    return db.first_or_404(sa.select(DefenseSlot).where(DefenseSlot.id == slot_id))


@bp.route("/<tenant>/defenses/", methods=["GET", "POST"])
@requires(MANAGE_DEFENSES)
def index():
    form = RoundForm()
    rounds = project_services.selection_rounds() or project_services.seed_selection_rounds()
    form.selection_round_id.choices = [(r.id, f"{r.year} — {r.legal_edition}") for r in rounds]
    form.agenda_item_id.choices = [(0, _("— standalone round —")), *services.defense_agenda_items()]
    if form.validate_on_submit():
        selection_round = next(r for r in rounds if r.id == form.selection_round_id.data)
        try:
            defense_round = services.create_round(
                selection_round,
                form.number.data,
                form.title.data,
                actor=current_user,
                held_on=form.held_on.data,
                location=form.location.data or None,
                blind=form.blind.data,
                min_experts_per_project=form.min_experts_per_project.data,
                agenda_item_id=form.agenda_item_id.data or None,
            )
        except Refusal as error:
            show_on(form, error, "number")
        else:
            flash(_("The defense round has been created."), "success")
            return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))
    defense_rounds = db.session.scalars(
        sa.select(DefenseRound).order_by(DefenseRound.created_at.desc())
    ).all()
    return render_template("defenses/index.html", rounds=defense_rounds, form=form, labels=LABELS)


@bp.route("/<tenant>/defenses/<int:defense_round_id>")
@login_required
def round_page(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
    member, manager = _access(defense_round)
    chair = member is not None and member.role == PanelRole.CHAIR
    context = {}
    if manager or chair:
        slot_form = SlotForm(prefix="slot")
        scheduled = {s.joint_project_id for s in defense_round.slots}
        slot_form.joint_project_id.choices = [
            (p.id, p.title_ru)
            for p in db.session.scalars(
                sa.select(JointProject).where(
                    JointProject.status == ProjectStatus.ADMITTED,
                    JointProject.selection_round_id == defense_round.selection_round_id,
                )
            )
            if p.id not in scheduled
        ]
        assignments = services.assignments_in(defense_round.id)
        context = {
            "panel_form": PanelForm(prefix="panel"),
            "slot_form": slot_form,
            "progress": services.progress(defense_round),
            "proposal": services.propose(defense_round),
            "assignments": {(a.defense_slot_id, a.panel_member_id): a for a in assignments},
            "conflicts": services.conflicts_in(defense_round.id),
            "unready": services.panel_readiness(defense_round),
        }
    return render_template(
        "defenses/round.html",
        round=defense_round,
        member=member,
        manager=manager,
        chair=chair,
        my_assignments=services.assignments_of(member) if member and member.scores else [],
        confirm_form=ConfirmForm(),
        labels=LABELS,
        protocol=services.protocol_of(defense_round.id),
        role_label=role_label,
        **context,
    )


@bp.route("/<tenant>/defenses/<int:defense_round_id>/panel", methods=["POST"])
@requires(MANAGE_DEFENSES)
def add_panel(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
    form = PanelForm(prefix="panel")
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            flash(_("No ClusterHub user has this e-mail; invite them to the center first."), "danger")
        else:
            try:
                services.add_panel_member(
                    defense_round,
                    user,
                    form.role.data,
                    affiliation=form.affiliation.data or None,
                    actor=current_user,
                )
            except Refusal as error:
                flash(str(error), "danger")
            else:
                flash(_("%(name)s is on the panel.", name=user.full_name), "success")
    else:
        flash(_("Give the e-mail of the panel member."), "danger")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/<int:defense_round_id>/slots", methods=["POST"])
@requires(MANAGE_DEFENSES)
def add_slot(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
    form = SlotForm(prefix="slot")
    project = db.session.scalar(sa.select(JointProject).where(JointProject.id == form.joint_project_id.data))
    if project is None:
        flash(_("Choose a project admitted to the defense."), "danger")
    else:
        try:
            services.add_slot(
                defense_round,
                project,
                starts_at=form.starts_at.data,
                presenter=form.presenter.data or None,
                actor=current_user,
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The project is on the programme."), "success")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/<int:defense_round_id>/manage/<action>", methods=["POST"])
@requires(PANEL_WORK)
def manage(defense_round_id, action):
    """The chair's (or staff's) actions on the round: assign all, apply the proposal, close, reopen."""
    defense_round = _round_or_404(defense_round_id)
    _chair_or_manager(defense_round)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations = {
        "assign-all": (
            services.assign_all,
            _("Every scoring member is assigned to every project without a conflict."),
        ),
        "apply-proposal": (services.apply_proposal, _("The proposed assignment has been applied.")),
        "close": (services.close_round, _("Scoring is closed; results are visible to the panel.")),
        "reopen": (services.reopen_round, _("Scoring is open again.")),
    }
    if action not in operations:
        abort(404)
    operation, message = operations[action]
    try:
        operation(defense_round, actor=current_user)
    except Refusal as error:  # a signed round's refusal keeps its audit entry (RoundLocked.rolls_back)
        flash(str(error), "danger")
    else:
        flash(message, "success")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/assign/<int:panel_member_id>", methods=["POST"])
@requires(PANEL_WORK)
def assign(defense_slot_id, panel_member_id):
    slot = _slot_or_404(defense_slot_id)
    defense_round = _round_or_404(slot.defense_round_id)
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.id == panel_member_id))
    if member is None:
        abort(404)
    _chair_or_manager(defense_round)
    try:
        services.assign(slot, member, actor=current_user)
    except Refusal as error:
        flash(str(error), "danger")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/panel/<int:panel_member_id>/remove", methods=["POST"])
@requires(MANAGE_DEFENSES)
def remove_panel_member(panel_member_id):
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.id == panel_member_id))
    if member is None:
        abort(404)
    round_id = member.defense_round_id
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_panel_member(member, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed from the panel."), "success")
    return redirect(url_for("defenses.round_page", defense_round_id=round_id))


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/remove", methods=["POST"])
@requires(MANAGE_DEFENSES)
def remove_slot(defense_slot_id):
    slot = _slot_or_404(defense_slot_id)
    round_id = slot.defense_round_id
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_slot(slot, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed from the programme."), "success")
    return redirect(url_for("defenses.round_page", defense_round_id=round_id))


@bp.route("/<tenant>/defenses/panel/<int:panel_member_id>/attendance", methods=["POST"])
@requires(PANEL_WORK)
def attendance(panel_member_id):
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.id == panel_member_id))
    if member is None:
        abort(404)
    defense_round = _round_or_404(member.defense_round_id)
    me, manager = _access(defense_round)
    if not manager and not (me and me.role in (PanelRole.CHAIR, PanelRole.SECRETARY)):
        abort(403)
    try:
        services.set_attendance(member, request.form.get("attended") == "1", actor=current_user)
    except services.RoundLocked as error:
        flash(str(error), "danger")
    else:
        name = member.user.full_name
        flash(
            _("%(name)s is marked present.", name=name)
            if member.attended
            else _("%(name)s is marked absent.", name=name),
            "success",
        )
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


# --- the expert ---------------------------------------------------------------------------------------------


@bp.route("/<tenant>/expert/")
@login_required
def expert_home():
    members = db.session.scalars(
        sa.select(PanelMember).where(PanelMember.user_id == current_user.id).order_by(PanelMember.id.desc())
    ).all()
    rounds = {m.id: _round_or_404(m.defense_round_id) for m in members}
    return render_template(
        "defenses/expert_home.html",
        members=members,
        rounds=rounds,
        assignments={m.id: services.assignments_of(m) for m in members if m.scores},
        labels=LABELS,
    )


def _expert_slot(slot_id):
    """The slot, the round and the current user's panel membership; 404 unless they are on the panel."""
    slot = _slot_or_404(slot_id)
    defense_round = _round_or_404(slot.defense_round_id)
    member = services.member_of(defense_round, current_user)
    if member is None:
        abort(404)
    return slot, defense_round, member


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/score", methods=["GET", "POST"])
@requires(PANEL_WORK)
def score(defense_slot_id):
    slot, defense_round, member = _expert_slot(defense_slot_id)
    if services.is_conflicted(slot.id, member.id):
        abort(403)  # a conflicted expert neither scores nor sees the project's scores
    assignment = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.defense_slot_id == slot.id, Assignment.panel_member_id == member.id
        )
    )
    if assignment is None:
        abort(404)
    form = ConfirmForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        values = {
            c.id: (request.form.get(f"score-{c.id}", ""), request.form.get(f"comment-{c.id}", ""))
            for c in defense_round.criteria
        }
        try:
            services.score_project(slot, member, values, actor=current_user)
        except Refusal as error:  # 409 when the protocol is signed, 422 for the scores themselves
            show_on(form, error)
            status = error.status
        else:
            flash(_("Your scores are saved."), "success")
            return redirect(url_for("defenses.score", defense_slot_id=slot.id))
    return (
        render_template(
            "defenses/score.html",
            slot=slot,
            round=defense_round,
            member=member,
            assignment=assignment,
            scores=services.own_scores(slot.id, member.id),
            form=form,
            reason_form=ReasonForm(),
            blind=defense_round.blind,
            submitted=request.form if status != 200 else {},
        ),
        status,
    )


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/conflict", methods=["POST"])
@requires(PANEL_WORK)
def declare_conflict(defense_slot_id):
    slot, defense_round, member = _expert_slot(defense_slot_id)
    form = ReasonForm()
    try:
        services.declare_conflict(
            slot, member, form.reason.data if form.validate_on_submit() else "", actor=current_user
        )
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("Your conflict of interest is recorded; you will not score this project."), "success")
    return redirect(url_for("defenses.expert_home"))


@bp.route("/<tenant>/defenses/assignments/<int:assignment_id>/decline", methods=["POST"])
@requires(PANEL_WORK)
def decline(assignment_id):
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.id == assignment_id))
    if assignment is None or assignment.member.user_id != current_user.id:
        abort(404)
    form = ReasonForm()
    try:
        services.decline(
            assignment, form.reason.data if form.validate_on_submit() else "", actor=current_user
        )
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("You have declined the assignment."), "success")
    return redirect(url_for("defenses.expert_home"))


# --- results, decisions, protocol ----------------------------------------------------------------------------


def _results_context(defense_round, member, manager):
    if not manager and defense_round.status == RoundStatus.OPEN:
        abort(403)  # scores are independent: nobody on the panel sees others' scores while scoring is open
    data = services.round_data(defense_round.id)
    hidden = set()
    if not manager and member is not None:
        hidden = {c.defense_slot_id for c in data["conflicts"] if c.panel_member_id == member.id}
    data["results"] = [r for r in data["results"] if r.key not in hidden]
    data["show_names"] = manager or not defense_round.blind or defense_round.status == RoundStatus.SIGNED
    return data


@bp.route("/<tenant>/defenses/<int:defense_round_id>/results")
@login_required
def results(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
    member, manager = _access(defense_round)
    data = _results_context(defense_round, member, manager)
    chair = member is not None and member.role == PanelRole.CHAIR
    return render_template(
        "defenses/results.html",
        data=data,
        round=defense_round,
        chair=chair,
        manager=manager,
        decision_form=DecisionForm(),
        confirm_form=ConfirmForm(),
        labels=LABELS,
    )


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/decision", methods=["POST"])
@requires(PANEL_WORK)
def decision(defense_slot_id):
    slot = _slot_or_404(defense_slot_id)
    defense_round = _round_or_404(slot.defense_round_id)
    member, _manager = _access(defense_round)
    if not (member and member.role == PanelRole.CHAIR):
        abort(403)  # the chair records the panel's decision
    form = DecisionForm()
    status = 302
    try:
        if not form.validate_on_submit():
            raise Refusal(_("Choose the panel's decision."))
        services.record_decision(slot, form.outcome.data, form.remarks.data, actor=current_user)
    except Refusal as error:
        flash(str(error), "danger")
        status = error.status
    else:
        flash(_("The decision is recorded."), "success")
    response = redirect(url_for("defenses.results", defense_round_id=defense_round.id))
    if status == 409:
        response.status_code = 409
    return response


@bp.route("/<tenant>/defenses/<int:defense_round_id>/sign", methods=["POST"])
@requires(PANEL_WORK)
def sign(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
    _access(defense_round)
    if not services.is_chair(defense_round, current_user):
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            services.sign_protocol(defense_round, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The protocol is signed."), "success")
    return redirect(url_for("defenses.protocol", defense_round_id=defense_round.id))


def _protocol_content(defense_round):
    member, manager = _access(defense_round)
    protocol = services.protocol_of(defense_round.id)
    if protocol is not None:
        return protocol.content, protocol.content_hash, protocol
    if not manager and not (member and member.role in (PanelRole.CHAIR, PanelRole.SECRETARY)):
        abort(403)  # a draft protocol shows every score: only the chair, the secretary and staff see it
    if defense_round.status == RoundStatus.OPEN:
        abort(403)
    return services.protocol_content(defense_round.id), None, None


@bp.route("/<tenant>/defenses/<int:defense_round_id>/protocol")
@login_required
def protocol(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
    content, digest, signed = _protocol_content(defense_round)
    return render_template(
        "defenses/protocol.html",
        content=displayed(content, g.tenant.timezone),
        digest=digest,
        signed=signed,
        round=defense_round,
        chair=services.is_chair(defense_round, current_user),
        confirm_form=ConfirmForm(),
        labels=LABELS,
    )


@bp.route("/<tenant>/defenses/<int:defense_round_id>/protocol.pdf")
@login_required
def protocol_pdf(defense_round_id):
    defense_round = _round_or_404(defense_round_id)
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
    protocol, tenant, valid = services.verify_protocol(digest)
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


@bp.app_context_processor
def _session_link():
    return {"defense_session": services.session_of}


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Defenses"), "defenses.index", MANAGE_DEFENSES, group=STAFF_GROUP),
            MenuItem(_l("My expert work"), "defenses.expert_home", Permission.EXPERT_AREA),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)

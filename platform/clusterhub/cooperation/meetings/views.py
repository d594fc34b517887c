"""Pages of the B2B meetings: staff configure blocks, run the scheduler, see and edit the grid, publish and
print table plans; participants find each other, request, answer, read their schedule (page, PDF, iCal) and
record outcomes. The request commits (``core.unit_of_work``); a refusal flashes its reason."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.authz import GlobalRole, TenantRole, can, login_required, requires
from ...accounts.forms import ConfirmForm
from ...core import signals
from ...core.forms import show_on
from ...core.refusal import Refusal
from ...events.models import Event, Registration
from ...events.services import common as events
from ...extensions import db
from ...tenancy.models import utcnow
from .forms import BlockForm, MeetingRequestForm, MoveForm, OutcomeForm, PreferenceForm, RunForm
from .models import OUTCOME_LABELS, MeetingBlock, MeetingRequest, RequestStatus
from .services import blocks, outcomes, places, preferences, requests, scheduling

MANAGE_MEETINGS = "cooperation.meetings.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_MEETINGS}),
        (TenantRole.CENTER_STAFF, {MANAGE_MEETINGS}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_MEETINGS}),
    ]


def connect_signals() -> None:
    """This module's permissions (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)


bp = Blueprint("meetings", __name__, template_folder="templates")


@bp.app_template_global()
def outcome_label(code: str | None) -> str:
    return str(OUTCOME_LABELS.get(code, code or "—"))


@bp.app_template_global()
def meeting_blocks_count(event_id: int) -> int:
    """For the session's pages: whether to link to its B2B meetings."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(MeetingBlock).where(MeetingBlock.event_id == event_id)
    )


def _get(model, object_id, **where):
    """A row of the current tenant, or 404 (another tenant's row is not found)."""
    return db.first_or_404(sa.select(model).where(model.id == object_id).filter_by(**where))


def _block_values(form: BlockForm) -> dict:
    values = form.values()
    values["starts_at"] = events.to_utc(values["starts_at"], g.tenant)
    return values


def _slot_choices(block: MeetingBlock) -> list[tuple[int, str]]:
    zone_start = [events.to_local(block.slot_start(s), g.tenant) for s in range(block.slot_count)]
    return [(s, f"{s + 1}. {start:%H:%M}") for s, start in enumerate(zone_start)]


# --- staff ----------------------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/events/<int:event_id>/meetings", methods=["GET", "POST"])
@requires(MANAGE_MEETINGS)
def staff_blocks(event_id):
    event = _get(Event, event_id)
    form = BlockForm()
    if request.method == "GET":
        form.slot_minutes.data, form.slot_count.data, form.table_count.data = 20, 6, 10
    if form.validate_on_submit():
        try:
            block = blocks.create_block(event, _block_values(form), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The meeting block has been added."), "success")
            return redirect(url_for("meetings.staff_block", meeting_block_id=block.id))
    return render_template(
        "meetings/staff_blocks.html", event=event, blocks=blocks.blocks_of(event), form=form
    )


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_MEETINGS)
def edit_block(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    form = BlockForm(obj=block)
    if request.method == "GET":
        form.starts_at.data = events.to_local(block.starts_at, g.tenant).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            blocks.update_block(block, _block_values(form), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The meeting block has been saved."), "success")
            return redirect(url_for("meetings.staff_block", meeting_block_id=block.id))
    return render_template("meetings/block_form.html", block=block, event=block.event, form=form)


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>")
@requires(MANAGE_MEETINGS)
def staff_block(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    meetings = places.accepted_meetings(block)
    counts = dict(
        db.session.execute(
            sa.select(MeetingRequest.status, sa.func.count())
            .where(MeetingRequest.block_id == block.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    return render_template(
        "meetings/staff_block.html",
        block=block,
        event=block.event,
        grid={(m.slot, m.table_no): m for m in meetings if m.is_scheduled},
        unplaced=[m for m in meetings if not m.is_scheduled],
        conflicts=preferences.conflicts(block),
        counts=counts,
        slots=_slot_choices(block),
        run_form=RunForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/run", methods=["POST"])
@requires(MANAGE_MEETINGS)
def run(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    form = RunForm()
    if form.validate_on_submit():
        result = scheduling.run_scheduler(block, allow_moving=form.allow_moving.data, actor=current_user)
        flash(
            _(
                "Placed: %(placed)s; not placed: %(unplaced)s; moved: %(moved)s.",
                placed=len(result.placed),
                unplaced=len(result.unplaced),
                moved=len(result.moved),
            ),
            "success" if not result.unplaced else "warning",
        )
        if result.released:
            flash(
                _(
                    "%(count)s announced meetings broke a participant's own limits and lost their place "
                    "(placed elsewhere where they fit; both sides are told).",
                    count=len(result.released),
                ),
                "warning",
            )
    return redirect(url_for("meetings.staff_block", meeting_block_id=block.id))


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/publish", methods=["POST"])
@requires(MANAGE_MEETINGS)
def publish(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    if ConfirmForm().validate_on_submit():
        scheduling.publish(block, actor=current_user)
        flash(_("The schedule is published; every participant with meetings has it by e-mail."), "success")
    return redirect(url_for("meetings.staff_block", meeting_block_id=block.id))


@bp.route(
    "/<tenant>/staff/meetings/<int:meeting_block_id>/move/<int:meeting_request_id>", methods=["GET", "POST"]
)
@requires(MANAGE_MEETINGS)
def move(meeting_block_id, meeting_request_id):
    block = _get(MeetingBlock, meeting_block_id)
    meeting = _get(MeetingRequest, meeting_request_id, block_id=block.id)
    form = MoveForm(slot=meeting.slot, table=meeting.table_no)
    form.slot.choices = _slot_choices(block)
    form.table.choices = list(enumerate(block.table_labels))
    if form.validate_on_submit():
        try:
            scheduling.move(meeting, form.slot.data, form.table.data, actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The meeting has been moved."), "success")
            return redirect(url_for("meetings.staff_block", meeting_block_id=block.id))
    return render_template(
        "meetings/move.html",
        block=block,
        event=block.event,
        meeting=meeting,
        form=form,
        confirm_form=ConfirmForm(),
    )


@bp.route(
    "/<tenant>/staff/meetings/<int:meeting_block_id>/unschedule/<int:meeting_request_id>", methods=["POST"]
)
@requires(MANAGE_MEETINGS)
def unschedule(meeting_block_id, meeting_request_id):
    block = _get(MeetingBlock, meeting_block_id)
    meeting = _get(MeetingRequest, meeting_request_id, block_id=block.id)
    if ConfirmForm().validate_on_submit():
        scheduling.unschedule(meeting, actor=current_user)
        flash(_("The meeting waits for a place again."), "success")
    return redirect(url_for("meetings.staff_block", meeting_block_id=block.id))


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/tables")
@requires(MANAGE_MEETINGS)
def table_plans(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    return render_template(
        "meetings/table_plans.html",
        block=block,
        event=block.event,
        grid=places.grid(block),
        slots=_slot_choices(block),
    )


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/tables.pdf")
@requires(MANAGE_MEETINGS)
def table_plans_pdf(meeting_block_id):
    from . import exports

    block = _get(MeetingBlock, meeting_block_id)
    body = exports.table_plans_pdf(block, places.grid(block), g.tenant)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="tables-{block.id}.pdf"'},
    )


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/outcomes")
@requires(MANAGE_MEETINGS)
def staff_outcomes(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    meetings = [m for m in places.accepted_meetings(block) if m.is_scheduled]
    return render_template(
        "meetings/staff_outcomes.html",
        block=block,
        event=block.event,
        meetings=sorted(meetings, key=lambda m: (m.slot, m.table_no)),
    )


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/people")
@requires(MANAGE_MEETINGS)
def staff_people(meeting_block_id):
    """Per participant: their own limits, placed and waiting meetings, and conflicts with the limits."""
    block = _get(MeetingBlock, meeting_block_id)
    prefs = preferences.preferences_of(block)
    meetings = places.accepted_meetings(block)
    placed: dict[int, int] = {}
    waiting: dict[int, int] = {}
    for m in meetings:
        for person_id in (m.requester_id, m.recipient_id):
            counter = placed if m.is_scheduled else waiting
            counter[person_id] = counter.get(person_id, 0) + 1
    conflicts = preferences.conflicts(block)
    troubled = {
        person_id
        for m in meetings
        if m.id in conflicts
        for person_id in (m.requester_id, m.recipient_id)
        if person_id in prefs
    }
    people = [p for p in requests.directory(block) if p.id in prefs or p.id in placed or p.id in waiting]
    return render_template(
        "meetings/staff_people.html",
        block=block,
        event=block.event,
        people=people,
        prefs=prefs,
        placed=placed,
        waiting=waiting,
        troubled=troubled,
    )


# --- participants ---------------------------------------------------------------------------------------


def _me(block: MeetingBlock) -> Registration:
    me = requests.participant(block.event_id, current_user)
    if me is None:
        abort(403)
    return me


@bp.route("/<tenant>/events/<int:event_id>/meetings")
@login_required
def event_blocks(event_id):
    event = _get(Event, event_id)
    me = requests.participant(event.id, current_user)
    return render_template(
        "meetings/event_blocks.html",
        event=event,
        blocks=blocks.blocks_of(event),
        me=me,
        staff=can(MANAGE_MEETINGS),
    )


@bp.route("/<tenant>/meetings/<int:meeting_block_id>")
@login_required
def mine(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    me = requests.participant(block.event_id, current_user)
    if me is None:
        return render_template("meetings/not_participant.html", block=block, event=block.event), 403
    requests_ = requests.requests_of(block, me)
    return render_template(
        "meetings/mine.html",
        block=block,
        event=block.event,
        me=me,
        incoming=[m for m in requests_ if m.recipient_id == me.id and m.status == RequestStatus.REQUESTED],
        outgoing=[m for m in requests_ if m.requester_id == me.id and m.status == RequestStatus.REQUESTED],
        accepted=[m for m in requests_ if m.status == RequestStatus.ACCEPTED],
        closed=[m for m in requests_ if m.status in (RequestStatus.DECLINED, RequestStatus.CANCELLED)],
        schedule=scheduling.personal_schedule(block, me),
        preference=preferences.preference(block, me),
        now=utcnow(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/meetings/<int:meeting_block_id>/participants")
@login_required
def participants(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    me = _me(block)
    query = request.args.get("q", "")[:100]
    open_with = set()
    for m in requests.requests_of(block, me):
        if m.status in requests.OPEN_STATUSES:
            open_with.add(m.other_side(me.id).id)
    return render_template(
        "meetings/participants.html",
        block=block,
        event=block.event,
        people=requests.directory(block, exclude=me, query=query),
        open_with=open_with,
        query=query,
    )


@bp.route("/<tenant>/meetings/<int:meeting_block_id>/request/<int:registration_id>", methods=["GET", "POST"])
@login_required
def request_meeting(meeting_block_id, registration_id):
    block = _get(MeetingBlock, meeting_block_id)
    me = _me(block)
    other = _get(Registration, registration_id, event_id=block.event_id)
    form = MeetingRequestForm(recipient_id=other.id)
    mine, theirs = requests.citable_entries(me, other)
    form.offer_id.choices = _entry_choices(mine, theirs)
    if request.method == "GET" and request.args.get("offer", "").isdigit():
        form.offer_id.data = request.args["offer"]
    if form.validate_on_submit():
        cited = form.offer_id.data
        try:
            requests.request_meeting(
                block, me, other.id, form.message.data, int(cited) if cited and cited.isdigit() else None
            )
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("Your request has been sent to %(name)s.", name=other.full_name), "success")
            return redirect(url_for("meetings.mine", meeting_block_id=block.id))
    return render_template("meetings/request.html", block=block, event=block.event, other=other, form=form)


def _entry_choices(mine, theirs) -> dict | list:
    """The request form's choice of a cited entry: none, or one of the two sides' published entries."""

    def label(entry) -> str:
        return f"{entry.entry_label}: {entry.title_ru} ({entry.enterprise.name})"

    choices: dict = {"": [("", _("None"))]}
    if mine:
        choices[_("Offers and requests of your enterprise")] = [(str(e.id), label(e)) for e in mine]
    if theirs:
        choices[_("Offers and requests of the other side")] = [(str(e.id), label(e)) for e in theirs]
    return choices


def _preference_page(block: MeetingBlock, person: Registration, back: str, staff: bool):
    """The form of one participant's own limits in the block, for the participant or for staff."""
    pref = preferences.preference(block, person)
    form = PreferenceForm(
        max_meetings=None if pref is None else pref.max_meetings,
        unavailable=[] if pref is None else sorted(pref.unavailable_slots),
    )
    slots = [(s, block.slot_start(s), block.slot_end(s)) for s in range(block.slot_count)]
    form.unavailable.choices = [(s, str(s)) for s, _start, _end in slots]
    if staff:  # the same form, in the third person
        form.max_meetings.label.text = _("Most meetings for this participant")
        form.unavailable.label.text = _("Slots when this participant is not available")
    if form.validate_on_submit():
        try:
            preferences.set_preferences(
                block, person, form.max_meetings.data, form.unavailable.data or [], actor=current_user
            )
        except Refusal as error:
            show_on(form, error)
        else:
            flash(
                _("Your limits are saved.") if not staff else _("The participant's limits are saved."),
                "success",
            )
            return redirect(back)
    placed = {m.slot for m in scheduling.personal_schedule(block, person)}
    return render_template(
        "meetings/preferences.html",
        block=block,
        event=block.event,
        person=person,
        form=form,
        slots=slots,
        placed=placed,
        staff=staff,
        back=back,
    )


@bp.route("/<tenant>/meetings/<int:meeting_block_id>/limits", methods=["GET", "POST"])
@login_required
def my_preferences(meeting_block_id):
    block = _get(MeetingBlock, meeting_block_id)
    me = _me(block)
    return _preference_page(block, me, url_for("meetings.mine", meeting_block_id=block.id), staff=False)


@bp.route(
    "/<tenant>/staff/meetings/<int:meeting_block_id>/people/<int:registration_id>", methods=["GET", "POST"]
)
@requires(MANAGE_MEETINGS)
def person_preferences(meeting_block_id, registration_id):
    block = _get(MeetingBlock, meeting_block_id)
    person = _get(Registration, registration_id, event_id=block.event_id)
    return _preference_page(
        block, person, url_for("meetings.staff_people", meeting_block_id=block.id), staff=True
    )


@bp.route(
    "/<tenant>/meetings/<int:meeting_block_id>/requests/<int:meeting_request_id>/<action>",
    methods=["POST"],
)
@login_required
def answer(meeting_block_id, meeting_request_id, action):
    block = _get(MeetingBlock, meeting_block_id)
    me = _me(block)
    meeting = _get(MeetingRequest, meeting_request_id, block_id=block.id)
    if action not in ("accept", "decline", "cancel"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        if action == "cancel":
            requests.cancel(meeting, me, actor=current_user)
            flash(_("The meeting request has been cancelled."), "success")
        else:
            requests.answer(meeting, me, accept=action == "accept")
            flash(
                _("You accepted the meeting.") if action == "accept" else _("You declined the meeting."),
                "success",
            )
    return redirect(url_for("meetings.mine", meeting_block_id=block.id))


@bp.route(
    "/<tenant>/meetings/<int:meeting_block_id>/requests/<int:meeting_request_id>/outcome",
    methods=["GET", "POST"],
)
@login_required
def outcome(meeting_block_id, meeting_request_id):
    block = _get(MeetingBlock, meeting_block_id)
    me = _me(block)
    meeting = _get(MeetingRequest, meeting_request_id, block_id=block.id)
    side = meeting.side_of(me.id)
    if side is None:
        abort(404)
    mine_, amount = meeting.outcome_of(side)
    form = OutcomeForm(outcome=mine_, amount=None if amount is None else f"{amount:.2f}".replace(".", ","))
    if form.validate_on_submit():
        try:
            outcomes.record_outcome(meeting, me, form.outcome.data, outcomes.parse_amount(form.amount.data))
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("Thank you: the outcome has been recorded."), "success")
            return redirect(url_for("meetings.mine", meeting_block_id=block.id))
    return render_template(
        "meetings/outcome.html", block=block, event=block.event, meeting=meeting, me=me, side=side, form=form
    )


@bp.route("/<tenant>/meetings/<int:meeting_block_id>/schedule.<fmt>")
@login_required
def schedule_file(meeting_block_id, fmt):
    block = _get(MeetingBlock, meeting_block_id)
    if fmt not in ("ics", "pdf"):
        abort(404)
    me = _me(block)
    meetings = scheduling.personal_schedule(block, me)
    from . import exports

    if fmt == "ics":
        body = exports.ical(block, me, meetings, g.tenant)
        return Response(
            body,
            mimetype="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="meetings-{block.id}.ics"'},
        )
    body = exports.schedule_pdf(block, me, meetings, g.tenant)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="meetings-{block.id}.pdf"'},
    )

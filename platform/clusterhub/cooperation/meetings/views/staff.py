"""The staff's pages of B2B meetings: blocks, the scheduler, the grid and moves by hand, publishing, table
plans, outcomes and the participants' limits."""

import sqlalchemy as sa
from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ....core.access import requires
from ....core.forms import ConfirmForm, show_on
from ....core.pagination import paginate
from ....core.refusal import Refusal
from ....events.models import Event
from ....events.services import common as events
from ....extensions import db
from ..forms import BlockForm, MoveForm, RunForm
from ..models import MeetingBlock, MeetingRequest
from ..services import blocks, places, preferences, scheduling
from . import MANAGE_MEETINGS, _get, bp


def _block_values(form: BlockForm) -> dict:
    values = form.values()
    values["starts_at"] = events.to_utc(values["starts_at"], g.tenant)
    return values


def _slot_choices(block: MeetingBlock) -> list[tuple[int, str]]:
    zone_start = [events.to_local(block.slot_start(s), g.tenant) for s in range(block.slot_count)]
    return [(s, f"{s + 1}. {start:%H:%M}") for s, start in enumerate(zone_start)]


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
    from .. import exports

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


PEOPLE_PER_PAGE = 25


@bp.route("/<tenant>/staff/meetings/<int:meeting_block_id>/people")
@requires(MANAGE_MEETINGS)
def staff_people(meeting_block_id):
    """Per participant: their own limits, placed and waiting meetings, and conflicts with the limits; a page
    at a time, narrowed by name or organisation."""
    block = _get(MeetingBlock, meeting_block_id)
    query = request.args.get("q", "").strip()[:100]
    page = paginate(preferences.people_statement(block, query), per_page=PEOPLE_PER_PAGE)
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
    return render_template(
        "meetings/staff_people.html",
        block=block,
        event=block.event,
        page=page,
        query=query,
        prefs=prefs,
        placed=placed,
        waiting=waiting,
        troubled=troubled,
    )

"""The participants' pages of B2B meetings: the directory, requests and answers, their own limits (and the
staff's page of a participant's limits), outcomes and the personal schedule (page, PDF, iCal)."""

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ....core.access import can, login_required, requires
from ....core.forms import ConfirmForm, show_on
from ....core.refusal import Refusal
from ....events.models import Event, Registration
from ....tenancy.models import utcnow
from ..forms import MeetingRequestForm, OutcomeForm, PreferenceForm
from ..models import MeetingBlock, MeetingRequest, RequestStatus
from ..services import blocks, outcomes, preferences, requests, scheduling
from . import MANAGE_MEETINGS, _get, bp


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
    from .. import exports

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

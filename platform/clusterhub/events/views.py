"""Pages of the events module: public pages of a center's sessions, the platform calendar, registration,
the registrant's ticket, and the staff pages (organising, participants, check-in, badges)."""

import io

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..accounts.authz import (
    GlobalRole,
    TenantRole,
    can,
    login_required,
    public,
    requires,
)
from ..accounts.forms import ConfirmForm
from ..core import page_cache as page_cache_markers
from ..core import signals
from ..core.forms import show_on
from ..core.menu import (
    STAFF_GROUP,
    HomeBlock,
    MenuItem,
)
from ..core.pagination import paginate
from ..core.refusal import Refusal, answered
from ..core.security import csp_nonce, permits_camera
from ..core.uploads import previewed_rows
from ..core.urls import safe_next_url
from ..enterprises.services.representatives import represented_enterprises
from ..extensions import db, limiter
from ..regions.models import district_name
from ..tenancy.row_cache import content_version
from . import cache as page_cache
from . import exports, ical
from . import imports as delegation
from . import services as svc
from .forms import (
    CATEGORY_FILTER,
    KIND_FILTER,
    STATUS_FILTER,
    AgendaItemForm,
    CheckInForm,
    DelegationImportForm,
    EventForm,
    GroupRegistrationForm,
    MessageForm,
    OrganiserForm,
    RegistrationForm,
    RosterAddForm,
    RosterMoveForm,
    StaffRegistrationForm,
    VenueForm,
    as_choices,
    region_choices,
)
from .models import (
    CATEGORY_LABELS,
    EVENT_KIND_LABELS,
    STATUS_TRANSITIONS_LABELS,
    AgendaItem,
    AgendaSignup,
    Event,
    EventOrganiser,
    EventStatus,
    Registration,
    RegistrationStatus,
    Venue,
    local_today,
)

MANAGE_EVENTS = "events.manage"
CHECK_IN = "events.check_in"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_EVENTS, CHECK_IN}),
        (TenantRole.CENTER_STAFF, {MANAGE_EVENTS, CHECK_IN}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_EVENTS, CHECK_IN}),
    ]


bp = Blueprint("events", __name__, template_folder="templates")


PER_PAGE = 50


def _staff_home_block():
    if not can(MANAGE_EVENTS):
        return None
    drafts = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.status == EventStatus.DRAFT)
    )
    return {"drafts": drafts}


def _get(model, object_id, **where):
    """A row of the current tenant, or 404 (another tenant's row is not found)."""
    return db.first_or_404(sa.select(model).where(model.id == object_id).filter_by(**where))


# --- public pages ---------------------------------------------------------------------------------------


@bp.route("/<tenant>/events/")
@public
def index():
    upcoming = db.session.scalars(
        svc.public_events(upcoming=True).options(sa.orm.selectinload(Event.region))
    ).all()
    past = paginate(svc.public_events(upcoming=False), per_page=20)
    return render_template("events/index.html", upcoming=upcoming, past=past)


@bp.route("/<tenant>/events/<int:event_id>")
@public
def event_page(event_id):
    # Anonymous visitors without pending messages all see the same page: served from the page cache
    # when the event has not changed since it was rendered (see cache.py).
    cacheable = not current_user.is_authenticated and "_flashes" not in session
    shared_version = content_version(page_cache_markers.shared_store(), g.tenant.id) if cacheable else None
    if shared_version is not None:
        # With Redis, the version of everything the center owns says whether the page is current: no query.
        # The local date is in the key: the day after the session the page loses its registration button.
        key = (g.tenant.id, event_id, str(_locale()), local_today(g.tenant.timezone).isoformat())
        html = page_cache.get(key, shared_version)
        if html is not None:
            return page_cache_markers.thaw(html, csp_nonce())
    elif cacheable:
        row = db.session.execute(
            sa.select(Event.updated_at, Event.status, Event.end_date).where(Event.id == event_id)
        ).first()
        if row is None or row.status not in svc.VISIBLE_PUBLIC:
            abort(404)
        # The day after the session the page must lose its registration button, with no change to the row.
        ended = row.end_date < local_today(g.tenant.timezone)
        key = (g.tenant.id, event_id, str(_locale()), ended)
        html = page_cache.get(key, row.updated_at)
        if html is not None:
            return page_cache_markers.thaw(html, csp_nonce())
    event = svc.load_event_page(event_id)
    if event is None:
        abort(404)
    counts = svc.participation_counts(event)
    mine = None
    if current_user.is_authenticated:
        mine = db.session.scalar(
            sa.select(Registration).where(
                Registration.event_id == event.id,
                Registration.email == current_user.email,
                Registration.status.in_(svc.ACTIVE_STATUSES),
            )
        )
    html = render_template(
        "events/event.html",
        event=event,
        days=svc.agenda_by_day(event.agenda_items, g.tenant),
        counts=counts,
        mine=mine,
        seats_left=None if event.capacity is None else max(0, event.capacity - counts["participants"]),
    )
    if cacheable:
        version = shared_version if shared_version is not None else row.updated_at
        page_cache.put(key, version, page_cache_markers.freeze(html, csp_nonce()))
    return html


def _registration_email_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"events.register:{g.tenant.id}:{request.view_args.get('event_id')}:{email}"


def _registration_event_key() -> str:
    return f"events.register:{g.tenant.id}:{request.view_args.get('event_id')}"


def _limit(key: str):
    # Guests need no account, so the form is rate-limited per e-mail address and per session (see config).
    return lambda: current_app.config[key]


@bp.route("/<tenant>/events/<int:event_id>/register", methods=["GET", "POST"])
@public
@limiter.limit(
    _limit("EVENT_REGISTRATIONS_PER_ADDRESS"),
    key_func=_registration_email_key,
    methods=["POST"],
)
@limiter.limit(
    _limit("EVENT_REGISTRATIONS_PER_EVENT"),
    key_func=_registration_event_key,
    methods=["POST"],
)
def register(event_id):
    event = _get(Event, event_id)
    if event.status not in svc.VISIBLE_PUBLIC:
        abort(404)
    form = RegistrationForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.full_name.data = current_user.full_name
        form.email.data = current_user.email
    if form.validate_on_submit():
        guest = not current_user.is_authenticated or form.email.data.strip().lower() != current_user.email
        person = svc.Participant(
            full_name=form.full_name.data,
            email=form.email.data,
            category=form.category.data,
            region_id=form.region_id.data,
            organisation=form.organisation.data,
            position_title=form.position_title.data,
            phone=form.phone.data,
            inn=form.inn.data,
            consent=form.consent.data,
            locale=str(_locale()),
        )
        try:
            registration = svc.register(
                event,
                person,
                user=None if guest else current_user,
                guest=guest,
                actor=current_user if current_user.is_authenticated else None,
            )
        except svc.AlreadyRegistered as error:
            if not guest:
                show_on(form, error)
            else:  # the same answer as a new registration; the mail to the address says the rest
                answered(error)  # that mail (queued by the refusal) must be stored and sent
                _flash_check_your_mail(form.email.data.strip().lower())
                return redirect(url_for("events.event_page", event_id=event.id))
        except Refusal as error:
            show_on(form, error)
        else:
            if guest:
                _flash_check_your_mail(registration.email)
                return redirect(url_for("events.event_page", event_id=event.id))
            flash(registration.status_label, "success")
            return redirect(url_for("events.ticket", token=svc.ticket_token(registration)))
    return render_template("events/register.html", event=event, form=form)


def _flash_check_your_mail(email: str) -> None:
    flash(_("Almost done: we have sent a confirmation link to %(email)s.", email=email), "info")


def _locale():
    from flask_babel import get_locale

    return get_locale()


@bp.errorhandler(429)
def _too_many_registrations(error):
    """Say what happened and what to do, instead of a bare 429."""
    if request.endpoint != "events.register":
        from ..core.errors import MESSAGES

        title, text = MESSAGES[429]
        return render_template("core/error.html", code=429, title=title, text=text), 429
    event = db.session.scalar(sa.select(Event).where(Event.id == request.view_args.get("event_id")))
    text = _(
        "Too many registrations were sent for this e-mail address or this session in the last hour. "
        "Wait a little and try again. To register a large delegation at once, send its list to the "
        "organisers: they can import it."
    )
    response = render_template(
        "events/message.html",
        title=_("Please wait a little"),
        text=text,
        back_url=url_for("events.event_page", event_id=event.id) if event else None,
    )
    return response, 429, {"Retry-After": str(getattr(error, "retry_after", None) or 600)}


@bp.route("/<tenant>/events/<int:event_id>/register/group", methods=["GET", "POST"])
@login_required
def register_group(event_id):
    event = _get(Event, event_id)
    enterprises = represented_enterprises(current_user)
    if not enterprises:
        flash(_("Group registration is for confirmed representatives of an enterprise."), "warning")
        return redirect(url_for("events.event_page", event_id=event.id))
    form = GroupRegistrationForm()
    form.enterprise_id.choices = as_choices([(e.id, e.name) for e in enterprises])
    if form.validate_on_submit():
        enterprise = next(e for e in enterprises if e.id == form.enterprise_id.data)
        try:
            if not form.consent.data:
                raise Refusal(_("Confirm that each employee has consented."), "consent")
            people = _parse_people(form.people.data, form.category.data, form.region_id.data or None)
            registrations = svc.register_group(event, enterprise, people, current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("Employees registered: %(count)s.", count=len(registrations)), "success")
            return redirect(url_for("events.my_registrations"))
    return render_template("events/register_group.html", event=event, form=form)


def _parse_people(text: str, category: str, region_id: int | None) -> list:
    people = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) < 2:
            raise Refusal(_("Line %(n)s: write the name and the e-mail, separated by ;.", n=number), "people")
        people.append(
            svc.Participant(
                full_name=parts[0],
                email=parts[1],
                position_title=parts[2] if len(parts) > 2 else None,
                category=category,
                region_id=region_id,
                organisation="",
                consent=True,
                locale=str(_locale()),
            )
        )
    return people


@bp.route("/<tenant>/events/confirm/<token>")
@public
def confirm_email(token):
    try:
        registration = svc.confirm_email(token)
    except Refusal as error:
        return render_template("events/message.html", title=_("Confirmation"), text=str(error)), 400
    flash(_("Your e-mail address is confirmed."), "success")
    return redirect(url_for("events.ticket", token=svc.ticket_token(registration)))


def _ticket_registration(token) -> Registration:
    try:
        return svc.registration_from_ticket(token, g.tenant.id)
    except Refusal:
        abort(404)


@bp.route("/<tenant>/events/ticket/<token>", methods=["GET", "POST"])
@public
def ticket(token):
    """The registrant's page: status, QR code, personal agenda; reachable only with the signed ticket."""
    registration = _ticket_registration(token)
    event = svc.load_event_page(registration.event_id, public=False)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "cancel":
                svc.cancel_registration(
                    registration, actor=current_user if current_user.is_authenticated else None
                )
                flash(_("Your registration is cancelled."), "success")
            elif action in ("signup", "drop"):
                item = _get(AgendaItem, request.form.get("item_id", type=int), event_id=event.id)
                if action == "signup":
                    signup = svc.sign_up(registration, item)
                    if signup.status == "waitlisted":
                        flash(_("No seat is left: you are on the waiting list for this item."), "warning")
                else:
                    signup = db.session.scalar(
                        sa.select(AgendaSignup).where(
                            AgendaSignup.registration_id == registration.id,
                            AgendaSignup.agenda_item_id == item.id,
                        )
                    )
                    if signup is not None:
                        svc.cancel_signup(signup)
        except Refusal as error:
            flash(str(error), "danger")
        return redirect(url_for("events.ticket", token=token))
    signups = {s.agenda_item_id: s for s in registration.signups if s.status != "cancelled"}
    return render_template(
        "events/ticket.html",
        registration=registration,
        event=event,
        token=token,
        days=svc.agenda_by_day(event.agenda_items, g.tenant),
        signups=signups,
        form=form,
        calendar_token=ical.person_token(g.tenant.id, registration.email),
    )


@bp.route("/<tenant>/events/ticket/<token>/qr.svg")
@public
def ticket_qr(token):
    _ticket_registration(token)
    buffer = io.BytesIO()
    import segno  # imported by the first QR code, not by every app start

    segno.make(svc.ticket_link_for_token(token), error="m").save(buffer, kind="svg", scale=6, border=2)
    return Response(
        buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )


@bp.route("/<tenant>/events/mine")
@login_required
def my_registrations():
    rows = db.session.scalars(
        sa.select(Registration)
        .where(
            sa.or_(Registration.email == current_user.email, Registration.registered_by_id == current_user.id)
        )
        .order_by(Registration.created_at.desc())
        .options(sa.orm.selectinload(Registration.event))
    ).all()
    return render_template("events/mine.html", registrations=rows, ticket_token=svc.ticket_token)


@bp.route("/calendar")
@public
def calendar():
    region_id = request.args.get("region", type=int)
    kind = request.args.get("kind") or None
    show_past = request.args.get("past") == "1"
    rows = svc.calendar_events(
        region_id=region_id,
        kind=kind if kind in EVENT_KIND_LABELS else None,
        since=None if show_past else svc.utcnow().date(),
    )
    return render_template(
        "events/calendar.html",
        rows=rows,
        regions=region_choices(blank=_("All regions")),
        kinds=KIND_FILTER,
        region_id=region_id or 0,
        kind=kind or "",
        show_past=show_past,
    )


# --- iCal feeds -------------------------------------------------------------------------------------------


def _ics(body: str, name: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{name}.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


@bp.route("/<tenant>/events/<int:event_id>.ics")
@public
def event_ics(event_id):
    event = svc.load_event_page(event_id)
    if event is None or event.status == EventStatus.CANCELLED:
        abort(404)
    return _ics(ical.event_calendar(event, g.tenant), f"event-{event.id}")


@bp.route("/<tenant>/events.ics")
@public
def tenant_ics():
    events = db.session.scalars(
        sa.select(Event).where(Event.status.in_(svc.CALENDAR_STATUSES)).order_by(Event.start_date)
    ).all()
    return _ics(ical.tenant_calendar(events, g.tenant), g.tenant.slug)


@bp.route("/<tenant>/events/calendar/<token>.ics")
@public
def person_ics(token):
    email = ical.email_from_token(token, g.tenant.id)
    if email is None:
        abort(404)
    return _ics(ical.person_calendar(email, g.tenant), "my-agenda")


# --- staff: organising ---------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/events/")
@requires(MANAGE_EVENTS)
def staff_events():
    page = paginate(sa.select(Event).order_by(Event.start_date.desc(), Event.id.desc()), per_page=PER_PAGE)
    return render_template("events/staff_events.html", page=page)


@bp.route("/<tenant>/staff/events/new", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def new_event():
    form = EventForm()
    if request.method == "GET":
        form.region_id.data = g.tenant.region_id
        form.city_ru.data = g.tenant.region.capital_ru
        form.city_en.data = g.tenant.region.capital_en
    if form.validate_on_submit():
        try:
            event = svc.create_event(g.tenant, form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The session has been created as a draft."), "success")
            return redirect(url_for("events.staff_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/<tenant>/staff/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def edit_event(event_id):
    event = _get(Event, event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        try:
            svc.update_event(event, form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The session has been saved."), "success")
            return redirect(url_for("events.staff_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event)


@bp.route("/<tenant>/staff/events/<int:event_id>")
@requires(MANAGE_EVENTS)
def staff_event(event_id):
    event = svc.load_event_page(event_id, public=False)
    if event is None:
        abort(404)
    return render_template(
        "events/staff_event.html",
        event=event,
        days=svc.agenda_by_day(event.agenda_items, g.tenant),
        overlaps=svc.overlapping_item_ids(event.agenda_items),
        counts=svc.participation_counts(event),
        transitions=[s for s in STATUS_TRANSITIONS_LABELS if s in svc.STATUS_TRANSITIONS[event.status]],
        transition_labels=STATUS_TRANSITIONS_LABELS,
        venue_form=VenueForm(prefix="venue"),
        organiser_form=OrganiserForm(prefix="org"),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/status", methods=["POST"])
@requires(MANAGE_EVENTS)
def event_status(event_id):
    event = _get(Event, event_id)
    if ConfirmForm().validate_on_submit():
        try:
            svc.set_status(event, request.form.get("status"), actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The session is now: %(status)s.", status=event.status_label), "success")
    return redirect(url_for("events.staff_event", event_id=event.id))


@bp.route("/<tenant>/staff/events/<int:event_id>/delete", methods=["POST"])
@requires(MANAGE_EVENTS)
def delete_event(event_id):
    event = _get(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("events.staff_event", event_id=event.id))
    try:
        svc.delete_event(event, actor=current_user)
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The draft has been deleted."), "success")
    return redirect(url_for("events.staff_events"))


@bp.route("/<tenant>/staff/events/<int:event_id>/venues", methods=["POST"])
@requires(MANAGE_EVENTS)
def add_venue(event_id):
    event = _get(Event, event_id)
    form = VenueForm(prefix="venue")
    if form.validate_on_submit():
        try:
            svc.add_venue(event, form.data, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The venue has been added."), "success")
    else:
        flash(_("Give the venue's name and address."), "danger")
    return redirect(url_for("events.staff_event", event_id=event.id, _anchor="venues"))


@bp.route("/<tenant>/staff/events/<int:event_id>/venues/<int:venue_id>/delete", methods=["POST"])
@requires(MANAGE_EVENTS)
def delete_venue(event_id, venue_id):
    venue = _get(Venue, venue_id, event_id=event_id)
    if ConfirmForm().validate_on_submit():
        try:
            svc.delete_venue(venue, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The venue has been removed."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="venues"))


@bp.route("/<tenant>/staff/events/<int:event_id>/organisers", methods=["POST"])
@requires(MANAGE_EVENTS)
def add_organiser(event_id):
    event = _get(Event, event_id)
    form = OrganiserForm(prefix="org")
    if form.validate_on_submit():
        try:
            svc.add_organiser(event, form.data, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The organiser has been added."), "success")
    else:
        flash(_("Give the organisation's name."), "danger")
    return redirect(url_for("events.staff_event", event_id=event.id, _anchor="organisers"))


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/organisers/<int:event_organiser_id>/delete", methods=["POST"]
)
@requires(MANAGE_EVENTS)
def delete_organiser(event_id, event_organiser_id):
    organiser = _get(EventOrganiser, event_organiser_id, event_id=event_id)
    if ConfirmForm().validate_on_submit():
        svc.delete_organiser(organiser, actor=current_user)
        flash(_("The organiser has been removed."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="organisers"))


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/new", methods=["GET", "POST"])
@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def agenda_item(event_id, agenda_item_id=None):
    event = _get(Event, event_id)
    item = _get(AgendaItem, agenda_item_id, event_id=event.id) if agenda_item_id else None
    form = AgendaItemForm(event, obj=item)
    if request.method == "GET" and item is not None:
        form.starts_at.data = svc.to_local(item.starts_at, g.tenant).replace(tzinfo=None)
        form.ends_at.data = svc.to_local(item.ends_at, g.tenant).replace(tzinfo=None)
        form.venue_id.data = item.venue_id or 0
        form.site_inn.data = item.site_enterprise.inn if item.site_enterprise else ""
        form.host_inns.data = ", ".join(e.inn for e in item.hosts)
    if form.validate_on_submit():
        try:
            saved = svc.save_agenda_item(event, form.values(), actor=current_user, item=item)
        except Refusal as error:
            event = _get(Event, event_id)
            show_on(form, error)
        else:
            flash(_("The agenda item has been saved."), "success")
            db.session.refresh(event)
            if saved.id in svc.overlapping_item_ids(event.agenda_items):
                flash(_("It overlaps in time with another item at the same place."), "warning")
            return redirect(url_for("events.staff_event", event_id=event.id, _anchor="agenda"))
    return render_template("events/agenda_item_form.html", form=form, event=event, item=item)


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/<action>",
    methods=["POST"],
)
@requires(MANAGE_EVENTS)
def agenda_action(event_id, agenda_item_id, action):
    item = _get(AgendaItem, agenda_item_id, event_id=event_id)
    if action not in ("up", "down", "delete"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        if action == "delete":
            svc.delete_agenda_item(item, actor=current_user)
            flash(_("The agenda item has been deleted."), "success")
        else:
            svc.move_agenda_item(item, -1 if action == "up" else 1, actor=current_user)
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="agenda"))


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/sort", methods=["POST"])
@requires(MANAGE_EVENTS)
def agenda_sort(event_id):
    event = _get(Event, event_id)
    if ConfirmForm().validate_on_submit():
        svc.sort_agenda_by_time(event, actor=current_user)
        flash(_("The agenda is in the order of time."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="agenda"))


# --- staff: participants ----------------------------------------------------------------------------------


def _filters():
    return {
        "status": request.args.get("status") or None,
        "category": request.args.get("category") or None,
        "region_id": request.args.get("region", type=int) or None,
        "search": request.args.get("q") or None,
        "checked_in": request.args.get("present") or None,
        "sort": request.args.get("sort") if request.args.get("sort") in svc.PARTICIPANT_ORDERS else None,
    }


def _filter_args(filters):
    return {
        k: v
        for k, v in {
            "status": filters["status"],
            "category": filters["category"],
            "region": filters["region_id"],
            "q": filters["search"],
            "present": filters["checked_in"],
            "sort": filters.get("sort"),
        }.items()
        if v
    }


@bp.route("/<tenant>/staff/events/<int:event_id>/participants", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def participants(event_id):
    event = _get(Event, event_id)
    filters = _filters()
    statement = svc.participants_query(event, **filters)
    message_form = MessageForm()
    if message_form.validate_on_submit():
        recipients = db.session.scalars(statement.where(Registration.status.in_(svc.ACTIVE_STATUSES))).all()
        try:
            count = svc.message_registrants(
                event, recipients, message_form.subject.data, message_form.body.data, actor=current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The message has been queued; recipients: %(count)s.", count=count), "success")
            return redirect(url_for("events.participants", event_id=event.id, **_filter_args(filters)))
    page = paginate(statement, per_page=PER_PAGE)
    return render_template(
        "events/participants.html",
        event=event,
        page=page,
        filters=filters,
        filter_args=_filter_args(filters),
        statuses=STATUS_FILTER,
        categories=CATEGORY_FILTER,
        regions=region_choices(blank=_("Any region")),
        message_form=message_form,
        confirm_form=ConfirmForm(),
    )


EXPORT_COLUMNS = (
    (_l("Full name"), lambda r: r.full_name),
    (_l("E-mail"), lambda r: r.email),
    (_l("Phone"), lambda r: r.phone or ""),
    (_l("Category"), lambda r: r.category_label),
    (_l("Region"), lambda r: r.region.name),
    (_l("Federal district"), lambda r: district_name(r.region.federal_district)),
    (_l("Organisation"), lambda r: r.organisation),
    (_l("ИНН"), lambda r: r.enterprise.inn if r.enterprise else ""),
    (_l("Position"), lambda r: r.position_title or ""),
    (_l("Status"), lambda r: r.status_label),
    (_l("Registered (UTC)"), lambda r: r.created_at.strftime("%Y-%m-%d %H:%M")),
    (_l("Checked in (UTC)"), lambda r: r.checked_in_at.strftime("%Y-%m-%d %H:%M") if r.checked_in_at else ""),
    (_l("Consent version"), lambda r: r.consent_version),
    (_l("Code"), lambda r: r.code),
)


@bp.route("/<tenant>/staff/events/<int:event_id>/participants.<fmt>")
@requires(MANAGE_EVENTS)
def export_participants(event_id, fmt):
    event = _get(Event, event_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = db.session.scalars(svc.participants_query(event, **_filters())).all()
    header = [str(label) for label, _value in EXPORT_COLUMNS]
    data = [[value(r) for _label, value in EXPORT_COLUMNS] for r in rows]
    if fmt == "csv":
        body, content_type = exports.table_csv(header, data), "text/csv; charset=utf-8"
    else:
        body, content_type = exports.table_xlsx(header, data, _("Participants")), exports.XLSX_MIMETYPE
    return _download(body, content_type, f"participants-{event.id}.{fmt}")


def _download(body: bytes, content_type: str, filename: str, inline: bool = False) -> Response:
    # content_type, not mimetype: Flask would append a second charset to a text type.
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/participants/<int:registration_id>", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def participant(event_id, registration_id):
    registration = _get(Registration, registration_id, event_id=event_id)
    form = StaffRegistrationForm(obj=registration)
    if request.method == "GET":
        form.inn.data = registration.enterprise.inn if registration.enterprise else ""
    if form.validate_on_submit():
        try:
            svc.update_registration(registration, form.data, actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The registration has been saved."), "success")
            return redirect(url_for("events.participant", event_id=event_id, registration_id=registration.id))
    return render_template(
        "events/participant.html",
        registration=registration,
        event=registration.event,
        form=form,
        confirm_form=ConfirmForm(),
        signups=svc.personal_agenda(registration),
    )


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/participants/<int:registration_id>/<action>",
    methods=["POST"],
)
@requires(MANAGE_EVENTS)
def participant_action(event_id, registration_id, action):
    registration = _get(Registration, registration_id, event_id=event_id)
    if action not in ("approve", "decline", "cancel", "confirm"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            if action == "confirm":
                svc.confirm_by_staff(registration, actor=current_user)
            elif action == "approve":
                svc.approve(registration, actor=current_user)
            elif action == "decline":
                svc.decline(registration, actor=current_user)
            else:
                svc.cancel_registration(registration, actor=current_user, by_staff=True)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(
                _("%(name)s: %(status)s.", name=registration.full_name, status=registration.status_label),
                "success",
            )
    return redirect(
        safe_next_url(request.form.get("next"), url_for("events.participants", event_id=event_id))
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/statistics")
@requires(MANAGE_EVENTS)
def statistics(event_id):
    event = _get(Event, event_id)
    return render_template(
        "events/statistics.html",
        event=event,
        stats=svc.statistics(event),
        category_labels=CATEGORY_LABELS,
        district_name=district_name,
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/import", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def import_delegation(event_id):
    """A delegation from a file: upload → preview with errors per row → register everyone or no one."""
    event = _get(Event, event_id)
    form = DelegationImportForm()
    confirm_form = ConfirmForm()
    rows = None
    if request.form.get("rows") and confirm_form.validate_on_submit():
        try:
            raw = previewed_rows(request.form["rows"])
            registrations = delegation.commit(
                event, raw, _import_defaults(request.form), current_user, locale=str(_locale())
            )
        except Refusal as error:
            flash(str(error), "danger")
        except (ValueError, TypeError):  # not a refusal: the view returns normally, so it drops the attempt
            db.session.rollback()
            flash(_("The preview has expired: upload the file again."), "danger")
        else:
            waiting = sum(r.status == RegistrationStatus.WAITLISTED for r in registrations)
            flash(
                _(
                    "People registered: %(count)s, of them on the waiting list: %(waiting)s.",
                    count=len(registrations),
                    waiting=waiting,
                ),
                "success",
            )
            return redirect(url_for("events.participants", event_id=event.id))
    elif form.validate_on_submit():
        upload = form.file.data
        try:
            raw = delegation.read_delegation(upload.filename or "", upload.read())
            rows = delegation.preview(event, raw, _import_defaults(form.data))
        except Refusal as error:
            show_on(form, error, "file")
    seats_left = svc.seats_left(event)
    return render_template(
        "events/import.html",
        event=event,
        form=form,
        confirm_form=confirm_form,
        rows=rows,
        rows_json=delegation.rows_to_json(rows) if rows else "",
        error_count=sum(1 for r in rows if r.errors) if rows else 0,
        seats_left=seats_left,
        defaults=_import_defaults(form.data) if rows else None,
        template_header=", ".join(delegation.TEMPLATE_HEADER),
    )


def _import_defaults(values) -> "delegation.Defaults":
    try:
        region_id = int(values.get("region_id") or 0) or None
    except (TypeError, ValueError):
        region_id = None
    return delegation.Defaults(
        organisation=(values.get("organisation") or "").strip(),
        category=values.get("category") or "enterprise",
        region_id=region_id,
    )


# --- staff: rosters of agenda items -----------------------------------------------------------------------


def _roster_item(event_id, agenda_item_id) -> AgendaItem:
    return _get(AgendaItem, agenda_item_id, event_id=event_id)


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster")
@requires(MANAGE_EVENTS)
def roster(event_id, agenda_item_id):
    """Who holds the seats of an item (a site visit's bus) and who waits, in order; add, move, remove."""
    item = _roster_item(event_id, agenda_item_id)
    add_form = RosterAddForm(prefix="add")
    add_form.registration_id.choices = as_choices(
        [(r.id, f"{r.full_name} — {r.organisation}") for r in svc.roster_candidates(item)]
    )
    move_form = RosterMoveForm(prefix="move")
    move_form.agenda_item_id.choices = as_choices(
        [
            (other.id, f"{svc.to_local(other.starts_at, g.tenant):%d.%m %H:%M} {other.title}")
            for other in item.event.agenda_items
            if other.id != item.id
        ]
    )
    return render_template(
        "events/roster.html",
        event=item.event,
        item=item,
        roster=svc.item_roster(item),
        add_form=add_form,
        move_form=move_form,
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/add", methods=["POST"])
@requires(MANAGE_EVENTS)
def roster_add(event_id, agenda_item_id):
    item = _roster_item(event_id, agenda_item_id)
    form = RosterAddForm(prefix="add")
    form.registration_id.choices = as_choices([(r.id, r.full_name) for r in svc.roster_candidates(item)])
    if form.validate_on_submit():
        registration = _get(Registration, form.registration_id.data, event_id=event_id)
        _roster_change(
            lambda: svc.add_to_item(item, registration, actor=current_user),
            lambda signup: _(
                "%(name)s is on the list: %(where)s.",
                name=registration.full_name,
                where=_signup_place(signup),
            ),
        )
    else:
        flash(_("Choose a participant of this session."), "danger")
    return redirect(url_for("events.roster", event_id=event_id, agenda_item_id=item.id))


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>/<action>",
    methods=["POST"],
)
@requires(MANAGE_EVENTS)
def roster_action(event_id, agenda_item_id, agenda_signup_id, action):
    item = _roster_item(event_id, agenda_item_id)
    signup = _get(AgendaSignup, agenda_signup_id, agenda_item_id=item.id)
    registration = signup.registration
    if action == "remove":
        if ConfirmForm().validate_on_submit():
            try:
                svc.remove_signup(signup, actor=current_user)
            except Refusal as error:
                flash(str(error), "danger")
            else:
                flash(_("%(name)s has been taken off the list.", name=registration.full_name), "success")
    elif action == "move":
        form = RosterMoveForm(prefix="move")
        form.agenda_item_id.choices = as_choices([(i.id, i.title) for i in item.event.agenda_items])
        if form.validate_on_submit():
            target = _get(AgendaItem, form.agenda_item_id.data, event_id=event_id)
            _roster_change(
                lambda: svc.move_signup(signup, target, actor=current_user),
                lambda moved: _(
                    "%(name)s moved to «%(item)s»: %(where)s.",
                    name=registration.full_name,
                    item=target.title,
                    where=_signup_place(moved),
                ),
            )
    else:
        abort(404)
    return redirect(url_for("events.roster", event_id=event_id, agenda_item_id=item.id))


def _roster_change(change, message) -> None:
    """Commit a roster change and say where the person ended up (a seat or the waiting list)."""
    try:
        signup = change()
    except Refusal as error:
        flash(str(error), "danger")
        return
    flash(message(signup), "success")


def _signup_place(signup: AgendaSignup) -> str:
    return _("a seat") if signup.status == "confirmed" else _("the waiting list")


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster.<fmt>")
@requires(MANAGE_EVENTS)
def roster_export(event_id, agenda_item_id, fmt):
    item = _roster_item(event_id, agenda_item_id)
    roster = svc.item_roster(item)
    name = f"roster-{event_id}-{item.id}.{fmt}"
    if fmt == "xlsx":
        return _download(exports.roster_xlsx(roster), exports.XLSX_MIMETYPE, name)
    if fmt == "pdf":
        return _download(exports.roster_pdf(roster, g.tenant), "application/pdf", name, inline=True)
    abort(404)


# --- staff: on site -------------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/events/<int:event_id>/check-in", methods=["GET", "POST"])
@permits_camera
@requires(CHECK_IN)
def check_in(event_id):
    event = _get(Event, event_id)
    form = CheckInForm()
    form.agenda_item_id.choices = as_choices(
        [(0, _("The session (entrance)"))]
        + [(i.id, f"{svc.to_local(i.starts_at, g.tenant):%d.%m %H:%M} {i.title}") for i in event.agenda_items]
    )
    result = None
    if request.method == "GET":
        form.agenda_item_id.data = request.args.get("item", 0, type=int)
    if form.validate_on_submit():
        item = (
            _get(AgendaItem, form.agenda_item_id.data, event_id=event.id)
            if form.agenda_item_id.data
            else None
        )
        try:
            registration = svc.find_for_check_in(event, form.code.data)
            fresh = svc.check_in(registration, actor=current_user, item=item)
        except Refusal as error:
            result = {"ok": False, "message": str(error)}
        else:
            result = {
                "ok": True,
                "fresh": fresh,
                "registration": registration,
                "message": _("Checked in: %(name)s.", name=registration.full_name)
                if fresh
                else _("%(name)s was already checked in; nothing changed.", name=registration.full_name),
            }
        form.code.data = ""
    search = (request.args.get("q") or "").strip()
    return render_template(
        "events/check_in.html",
        event=event,
        form=form,
        result=result,
        counts=svc.participation_counts(event),
        confirm_form=ConfirmForm(),
        search=search,
        found=svc.check_in_candidates(event, search),
        item_id=form.agenda_item_id.data or 0,
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/check-in/<int:registration_id>", methods=["POST"])
@requires(CHECK_IN)
def check_in_registration(event_id, registration_id):
    """Check one participant in with one click (found by name at the door, or from the participant list).

    Clicking twice changes nothing and says so; every check-in is in the audit log."""
    registration = _get(Registration, registration_id, event_id=event_id)
    item_id = request.form.get("item_id", 0, type=int)
    item = _get(AgendaItem, item_id, event_id=event_id) if item_id else None
    if ConfirmForm().validate_on_submit():
        try:
            fresh = svc.check_in(registration, actor=current_user, item=item)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            if fresh:
                flash(_("Checked in: %(name)s.", name=registration.full_name), "success")
            else:
                flash(
                    _("%(name)s was already checked in; nothing changed.", name=registration.full_name),
                    "info",
                )
    return redirect(
        safe_next_url(request.form.get("next"), url_for("events.check_in", event_id=event_id, item=item_id))
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/check-in/<int:registration_id>/undo", methods=["POST"])
@requires(CHECK_IN)
def undo_check_in(event_id, registration_id):
    registration = _get(Registration, registration_id, event_id=event_id)
    item_id = request.form.get("item_id", 0, type=int)
    item = _get(AgendaItem, item_id, event_id=event_id) if item_id else None
    if ConfirmForm().validate_on_submit():
        svc.undo_check_in(registration, actor=current_user, item=item)
        flash(_("The check-in of %(name)s has been undone.", name=registration.full_name), "success")
    return redirect(
        safe_next_url(request.form.get("next"), url_for("events.check_in", event_id=event_id, item=item_id))
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/badges")
@bp.route("/<tenant>/staff/events/<int:event_id>/badges/<int:registration_id>")
@requires(MANAGE_EVENTS)
def badges(event_id, registration_id=None):
    """Print-ready badges (A6, four to an A4 page): one, or all confirmed registrants (optionally filtered)."""
    event = _get(Event, event_id)
    if registration_id:
        rows = [_get(Registration, registration_id, event_id=event_id)]
    else:
        filters = _filters()
        filters["status"] = filters["status"] or RegistrationStatus.CONFIRMED
        rows = db.session.scalars(svc.participants_query(event, **filters)).all()
    qr = {r.id: Markup(_qr_svg(svc.ticket_link(r))) for r in rows}
    return render_template("events/badges.html", event=event, rows=rows, qr=qr)


def _qr_svg(data: str) -> str:
    buffer = io.BytesIO()
    import segno

    segno.make(data, error="m").save(buffer, kind="svg", scale=3, border=1, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


@bp.cli.command("remind")
def remind_command():
    """Queue the reminders for sessions that start tomorrow, for the centers whose local morning it is
    (run hourly: REMINDER_LOCAL_HOUR on each center's clock)."""
    import click

    count = svc.send_reminders()
    db.session.commit()  # a command, not a request: no unit of work commits for it
    click.echo(f"queued {count} reminders")


@bp.app_template_filter("date_short")
def _date_short(value):
    from flask_babel import format_date

    return format_date(value, "medium") if value else ""


@bp.app_template_filter("date_long")
def _date_long(value):
    from flask_babel import format_date

    return format_date(value, "full") if value else ""


@bp.app_template_filter("time_local")
def _time_local(value):
    """A stored naive-UTC time as HH:mm in the request's (the tenant's) time zone."""
    from flask_babel import format_time

    return format_time(value, "HH:mm") if value else ""


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Sessions"), "events.index"),
            MenuItem(_l("Manage sessions"), "events.staff_events", MANAGE_EVENTS, group=STAFF_GROUP),
        ],
        "global": [
            MenuItem(_l("Calendar"), "events.calendar"),
            MenuItem(
                _l("Services"), "technoparks.search"
            ),  # the platform-wide catalogue of technopark services
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "staff": [
            HomeBlock("events/_staff_block.html", _staff_home_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)

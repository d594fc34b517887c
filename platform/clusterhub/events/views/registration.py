"""Registering for an event (a person or a group), confirming the e-mail, the registrant's ticket and QR
code, and the person's own registrations."""

import io

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import login_required, public
from ...core.errors import MESSAGES
from ...core.forms import ConfirmForm, show_on
from ...core.refusal import Refusal, answered
from ...enterprises.services.representatives import represented_enterprises
from ...extensions import db, limiter
from ..forms import GroupRegistrationForm, RegistrationForm, as_choices
from ..models import AgendaItem, AgendaSignup, Event, Registration
from ..services import ical, links
from ..services import registration as registration_services
from ..services.agenda import agenda_by_day
from ..services.events import VISIBLE_PUBLIC, load_event_page
from ..services.signups import cancel_signup, sign_up
from . import _get, _locale, bp


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
    if event.status not in VISIBLE_PUBLIC:
        abort(404)
    form = RegistrationForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.full_name.data = current_user.full_name
        form.email.data = current_user.email
    if form.validate_on_submit():
        guest = not current_user.is_authenticated or form.email.data.strip().lower() != current_user.email
        person = registration_services.Participant(
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
            registration = registration_services.register(
                event,
                person,
                user=None if guest else current_user,
                guest=guest,
                actor=current_user if current_user.is_authenticated else None,
            )
        except registration_services.AlreadyRegistered as error:
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
            return redirect(url_for("events.ticket", token=links.ticket_token(registration)))
    return render_template("events/register.html", event=event, form=form)


def _flash_check_your_mail(email: str) -> None:
    flash(_("Almost done: we have sent a confirmation link to %(email)s.", email=email), "info")


@bp.errorhandler(429)
def _too_many_registrations(error):
    """Say what happened and what to do, instead of a bare 429."""
    if request.endpoint != "events.register":
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
            registrations = registration_services.register_group(event, enterprise, people, current_user)
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
            registration_services.Participant(
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
        registration = registration_services.confirm_email(token)
    except Refusal as error:
        return render_template("events/message.html", title=_("Confirmation"), text=str(error)), 400
    flash(_("Your e-mail address is confirmed."), "success")
    return redirect(url_for("events.ticket", token=links.ticket_token(registration)))


def _ticket_registration(token) -> Registration:
    try:
        return links.registration_from_ticket(token, g.tenant.id)
    except Refusal:
        abort(404)


@bp.route("/<tenant>/events/ticket/<token>", methods=["GET", "POST"])
@public
def ticket(token):
    """The registrant's page: status, QR code, personal agenda; reachable only with the signed ticket."""
    registration = _ticket_registration(token)
    event = load_event_page(registration.event_id, public=False)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "cancel":
                registration_services.cancel_registration(
                    registration, actor=current_user if current_user.is_authenticated else None
                )
                flash(_("Your registration is cancelled."), "success")
            elif action in ("signup", "drop"):
                item = _get(AgendaItem, request.form.get("item_id", type=int), event_id=event.id)
                if action == "signup":
                    signup = sign_up(registration, item)
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
                        cancel_signup(signup)
        except Refusal as error:
            flash(str(error), "danger")
        return redirect(url_for("events.ticket", token=token))
    signups = {s.agenda_item_id: s for s in registration.signups if s.status != "cancelled"}
    return render_template(
        "events/ticket.html",
        registration=registration,
        event=event,
        token=token,
        days=agenda_by_day(event.agenda_items, g.tenant),
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

    segno.make(links.ticket_link_for_token(token), error="m").save(buffer, kind="svg", scale=6, border=2)
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
    return render_template("events/mine.html", registrations=rows, ticket_token=links.ticket_token)

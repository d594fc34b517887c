"""The audit log in words: what happened, to what, and the values before and after, as a person reads them.

Entries store codes (``event.status_changed``, ``center_admin``, ``{'status': 'draft'}``); the log page shows
labels. Codes with no label yet fall back to readable text built from the code, never to a Python repr.
"""

import ast
import re
from datetime import date, datetime
from functools import cache

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import ROLE_LABELS as ACCOUNT_ROLES
from ..clusters.models import MEMBER_ROLE_LABELS
from ..clusters.models import REGISTER_STATUS_LABELS as CLUSTER_REGISTER
from ..enterprises.models import ACTION_LABELS as ENTERPRISE_ACTIONS
from ..enterprises.models import FIELD_LABELS as ENTERPRISE_FIELDS
from ..enterprises.models import REPRESENTATIVE_ROLE_LABELS
from ..events.models import EVENT_KIND_LABELS, EVENT_STATUS_LABELS, REGISTRATION_STATUS_LABELS
from ..projects.models import ROLE_LABELS as PROJECT_ROLES
from ..projects.models import STATUS_LABELS as PROJECT_STATUSES
from ..technoparks.models import TECHNOPARK_KIND_LABELS

SUBJECT_LABELS = {
    "api_token": _l("API token"),
    "billing": _l("Billing"),
    "cluster": _l("Cluster"),
    "defense": _l("Defense"),
    "enterprise": _l("Enterprise"),
    "event": _l("Session"),
    "federal_invitation": _l("Federal staff invitation"),
    "invitation": _l("Invitation"),
    "kpi_plan": _l("Indicator plan"),
    "membership": _l("Role in the center"),
    "period_report": _l("Period report"),
    "project": _l("Joint project"),
    "selection_round": _l("Selection round"),
    "technopark": _l("Technopark"),
    "technopark_photos": _l("Technopark photos"),
    "technopark_request_attachments": _l("Files of service requests"),
    "tenant": _l("Center"),
    "user": _l("User"),
}

ACTION_LABELS = {
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "api.write": _l("API call that changes data"),
    "api.read": _l("API reads (first of the minute)"),
    "center_token.created": _l("Center API token issued"),
    "center_token.revoked": _l("Center API token revoked"),
    "webhook.subscribed": _l("Webhook subscription created"),
    "webhook.removed": _l("Webhook subscription removed"),
    "webhook.resent": _l("Webhook delivery resent"),
    "webhook.secret_renewed": _l("Webhook secret renewed"),
    "billing.invoice_cancelled": _l("Invoice cancelled"),
    "billing.invoice_issued": _l("Invoice issued"),
    "billing.payment_recorded": _l("Payment recorded"),
    "billing.plan_saved": _l("Plan saved"),
    "billing.requisites_saved": _l("Center's requisites saved"),
    "billing.stripe_checkout_started": _l("Card payment started"),
    "billing.subscription_updated": _l("Subscription changed"),
    "cluster.created": _l("Cluster created"),
    "cluster.document_added": _l("Cluster document added"),
    "cluster.link_added": _l("Supply link added"),
    "cluster.link_removed": _l("Supply link removed"),
    "cluster.member_added": _l("Member added to the cluster"),
    "cluster.member_removed": _l("Member removed from the cluster"),
    "cluster.member_updated": _l("Cluster member edited"),
    "cluster.members_imported": _l("Cluster members imported"),
    "cluster.rule_set": _l("Compliance rule set"),
    "cluster.updated": _l("Cluster edited"),
    "defense.assigned": _l("Expert assigned to a project"),
    "defense.attendance": _l("Panel member's attendance marked"),
    "defense.change_refused": _l("Change of a signed round refused"),
    "defense.conflict_declared": _l("Conflict of interest declared"),
    "defense.conflict_detected": _l("Conflict of interest found"),
    "defense.decision": _l("Decision recorded"),
    "defense.declined": _l("Expert declined a project"),
    "defense.panel_added": _l("Panel member added"),
    "defense.panel_removed": _l("Panel member removed"),
    "defense.protocol_signed": _l("Protocol signed"),
    "defense.round_closed": _l("Defense round closed"),
    "defense.round_created": _l("Defense round created"),
    "defense.round_reopened": _l("Defense round reopened"),
    "defense.scored": _l("Scores given"),
    "defense.slot_added": _l("Project added to the round"),
    "defense.slot_removed": _l("Project removed from the round"),
    "event.agenda_item_created": _l("Agenda item added"),
    "event.agenda_item_deleted": _l("Agenda item deleted"),
    "event.agenda_item_updated": _l("Agenda item edited"),
    "event.agenda_reordered": _l("Agenda item moved"),
    "event.agenda_signup": _l("Signed up for an agenda item"),
    "event.agenda_signup_cancelled": _l("Agenda item sign-up cancelled"),
    "event.agenda_signup_moved": _l("Agenda item sign-up moved"),
    "event.agenda_signup_promoted": _l("Seat at an agenda item given from the waiting list"),
    "event.agenda_sorted": _l("Agenda sorted by time"),
    "event.check_in_undone": _l("Check-in undone"),
    "event.checked_in": _l("Participant checked in"),
    "event.created": _l("Session created"),
    "event.delegation_imported": _l("Delegation imported"),
    "event.deleted": _l("Session deleted"),
    "event.message_sent": _l("Message sent to participants"),
    "event.organiser_added": _l("Organiser added"),
    "event.organiser_removed": _l("Organiser removed"),
    "event.registered": _l("Registration received"),
    "event.registration_approved": _l("Registration approved"),
    "event.registration_cancelled": _l("Registration cancelled"),
    "cooperation.block_created": _l("B2B meeting block added"),
    "cooperation.block_updated": _l("B2B meeting block edited"),
    "cooperation.schedule_run": _l("B2B meetings placed automatically"),
    "cooperation.schedule_published": _l("B2B meeting schedule announced"),
    "cooperation.meeting_moved": _l("B2B meeting moved"),
    "cooperation.meeting_unscheduled": _l("B2B meeting taken out of the schedule"),
    "cooperation.meeting_cancelled": _l("B2B meeting cancelled"),
    "cooperation.preferences_set": _l("B2B meeting limits of a participant set"),
    "invitation.created": _l("Invitation sent"),
    "event.registration_confirmed_by_staff": _l("Registration confirmed by staff"),
    "event.registration_declined": _l("Registration declined"),
    "event.registration_email_confirmed": _l("Registrant confirmed the e-mail address"),
    "event.registration_promoted": _l("Seat given from the waiting list"),
    "event.registration_updated": _l("Registration edited"),
    "event.status_changed": _l("Session status changed"),
    "event.updated": _l("Session edited"),
    "event.venue_added": _l("Venue added"),
    "event.venue_removed": _l("Venue removed"),
    "federal_invitation.accepted": _l("Federal staff invitation accepted"),
    "federal_invitation.created": _l("Federal staff invitation sent"),
    "federal_invitation.revoked": _l("Federal staff invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation revoked"),
    "kpi_plan.set": _l("Indicator plan set"),
    "membership.granted": _l("Role granted"),
    "membership.removed": _l("Role removed"),
    "period_report.accepted": _l("Period report accepted"),
    "period_report.returned": _l("Period report returned"),
    "period_report.submitted": _l("Period report submitted"),
    "project.cost_added": _l("Cost line added"),
    "project.created": _l("Joint project created"),
    "project.document_added": _l("Project document added"),
    "project.document_removed": _l("Project document removed"),
    "project.indicator_added": _l("Target indicator added"),
    "project.indicator_fact": _l("Indicator's actual value reported"),
    "project.line_removed": _l("Line of the project removed"),
    "project.participant_added": _l("Project participant added"),
    "project.participant_removed": _l("Project participant removed"),
    "project.product_added": _l("Project product added"),
    "project.stage_added": _l("Plan stage added"),
    "project.status_changed": _l("Joint project status changed"),
    "project.updated": _l("Joint project edited"),
    "selection_round.created": _l("Selection round created"),
    "technopark.booking_cancelled": _l("Equipment booking cancelled"),
    "technopark.booking_confirmed": _l("Equipment booking confirmed"),
    "technopark.booking_created": _l("Equipment booked"),
    "technopark.created": _l("Technopark created"),
    "technopark.equipment_created": _l("Equipment added"),
    "technopark.equipment_deleted": _l("Equipment deleted"),
    "technopark.equipment_imported": _l("Equipment imported"),
    "technopark.equipment_updated": _l("Equipment edited"),
    "technopark.maintenance_blocked": _l("Equipment blocked for maintenance"),
    "technopark.request_accept": _l("Service request accepted"),
    "technopark.request_cancel": _l("Service request cancelled"),
    "technopark.request_complete": _l("Service request completed"),
    "technopark.request_created": _l("Service request received"),
    "technopark.request_reject": _l("Service request rejected"),
    "technopark.request_request_changes": _l("Changes to a service request asked for"),
    "technopark.request_resubmit": _l("Service request sent again"),
    "technopark.resident_added": _l("Resident added"),
    "technopark.resident_ended": _l("Residency ended"),
    "technopark.service_created": _l("Service created"),
    "technopark.service_deleted": _l("Service deleted"),
    "technopark.service_status": _l("Service status changed"),
    "technopark.service_updated": _l("Service edited"),
    "technopark.services_imported": _l("Services imported"),
    "technopark.updated": _l("Technopark edited"),
    "technopark.zone_created": _l("Zone added"),
    "technopark.zone_deleted": _l("Zone deleted"),
    "technopark.zone_updated": _l("Zone edited"),
    "technopark_photos.added": _l("Technopark photo added"),
    "technopark_photos.removed": _l("Technopark photo removed"),
    "technopark_request_attachments.added": _l("File attached to a service request"),
    "tenant.created": _l("Center created"),
    "tenant.status_changed": _l("Center status changed"),
    "tenant.updated": _l("Center edited"),
    "user.email_confirmed": _l("E-mail address confirmed"),
    "user.federal_role_withdrawn": _l("Federal role withdrawn"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.profile_updated": _l("Account details edited"),
    "user.signed_up": _l("Account created by sign-up"),
}

FIELD_LABELS = {
    "title": _l("Title"),
    "title_ru": _l("Title (Russian)"),
    "title_en": _l("Title (English)"),
    "name_ru": _l("Name (Russian)"),
    "name_en": _l("Name (English)"),
    "slug": _l("Address (slug)"),
    "kind": _l("Kind"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "seat_limit": _l("Seat limit"),
    "venue": _l("Venue"),
    "organiser": _l("Organiser"),
    "enterprise": _l("Enterprise"),
    "joined_on": _l("Joined on"),
    "project": _l("Project"),
    "lead": _l("Lead enterprise"),
    "amount": _l("Amount"),
    "category": _l("Category"),
    "code": _l("Code"),
    "number": _l("Number"),
    "outcome": _l("Outcome"),
    "scores": _l("Scores"),
    "member": _l("Panel member"),
    "timezone": _l("Time zone"),
    "default_locale": _l("Language"),
    "address_ru": _l("Address (Russian)"),
    "address_en": _l("Address (English)"),
    "supplier": _l("Supplier"),
    "customer": _l("Customer"),
    "period": _l("Period"),
    "method": _l("Method"),
    "path": _l("Address"),
    "response": _l("Answer"),
    "label": _l("Label"),
    "scopes": _l("Scopes"),
    "expires_at": _l("Expires"),
    "url": _l("Address (URL)"),
    "events": _l("Events"),
    "read_only": _l("Read-only"),
    "slot": _l("Slot"),
    "table": _l("Table"),
    "placed": _l("Placed"),
    "unplaced": _l("Not placed"),
    "moved": _l("Moved"),
}


@cache
def _value_words() -> dict:
    """Stored codes and their labels, from the modules that define them (first definition wins).

    The labels are lazy strings, so one dictionary serves every language."""

    words = {}
    for labels in (
        ACCOUNT_ROLES,
        REPRESENTATIVE_ROLE_LABELS,
        EVENT_STATUS_LABELS,
        REGISTRATION_STATUS_LABELS,
        PROJECT_STATUSES,
        MEMBER_ROLE_LABELS,
        PROJECT_ROLES,
        EVENT_KIND_LABELS,
        CLUSTER_REGISTER,
        TECHNOPARK_KIND_LABELS,
    ):
        for code, label in labels.items():
            words.setdefault(str(code), label)
    words.setdefault("pending", _l("Awaiting confirmation"))
    words.setdefault("active", _l("Active"))
    words.setdefault("suspended", _l("Suspended"))
    return words


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")


def subject_choices() -> list[tuple[str, str]]:
    """The kinds of things the log speaks about, as (action prefix, label), for filtering the log by them."""
    return sorted(((f"{code}.", str(label)) for code, label in SUBJECT_LABELS.items()), key=lambda c: c[1])


def _readable_code(code: str) -> str:
    return code.replace("_", " ").replace(".", " · ").capitalize()


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])

    if action in ENTERPRISE_ACTIONS:
        return str(ENTERPRISE_ACTIONS[action])
    subject, _dot, verb = action.partition(".")
    if subject in SUBJECT_LABELS:
        return f"{SUBJECT_LABELS[subject]}: {verb.replace('_', ' ')}"
    return _readable_code(action)


def field_label(name: str) -> str:

    label = FIELD_LABELS.get(name) or ENTERPRISE_FIELDS.get(name)
    return str(label) if label is not None else _readable_code(name)


def value_words(value, words=None) -> str:
    """A stored value as words: labels for codes, yes/no, dates, and nested mappings spelled out."""
    words = words if words is not None else _value_words()
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        try:  # some entries stored a mapping's repr: show it as a mapping
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {value_words(v, words)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_words(v, words) for v in value)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        # dates and times were stored as text (str of a date or datetime): show them as the locale does
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):  # stored in UTC: shown in the center's time zone
        return format_datetime(value.replace(tzinfo=None) if value.utcoffset() is None else value, "short")
    if isinstance(value, date):
        return format_date(value, "short")
    label = words.get(str(value))
    return str(label) if label is not None else str(value)


def describe_changes(entry) -> list[dict]:
    """The fields of an entry with their values before and after, labelled."""
    words = _value_words()
    before, after = entry.before or {}, entry.after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [
        {
            "field": field_label(name),
            "before": value_words(before.get(name), words) if name in before else None,
            "after": value_words(after.get(name), words) if name in after else None,
        }
        for name in names
    ]

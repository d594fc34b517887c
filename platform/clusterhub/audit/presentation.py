"""The audit log in words: what happened, to what, and the values before and after, as a person reads them.

Entries store codes (``event.status_changed``, ``center_admin``, ``{'status': 'draft'}``); the log page shows
labels. Codes with no label yet fall back to readable text built from the code, never to a Python repr.
"""

import ast
from datetime import date, datetime
from functools import cache

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
    "invitation": _l("Invitation"),
    "kpi_plan": _l("Indicator plan"),
    "membership": _l("Role in the center"),
    "period_report": _l("Period report"),
    "project": _l("Joint project"),
    "selection_round": _l("Selection round"),
    "technopark": _l("Technopark"),
    "technopark_photos": _l("Technopark photos"),
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
    "cluster.created": _l("Cluster created"),
    "cluster.updated": _l("Cluster edited"),
    "cluster.member_added": _l("Member added to the cluster"),
    "cluster.member_removed": _l("Member removed from the cluster"),
    "cluster.member_updated": _l("Cluster member edited"),
    "cluster.members_imported": _l("Cluster members imported"),
    "cluster.link_added": _l("Supply link added"),
    "cluster.link_removed": _l("Supply link removed"),
    "cluster.document_added": _l("Cluster document added"),
    "defense.round_created": _l("Defense round created"),
    "defense.round_closed": _l("Defense round closed"),
    "defense.round_reopened": _l("Defense round reopened"),
    "defense.panel_added": _l("Panel member added"),
    "defense.panel_removed": _l("Panel member removed"),
    "defense.slot_added": _l("Project added to the round"),
    "defense.slot_removed": _l("Project removed from the round"),
    "defense.assigned": _l("Expert assigned to a project"),
    "defense.scored": _l("Scores given"),
    "defense.decision": _l("Decision recorded"),
    "defense.protocol_signed": _l("Protocol signed"),
    "event.created": _l("Session created"),
    "event.updated": _l("Session edited"),
    "event.deleted": _l("Session deleted"),
    "event.status_changed": _l("Session status changed"),
    "event.registered": _l("Registration received"),
    "event.registration_approved": _l("Registration approved"),
    "event.registration_declined": _l("Registration declined"),
    "event.registration_cancelled": _l("Registration cancelled"),
    "event.checked_in": _l("Participant checked in"),
    "event.message_sent": _l("Message sent to participants"),
    "invitation.created": _l("Invitation sent"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation revoked"),
    "membership.granted": _l("Role granted"),
    "membership.removed": _l("Role removed"),
    "period_report.submitted": _l("Period report submitted"),
    "period_report.accepted": _l("Period report accepted"),
    "period_report.returned": _l("Period report returned"),
    "project.created": _l("Joint project created"),
    "project.updated": _l("Joint project edited"),
    "project.status_changed": _l("Joint project status changed"),
    "project.participant_added": _l("Project participant added"),
    "project.participant_removed": _l("Project participant removed"),
    "technopark.created": _l("Technopark created"),
    "technopark.updated": _l("Technopark edited"),
    "technopark.service_created": _l("Service created"),
    "technopark.service_updated": _l("Service edited"),
    "technopark.request_created": _l("Service request received"),
    "tenant.created": _l("Center created"),
    "tenant.updated": _l("Center edited"),
    "tenant.status_changed": _l("Center status changed"),
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
    if isinstance(value, date | datetime):
        return value.isoformat()
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

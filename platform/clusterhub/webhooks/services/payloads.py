"""What each event carries (documented in docs/webhooks.md), and the exact bytes posted."""

import json
from datetime import datetime

from ...core.urls import external_url
from ..models import WebhookDelivery


def iso(value) -> str | None:
    return value.isoformat() + "Z" if isinstance(value, datetime) else (value.isoformat() if value else None)


def registration_data(registration) -> dict:
    event = registration.event
    return {
        "registration": {
            "id": registration.id,
            "event_id": registration.event_id,
            "status": registration.status,
            "full_name": registration.full_name,
            "email": registration.email,
            "organisation": registration.organisation,
            "category": registration.category,
            "created_at": iso(registration.created_at),
            "checked_in_at": iso(registration.checked_in_at),
        },
        "event": {"id": event.id, "title_ru": event.title_ru, "start_date": iso(event.start_date)},
    }


def request_data(service_request, previous_status) -> dict:
    service = service_request.service
    return {
        "service_request": {
            "id": service_request.id,
            "status": service_request.status,
            "previous_status": previous_status,
            "service_id": service_request.service_id,
            "service_name_ru": service.name_ru,
            "technopark_id": service.technopark_id,
            "enterprise_inn": service_request.enterprise.inn,
            "quantity": str(service_request.quantity),
            "quote": None if service_request.quote is None else str(service_request.quote),
            "updated_at": iso(service_request.updated_at),
        }
    }


def project_data(project, previous_status) -> dict:
    return {
        "project": {
            "id": project.id,
            "title_ru": project.title_ru,
            "status": project.status,
            "previous_status": previous_status,
            "defense_outcome": project.defense_outcome,
        }
    }


def protocol_data(protocol, defense_round) -> dict:
    return {
        "protocol": {
            "id": protocol.id,
            "defense_round_id": protocol.defense_round_id,
            "defense_round_title": getattr(defense_round, "title", None),
            "content_hash": protocol.content_hash,
            "signed_at": iso(protocol.signed_at),
            "verify_url": external_url("defenses.verify", digest=protocol.content_hash),
        }
    }


def report_data(report) -> dict:
    return {
        "period_report": {
            "id": report.id,
            "period": report.period,
            "status": report.status,
            "reviewed_at": iso(report.reviewed_at),
        }
    }


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes posted: the same on every attempt."""
    payload = {
        "id": delivery.event_id,
        "event": delivery.event,
        "created_at": iso(delivery.created_at),
        "data": delivery.data,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

"""Service requests: an enterprise's representative sends them and lists its own in every region;
the center's staff list, read and move them through the same services as the request pages."""

from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from ...api import openapi as contract
from ...api.lists import ListQuery, cursor_page
from ...api.openapi import Body, Money, Payload, UtcDateTime, doc, items_of, respond
from ...core.access import login_required, requires
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...enterprises.services.representatives import represented_enterprises
from ...extensions import db
from ..models import OfferStatus, ServiceOffer, ServiceRequest
from ..services import requests as service_requests
from ..views import HANDLE_REQUESTS
from . import TAGS, Operator, RequestStatusName, bp, money


class RequestOut(Payload):
    id: int
    status: RequestStatusName
    quote: Money
    tenant: str = Field(description="the center's slug")
    service: str
    technopark: str
    created_at: UtcDateTime


class CreatedRequest(Payload):
    id: int
    status: RequestStatusName
    quote: Money
    service: str


class HistoryEntry(Payload):
    from_status: str | None
    to_status: str
    note: str | None
    at: UtcDateTime


class StaffRequestOut(Payload):
    id: int
    status: RequestStatusName
    service_id: int
    service: str
    enterprise: Operator
    quantity: str
    desired_start: date | None
    desired_end: date | None
    comment: str | None
    quote: Money
    scheduled_start: date | None
    scheduled_end: date | None
    staff_note: str | None
    allowed_actions: list[str]
    history: list[HistoryEntry]
    created_at: UtcDateTime
    updated_at: UtcDateTime


class RequestBody(Body):
    enterprise_inn: str = Field(max_length=12)
    quantity: str | int | float = Field(description="in the service's unit")
    desired_start: date | None = None
    desired_end: date | None = None
    comment: str | None = Field(None, max_length=5000)


class AcceptBody(Body):
    quote: str = Field(max_length=20, description="roubles, e.g. 15000.00")
    scheduled_start: date
    scheduled_end: date
    note: str | None = Field(None, max_length=5000)


class NoteBody(Body):
    note: str = Field(max_length=5000, description="what should change, or the reason for the rejection")


class CompleteBody(Body):
    note: str | None = Field(None, max_length=5000)


class RequestQuery(ListQuery):
    status: RequestStatusName | None = None


RequestList = items_of(RequestOut, "MyServiceRequestList")
StaffRequestList = items_of(StaffRequestOut, "StaffServiceRequestList", cursor=True)


def _staff_request_json(r: ServiceRequest) -> dict:
    return {
        "id": r.id,
        "status": r.status,
        "service_id": r.service_id,
        "service": r.service.name_ru,
        "enterprise": {"inn": r.enterprise.inn, "name": r.enterprise.name},
        "quantity": str(r.quantity),
        "desired_start": r.desired_start,
        "desired_end": r.desired_end,
        "comment": r.comment,
        "quote": money(r.quote),
        "scheduled_start": r.scheduled_start,
        "scheduled_end": r.scheduled_end,
        "staff_note": r.staff_note,
        "allowed_actions": service_requests.allowed_actions(r, "technopark"),
        "history": [
            {"from_status": h.from_status, "to_status": h.to_status, "note": h.note, "at": h.created_at}
            for h in r.history
        ],
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


@bp.route("/tenants/<tenant>/technoparks/services/<int:service_id>/requests", methods=["POST"])
@login_required
@doc(
    "Request a service on behalf of an enterprise you represent",
    tags=TAGS,
    body=RequestBody,
    response=CreatedRequest,
    status=201,
)
def create_request(service_id):
    service = db.session.scalar(
        sa.select(ServiceOffer).where(
            ServiceOffer.id == service_id, ServiceOffer.status == OfferStatus.PUBLISHED
        )
    )
    if service is None:
        abort(404)
    data = contract.body(RequestBody)
    enterprise = db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == data.enterprise_inn.strip()))
    if enterprise is None:
        raise Refusal(_("No enterprise has this ИНН."), "enterprise_inn")
    created = service_requests.create_request(
        service,
        enterprise,
        current_user,
        str(data.quantity),
        comment=data.comment,
        desired_start=data.desired_start,
        desired_end=data.desired_end,
    )
    return respond(
        CreatedRequest,
        {"id": created.id, "status": created.status, "quote": None, "service": service.name_ru},
        201,
    )


@bp.route("/technoparks/my-requests")
@login_required
@doc("Service requests of the enterprises you represent, in every region", tags=TAGS, response=RequestList)
def my_requests():
    rows = service_requests.requests_of_enterprises([e.id for e in represented_enterprises(current_user)])
    return respond(
        RequestList,
        {
            "items": [
                {
                    "id": r.id,
                    "status": r.status,
                    "quote": money(r.quote),
                    "tenant": r.tenant_slug,
                    "service": r.service_name_ru,
                    "technopark": r.technopark_name_ru,
                    "created_at": r.created_at,
                }
                for r in rows
            ]
        },
    )


def _request(request_id) -> ServiceRequest:
    return db.first_or_404(sa.select(ServiceRequest).where(ServiceRequest.id == request_id))


@bp.route("/tenants/<tenant>/technoparks/requests")
@requires(HANDLE_REQUESTS)
@doc(
    "Service requests to the center's technoparks (staff)",
    tags=TAGS,
    query=RequestQuery,
    response=StaffRequestList,
)
def staff_requests():
    params = contract.query(RequestQuery)
    rows, next_cursor = cursor_page(
        service_requests.requests_for_staff(params.status), ServiceRequest, params
    )
    return respond(
        StaffRequestList, {"items": [_staff_request_json(r) for r in rows], "next_cursor": next_cursor}
    )


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>")
@requires(HANDLE_REQUESTS)
@doc("One service request with its history (staff)", tags=TAGS, response=StaffRequestOut, etag=True)
def staff_request(request_id):
    return respond(StaffRequestOut, _staff_request_json(_request(request_id)), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/accept", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Accept a request with a quote and a schedule", tags=TAGS, body=AcceptBody, response=StaffRequestOut)
def accept_request(request_id):
    row = _request(request_id)
    data = contract.body(AcceptBody)
    service_requests.accept(
        row, current_user, data.quote, data.scheduled_start, data.scheduled_end, data.note
    )
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/request-changes", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Ask the enterprise to change its request", tags=TAGS, body=NoteBody, response=StaffRequestOut)
def request_changes(request_id):
    row = _request(request_id)
    service_requests.request_changes(row, current_user, contract.body(NoteBody).note)
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/reject", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Reject a request, with the reason", tags=TAGS, body=NoteBody, response=StaffRequestOut)
def reject_request(request_id):
    row = _request(request_id)
    service_requests.reject(row, current_user, contract.body(NoteBody).note)
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/complete", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Mark an accepted request's work completed", tags=TAGS, body=CompleteBody, response=StaffRequestOut)
def complete_request(request_id):
    row = _request(request_id)
    service_requests.complete(row, current_user, contract.body(CompleteBody).note)
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)

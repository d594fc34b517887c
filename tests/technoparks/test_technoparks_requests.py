"""Service requests: every transition, the refused ones, history, notifications, and both sides' pages."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.technoparks.services import requests
from clusterhub.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.usefixtures("tp_request_context")


@pytest.fixture
def setup(make_technopark, make_service, make_representative, make_user):
    technopark = make_technopark(contact_email="park@algraf.example")
    service = make_service(technopark)
    user, enterprise = make_representative()
    staff = make_user("center_staff", email="staff@example.com")
    return technopark, service, user, enterprise, staff


def _outbox():
    return db.session.scalars(sa.select(OutboxMessage.recipient).order_by(OutboxMessage.id)).all()


def test_full_workflow_with_history_and_notifications(setup):
    technopark, service, user, enterprise, staff = setup
    with tenant_scope(db.session, technopark.tenant_id):
        req = requests.create_request(
            service, enterprise, user, "3", date(2026, 12, 1), date(2026, 12, 5), "Образцы"
        )
        assert _outbox() == ["park@algraf.example", user.email]
        requests.request_changes(req, staff, "Уточните марку стали")
        assert requests.allowed_actions(req, "enterprise") == ["resubmit", "cancel"]
        requests.resubmit(req, user, quantity="4", comment="Сталь 09Г2С")
        requests.accept(req, staff, "7 200,00", date(2026, 12, 2), date(2026, 12, 4), "Привозите образцы")
        requests.complete(req, staff)
        db.session.commit()
        assert req.status == "completed" and req.quote == Decimal("7200.00") and req.quantity == Decimal("4")
        steps = [(e.from_status, e.to_status, e.actor_id) for e in req.history]
        assert steps == [
            (None, "submitted", user.id),
            ("submitted", "changes_requested", staff.id),
            ("changes_requested", "submitted", user.id),
            ("submitted", "accepted", staff.id),
            ("accepted", "completed", staff.id),
        ]
        assert all(e.created_at for e in req.history)
    recipients = _outbox()
    assert recipients.count(user.email) == 4 and recipients.count("park@algraf.example") == 2


@pytest.mark.parametrize(
    "status, action",
    [
        ("submitted", "complete"),
        ("submitted", "resubmit"),
        ("accepted", "accept"),
        ("accepted", "reject"),
        ("accepted", "request_changes"),
        ("rejected", "accept"),
        ("rejected", "cancel"),
        ("completed", "cancel"),
        ("completed", "reject"),
        ("cancelled", "accept"),
        ("cancelled", "resubmit"),
    ],
)
def test_refused_transitions(setup, status, action):
    technopark, service, user, enterprise, staff = setup
    with tenant_scope(db.session, technopark.tenant_id):
        req = requests.create_request(service, enterprise, user, "1")
        req.status = status
        db.session.flush()
        calls = {
            "accept": lambda: requests.accept(req, staff, "100", date(2026, 1, 1), date(2026, 1, 2)),
            "reject": lambda: requests.reject(req, staff, "нет"),
            "request_changes": lambda: requests.request_changes(req, staff, "иначе"),
            "complete": lambda: requests.complete(req, staff),
            "resubmit": lambda: requests.resubmit(req, user),
            "cancel": lambda: requests.cancel(req, user),
        }
        with pytest.raises(Refusal, match="cannot be moved|не может"):
            calls[action]()
        assert req.status == status


def test_reject_needs_a_reason_and_accept_a_valid_quote_and_schedule(setup):
    technopark, service, user, enterprise, staff = setup
    with tenant_scope(db.session, technopark.tenant_id):
        req = requests.create_request(service, enterprise, user, "1")
        with pytest.raises(Refusal) as error:
            requests.reject(req, staff, "  ")
        assert error.value.field == "note"
        with pytest.raises(Refusal) as error:
            requests.accept(req, staff, "-1", date(2026, 1, 1), date(2026, 1, 2))
        assert error.value.field == "quote"
        with pytest.raises(Refusal) as error:
            requests.accept(req, staff, "10", date(2026, 1, 3), date(2026, 1, 2))
        assert error.value.field == "scheduled_end"
        requests.reject(req, staff, "Нет свободных мощностей")
        assert req.status == "rejected" and req.history[-1].note == "Нет свободных мощностей"


def test_only_representatives_request_and_residents_only_services(setup, make_user, make_service):
    technopark, service, user, enterprise, staff = setup
    stranger = make_user()
    residents_only = make_service(technopark, name_ru="Только резидентам", audience="residents")
    with tenant_scope(db.session, technopark.tenant_id):
        with pytest.raises(Refusal, match="represent"):
            requests.create_request(service, enterprise, stranger, "1")
        with pytest.raises(Refusal, match="residents|резидент"):
            requests.create_request(residents_only, enterprise, user, "1")
        with pytest.raises(Refusal):
            requests.create_request(service, enterprise, user, "0")
        with pytest.raises(Refusal, match="other side|другой стороне"):
            requests._move(
                requests.create_request(service, enterprise, user, "1"), "accept", user, "enterprise"
            )
        with pytest.raises(Refusal, match="representatives|представител"):
            requests.cancel(requests.create_request(service, enterprise, user, "1"), stranger)


def test_pages_of_both_sides(client, login, setup, make_tenant):
    technopark, service, user, enterprise, staff = setup
    login(user)
    url = f"/komi/technoparks/{technopark.id}/services/{service.id}/request"
    response = client.post(url, data={"enterprise_id": enterprise.id, "quantity": "2", "comment": "Срочно"})
    assert response.status_code == 302
    detail = response.headers["Location"]
    assert "Срочно" in client.get(detail).get_data(as_text=True)
    mine = client.get("/technoparks/my-requests").get_data(as_text=True)
    assert service.name_ru in mine
    # the customer cannot take the technopark's steps
    client.post(
        detail,
        data={
            "action": "accept",
            "accept-quote": "1",
            "accept-scheduled_start": "2026-12-01",
            "accept-scheduled_end": "2026-12-02",
        },
    )
    with tenant_scope(db.session, technopark.tenant_id):
        assert requests.get_request(int(detail.rsplit("/", 1)[1])).status == "submitted"
    client.post("/logout")
    login(staff)
    assert "Срочно" not in client.get("/komi/staff/technoparks/requests/?status=accepted").get_data(
        as_text=True
    )
    response = client.post(
        detail,
        data={
            "action": "accept",
            "accept-quote": "3000",
            "accept-scheduled_start": "2026-12-01",
            "accept-scheduled_end": "2026-12-02",
        },
    )
    assert response.status_code == 302
    with tenant_scope(db.session, technopark.tenant_id):
        assert requests.get_request(int(detail.rsplit("/", 1)[1])).quote == Decimal("3000.00")
    # another center's staff does not see the request
    client.post("/logout")
    other = make_tenant("tatarstan")
    from tests.fixtures.accounts import PASSWORD  # noqa: F401

    login(make_user_in(other))
    assert client.get(detail.replace("/komi/", "/tatarstan/")).status_code == 404


def make_user_in(tenant):
    from clusterhub.accounts.services import memberships, users
    from tests.fixtures.accounts import PASSWORD

    user = users.create_user("staff@tatarstan.example.com", "Staff", PASSWORD)
    memberships.add_membership(user, tenant, "center_admin")
    db.session.commit()
    return user


def test_requests_across_regions_in_one_query(setup, make_tenant, make_technopark, make_service, app):
    technopark, service, user, enterprise, staff = setup
    other = make_technopark(make_tenant("tatarstan"))
    other_service = make_service(other, name_ru="Консультация")
    with tenant_scope(db.session, technopark.tenant_id):
        requests.create_request(service, enterprise, user, "1")
    with tenant_scope(db.session, other.tenant_id):
        requests.create_request(other_service, enterprise, user, "1")
    db.session.commit()
    statements = []
    engine = db.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        rows = requests.requests_of_enterprises([enterprise.id])
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert {r.tenant_slug for r in rows} == {"komi", "tatarstan"}
    assert len([s for s in statements if "technopark_service_requests" in s]) == 1


def test_the_enterprise_profile_lists_its_requests_across_centers(
    client, login, make_technopark, make_service, make_representative, tp_request_context
):
    from clusterhub.technoparks.models import ServiceRequest

    user, enterprise = make_representative()
    service = make_service(make_technopark(), name_ru="Испытания на разрыв")
    with tenant_scope(db.session, service.tenant_id):
        db.session.add(ServiceRequest(service_id=service.id, enterprise_id=enterprise.id, quantity=1))
    db.session.commit()
    login(user)
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Испытания на разрыв" in page

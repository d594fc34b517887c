"""Equipment booking: no overlap of confirmed bookings and maintenance, on both backends and under
concurrency on PostgreSQL (where an exclusion constraint also guards the table)."""

import threading
from datetime import datetime

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.technoparks.models import EquipmentBooking
from clusterhub.technoparks.services import booking
from clusterhub.technoparks.services.booking import BookingConflict
from clusterhub.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.usefixtures("tp_request_context")
T = datetime


@pytest.fixture
def machine(make_technopark, make_equipment):
    return make_equipment(make_technopark())


def test_confirmed_bookings_and_maintenance_never_overlap(machine, make_user, make_representative):
    staff = make_user("center_staff")
    user, enterprise = make_representative()
    with tenant_scope(db.session, machine.tenant_id):
        booking.book(machine, T(2026, 12, 1, 9), T(2026, 12, 1, 12), actor=staff, confirmed=True)
        with pytest.raises(BookingConflict):
            booking.book(machine, T(2026, 12, 1, 11), T(2026, 12, 1, 13), actor=staff, confirmed=True)
        # half-open periods: back to back is fine
        booking.book(machine, T(2026, 12, 1, 12), T(2026, 12, 1, 14), actor=staff, confirmed=True)
        booking.block_maintenance(machine, T(2026, 12, 2, 0), T(2026, 12, 3, 0), actor=staff)
        with pytest.raises(BookingConflict, match="maintenance|обслуживани"):
            booking.book(machine, T(2026, 12, 2, 10), T(2026, 12, 2, 11), actor=staff, confirmed=True)
        with pytest.raises(BookingConflict):
            booking.block_maintenance(machine, T(2026, 12, 1, 13), T(2026, 12, 1, 15), actor=staff)
        # a representative's request waits; confirming it checks again
        pending = booking.book(
            machine, T(2026, 12, 1, 10), T(2026, 12, 1, 11), actor=user, enterprise=enterprise
        )
        assert pending.status == "pending"
        with pytest.raises(BookingConflict):
            booking.confirm(pending, staff)
        other = booking.book(
            machine, T(2026, 12, 4, 10), T(2026, 12, 4, 11), actor=user, enterprise=enterprise
        )
        booking.confirm(other, staff)
        booking.cancel(other, staff)
        booking.book(machine, T(2026, 12, 4, 10), T(2026, 12, 4, 11), actor=staff, confirmed=True)
        with pytest.raises(Refusal):
            booking.book(machine, T(2026, 12, 5, 10), T(2026, 12, 5, 9), actor=staff, confirmed=True)
        cal = booking.calendar(machine, T(2026, 12, 1))
        assert len(cal["taken"]) == 5  # two bookings, maintenance, the pending request, the re-booking
        assert cal["free"][0] == (T(2026, 12, 1), T(2026, 12, 1, 9))


def test_the_database_refuses_an_overlap_that_skips_the_service(machine, pg_only):
    with tenant_scope(db.session, machine.tenant_id):
        for hour in (9, 10):
            db.session.add(
                EquipmentBooking(
                    equipment_id=machine.id,
                    status="confirmed",
                    starts_at=T(2026, 12, 1, hour),
                    ends_at=T(2026, 12, 1, hour + 2),
                )
            )
        with pytest.raises(sa.exc.IntegrityError, match="technopark_bookings_no_overlap"):
            db.session.flush()
        db.session.rollback()


def test_concurrent_confirmations_of_the_same_slot_exactly_one_wins(app, machine, make_user, pg_only):
    staff = make_user("center_staff")
    tenant_id, equipment_id, staff_id = machine.tenant_id, machine.id, staff.id
    barrier = threading.Barrier(6)
    outcomes = []

    def attempt():
        with app.app_context(), app.test_request_context("/"):
            from clusterhub.accounts.models import User
            from clusterhub.technoparks.models import Equipment

            try:
                with tenant_scope(db.session, tenant_id):
                    equipment = db.session.get(Equipment, equipment_id)
                    actor = db.session.get(User, staff_id)
                    barrier.wait(timeout=10)
                    booking.book(
                        equipment, T(2026, 12, 1, 9), T(2026, 12, 1, 12), actor=actor, confirmed=True
                    )
                    db.session.commit()
                    outcomes.append("ok")
            except BookingConflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EquipmentBooking)) == 1


def test_calendar_pages(client, login, machine, make_user, make_representative):
    user, enterprise = make_representative()
    url = f"/komi/technoparks/{machine.technopark_id}/equipment/{machine.id}/calendar?from=2026-12-01"
    assert client.get(url).status_code == 200
    login(user)
    response = client.post(
        url,
        data={"enterprise_id": enterprise.id, "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-01T12:00"},
    )
    assert response.status_code == 302
    with tenant_scope(db.session, machine.tenant_id):
        row = db.session.scalar(sa.select(EquipmentBooking))
        assert row.status == "pending" and row.starts_at == T(2026, 12, 1, 7)  # Moscow time → UTC
        row_id = row.id
    client.post("/logout")
    login(make_user("center_staff", email="staff@example.com"))
    staff_url = f"/komi/staff/technoparks/{machine.technopark_id}/equipment/{machine.id}/bookings"
    response = client.post(f"{staff_url}/{row_id}", data={"action": "confirm"})
    assert response.status_code == 302
    response = client.post(
        staff_url + "?from=2026-12-01",
        data={"starts_at": "2026-12-01T11:00", "ends_at": "2026-12-01T13:00", "maintenance": "y"},
    )
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)

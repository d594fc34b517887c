"""No seat is ever oversold: 50 concurrent registrations for 10 seats (PostgreSQL, row locks)."""

import threading

import sqlalchemy as sa

from clusterhub.events.models import Event, Registration, RegistrationStatus
from clusterhub.events.services import registration
from clusterhub.events.services.agenda import save_agenda_item
from clusterhub.events.services.rosters import add_to_item
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.events import region_id


def test_fifty_concurrent_registrations_for_ten_seats(app, pg_only, make_event):
    event = make_event(capacity=10)
    event_id, tenant_id, komi = event.id, event.tenant_id, region_id("11")
    barrier = threading.Barrier(50)
    errors = []

    def register(n):
        with app.app_context():  # its own session and connection, like a separate worker
            try:
                # all start together; the engine's pool (15 connections) then queues the rest, as in production
                barrier.wait(timeout=30)
                with tenant_scope(db.session, tenant_id):
                    target = db.session.get(Event, event_id)
                    person = registration.Participant(
                        full_name=f"Гость {n}",
                        email=f"race{n}@example.test",
                        category="enterprise",
                        region_id=komi,
                        organisation="ООО «Гонка»",
                        consent=True,
                    )
                    registration.register(target, person)
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with tenant_scope(db.session, tenant_id):
        counts = dict(
            db.session.execute(
                sa.select(Registration.status, sa.func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.status)
            ).all()
        )
    assert counts == {RegistrationStatus.CONFIRMED: 10, RegistrationStatus.WAITLISTED: 40}


def test_staff_adding_twenty_people_at_once_to_a_five_seat_visit(app, pg_only, make_event, make_user):
    """Manual roster additions take the item's row lock like any sign-up: five seats, fifteen waiting."""
    from datetime import datetime

    from clusterhub.events.models import AgendaItem, AgendaSignup, SignupStatus

    staff_id = make_user("center_staff").id
    event = make_event(capacity=100)
    event_id, tenant_id, komi, day = event.id, event.tenant_id, region_id("11"), event.start_date
    with tenant_scope(db.session, tenant_id):
        target = db.session.get(Event, event_id)
        item_id = save_agenda_item(
            target,
            {
                "kind": "site_visit",
                "title_ru": "Посещение завода",
                "starts_at": datetime(day.year, day.month, day.day, 10),
                "ends_at": datetime(day.year, day.month, day.day, 12),
                "site_address_ru": "пр. Бумажников, 2",
                "seat_limit": 5,
            },
        ).id
        registration_ids = [
            registration.register(
                target,
                registration.Participant(
                    full_name=f"Гость {n}",
                    email=f"bus{n}@example.test",
                    category="enterprise",
                    region_id=komi,
                    organisation="ООО «Автобус»",
                    consent=True,
                ),
            ).id
            for n in range(20)
        ]
        db.session.commit()
    barrier = threading.Barrier(20)
    errors = []

    def add(registration_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                with tenant_scope(db.session, tenant_id):
                    item = db.session.get(AgendaItem, item_id)
                    add_to_item(item, db.session.get(Registration, registration_id), actor=staff_id)
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=add, args=(r,)) for r in registration_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with tenant_scope(db.session, tenant_id):
        counts = dict(
            db.session.execute(
                sa.select(AgendaSignup.status, sa.func.count())
                .where(AgendaSignup.agenda_item_id == item_id)
                .group_by(AgendaSignup.status)
            ).all()
        )
    assert counts == {SignupStatus.CONFIRMED: 5, SignupStatus.WAITLISTED: 15}

"""No seat is ever oversold: 50 concurrent registrations for 10 seats (PostgreSQL, row locks)."""

import threading

import sqlalchemy as sa

from clusterhub.events import services as events
from clusterhub.events.models import Event, Registration, RegistrationStatus
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from tests.events_factories import region_id


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
                    person = events.Participant(
                        full_name=f"Гость {n}",
                        email=f"race{n}@example.test",
                        category="enterprise",
                        region_id=komi,
                        organisation="ООО «Гонка»",
                        consent=True,
                    )
                    events.register(target, person)
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

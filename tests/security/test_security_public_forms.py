"""Public forms: a booking only for an enterprise one represents; a registration never reveals who is registered."""

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


def test_the_public_booking_form_refuses_an_enterprise_the_user_does_not_represent(
    client, login, make_tenant, make_technopark, make_equipment, make_representative, make_tp_enterprise
):
    from clusterhub.technoparks.models import EquipmentBooking

    technopark = make_technopark(make_tenant("komi"))
    machine = make_equipment(technopark)
    user, _own = make_representative()
    foreign = make_tp_enterprise("ООО «Чужое»")
    login(user)
    response = client.post(
        f"/komi/technoparks/{technopark.id}/equipment/{machine.id}/calendar",
        data={"starts_at": "2030-12-01T10:00", "ends_at": "2030-12-01T11:00", "enterprise_id": foreign.id},
        headers={"Accept-Language": "en"},
    )
    assert "enterprise you represent" in response.get_data(as_text=True)
    with tenant_scope(db.session, technopark.tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EquipmentBooking)) == 0


def test_a_guest_registering_an_address_twice_is_not_told_that_it_is_registered(client, make_event):
    from clusterhub.events.models import Registration
    from clusterhub.outbox.models import OutboxMessage

    event = make_event()
    event_id, tenant_id = event.id, event.tenant_id
    form = {
        "full_name": "Иван Петров",
        "email": "ivan@example.com",
        "category": "enterprise",
        "region_id": db.session.scalar(sa.text("SELECT id FROM regions WHERE tax_code = '11'")),
        "organisation": "ООО «Ромашка»",
        "consent": "y",
    }
    first = client.post(f"/komi/events/{event_id}/register", data=form, follow_redirects=True)
    second = client.post(f"/komi/events/{event_id}/register", data=form, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    second_page = second.get_data(as_text=True)
    assert "already registered" not in second_page and "уже зарегистрирован" not in second_page
    # the same answer as the first time; the address's owner learns the rest by e-mail
    assert "ivan@example.com" in second_page
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    mails = db.session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.recipient == "ivan@example.com")
    ).all()
    assert len(mails) == 2

"""What a person notices on the staff pages: every action answered by a message, empty lists that say what
to do next, long lists sorted as asked."""

import re

from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


def test_sorting_the_agenda_by_time_says_so(client, model_event, make_tenant, make_user, login):
    event_id = model_event.id  # read before the next commit expires the row (RLS on PostgreSQL)
    login(make_user("center_admin", tenant=make_tenant("komi")))
    page = client.post(f"/komi/staff/events/{event_id}/agenda/sort", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Программа упорядочена по времени." in page


def test_marking_a_panel_members_attendance_says_whom_and_what(client, login, make_defense, make_user):
    d = make_defense(projects=1, experts=1)
    login(make_user("center_admin", tenant=d["tenant"]))
    member = d["members"][0]
    url = f"/komi/defenses/panel/{member}/attendance"
    present = client.post(url, data={"attended": "1"}, follow_redirects=True).get_data(as_text=True)
    absent = client.post(url, data={"attended": "0"}, follow_redirects=True).get_data(as_text=True)
    assert ": присутствует." in present
    assert ": отсутствует." in absent


def test_empty_lists_say_what_to_do_next(client, make_tenant, make_user, login):
    login(make_user("center_admin", tenant=make_tenant("komi")))
    assert "создайте первый раунд" in client.get("/komi/defenses/").get_data(as_text=True)
    assert "кнопкой «Новый проект»" in client.get("/komi/projects/").get_data(as_text=True)
    assert "Проектов с таким статусом нет." in client.get("/komi/projects/?status=draft").get_data(
        as_text=True
    )
    calendar = client.get("/calendar?kind=conference").get_data(as_text=True)
    assert "выберите другой регион или вид" in calendar


def test_staff_sort_the_participant_list_by_its_columns_and_keep_the_order_across_pages(
    client, make_event, make_tenant, make_user, login, person
):
    from clusterhub.events.services.registration import register

    komi = make_tenant("komi")
    event = make_event(tenant=komi)
    with tenant_scope(db.session, komi.id):
        event_id = event.id
        for name, organisation in (("Борис", "ООО «Я»"), ("Анна", "ООО «Б»"), ("Вера", "ООО «А»")):
            register(event, person(full_name=name, organisation=organisation))
        db.session.commit()
    login(make_user("center_admin", tenant=komi))
    base = f"/komi/staff/events/{event_id}/participants"

    def order(url):
        page = client.get(url).get_data(as_text=True)
        return [n for n in re.findall(r">(Анна|Борис|Вера)</a>", page)]

    assert order(base) == ["Анна", "Борис", "Вера"]
    assert order(base + "?sort=organisation") == ["Вера", "Анна", "Борис"]
    assert order(base + "?sort=newest") == ["Вера", "Анна", "Борис"]
    page = client.get(base + "?sort=organisation&status=confirmed").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page and "sort=organisation" in page  # the exports keep the order
    assert order(base + "?sort=nonsense") == ["Анна", "Борис", "Вера"]

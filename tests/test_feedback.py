"""Every action a person takes on a page is answered: after the redirect, a message says what happened."""


def test_sorting_the_agenda_by_time_says_so(client, model_event, make_tenant, make_user, login):
    login(make_user("center_admin", tenant=make_tenant("komi")))
    page = client.post(f"/komi/staff/events/{model_event.id}/agenda/sort", follow_redirects=True).get_data(
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

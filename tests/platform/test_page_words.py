"""The right word for the thing on the staff pages: people's names under «ФИО», a plan under «План» (not
the billing plan's «Тариф»), dates written the Russian way."""

from datetime import date

from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


def test_the_people_page_heads_names_as_names(client, make_tenant, make_user, login):
    login(make_user("center_admin", tenant=make_tenant("komi")))
    page = client.get("/komi/staff/members").get_data(as_text=True)
    assert '<th scope="col">ФИО</th>' in page and "Название" not in page


def test_an_indicator_plan_is_a_plan_not_a_tariff(client, make_tenant, make_user, login):
    login(make_user("center_admin", tenant=make_tenant("komi")))
    page = client.get("/komi/staff/indicators").get_data(as_text=True)
    assert ">План<" in page and "Тариф" not in page.split("<main", 1)[1]


def test_cluster_members_joined_on_a_russian_date(client, make_tenant, make_cluster, make_user, login):
    from clusterhub.clusters.models import ClusterMember

    komi = make_tenant("komi")
    cluster = make_cluster(tenant=komi, members=1)
    with tenant_scope(db.session, cluster.test_tenant_id):
        cluster_id = cluster.id
        member = db.session.query(ClusterMember).filter_by(cluster_id=cluster_id).one()
        member.joined_on = date(2016, 3, 1)
        db.session.commit()
    login(make_user("center_admin", tenant=komi))
    page = client.get(f"/komi/clusters/{cluster_id}").get_data(as_text=True)
    assert "01.03.2016" in page and "2016-03-01" not in page
    assert "Дата вступления" in page


def test_times_are_shown_to_the_minute(app):
    from datetime import datetime

    from flask_babel import force_locale

    with app.test_request_context(), force_locale("ru"):
        shown = app.jinja_env.from_string("{{ d|datetime }}").render(d=datetime(2026, 4, 2, 7, 0))
    assert shown.replace("\u202f", " ") == "2 апр. 2026 г., 10:00"  # Moscow time, no seconds

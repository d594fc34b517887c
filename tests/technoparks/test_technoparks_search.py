"""The platform-wide search, imports, statistics and the API."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.technoparks.models import ServiceOffer
from clusterhub.technoparks.services import booking, imports, requests, stats
from clusterhub.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.usefixtures("tp_request_context")


@pytest.fixture
def two_regions(make_tenant, make_technopark, make_service, make_equipment):
    komi = make_technopark(make_tenant("komi"), name_ru="Алграф")
    kazan = make_technopark(make_tenant("tatarstan"), name_ru="Казанский технопарк")
    make_service(komi, name_ru="Испытания металлов на растяжение", price="1000", vat="plus_20")
    make_service(
        komi,
        name_ru="Аренда производственных площадей",
        category="space_rental",
        unit="sqm_month",
        price="450",
        vat="not_subject",
    )
    make_service(komi, name_ru="Секретные испытания", status="draft")
    make_service(kazan, name_ru="Испытания электроники", price="5000", vat="included_20")
    make_equipment(komi, name_ru="Разрывная машина", category="testing")
    make_equipment(kazan, name_ru="Склад", category="other", bookable=False)
    return komi, kazan


def _count_queries(client, url):
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def test_search_lists_only_published_services_of_every_region(client, two_regions):
    page = client.get("/services/").get_data(as_text=True)
    assert "Испытания металлов на растяжение" in page and "Испытания электроники" in page
    assert "Секретные испытания" not in page
    page = client.get("/services/?q=испытания").get_data(as_text=True)
    assert (
        "Испытания электроники" in page and "Аренда производственных" not in page and "Секретные" not in page
    )
    page = client.get("/services/?district=VFD").get_data(as_text=True)
    assert "Испытания электроники" in page and "растяжение" not in page
    page = client.get("/services/?category=space_rental").get_data(as_text=True)
    assert "Аренда" in page and "электроники" not in page
    # price range on the price with VAT: 1000 + 20% = 1200; 450 (УСН); 5000 incl. VAT
    page = client.get("/services/?price_min=1100&price_max=2000").get_data(as_text=True)
    assert "растяжение" in page and "Аренда производственных" not in page and "электроники" not in page
    page = client.get("/services/?sort=price_desc").get_data(as_text=True)
    assert page.index("электроники") < page.index("растяжение") < page.index("Аренда производственных")
    page = client.get("/services/?kind=equipment").get_data(as_text=True)
    assert "Разрывная машина" in page and "Склад" not in page


def test_search_costs_the_same_queries_whatever_the_number_of_tenants(
    client, two_regions, make_tenant, make_technopark, make_service
):
    _, few = _count_queries(client, "/services/?q=испытания&sort=price_asc")
    for slug in ("mordovia", "kaliningrad"):
        technopark = make_technopark(make_tenant(slug))
        for n in range(5):
            make_service(technopark, name_ru=f"Испытания №{n}")
    page, many = _count_queries(client, "/services/?q=испытания&sort=price_asc")
    assert "Испытания №4" in page
    assert many == few <= 6  # count + page, plus the request's own (session, transaction set-up)


def test_import_is_all_or_nothing_with_row_errors(make_technopark, make_equipment):
    technopark = make_technopark()
    make_equipment(technopark, name_ru="Станок")
    good = {
        "name_ru": "Фрезеровка",
        "category": "prototyping",
        "unit": "hour",
        "price": "2000",
        "vat": "plus_20",
        "equipment": "Станок",
    }
    rows = [
        good,
        {**good, "name_ru": "Плохая", "price": "-3"},
        {**good, "name_ru": "Без единицы", "unit": "литр"},
    ]
    with tenant_scope(db.session, technopark.tenant_id):
        report = imports.import_services(technopark, rows)
        assert [number for number, _ in report.errors] == [3, 4]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceOffer)) == 0
        report = imports.import_services(
            technopark, [good, {**good, "name_ru": "Токарка", "price": "1500,5"}]
        )
        assert report.ok and report.created == 2
        report = imports.import_services(technopark, [{**good, "price": "2100"}])
        assert report.updated == 1
        exported = imports.to_xlsx(imports.service_rows(technopark))
        sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
        assert [c.value for c in sheet[1]][:3] == ["name_ru", "name_en", "category"]
        assert imports.read_rows("s.xlsx", exported)[1]["equipment"] == "Станок"
        csv_rows = imports.read_rows(
            "s.csv", "name_ru;category;unit;price\nСварка;prototyping;hour;900\n".encode()
        )
        assert imports.import_services(technopark, csv_rows).created == 1
        report = imports.import_equipment(
            technopark,
            [
                {
                    "name_ru": "Печь",
                    "category": "laboratory",
                    "specs": "Температура: 1200 °C",
                    "zone": "Нет такой",
                }
            ],
        )
        assert report.errors and "zone" in report.errors[0][1]


def test_statistics_per_service_and_equipment(
    make_technopark, make_service, make_equipment, make_representative, make_user
):
    technopark = make_technopark()
    service = make_service(technopark)
    machine = make_equipment(technopark)
    user, enterprise = make_representative()
    staff = make_user("center_staff")
    with tenant_scope(db.session, technopark.tenant_id):
        accepted = requests.create_request(service, enterprise, user, "2")
        requests.accept(accepted, staff, "3000", date(2026, 12, 1), date(2026, 12, 2))
        rejected = requests.create_request(service, enterprise, user, "1")
        requests.reject(rejected, staff, "Нет")
        requests.create_request(service, enterprise, user, "1")
        booking.book(
            machine, datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 15), actor=staff, confirmed=True
        )
        booking.block_maintenance(machine, datetime(2026, 12, 2), datetime(2026, 12, 3), actor=staff)
        [row] = stats.service_statistics()
        assert row["by_status"]["accepted"] == 1 and row["by_status"]["rejected"] == 1
        assert row["by_status"]["submitted"] == 1 and row["requests"] == 3
        assert row["quoted_revenue"] == Decimal("3000.00")
        [eq] = stats.equipment_statistics(datetime(2026, 12, 1), datetime(2026, 12, 4))
        assert eq["booked_hours"] == Decimal("6.00") and eq["maintenance_hours"] == Decimal("24.00")
        assert eq["utilisation"] == Decimal("0.1250")  # 6 of the 48 hours not under maintenance


def test_api_search_catalogue_and_requests(client, two_regions, make_representative, make_service):
    from clusterhub.accounts.services import api_tokens

    komi, _kazan = two_regions
    data = client.get("/api/v1/technoparks/search?q=испытания&region=11").get_json()
    assert [item["name_ru"] for item in data["items"]] == ["Испытания металлов на растяжение"]
    assert data["items"][0]["gross_price"] == "1200.00" and data["items"][0]["tenant"] == "komi"
    catalogue = client.get("/api/v1/tenants/komi/technoparks").get_json()["items"]
    assert {s["name_ru"] for s in catalogue[0]["services"]} == {
        "Испытания металлов на растяжение",
        "Аренда производственных площадей",
    }
    user, enterprise = make_representative()
    from clusterhub.tenancy.scoping import federal_read_scope

    with federal_read_scope(db.session):  # see tp_services.enterprise_by_inn (platform audit rows on PG)
        _token, secret = api_tokens.create_api_token(user, "test")
        db.session.flush()
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    with tenant_scope(db.session, komi.tenant_id):
        service_id = db.session.scalar(sa.select(ServiceOffer.id).where(ServiceOffer.status == "published"))
    url = f"/api/v1/tenants/komi/technoparks/services/{service_id}/requests"
    response = client.post(url, json={"enterprise_inn": enterprise.inn, "quantity": "0"}, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "quantity"
    response = client.post(url, json={"enterprise_inn": enterprise.inn, "quantity": "2"}, headers=headers)
    assert response.status_code == 201
    mine = client.get("/api/v1/technoparks/my-requests", headers=headers).get_json()["items"]
    assert [(r["tenant"], r["status"]) for r in mine] == [("komi", "submitted")]
    assert client.post(url, json={"enterprise_inn": enterprise.inn, "quantity": "1"}).status_code == 401


def test_a_search_page_finds_its_rows_and_their_number_in_one_statement(
    client, make_tenant, make_technopark, make_service
):
    technopark = make_technopark(make_tenant("komi"))
    for n in range(25):
        make_service(technopark, name_ru=f"Испытания образца №{n:02d}")
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        from clusterhub.technoparks.services.search import SearchFilters, search_services

        first = search_services(SearchFilters(q="испытания"), page=1, per_page=20)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)

    assert first.total == 25 and len(first.items) == 20 and first.pages == 2
    assert len([s for s in statements if "technopark_services" in s]) == 1
    second = search_services(SearchFilters(q="испытания"), page=2, per_page=20)
    assert second.total == 25 and len(second.items) == 5
    beyond = search_services(SearchFilters(q="испытания"), page=9, per_page=20)
    assert beyond.total == 25 and beyond.page == 2 and len(beyond.items) == 5  # answered as the last page
    huge = search_services(SearchFilters(q="испытания"), page=10**20, per_page=20)
    assert huge.page == 2 and len(huge.items) == 5
    assert search_services(SearchFilters(q="несуществующее"), page=1).total == 0


def _found(q, kind="services"):
    from clusterhub.technoparks.services.search import SearchFilters, search_equipment, search_services

    search = search_services if kind == "services" else search_equipment
    return {row.name_ru for row in search(SearchFilters(q=q)).items}


def test_the_text_search_follows_publishing_withdrawal_and_deletion(
    make_tenant, make_technopark, make_service, make_equipment
):
    tenant = make_tenant("komi")
    technopark = make_technopark(tenant)
    draft = make_service(technopark, name_ru="Испытания на удар", status="draft")
    machine = make_equipment(technopark, name_ru="Копёр маятниковый", bookable=True)
    assert _found("удар") == set() and _found("копёр", "equipment") == {"Копёр маятниковый"}

    with tenant_scope(db.session, tenant.id):
        db.session.get(ServiceOffer, draft.id).status = "published"
        db.session.commit()
    assert _found("удар") == {"Испытания на удар"}

    with tenant_scope(db.session, tenant.id):
        db.session.get(ServiceOffer, draft.id).status = "draft"
        from clusterhub.technoparks.models import Equipment

        db.session.get(Equipment, machine.id).bookable = False
        db.session.commit()
    assert _found("удар") == set() and _found("копёр", "equipment") == set()

    with tenant_scope(db.session, tenant.id):
        offer = db.session.get(ServiceOffer, draft.id)
        offer.status = "published"
        db.session.commit()
        db.session.delete(offer)
        db.session.commit()
    assert _found("удар") == set()


def test_a_suspended_centers_services_leave_the_text_search(make_tenant, make_technopark, make_service):
    tenant = make_tenant("komi")
    make_service(make_technopark(tenant), name_ru="Испытания на удар")
    assert _found("удар") == {"Испытания на удар"}

    tenant.status = "suspended"
    db.session.commit()

    assert _found("удар") == set()


def test_a_words_only_search_cuts_its_page_among_the_matches_and_agrees_with_the_general_path(
    make_tenant, make_technopark, make_service, make_equipment
):
    """The words-only path (rank and cut the page among the matches, then join twenty rows) returns the
    same rows, order and total as joining every match first, page by page, and skips suspended centers."""
    from clusterhub.technoparks.services import search

    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    for tenant in (komi, tatarstan):
        technopark = make_technopark(tenant)
        for n in range(13):
            make_service(technopark, name_ru=f"Испытания {'металлов ' * (n % 3)}образца №{n:02d}")
        make_equipment(technopark, name_ru="Машина для испытаний", category="testing")
    suspended = make_tenant("altai")
    make_service(make_technopark(suspended), name_ru="Испытания в закрытом центре")
    suspended.status = "suspended"
    db.session.commit()

    filters = search.SearchFilters(q="испытания металлов")
    for page in (1, 2, 3):
        fast = search.search_services(filters, page=page, per_page=5)
        general = search._page(search.service_statement(filters), page, 5)
        assert [r.id for r in fast.items] == [r.id for r in general.items]
        assert (fast.total, fast.page) == (general.total, general.page)
    assert search.search_services(search.SearchFilters(q="испытания"), per_page=50).total == 26
    beyond = search.search_services(filters, page=40, per_page=5)
    assert beyond.page == beyond.pages and beyond.items
    equipment = search.search_equipment(search.SearchFilters(q="машина"))
    assert equipment.total == 2 and {r.name_ru for r in equipment.items} == {"Машина для испытаний"}

"""Enterprise pages: directory, profile visibility, editing, claims through the center, merge."""

import sqlalchemy as sa

from clusterhub.enterprises.models import EnterpriseRepresentative
from clusterhub.enterprises.services.profiles import find_by_inn
from clusterhub.enterprises.services.representatives import add_representative, is_representative
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from tests.fixtures.pages import EN, QueryCounter

FORM = {"full_name": "ООО «Лузалес»", "okved_main": "16.10", "region_id": "", "size_category": "medium"}


def test_directory_searches_and_paginates_with_a_constant_number_of_queries(client, make_enterprise):
    for n in range(30):
        make_enterprise(name=f"ООО «Лесопилка {n:02d}»", okved_main="16.10")
    make_enterprise(name="АО «Бумага»", okved_main="17.12")
    with QueryCounter() as small:
        page = client.get("/enterprises/?q=лесопилка", headers=EN).get_data(as_text=True)
    assert "30 enterprises" in page and "Бумага" not in page and "Page 1 of 2" in page
    for n in range(30, 60):
        make_enterprise(name=f"ООО «Лесопилка {n:02d}»", okved_main="16.10")
    with QueryCounter() as large:
        page = client.get("/enterprises/?q=лесопилка&page=2", headers=EN).get_data(as_text=True)
    assert "Page 2 of 3" in page
    assert large.count == small.count <= 6
    assert "No enterprise matches" in client.get("/enterprises/?q=zzz", headers=EN).get_data(as_text=True)


def test_public_profile_hides_history_and_representatives(client, make_enterprise, make_owner):
    enterprise = make_enterprise(name="ООО «Лузалес»", website="luzales.example")
    owner = make_owner(enterprise, email="owner@luzales.test")
    page = client.get(f"/enterprises/{enterprise.id}", headers=EN).get_data(as_text=True)
    assert "Лузалес" in page and "https://luzales.example" in page
    assert "owner@luzales.test" not in page and "Edit history" not in page
    assert client.get(f"/enterprises/{enterprise.id}/edit").status_code == 302  # to the login page
    assert owner


def test_representative_edits_the_profile_and_sees_the_history(
    client, login, make_enterprise, make_owner, make_user
):
    enterprise = make_enterprise(name="ООО «Лузалес»")
    owner = make_owner(enterprise)
    login(owner)
    response = client.post(
        f"/enterprises/{enterprise.id}/edit",
        data={**FORM, "ogrn": "1027700132196"},
        headers=EN,
    )
    assert response.status_code == 200 and "ОГРН 1027700132196 is not valid" in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/enterprises/{enterprise.id}/edit",
        data={**FORM, "ogrn": "1027700132195"},
    )
    assert response.status_code == 302
    page = client.get(f"/enterprises/{enterprise.id}", headers=EN).get_data(as_text=True)
    assert "1027700132195" in page and "Edit history" in page and "Profile edited" in page
    client.post("/logout")
    login(make_user())
    assert client.get(f"/enterprises/{enterprise.id}/edit").status_code == 403


def test_claim_is_confirmed_on_the_centers_staff_page(client, login, make_enterprise, make_user, make_tenant):
    komi = make_tenant("komi")
    enterprise = make_enterprise(name="ООО «Алграф»", region="11")
    claimant, staff = make_user(), make_user("center_staff", komi)
    login(claimant)
    assert client.post("/enterprises/mine", data={"inn": enterprise.inn}).status_code == 302
    client.post("/logout")
    login(staff)
    page = client.get("/komi/staff/enterprise-claims", headers=EN).get_data(as_text=True)
    assert "Алграф" in page and claimant.email in page
    link = db.session.scalar(sa.select(EnterpriseRepresentative))
    assert client.post(f"/komi/staff/enterprise-claims/{link.id}/confirm").status_code == 302
    assert is_representative(claimant, enterprise, "owner")
    assert "No claims are waiting" in client.get("/komi/staff/enterprise-claims", headers=EN).get_data(
        as_text=True
    )


def test_only_platform_admins_merge(client, login, make_enterprise, make_user):
    keep = make_enterprise(inn="7707083893")
    duplicate = make_enterprise(inn="7736207543")
    login(make_user("center_admin"))
    assert client.get("/admin/enterprises/merge").status_code == 403
    client.post("/logout")
    login(make_user("platform_admin"))
    data = {"source_inn": duplicate.inn, "target_inn": keep.inn}
    page = client.post("/admin/enterprises/merge", data=data, headers=EN).get_data(as_text=True)
    assert 'name="confirmed"' in page  # a comparison first, nothing merged yet
    assert find_by_inn(duplicate.inn) is not None
    assert client.post("/admin/enterprises/merge", data={**data, "confirmed": "1"}).status_code == 302
    assert find_by_inn(data["source_inn"]) is None


def test_representative_adds_yearly_figures_and_products(client, login, make_enterprise, make_owner):
    enterprise = make_enterprise()
    login(make_owner(enterprise))
    assert client.get(f"/enterprises/{enterprise.id}/edit").status_code == 200
    client.post(
        f"/enterprises/{enterprise.id}/figures",
        data={"fig-year": "2024", "fig-headcount": "120", "fig-revenue": "1500000.50"},
    )
    client.post(
        f"/enterprises/{enterprise.id}/products", data={"prod-name": "Брус", "prod-okpd2": "16.10.10"}
    )
    response = client.post(
        f"/enterprises/{enterprise.id}/products", data={"prod-name": "Щит", "prod-okpd2": "xx"}, headers=EN
    )
    assert response.status_code == 302
    page = client.get(f"/enterprises/{enterprise.id}", headers=EN).get_data(as_text=True)
    assert "Брус" in page and "16.10.10" in page and "Щит" not in page and "120" in page
    assert "xx is not an ОКПД2 code" in page  # the flash message on the next page


def test_the_claim_form_asks_for_the_organisations_name_and_my_enterprises_show_their_inn(
    client, login, make_enterprise, make_owner
):
    enterprise = make_enterprise(
        name="Общество с ограниченной ответственностью «Лузалес»", short_name="Лузалес"
    )
    login(make_owner(enterprise))
    page = client.get("/enterprises/mine", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Полное наименование организации" in page and "ФИО" not in page
    assert "Лузалес" in page and enterprise.inn in page and "Республика Коми" in page


def test_the_edit_history_shows_words_not_stored_values(
    client, login, make_enterprise, make_owner, make_user
):
    enterprise = make_enterprise(name="ООО «Алграф»", region="11", size_category="medium")
    owner = make_owner(enterprise)
    add_representative(enterprise, make_user(email="newcomer@algraf.test"), "editor")
    db.session.commit()
    login(owner)
    tatarstan = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "16"))
    data = {**FORM, "full_name": "ООО «Алграф»", "region_id": str(tatarstan), "size_category": "small"}
    assert client.post(f"/enterprises/{enterprise.id}/edit", data=data).status_code == 302
    page = client.get(f"/enterprises/{enterprise.id}", headers=EN).get_data(as_text=True)
    history = page[page.index("Edit history") :]
    assert "Komi Republic</del> → Republic of Tatarstan" in history
    assert "Role: Owner" in history and "Status: Confirmed" in history
    assert "Role: Editor" in history and "Status: Awaiting a decision" in history
    assert "Size category: <del>Medium-sized enterprise</del> → Small enterprise" in history
    for raw in ("owner", "editor", "confirmed", "pending", "small", str(tatarstan)):
        assert f": {raw}<" not in history and f"→ {raw}<" not in history


def test_the_start_page_lists_the_enterprises_the_user_represents(client, login, make_enterprise, make_owner):
    """The start page (core) learns them through ``signals.represented_enterprises``, which enterprises
    answers: a confirmed representation is listed, a claim still waiting for the center is not."""
    luzales = make_enterprise(name="ООО «Лузалес»")
    pending = make_enterprise(name="ООО «Ждёт подтверждения»")
    owner = make_owner(luzales, email="owner@luzales.example.com")
    add_representative(pending, owner, "owner", confirmed=False)
    db.session.commit()
    login(owner)
    page = client.get("/start", headers=EN).get_data(as_text=True)
    assert "My enterprises" in page
    assert f'href="/enterprises/{luzales.id}">ООО «Лузалес»</a>' in page
    assert "Ждёт подтверждения" not in page

"""An enterprise representative: claims a profile, edits their own, registers colleagues as a group, takes a
seat on a site visit, requests an Algraf service and follows its status."""

import re

from playwright.sync_api import expect
from tests.e2e.flows import KOMI, KOMI_STAFF, REPRESENTATIVE, log_in, menu, open_komi_session

DEMO_SESSION = "Практическая сессия по развитию промышленных кластеров России"
SITE_VISIT = "Посещение Лузалес: презентация совместного проекта"
SERVICE = "Время на обрабатывающем центре с ЧПУ"


def test_representative_claims_a_profile_and_edits_their_own(pages):
    page = log_in(pages, REPRESENTATIVE)
    menu(page, "Предприятия")
    page.get_by_label("Название, ИНН или ОГРН", exact=True).fill("Коми КЛТ")
    page.get_by_role("button", name="Найти").click()
    page.get_by_role("link", name="ООО «Коми КЛТ»").click()
    inn = re.search(r"ИНН\D*(\d{10})", page.get_by_role("main").inner_text()).group(1)
    pages.check(screenshot="enterprise")
    page.get_by_role("link", name=re.compile("Заявите права")).click()
    page.get_by_label("ИНН", exact=True).fill(inn)
    page.get_by_label("Полное наименование организации", exact=True).fill("ООО «Коми КЛТ»")
    page.get_by_role("button", name="Заявить права").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Коми КЛТ")
    pages.check()

    page.get_by_role("main").get_by_role("link", name="Лузалес", exact=True).click()
    page.get_by_role("link", name="Редактировать профиль").click()
    pages.check()
    description = page.get_by_label(re.compile("^Описание"), exact=False).first
    description.fill("Лесопиление и деревообработка полного цикла; поставки в 12 регионов.")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Профиль сохранён.")).to_be_visible()
    expect(
        page.get_by_text("Лесопиление и деревообработка полного цикла; поставки в 12 регионов.").first
    ).to_be_visible()
    expect(page.get_by_text("Профиль изменён").first).to_be_visible()  # the edit history records it
    pages.check()


def test_representative_registers_colleagues_and_takes_a_site_visit_seat(pages):
    log_in(pages, REPRESENTATIVE)
    page = open_komi_session(pages, DEMO_SESSION)
    page.get_by_role("link", name="Зарегистрировать сотрудников моего предприятия").click()
    enterprise = page.get_by_label("Предприятие", exact=True)  # options read "name (ИНН …)"
    enterprise.select_option(enterprise.locator("option", has_text="Лузалес").first.get_attribute("value"))
    page.get_by_label("Сотрудники", exact=True).fill(
        "Ольга Коллегова; olga.kollegova@luzales.example.com; инженер\n"
        "Илья Коллегов; ilya.kollegov@luzales.example.com; технолог\n"
    )
    page.get_by_label(re.compile("Каждый сотрудник дал согласие")).check()
    pages.check()
    page.get_by_role("button", name="Зарегистрировать сотрудников").click()
    expect(page.get_by_text("Зарегистрировано сотрудников: 2.")).to_be_visible()
    expect(page.get_by_text("Ольга Коллегова")).to_be_visible()
    expect(page.get_by_text("Илья Коллегов")).to_be_visible()
    pages.check()

    # the representative's own place, then a seat on the bus to a site visit
    page = open_komi_session(pages, DEMO_SESSION)
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("Категория", exact=True).select_option(label="Предприятие")
    page.get_by_label("Регион", exact=True).select_option(label="Республика Коми")
    page.get_by_label("Организация", exact=True).fill("Лузалес")
    page.get_by_label(re.compile("обработку моих персональных данных")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    visit = (
        page.get_by_role("listitem")
        .filter(has_text=SITE_VISIT)
        .or_(page.locator("li, .list-group-item, tr").filter(has_text=SITE_VISIT))
        .last
    )
    visit.get_by_role("button", name="Добавить в мою программу").click()
    visit = page.locator("li, .list-group-item, tr").filter(has_text=SITE_VISIT).last
    expect(visit.get_by_text("В моей программе")).to_be_visible()
    pages.check()


def test_representative_requests_an_algraf_service_and_follows_its_status(pages, another_person):
    page = log_in(pages, REPRESENTATIVE)
    page.get_by_role("link", name="ClusterHub").click()  # from the platform home, into the Komi center
    page.get_by_role("main").get_by_role("link", name=KOMI).click()
    menu(page, "Технопарки")
    page.get_by_role("link", name="Промышленный технопарк «Алграф»").first.click()
    pages.check(screenshot="technopark")
    page.get_by_role("link", name=SERVICE).click()
    page.get_by_role("link", name="Подать заявку").click()
    on_behalf = page.get_by_label("От имени", exact=True)  # only the enterprises the user represents
    on_behalf.select_option(on_behalf.locator("option", has_text="Лузалес").first.get_attribute("value"))
    page.get_by_label("Количество", exact=True).fill("16")
    page.get_by_label("Желаемая дата начала", exact=True).fill("2027-02-01")
    page.get_by_label("Желаемая дата окончания", exact=True).fill("2027-02-05")
    page.get_by_label("Комментарий", exact=True).fill("Фрезеровка корпусов, 40 деталей.")
    pages.check()
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SERVICE)
    expect(page.get_by_text("Фрезеровка корпусов, 40 деталей.").first).to_be_visible()
    pages.check(screenshot="service-request")

    # the technopark takes the request into work
    staff = another_person()
    staff_page = log_in(staff, KOMI_STAFF)
    menu(staff_page, "Управление технопарками")
    # the technoparks page's own link (the staff menu has «Заявки предприятий» too, and the click above may
    # still be navigating away from the open menu)
    staff_page.get_by_role("main").get_by_role("link", name=re.compile("Заявки")).first.click()
    staff_page.get_by_role("row", name=re.compile(SERVICE)).filter(has_text="Лузалес").first.get_by_role(
        "link"
    ).first.click()
    staff.check()
    accept = staff_page.locator("form").filter(
        has=staff_page.get_by_role("button", name="Принять", exact=True)
    )
    accept.get_by_label(re.compile("^Расчёт стоимости")).fill("96000")
    accept.locator("input[type=date]").nth(0).fill("2027-02-01")
    accept.locator("input[type=date]").nth(1).fill("2027-02-05")
    accept.get_by_role("button", name="Принять", exact=True).click()
    expect(staff_page.get_by_text("Принято").first).to_be_visible()
    staff.check()

    # the representative follows it from their own list of requests
    menu(page, "Мои задачи")
    page.get_by_role("main").get_by_role("link", name="Мои заявки на услуги").click()
    row = page.locator("tr, li, .card").filter(has_text=SERVICE).first
    expect(row).to_contain_text("Принято")
    pages.check()

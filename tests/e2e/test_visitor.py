"""A visitor with no account: finds the Komi session, registers, confirms, takes the iCal file; searches services."""

import re

from playwright.sync_api import expect
from tests.e2e.conftest import link_in, read_mail
from tests.e2e.flows import menu

KOMI = "Центр кластерного развития Республики Коми"
SESSION = "Практическая сессия по развитию промышленных кластеров России"


def test_visitor_finds_the_komi_session_registers_and_takes_the_ical_file(pages, live_server):
    page = pages.page
    page.goto("/")
    pages.check(screenshot="platform-home")
    page.get_by_role("link", name=KOMI).click()
    pages.check(screenshot="center-home")
    menu(page, "Сессии")
    pages.check()
    page.get_by_role("link", name=SESSION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SESSION)
    expect(page.get_by_role("heading", name="Программа")).to_be_visible()
    expect(page.get_by_text("День 2")).to_be_visible()
    pages.check(screenshot="session")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("iCal")).last.click()
    ical = download.value.path().read_bytes().decode().replace("\r\n ", "")  # unfold long lines
    assert ical.startswith("BEGIN:VCALENDAR") and f"SUMMARY:{SESSION}" in ical

    page.get_by_role("link", name="Зарегистрироваться").click()
    pages.check()
    page.get_by_label("ФИО", exact=True).fill("Мария Посетителева")
    page.get_by_label("Электронная почта", exact=True).fill("maria.visitor@example.com")
    page.get_by_label("Телефон", exact=True).fill("+7 912 000-00-01")
    page.get_by_label("Категория", exact=True).select_option(label="Предприятие")
    page.get_by_label("Регион", exact=True).select_option(label="Республика Коми")
    page.get_by_label("Организация", exact=True).fill("ООО «Посетитель»")
    page.get_by_label("Должность", exact=True).fill("Инженер")

    # without consent the form refuses, and says so next to the box
    page.get_by_role("button", name="Зарегистрироваться").click()
    consent = page.get_by_label(re.compile("обработку моих персональных данных"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    pages.check()

    consent.check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text(re.compile("maria.visitor@example.com"))).to_be_visible()
    pages.check()

    # the link in the e-mail confirms the address and opens the ticket
    page.goto(link_in(read_mail(live_server, "maria.visitor@example.com"), live_server))
    expect(page.get_by_text(re.compile("подтвержден", re.I)).first).to_be_visible()
    expect(page.get_by_text("Мария Посетителева").first).to_be_visible()
    pages.check(screenshot="ticket")


def test_visitor_searches_the_platform_wide_service_catalogue(pages):
    page = pages.page
    page.goto("/")
    page.get_by_role("link", name=re.compile("^Услуги")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Услуги технопарков"))
    page.get_by_label("Поисковый запрос", exact=True).fill("станк")
    page.get_by_label("Федеральный округ", exact=True).select_option(
        label="Северо-Западный федеральный округ"
    )
    page.get_by_role("button", name="Найти").click()
    results = page.get_by_role("main").get_by_role("link", name=re.compile("станк", re.I))
    expect(results.first).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Аренда складских помещений")).to_have_count(0)
    pages.check(screenshot="service-catalogue")
    results.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("станк", re.I))
    pages.check()

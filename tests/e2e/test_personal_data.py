"""A person's rights over their data (152-ФЗ): signs up, registers for the Komi session, downloads what the
platform holds about them, withdraws consent to e-mail and asks for erasure; the Komi admin completes the
request and the person's name is gone from the participant list."""

import json
import re
import zipfile

from playwright.sync_api import expect
from tests.e2e.conftest import link_in, read_mail
from tests.e2e.flows import KOMI_ADMIN, log_in, menu, open_komi_session

SESSION = "Практическая сессия по развитию промышленных кластеров России"
NAME, EMAIL, PASSWORD = "Пётр Приватов", "petr.privatov@example.com", "privacy-pass-2026"


def test_a_person_downloads_their_data_asks_for_erasure_and_the_center_completes_it(
    pages, live_server, another_person
):
    page = pages.page
    page.goto("/signup")
    page.get_by_label("ФИО", exact=True).fill(NAME)
    page.get_by_label("Электронная почта", exact=True).fill(EMAIL)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Повторите пароль", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Создать аккаунт").click()
    page.goto(link_in(read_mail(live_server, EMAIL), live_server))  # confirmed and logged in

    page = open_komi_session(pages, SESSION)
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("Категория", exact=True).select_option(label="Предприятие")
    page.get_by_label("Регион", exact=True).select_option(label="Республика Коми")
    page.get_by_label("Организация", exact=True).fill("ООО «Приватов»")
    page.get_by_label(re.compile("обработку моих персональных данных")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text(NAME).first).to_be_visible()

    pages.check()  # waits for the page's scripts too: the account menu opens with Bootstrap's
    page.locator("#menu-user").click()
    page.get_by_role("link", name="Мои данные").click()
    expect(page.get_by_role("heading", name="Ваши регистрации и согласия")).to_be_visible()
    expect(page.get_by_role("cell", name=SESSION)).to_be_visible()
    pages.check(screenshot="my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать архив").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        registrations = json.loads(archive.read("registrations.json"))
        assert "README.txt" in archive.namelist()
    assert [(r["session"], r["email"], r["consent_version"]) for r in registrations] == [
        (SESSION, EMAIL, registrations[0]["consent_version"])
    ]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отозвать согласие на письма").click()
    expect(page.get_by_text("Согласие на письма отозвано")).to_be_visible()
    page.get_by_label(re.compile("Я понимаю")).check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Запросить удаление").click()
    expect(page.get_by_text(re.compile("Запрос на удаление отправлен"))).to_be_visible()
    pages.check()

    admin = another_person()
    page = log_in(admin, KOMI_ADMIN)
    menu(page, "Запросы о персональных данных")
    row = page.get_by_role("row").filter(has_text="Участник №")
    expect(row).to_have_count(1)
    expect(page.get_by_role("main")).not_to_contain_text(NAME)
    admin.check(screenshot="personal-data-requests")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Исполнить удаление").click()
    expect(page.get_by_text(re.compile("Удаление исполнено"))).to_be_visible()
    admin.check()

    menu(page, "Управление сессиями")
    page.get_by_role("link", name=SESSION).first.click()
    page.get_by_role("link", name="Участники").first.click()
    expect(page.get_by_role("main")).not_to_contain_text(NAME)
    expect(page.get_by_role("main")).not_to_contain_text(EMAIL)

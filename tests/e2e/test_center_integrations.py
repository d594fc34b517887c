"""A center admin connects the center's own systems: issues an API token that may change sessions only,
uses it, revokes it; subscribes a webhook address and sees its secret once."""

import re
from datetime import date, timedelta

import requests
from playwright.sync_api import expect
from tests.e2e.flows import KOMI_ADMIN, log_in, menu


def test_admin_issues_uses_and_revokes_a_center_token_and_subscribes_a_webhook(pages, live_server):
    page = log_in(pages, KOMI_ADMIN)
    menu(page, "API-токены")
    expect(page.get_by_role("heading", level=1)).to_have_text("API-токены центра")
    pages.check()
    page.get_by_label("Название", exact=True).fill("CRM центра (проверка)")
    page.get_by_label("Сессии, программа и регистрации", exact=True).check()
    page.get_by_label("Действует до", exact=True).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Выпустить токен").click()
    secret_box = page.get_by_role("status").locator("code", has_text=re.compile(r"^chubc_"))
    expect(secret_box).to_be_visible()
    secret = secret_box.inner_text().strip()
    pages.check(screenshot="center-api-tokens")

    api = f"{live_server.url}/api/v1/tenants/komi/events"
    answer = requests.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200 and answer.headers["X-RateLimit-Limit"]

    row = page.get_by_role("row", name=re.compile("CRM центра \\(проверка\\)"))
    row.get_by_role("button", name="Отозвать").click()  # the person confirms the dialog
    expect(page.get_by_text("Токен «CRM центра (проверка)» отозван.")).to_be_visible()
    assert requests.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=10).status_code == 401
    pages.check()

    menu(page, "Вебхуки")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вебхуки")
    page.get_by_label("Название", exact=True).fill("CRM (проверка)")
    page.get_by_label("Адрес, принимающий события", exact=True).fill("https://crm.example.ru/clusterhub")
    page.get_by_label("Создана регистрация", exact=True).check()
    page.get_by_label("Участник отмечен на входе", exact=True).check()
    page.get_by_role("button", name="Подписать").click()
    expect(page.get_by_role("status").locator("code", has_text=re.compile(r"^whsec_"))).to_be_visible()
    expect(page.get_by_role("heading", name="CRM (проверка)")).to_be_visible()
    pages.check(screenshot="center-webhooks")

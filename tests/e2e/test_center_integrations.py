"""A center admin connects the center's own systems: issues an API token that may change sessions only,
uses it, revokes it; subscribes the center's CRM (a real receiver on 127.0.0.1) to registrations, sees
a guest's registration delivered, resends it, and removes the subscription."""

import json
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from playwright.sync_api import expect
from tests.e2e.flows import KOMI_ADMIN, log_in, menu, register_as_guest

DEMO_SESSION = "Практическая сессия по развитию промышленных кластеров России"


@pytest.fixture
def crm():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/clusterhub", received
    server.shutdown()
    server.server_close()


def run_worker(live_server):
    """`flask outbox send --loop` until nothing is due, as the worker Deployment runs it."""
    from clusterhub.outbox.services import LogMailer, send_due

    totals: dict = {}
    with live_server.app.app_context():
        while True:  # as the looping worker does: pass after pass until nothing is due (the demo queues mail)
            counts = send_due(LogMailer())
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if sum(counts.values()) < 100:
                return totals


def test_admin_issues_uses_and_revokes_a_center_token(pages, live_server):
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


def test_admin_subscribes_the_crm_sees_a_delivery_resends_it_and_unsubscribes(
    pages, another_person, live_server, crm
):
    url, received = crm
    page = log_in(pages, KOMI_ADMIN)
    menu(page, "Вебхуки")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вебхуки")
    page.get_by_label("Название", exact=True).fill("CRM (проверка вебхуков)")
    page.get_by_label("Адрес, принимающий события", exact=True).fill(url)
    page.get_by_label("Создана регистрация", exact=True).check()
    page.get_by_role("button", name="Подписать").click()
    expect(page.get_by_role("status").locator("code", has_text=re.compile(r"^whsec_"))).to_be_visible()
    pages.check()

    guest = another_person()
    register_as_guest(guest, live_server, DEMO_SESSION, "Гость Вебхуков", "webhook-guest@example.com")
    run_worker(live_server)
    assert [body["data"]["registration"]["email"] for body in received] == ["webhook-guest@example.com"]

    page.goto(page.url)  # a GET: reloading would send the subscription form again
    subscription = page.get_by_role("region", name="CRM (проверка вебхуков)")
    expect(subscription.get_by_text("доставлено")).to_be_visible()
    expect(subscription.get_by_text("HTTP 200")).to_be_visible()
    pages.check(screenshot="center-webhooks")
    subscription.get_by_role("button", name="Отправить снова").click()
    expect(page.get_by_text("Отправка повторится в течение минуты")).to_be_visible()
    run_worker(live_server)
    assert len(received) == 2 and received[0]["id"] == received[1]["id"]  # the receiver can drop it

    subscription = page.get_by_role("region", name="CRM (проверка вебхуков)")
    subscription.get_by_role("button", name="Исключить").click()  # confirmed in the dialog
    expect(page.get_by_text("Подписка «CRM (проверка вебхуков)» удалена.")).to_be_visible()
    pages.check()


def test_staff_member_issues_a_read_only_personal_token(pages, live_server):
    from tests.e2e.flows import KOMI_STAFF

    page = log_in(pages, KOMI_STAFF)
    page.goto("/account")
    page.get_by_role("link", name="API-токены").click()
    page.get_by_label("Название токена", exact=True).fill("Отчёты в BI (проверка)")
    page.get_by_label("Только чтение: токен ничего не может изменить", exact=True).check()
    page.get_by_role("button", name="Создать токен").click()
    secret = page.get_by_role("status").locator("code").inner_text().strip()
    expect(page.get_by_role("row", name=re.compile("Отчёты в BI \\(проверка\\)"))).to_contain_text(
        "только чтение"
    )
    pages.check()
    headers = {"Authorization": f"Bearer {secret}"}
    assert requests.get(f"{live_server.url}/api/v1/me", headers=headers, timeout=10).status_code == 200
    write = requests.post(
        f"{live_server.url}/api/v1/tenants/komi/events/1/registrations", json={}, headers=headers, timeout=10
    )
    assert write.status_code == 403

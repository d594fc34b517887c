"""B2B meetings at the demo session: a participant accepts a request and sees the other side's contacts; the
staff place the newly accepted meeting from the grid."""

import re

from playwright.sync_api import expect
from tests.e2e.flows import KOMI_STAFF, log_in, menu, open_komi_session

DEMO_SESSION = "Практическая сессия по развитию промышленных кластеров России"
BLOCK = "Деловые встречи (B2B)"
PARTICIPANT = "uchastnik1@demo.example.ru"


def test_a_participant_accepts_a_meeting_and_the_staff_place_it(pages, another_person):
    log_in(pages, PARTICIPANT)
    page = open_komi_session(pages, DEMO_SESSION)
    page.get_by_role("link", name=BLOCK).click()  # the session's B2B meetings
    pages.check()
    page.locator("main .list-group").get_by_role("link", name=BLOCK).click()
    expect(page.get_by_role("heading", name="Моё расписание")).to_be_visible()
    contacts = page.get_by_role("link", name=re.compile(r"@demo\.example\.ru$"))
    before = contacts.count()
    pages.check()
    page.get_by_role("button", name="Принять").first.click()
    expect(page.get_by_text("Вы приняли встречу.")).to_be_visible()
    expect(contacts).to_have_count(before + 1)  # the new partner's e-mail, now that the meeting is accepted
    pages.check()

    staff = another_person()
    staff_page = log_in(staff, KOMI_STAFF)
    menu(staff_page, "Управление сессиями")
    staff_page.get_by_role("link", name=DEMO_SESSION).click()
    staff_page.get_by_role("link", name=BLOCK).first.click()
    staff_page.locator("main .list-group").get_by_role("link", name=BLOCK).click()
    staff.check()
    staff_page.get_by_role("button", name="Разместить согласованные встречи").click()
    expect(staff_page.get_by_text(re.compile(r"Размещено: \d+; не размещено: 0"))).to_be_visible()
    expect(staff_page.get_by_text("У всех согласованных встреч есть место в расписании.")).to_be_visible()
    staff.check()
    staff_page.get_by_role("link", name="Планы столов").click()
    staff.check()

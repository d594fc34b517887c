"""B2B meetings at the demo session: a participant accepts a request and sees the other side's contacts, sets
their own limits and opens a request's form; the staff place the newly accepted meeting from the grid and see
the participant's limits."""

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

    # their own limits, from the same page: at most four meetings, away in a slot without a meeting
    page.get_by_role("link", name="Изменить мои ограничения").click()
    page.get_by_label("Не больше встреч для меня").fill("4")
    free = page.locator("#unavailable label").filter(has_not_text="назначена встреча").last
    away = free.inner_text().strip()
    free.get_by_role("checkbox").check()
    pages.check("meetings-limits")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Ваши ограничения сохранены.")).to_be_visible()
    limits = page.locator("#my-limits")
    expect(limits).to_contain_text("не более 4 встреч")
    expect(limits).to_contain_text(away.split("–")[0])
    pages.check()

    # a request cites one of the two sides' entries, or none: a choice, not a number to type
    page.get_by_role("link", name="Найти участников и предложить встречу").click()
    page.get_by_role("link", name="Предложить встречу").first.click()
    cited = page.get_by_label("По предложению или запросу биржи кооперации")
    expect(cited).to_have_value("")
    expect(cited.locator("option").first).to_have_text("Нет")
    expect(cited.locator("optgroup", has_text="Лузалес")).to_have_attribute(
        "label", "Предложения и запросы вашего предприятия"
    )
    pages.check()
    page.get_by_role("link", name="Назад").click()

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
    staff_page.get_by_role("link", name="Ограничения участников").click()
    # 25 people to a page: the staff find the participant by his enterprise
    staff_page.get_by_role("textbox", name="Найти").fill("Лузалес")
    staff_page.get_by_role("button", name="Применить фильтр").click()
    expect(staff_page.locator("#people-limits")).to_contain_text(away.split("–")[0])
    staff.check("meetings-staff-limits")

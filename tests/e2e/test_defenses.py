"""A defense round from the panel to the signed protocol: the center admin (as chair) builds a blind round and
assigns two experts; one declares a conflict and scores, seeing nothing of the other's scores; the other
scores; the chair closes scoring, records the decisions and signs the protocol."""

import re

from playwright.sync_api import expect
from tests.e2e.flows import EXPERT, KOMI_ADMIN, SECOND_EXPERT, log_in, menu

ROUND = "Предварительная защита (слепая, проверка)"
PROJECT_A = "Освоение производства плит МДФ"
PROJECT_B = "Деревянные домокомплекты из CLT-панелей"


def build_blind_round(pages, number):
    page = log_in(pages, KOMI_ADMIN)
    menu(page, "Защиты")
    pages.check()
    selection = page.get_by_label("Отбор", exact=True)
    selection.select_option(label=selection.locator("option", has_text="2023").first.inner_text())
    page.get_by_label("Номер защиты в цикле отбора", exact=True).fill(str(number))
    page.get_by_label("Название", exact=True).fill(ROUND)
    page.get_by_label("Дата и время", exact=True).fill("2027-03-11T10:00")
    page.get_by_label("Место проведения", exact=True).fill("Сыктывкар, «Мой бизнес»")
    page.get_by_label("Минимум экспертов на проект", exact=True).fill("2")
    page.get_by_label(re.compile("Слепая экспертиза")).check()
    page.get_by_role("button", name="Создать").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)

    for email, role in ((KOMI_ADMIN, "Председатель"), (EXPERT, "Эксперт"), (SECOND_EXPERT, "Эксперт")):
        page.get_by_text("Добавить члена комиссии").click()
        page.get_by_label("Эл. почта пользователя ClusterHub").fill(email)
        page.get_by_label("Роль в комиссии").select_option(label=role)
        page.get_by_role("button", name="Добавить", exact=True).first.click()
        expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
            "в состав комиссии"
        )
    for project in (PROJECT_A, PROJECT_B):
        page.get_by_text("Добавить проект", exact=True).click()  # the summary that opens the form
        page.get_by_label("Проект", exact=True).select_option(label=project)
        page.get_by_role("button", name="Добавить", exact=True).last.click()
        expect(page.get_by_role("cell", name=project)).to_be_visible()
    page.get_by_role("button", name="Назначить всех на все проекты").click()
    expect(page.get_by_text("назначен").first).to_be_visible()
    pages.check(screenshot="defense-round")
    return page


def open_expert_work(page):
    """The expert's list of projects to score: from the menu inside the center, or the start page's link."""
    if (
        page.get_by_role("link", name="Проекты для оценки").count() == 0
        and page.locator("nav").get_by_role("link", name="Моя экспертиза").count() == 0
    ):
        menu(page, "Мои задачи")
    if page.get_by_role("main").get_by_role("link", name="Проекты для оценки").count():
        page.get_by_role("main").get_by_role("link", name="Проекты для оценки").click()
    else:
        menu(page, "Моя экспертиза")
    expect(page.get_by_role("heading", level=1)).to_have_text("Моя экспертиза")


def score(page, value):
    for field in page.get_by_label("Балл", exact=True).all():
        field.fill(str(value))
    page.get_by_role("button", name="Сохранить мои оценки").click()


def test_defense_round_from_panel_to_signed_protocol(pages, another_person):
    chair = build_blind_round(pages, 2)

    expert = another_person()
    page = log_in(expert, EXPERT)
    open_expert_work(page)
    expect(page.get_by_role("link", name=ROUND)).to_be_visible()
    expert.check(screenshot="expert-home")
    # blind: the expert sees the projects, not who applied
    blind_round = page.locator("section", has=page.get_by_role("link", name=ROUND))
    expect(blind_round.get_by_text("Лузалес")).to_have_count(0)
    expect(page.locator("section", has_text=PROJECT_A).get_by_text("Лузалес").first).to_be_visible()
    blind_round.locator(".card", has_text=PROJECT_B).get_by_role("link", name="Оценить проект").click()
    page.get_by_text("Заявить о конфликте интересов").click()
    page.locator("details", has_text="Заявить о конфликте интересов").get_by_label("Причина").fill(
        "Работал в компании-заявителе до 2025 года."
    )
    page.get_by_role("button", name="Заявить о конфликте").click()
    expert.check()
    expect(page.get_by_text(PROJECT_B)).to_have_count(0)

    page.locator("section", has=page.get_by_role("link", name=ROUND)).locator(
        ".card", has_text=PROJECT_A
    ).get_by_role("link", name="Оценить проект").click()
    expert.check(screenshot="scoring")
    score(page, 8)
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()

    second = another_person()
    page2 = log_in(second, SECOND_EXPERT)
    open_expert_work(page2)
    for project, value in ((PROJECT_A, 5), (PROJECT_B, 6)):
        page2.locator("section", has=page2.get_by_role("link", name=ROUND)).locator(
            ".card", has_text=project
        ).get_by_role("link", name="Оценить проект").click()
        score(page2, value)
        open_expert_work(page2)

    # the first expert still sees only their own scores: no results, no one else's numbers
    open_expert_work(page)
    page.get_by_role("link", name=ROUND).click()
    expect(page.get_by_role("link", name="Результаты")).to_have_count(0)
    expect(
        page.get_by_text("Марина Промышленная").locator("xpath=..").get_by_text(re.compile(r"\b5\b"))
    ).to_have_count(0)
    page.locator("a", has_text=PROJECT_A).first.click()
    for field in page.get_by_label("Балл", exact=True).all():
        expect(field).to_have_value(re.compile(r"^8(\.0+)?$"))
    expect(page.get_by_text(re.compile(r"\b5(,0)?\b"))).to_have_count(0)

    # the chair closes scoring, records the panel's decisions and signs the protocol
    chair.reload()
    chair.get_by_role("button", name="Завершить оценку").click()
    expect(chair.get_by_text("Оценка завершена; результаты доступны комиссии.")).to_be_visible()
    chair.get_by_role("link", name="Результаты").click()
    pages.check(screenshot="defense-results")
    for project in (PROJECT_A, PROJECT_B):
        row = chair.get_by_role("row", name=re.compile(project))
        row.locator("summary").click()
        row.get_by_label("Решение", exact=True).select_option(index=0)
        row.get_by_role("button", name="Сохранить").click()
        expect(chair.get_by_text("Решение зафиксировано.")).to_be_visible()
    chair.get_by_role("link", name="Протокол").click()
    chair.get_by_role("button", name="Подписать протокол").click()
    expect(chair.get_by_text("Протокол подписан.")).to_be_visible()
    expect(chair.get_by_text(re.compile("Подписан председателем"))).to_be_visible()
    pages.check(screenshot="protocol")

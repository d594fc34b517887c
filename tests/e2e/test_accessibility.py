"""Accessibility beyond what axe sees on each page: errors announced and tied to their fields, the whole
registration and scoring flow done with the keyboard alone, and no page wider than the screen."""

import re

from playwright.sync_api import expect
from tests.e2e.conftest import DEMO_PASSWORD, DESKTOP, PHONE, accessibility_violations, sideways_scroll
from tests.e2e.flows import EXPERT, KOMI, menu, open_komi_session

DEMO_SESSION = "Практическая сессия по развитию промышленных кластеров России"
DEMO_ROUND = "Практическая сессия в Сыктывкаре, день 2: предварительная защита проектов"


def tab_to(page, name, role="link", limit=150):
    """Press Tab until the focused element is the ``role`` named ``name``; a person reading the screen
    would do the same. Fails if it is never reached (a trap or an unreachable control)."""
    pattern = name if isinstance(name, re.Pattern) else re.compile(f"^{re.escape(name)}$")
    page.wait_for_load_state("load")  # after an Enter that followed a link, the next page first
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_load_state("load")
        focused = page.evaluate(
            """() => { const e = document.activeElement; if (!e) return null;
                 const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
                 return {tag: e.tagName.toLowerCase(), type: e.type || '', text: (e.innerText || e.value || '').trim(),
                         label: label.trim(), aria: e.getAttribute('aria-label') || ''}; }"""
        )
        if not focused:
            continue
        kind = {"a": "link", "button": "button", "select": "combobox", "textarea": "textbox"}.get(
            focused["tag"], "checkbox" if focused["type"] == "checkbox" else "textbox"
        )
        if focused["tag"] == "input" and focused["type"] in ("submit", "button"):
            kind = "button"
        accessible_name = focused["label"] or focused["aria"] or focused["text"]
        if kind == role and pattern.search(accessible_name):
            return
    raise AssertionError(f"{role} {name!r} cannot be reached with Tab on {page.url}")


def choose_with_arrows(page, option, limit=120):
    """Move through the focused list with the arrow keys until ``option`` is chosen."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.selectedOptions[0].text") == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option!r} cannot be chosen with the arrow keys")


def press_enter_and_wait(page):
    """Enter on a focused link or submit button, then the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_registration_errors_are_announced_and_linked_to_their_fields(pages):
    page = open_komi_session(pages, DEMO_SESSION)
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("Электронная почта", exact=True).fill("не-адрес")
    page.get_by_role("button", name="Зарегистрироваться").click()
    pages.check()

    # the empty name and the malformed address are both flagged, each with its message tied to the field
    for label in ("ФИО", "Электронная почта"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = field.get_attribute("aria-describedby") or ""
        messages = " ".join(page.locator(f"#{ident}").inner_text() for ident in described_by.split())
        assert messages.strip(), f"the error of «{label}» is not linked to the field (aria-describedby)"
    invalid = page.locator("[aria-invalid=true]")
    for index in range(invalid.count()):
        described_by = invalid.nth(index).get_attribute("aria-describedby") or ""
        assert described_by.strip(), (
            f"{invalid.nth(index).get_attribute('name')} is invalid with no message linked"
        )
    # the error is announced: said by a live region, or the first invalid field takes the focus
    announced = page.locator("[role=alert], [aria-live=assertive], [aria-live=polite]").filter(
        has_text=re.compile(r"\S")
    )
    focused_invalid = page.evaluate(
        "document.activeElement && document.activeElement.getAttribute('aria-invalid')"
    )
    assert announced.count() or focused_invalid == "true", "the form's errors are not announced"

    # consent is checked last, and its refusal is tied to the box as well
    page.get_by_label("ФИО", exact=True).fill("Анна Ошибкина")
    page.get_by_label("Электронная почта", exact=True).fill("anna.errors@example.com")
    page.get_by_role("button", name="Зарегистрироваться").click()
    consent = page.get_by_label(re.compile("обработку моих персональных данных"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    consent_error = consent.get_attribute("aria-describedby") or ""
    assert consent_error.strip() and page.locator(f"#{consent_error.split()[0]}").inner_text().strip()
    pages.check()


def test_registration_and_scoring_with_the_keyboard_alone(pages):
    page = pages.page
    page.goto("/")
    tab_to(page, KOMI)
    press_enter_and_wait(page)
    tab_to(page, "Сессии")
    press_enter_and_wait(page)
    tab_to(page, DEMO_SESSION)
    press_enter_and_wait(page)
    tab_to(page, "Зарегистрироваться")
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Регистрация")
    pages.check()

    for label, text in (
        ("ФИО", "Клавиатурный Участник"),
        ("Электронная почта", "keyboard.only@example.com"),
        ("Телефон", "+7 900 000-00-00"),
    ):
        tab_to(page, label, role="textbox")
        page.keyboard.type(text)
    tab_to(page, "Регион", role="combobox")
    choose_with_arrows(page, "Республика Коми")
    tab_to(page, "Организация", role="textbox")
    page.keyboard.type("ООО «Клавиша»")
    tab_to(page, re.compile("персональных данных"), role="checkbox")
    page.keyboard.press("Space")
    tab_to(page, "Зарегистрироваться", role="button")
    press_enter_and_wait(page)
    expect(page.get_by_text("keyboard.only@example.com")).to_be_visible()
    pages.check()

    # the expert logs in and scores a project, never touching the mouse
    page.goto("/")
    tab_to(page, "Войти")
    press_enter_and_wait(page)
    tab_to(page, "Электронная почта", role="textbox")
    page.keyboard.type(EXPERT)
    tab_to(page, "Пароль", role="textbox")
    page.keyboard.type(DEMO_PASSWORD)
    press_enter_and_wait(page)
    expect(page.locator("nav").get_by_role("link", name="Войти", exact=True)).to_have_count(0)
    tab_to(page, re.compile("^(Моя экспертиза|Проекты для оценки)$"))
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Моя экспертиза")
    tab_to(page, DEMO_ROUND)
    tab_to(page, "Оценить проект")
    press_enter_and_wait(page)
    expect(page.get_by_role("button", name="Сохранить мои оценки")).to_be_visible()
    pages.check()
    for index in range(page.get_by_label("Балл", exact=True).count()):
        tab_to(page, "Балл", role="textbox")
        page.keyboard.press("Control+A")
        page.keyboard.type("7")
        assert page.get_by_label("Балл", exact=True).nth(index).input_value() == "7"
    tab_to(page, "Сохранить мои оценки", role="button")
    press_enter_and_wait(page)
    expect(page.get_by_role("alert").first).to_be_visible()
    pages.check()


def test_main_pages_fit_the_screen_at_desktop_and_phone_width(pages):
    """No page scrolls sideways at 1366 or 390 px (every visited page is also checked by ``pages.check``)."""
    page = pages.page
    page.goto("/")
    visited = [page.url]
    for where, name in (
        ("main", KOMI),
        ("menu", "Сессии"),
        ("main", DEMO_SESSION),
        ("menu", "Технопарки"),
        ("menu", "Предприятия"),
        ("menu", "Календарь"),
    ):
        if where == "menu":
            menu(page, name)
        else:
            page.get_by_role("main").get_by_role("link", name=name, exact=True).first.click()
        page.wait_for_load_state("load")
        visited.append(page.url)
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            assert not sideways_scroll(page, size["width"])
        page.set_viewport_size(DESKTOP)
        pages.check()
    assert len(set(visited)) == len(visited)


def test_the_page_checks_find_an_unnamed_control_and_a_page_wider_than_the_phone(page):
    """The checks every page of the other tests passes would pass anything if they were broken."""
    page.set_content(
        '<html lang="en"><title>t</title><body><main><h1>A</h1><button></button>'
        '<div style="width: 600px">wide</div></main></body></html>'
    )
    page.set_viewport_size(PHONE)
    for viewport in ("desktop", "phone"):  # the second run reuses the injected axe-core
        found = accessibility_violations(page, viewport)
        assert [v.split(": ")[1].split(" ")[0] for v in found] == ["button-name"], found
    assert sideways_scroll(page, PHONE["width"])

"""Steps several stories share, each done as a person would: through links, labels and buttons."""

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from tests.e2e.conftest import DEMO_PASSWORD, link_in, read_mail

KOMI = "Центр кластерного развития Республики Коми"
KOMI_ADMIN = "komi-admin@clusterhub.example.com"
KOMI_STAFF = "komi-staff@clusterhub.example.com"
EXPERT = "expert@clusterhub.example.com"
SECOND_EXPERT = "expert2@minpromtorg.example.com"
REPRESENTATIVE = "rep@luzales.example.com"
ANALYST = "analyst@minpromtorg.example.com"
PLATFORM_ADMIN = "admin@clusterhub.example.com"


def log_in(pages, email, password=DEMO_PASSWORD):
    """Log in from the platform home through the navbar's link; lands on the person's start page."""
    page = pages.page
    page.goto("/")
    menu(page, "Войти")
    page.get_by_label("Электронная почта", exact=True).fill(email)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Войти").click()
    expect(page.get_by_role("navigation").first.get_by_role("link", name="Войти", exact=True)).to_have_count(
        0
    )
    pages.check()
    return page


def menu(page, name):
    """Follow a link of the site's menu, opening the grouped menu that holds it; on a start page without
    it, the link of the start page itself; else first the way into the Komi center (the platform home's
    link, a staff member's start page's link)."""
    # The page the last click led to must be there, its menu script attached: on a loaded machine the
    # previous click may still be navigating when the next step looks for a link.
    page.wait_for_load_state("load")
    nav = page.locator("nav")  # the main menu and, inside a center, the center's menu
    link = nav.get_by_role("link", name=name, exact=True).first
    if not link.count():
        in_main = page.get_by_role("main").get_by_role("link", name=name, exact=True).first
        if in_main.count():
            in_main.click()
            return
        for entry in (KOMI, "Кабинет сотрудника"):  # the platform home, a staff member's start page
            entry_link = page.get_by_role("main").get_by_role("link", name=entry, exact=True)
            if entry_link.count():
                with page.expect_navigation():  # the center's page, with its menu, before looking in it
                    entry_link.first.click()
                break
    if not link.is_visible():
        # A phone's collapsed menu: opened by its toggler, again only while it stays closed (the page's script
        # may still be attaching on a loaded machine), until the link shows or the link is in a dropdown.
        for toggler in page.locator(".navbar-toggler").all():
            if not toggler.is_visible():
                continue
            opened = page.locator(f"{toggler.get_attribute('data-bs-target')}.show")
            for _attempt in range(4):
                if toggler.get_attribute("aria-expanded") != "true":
                    toggler.click()
                try:
                    opened.wait_for(state="visible", timeout=5_000)
                    break
                except PlaywrightTimeoutError:
                    continue
    if not link.is_visible():
        # The dropdown that holds the link (hidden links are not found by role unless asked): its own toggle,
        # clicked again only while the menu stays closed (a loaded machine may still be attaching the menu's
        # script, or take a moment to open it).
        hidden = nav.get_by_role("link", name=name, exact=True, include_hidden=True).first
        group = hidden.locator(
            "xpath=ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' dropdown ')][1]"
        )
        toggle = group.locator("[data-bs-toggle=dropdown]").first
        for _attempt in range(4 if hidden.count() and toggle.count() else 0):
            if toggle.get_attribute("aria-expanded") != "true":
                toggle.click()
            try:
                link.wait_for(state="visible", timeout=5_000)
                break
            except PlaywrightTimeoutError:
                continue
    link.click()


def open_komi_session(pages, title):
    """From the platform home to a Komi session's public page."""
    page = pages.page
    page.goto("/")
    page.get_by_role("link", name=KOMI).click()
    menu(page, "Сессии")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page


def register_as_guest(pages, live_server, title, full_name, email):
    """A visitor registers for a Komi session, confirms through the e-mail's link; returns the ticket URL."""
    page = open_komi_session(pages, title)
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("ФИО", exact=True).fill(full_name)
    page.get_by_label("Электронная почта", exact=True).fill(email)
    page.get_by_label("Категория", exact=True).select_option(label="Предприятие")
    page.get_by_label("Регион", exact=True).select_option(label="Республика Коми")
    page.get_by_label("Организация", exact=True).fill("ООО «Гость»")
    page.get_by_label(re.compile("обработку моих персональных данных")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text(email)).to_be_visible()
    page.goto(link_in(read_mail(live_server, email), live_server))
    expect(page.get_by_text(full_name).first).to_be_visible()
    return page.url

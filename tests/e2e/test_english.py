"""The English interface: a visitor switches the language with the navbar's button and reads the main public
pages, then a staff member reads the main staff pages; every page is checked for Russian left in the
English interface (see ``russian_in_english`` in conftest) besides the usual checks."""

import sqlalchemy as sa
from playwright.sync_api import expect
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.flows import KOMI_STAFF

KOMI_EN = "Cluster Development Center of the Komi Republic"


def nav_link(page, name):
    """A link of the site's menus, opening the collapsed or grouped menu that holds it."""
    link = page.locator("nav").get_by_role("link", name=name, exact=True).first
    if not link.is_visible():
        for toggle in page.locator("nav [data-bs-toggle=dropdown]").all():
            toggle.click()
            if link.is_visible():
                break
            page.keyboard.press("Escape")
    return link


def test_the_main_public_and_staff_pages_read_in_english(pages, live_server):
    page = pages.page
    page.goto("/")
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    pages.check()
    nav_link(page, "Calendar").click()
    pages.check()
    nav_link(page, "Services").click()
    pages.check()
    nav_link(page, "Enterprises").click()
    pages.check()
    page.get_by_role("link", name="Accessibility").click()
    pages.check()

    page.goto("/")
    page.get_by_role("link", name=KOMI_EN).click()
    pages.check()
    for entry in ("Sessions", "Technoparks"):
        nav_link(page, entry).click()
        pages.check()
    page.get_by_role("main").get_by_role("link").first.click()  # the first technopark
    pages.check()

    nav_link(page, "Log in").click()
    pages.check()
    page.get_by_label("E-mail", exact=True).fill(KOMI_STAFF)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    try:
        # logged in, the person's own language wins: the staff member switches to English too
        page.get_by_role("button", name="EN").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        pages.check()
        page.get_by_role("main").get_by_role("link", name="Staff area").first.click()
        pages.check()
        nav_link(page, "Manage sessions").click()
        pages.check()
        page.get_by_role("main").get_by_role("link").filter(has_text="Practical session").first.click()
        pages.check()
        for tab in ("Participants", "Check-in", "Statistics"):
            page.get_by_role("link", name=tab, exact=True).first.click()
            pages.check()
        nav_link(page, "Manage technoparks").click()
        pages.check()
        nav_link(page, "Clusters").click()
        pages.check()
    finally:
        # the demo staff member is shared by the other stories, which read the site in Russian
        engine = sa.create_engine(live_server.owner_url)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET locale = 'ru' WHERE email = :e"), {"e": KOMI_STAFF})
        engine.dispose()

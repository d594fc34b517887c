"""The page shell seen by every role: no server errors, no dead links, no escaped HTML, working menus.

The crawl follows the links each role is shown, from its start page, over the demo data: a 5xx anywhere
fails, and so does a 403 or 404 behind a link the role was shown (a link nobody may follow is a dead end).
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from clusterhub.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from clusterhub.extensions import db

HREF = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"", re.S)
ESCAPED_TAG = re.compile(r"&lt;/?(div|p|a|span|h[1-6]|ul|li|table|tr|td|strong|form|section)\b")
PAGES_PER_SHAPE = 2  # /komi/events/1 and /komi/events/2 look alike: visit two of each shape
PAGE_LIMIT = 160
SKIPPED_PREFIXES = ("/static/", "/api/", "/logout")
SKIPPED_SUFFIXES = (".ics", ".csv", ".xlsx", ".pdf", ".zip", ".svg", ".png", "/export", "/badges")


def _shape(path: str) -> str:
    return re.sub(r"\d+", "#", path)


def _links(page: str) -> list[str]:
    found = []
    for href in HREF.findall(page):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if not href or parts.scheme or parts.netloc or not href.startswith("/"):
            continue  # another site, mailto:, tel: or an anchor on the page
        if href.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
            continue
        found.append(href)
    return found


def crawl(client, start: str) -> list[tuple[str, int, str]]:
    """Visit pages reachable by links from ``start``; return (url, status, the page that linked to it)."""
    queue, seen, shapes, visited = deque([(start, "(start)")]), {start}, {}, []
    while queue and len(visited) < PAGE_LIMIT:
        url, referrer = queue.popleft()
        response = client.get(url)
        visited.append((url, response.status_code, referrer))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        assert not ESCAPED_TAG.search(page), f"escaped HTML on {url}: {ESCAPED_TAG.search(page).group(0)}"
        assert '="None"' not in page, f"an attribute with the value None on {url}"
        for link in _links(page):
            shape = _shape(urlsplit(link).path)
            if link in seen or shapes.get(shape, 0) >= PAGES_PER_SHAPE:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append((link, url))
    return visited


@pytest.fixture
def demo(make_tenant, app):
    make_tenant("komi")
    with app.test_request_context():
        load_demo()
    db.session.commit()


ROLES = {
    email: role or (membership[1] if membership else "representative")
    for email, _n, role, membership in DEMO_USERS
}


@pytest.mark.parametrize("email", [None, *ROLES], ids=["anonymous", *ROLES.values()])
def test_every_link_a_role_is_shown_leads_somewhere(demo, client, email):
    if email is not None:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response.location.endswith("/start")
    start = "/start" if email else "/"
    visited = crawl(client, start)
    broken = [
        (url, status, referrer) for url, status, referrer in visited if status >= 500 or status in (403, 404)
    ]
    assert not broken, "\n".join(
        f"{status} {url} (linked from {referrer})" for url, status, referrer in broken
    )
    assert len(visited) > 10  # the crawl did go somewhere


def test_a_fresh_center_shows_no_escaped_html_to_its_staff_or_the_public(
    make_tenant, make_user, client, login
):
    """Blocks that modules add to the home pages are templates: their HTML arrives as HTML."""
    tenant = make_tenant("tatarstan")
    anonymous_pages = crawl(client, "/tatarstan/")
    login(make_user("center_admin", tenant=tenant))
    staff_home = client.get("/tatarstan/staff/").get_data(as_text=True)
    assert '<div class="col-md-4"><div class="card' in staff_home  # the enterprise-claims block, as HTML
    staff_pages = crawl(client, "/tatarstan/staff/")
    for url, status, referrer in anonymous_pages + staff_pages:
        assert status < 500, f"{status} {url} (linked from {referrer})"
    assert any(url.startswith("/tatarstan/staff/") for url, _status, _referrer in staff_pages[1:])


def test_form_fields_carry_aria_attributes_only_when_they_mean_something(client):
    page = client.get("/login").get_data(as_text=True)
    assert "aria-invalid" not in page and "aria-describedby" not in page
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert re.search(r'aria-describedby="email-error"', page)


def test_the_menu_groups_staff_entries_in_a_dropdown(make_tenant, make_user, client, login):
    tenant = make_tenant("komi")
    login(make_user("center_admin", tenant=tenant))
    page = client.get("/komi/").get_data(as_text=True)
    dropdown = re.search(r'<ul class="dropdown-menu" aria-labelledby="menu-staff">(.*?)</ul>', page, re.S)
    assert dropdown is not None
    assert "/komi/staff/members" in dropdown.group(1) and "/komi/staff/audit" in dropdown.group(1)


def test_login_lands_on_the_start_page_with_the_roles_pending_work(make_tenant, make_user, client, login):
    tenant = make_tenant("komi")
    expert = make_user("expert", tenant=tenant)
    assert login(expert).location.endswith("/start")
    page = client.get("/start", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/komi/expert/" in page and "Projects to score" in page
    assert "/komi/staff/" not in page


def test_favicon_is_served_and_not_taken_for_a_center(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"


def test_accessibility_statement_is_linked_from_every_page_in_both_languages(client):
    home = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert 'href="/accessibility"' in home
    assert "Заявление о доступности" in client.get("/accessibility").get_data(as_text=True)
    client.post("/lang", data={"lang": "en"})
    assert "Accessibility statement" in client.get("/accessibility").get_data(as_text=True)

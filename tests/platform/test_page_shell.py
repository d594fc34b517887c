"""The page shell seen by every role: no server errors, no dead links, no escaped HTML, working menus.

The crawl follows the links each role is shown, from its start page, over the demo data: a 5xx anywhere
fails, and so does a 403 or 404 behind a link the role was shown (a link nobody may follow is a dead end).
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub_dev.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from tests.fixtures.app import _clean_database

HREF = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"", re.S)
ESCAPED_TAG = re.compile(r"&lt;/?(div|p|a|span|h[1-6]|ul|li|table|tr|td|strong|form|section)\b")
STORED_CODE = re.compile(
    r"\b(center_admin|center_staff|platform_admin|federal_analyst|owner|applied|confirmed|pending|draft"
    r"|published|submitted|not_registered|practical_session|True|False|None)\b"
)
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
        if 'lang="ru"' in page:  # English words in the Russian text are stored codes shown as they are
            text = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[-1])
            assert not STORED_CODE.search(text), (
                f"a stored code on {url}: {STORED_CODE.search(text).group(0)}"
            )
        for link in _links(page):
            shape = _shape(urlsplit(link).path)
            if link in seen or shapes.get(shape, 0) >= PAGES_PER_SHAPE:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append((link, url))
    return visited


@pytest.fixture(scope="class")
def demo(app):
    """The demo data, built once for every role's crawl (the crawls only read) and removed after them."""
    from clusterhub.centers.services import create_tenant
    from clusterhub.regions.models import Region

    with app.app_context():
        region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "11"))
        create_tenant(
            {
                "slug": "komi",
                "name_ru": "ЦКР komi",
                "name_en": "CDC komi",
                "region_id": region_id,
                "default_locale": "ru",
            }
        )
        db.session.commit()
        with app.test_request_context():
            load_demo()
        db.session.commit()
        db.session.remove()
    yield
    _clean_database(app)


ROLES = {
    email: role or (membership[1] if membership else "representative")
    for email, _n, role, membership in DEMO_USERS
}


@pytest.mark.shares_class_data
class TestEveryRolesCrawl:
    @pytest.mark.parametrize("email", [None, *ROLES], ids=["anonymous", *ROLES.values()])
    def test_every_link_a_role_is_shown_leads_somewhere(self, demo, client, email):
        _crawl_as(client, email)


def _crawl_as(client, email):
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
    login(make_user("center_admin", tenant=tenant, email="head@tatarstan.example"))
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
    dropdown = re.search(
        r'<ul class="dropdown-menu[^"]*" aria-labelledby="menu-staff">(.*?)</ul>', page, re.S
    )
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


def test_only_the_login_form_takes_the_focus(make_tenant, make_user, client, login):
    """Autofocus on a form low on a staff page scrolled it away from its top and the flash message."""
    assert "autofocus" in client.get("/login").get_data(as_text=True)
    tenant = make_tenant("komi")
    login(make_user("center_admin", tenant=tenant))
    page = client.get("/komi/staff/members").get_data(as_text=True)
    assert "<form" in page and "autofocus" not in page


def test_the_start_page_lists_only_the_users_own_registrations_in_every_center(
    make_tenant, make_user, make_event, person, client, login, request_context
):
    from clusterhub.events.services.registration import register
    from clusterhub.tenancy.scoping import tenant_scope

    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    visitor, stranger = make_user(email="visitor@example.com"), make_user(email="stranger@example.com")
    for tenant, user in ((komi, visitor), (tatarstan, visitor), (tatarstan, stranger)):
        event = make_event(tenant=tenant)
        with tenant_scope(db.session, tenant.id):
            register(event, person(email=user.email), user=user)
            db.session.commit()
    login(visitor)
    page = client.get("/start").get_data(as_text=True)
    assert "/komi/events/mine" in page and "/tatarstan/events/mine" in page
    assert page.count("1 регистрация") == 2  # the stranger's registration in Tatarstan is not counted


def test_the_start_page_needs_a_login(client):
    response = client.get("/start")
    assert response.status_code == 302 and "/login" in response.location


def test_technoparks_menu_item_and_new_project_form_open(
    make_tenant, make_user, make_technopark, client, login, request_context
):
    """Both answered 500: the catalogue named a template that does not exist; the project form's cluster
    choices were database rows, which WTForms does not take for (value, label) pairs."""
    from clusterhub.clusters.services.clusters import create_cluster
    from clusterhub.tenancy.scoping import tenant_scope

    tenant = make_tenant("komi")
    make_technopark(tenant=tenant, name_ru="Технопарк «Алграф»")
    with tenant_scope(db.session, tenant.id):
        create_cluster({"name": "Лесной кластер", "cluster_type": "industrial"}, actor=None)
        db.session.commit()
    catalogue = client.get("/komi/technoparks/")
    assert catalogue.status_code == 200 and "Технопарк «Алграф»" in catalogue.get_data(as_text=True)
    login(make_user("center_admin", tenant=tenant, email="head@komi.example"))
    form = client.get("/komi/projects/new")
    assert form.status_code == 200
    assert re.search(r'<option value="\d+">Лесной кластер</option>', form.get_data(as_text=True))

"""Browser tests: Debian's Chromium driven by Playwright against a live server of the application.

One server per test run (a werkzeug thread on a free port) on a fresh database of the pass's backend
(``TEST_DATABASE``), with the tenants synced and the demo data loaded as ``make demo`` does; one browser
context per test. The tests share the demo data, so each one creates what it changes under names of its own.

Every page a test reaches goes through :func:`Pages.check`: axe-core at desktop and phone width, no
sideways scrolling, no untranslated message on a Russian page. Any browser console error, uncaught script
error, CSP violation or failed request fails the test that caused it.
"""

import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from tests.fixtures.app import BACKEND, _create_pg_database, _drop_pg_database
from werkzeug.serving import make_server

from clusterhub import create_app, project_root
from clusterhub.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# The README's pictures are refreshed only on request (`make screenshots`, i.e. SCREENSHOTS=1), so an ordinary
# run leaves the tree clean; otherwise the same pictures go beside the failure artefacts, to look at.
SCREENSHOTS = (
    project_root() / "docs" / "screenshots"
    if os.environ.get("SCREENSHOTS") == "1"
    else project_root() / "test-results" / f"screenshots-{BACKEND}"
)
DEMO_PASSWORD = "clusterhub-demo"
SERIOUS = {"serious", "critical"}


def pytest_configure(config):
    # Failure artefacts of each pass in their own folder, so the PostgreSQL pass keeps the SQLite one's.
    if config.getoption("--output", None) == "test-results":
        config.option.output = f"test-results/e2e-{BACKEND}"
    if config.getoption("--tracing", None) == "off":
        config.option.tracing = "retain-on-failure"
    if config.getoption("--screenshot", None) == "off":
        config.option.screenshot = "only-on-failure"


def pytest_collection_modifyitems(config, items):
    ours = [item for item in items if Path(item.fspath).is_relative_to(Path(__file__).parent)]
    # `make test` runs the browser tests once, on the backend tests/run.sh names (PostgreSQL when reachable)
    e2e_backend = os.environ.get("E2E_BACKEND", BACKEND)
    if e2e_backend != BACKEND:
        pass_name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(e2e_backend, e2e_backend)
        once = pytest.mark.skip(reason=f"the browser tests run once, in the {pass_name} pass of `make test`")
        for item in ours:
            item.add_marker(once)
        return
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI: the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or `make e2e`) to run the browser tests"
    )
    for item in ours:
        item.add_marker(skip)


@dataclass
class LiveServer:
    url: str
    app: object
    owner_url: str


@pytest.fixture(autouse=True)
def ctx():
    """The browser tests share one live database: no per-test application context or cleanup."""
    yield


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The application served on a free port of 127.0.0.1 with the demo data; yields its base URL."""
    from flask_migrate import upgrade

    from clusterhub.centers.services import sync_tenants
    from clusterhub_dev.demo import load_demo

    pg_name = None
    if BACKEND == "postgresql":
        pg_name, owner_url, app_url = _create_pg_database()
    else:
        owner_url = app_url = f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.sqlite3'}"
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": app_url,
            "MIGRATIONS_DATABASE_URL": owner_url,
            "SECRET_KEY": "e2e-secret-key-not-for-production",
            # every test logs in from 127.0.0.1
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
            "REPORTING_CACHE_SECONDS": 0,
            # the cheapest Argon2id, as in the rest of the suite: the demo's 15 accounts took 2 s of CPU to
            # hash on every worker, and each log-in another 0.15 s to verify (production refuses this)
            "PASSWORD_HASHING": "minimal",
        }
    )
    with app.app_context():
        upgrade()
        report = sync_tenants(Path(app.config["TENANTS_DIR"]))
        assert not report.errors, report.errors
        db.session.commit()
        load_demo()
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, owner_url=owner_url)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    if pg_name:
        _drop_pg_database(pg_name)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


def read_mail(live_server, recipient: str) -> str:
    """The text of the newest e-mail queued for ``recipient``: what the person would find in their inbox."""
    engine = sa.create_engine(live_server.owner_url)
    try:
        with engine.connect() as conn:
            body = conn.scalar(
                sa.text(
                    "SELECT body_text FROM outbox_messages WHERE recipient = :r ORDER BY id DESC LIMIT 1"
                ),
                {"r": recipient},
            )
    finally:
        engine.dispose()
    assert body, f"no e-mail to {recipient}"
    return body


def link_in(mail: str, live_server) -> str:
    """The first link of an e-mail, made relative to the live server (mail links use BASE_URL)."""
    match = re.search(r"https?://[^\s]+", mail)
    assert match, mail
    parts = urlsplit(match.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": DESKTOP,
        "locale": "ru-RU",
        "timezone_id": "Europe/Moscow",
        "accept_downloads": True,
        "reduced_motion": "reduce",
    }


def _untranslated_messages() -> list[str]:
    """English sources that, seen on a Russian page, mean a string escaped translation.

    Only whole sentences or phrases of some length, without placeholders, and not part of any Russian
    translation (brand names and codes stay the same in both languages).
    """
    with open(project_root() / "translations" / "ru" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    translations = " ".join(str(m.string) for m in catalog if m.id and isinstance(m.string, str))
    found = []
    for message in catalog:
        source = message.id if isinstance(message.id, str) else (message.id or [""])[0]
        if (
            source
            and len(source) >= 12
            and " " in source
            and "%" not in source
            and "{" not in source
            and "<" not in source
            and re.search(r"[a-z]{3}", source)
            and source not in translations
        ):
            found.append(source)
    return found


def _russian_messages() -> tuple[list[str], set[str]]:
    """What gives away Russian left in the English interface.

    The Russian translations (whole phrases of some length, without placeholders) that are not also English
    text; and the Russian words the English sources use on purpose (ИНН, ОКВЭД, Минпромторг...), which the
    English interface may show.
    """
    with open(project_root() / "translations" / "ru" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    sources = " ".join(m.id if isinstance(m.id, str) else " ".join(m.id) for m in catalog if m.id)
    phrases = [
        str(m.string)
        for m in catalog
        if m.id
        and isinstance(m.string, str)
        and len(m.string) >= 12
        and " " in m.string
        and "%" not in m.string
        and "{" not in m.string
        and "<" not in m.string
        and re.search(r"[а-яё]{3}", m.string)
        and m.string not in sources
    ]
    return phrases, set(re.findall(r"[А-Яа-яЁё][А-Яа-яЁё0-9-]*", sources))


UNTRANSLATED = _untranslated_messages()
RUSSIAN_PHRASES, RUSSIAN_WORDS_IN_ENGLISH = _russian_messages()
# The interface's own words on a page (not its data: names of centers, sessions, people stay as entered).
INTERFACE_TEXT = "th, label, button:not(.navbar-user), legend, summary, .nav-link:not(.navbar-user), .dropdown-item, .form-text"
_audited: set[tuple[str, str]] = set()


def _page_key(url: str) -> str:
    """One axe run per kind of page: numbers in the path stand for any record."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(url).path)


class Pages:
    """What a test sees of its browser tab: the problems it raised, and the per-page checks."""

    def __init__(self, page, live_server):
        self.page = page
        self.live_server = live_server
        self.problems: list[str] = []
        self.allowed_statuses: set[int] = set()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("dialog", lambda dialog: dialog.accept())  # the person answers "OK" to a confirmation
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));"
        )

    def _on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _on_request_failed(self, request):
        failure = request.failure or ""
        # a download or a navigation replaced by the next one is aborted by the browser, not failed
        if "ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({failure})")

    def _on_response(self, response):
        if response.status >= 400 and response.status not in self.allowed_statuses:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def assert_no_problems(self):
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(dict.fromkeys(problems))

    def check(self, screenshot: str | None = None):
        """The checks every visited page must pass; ``screenshot`` names the picture to take (the README's
        with ``SCREENSHOTS=1``, else under ``test-results/``).

        What they find is kept, not raised, so one run of a flow reports every page's problems; the test
        fails at its end (see the ``pages`` fixture) when anything was found.
        """
        page = self.page
        page.wait_for_load_state("load")
        text = page.locator("body").inner_text()
        lang = page.evaluate("document.documentElement.lang")
        if lang.startswith("ru"):
            leaked = [message for message in UNTRANSLATED if message in text]
            if leaked:
                self.problems.append(f"untranslated on {page.url}: {leaked}")
        elif lang.startswith("en"):
            self.problems.extend(russian_in_english(page, text))
        if screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"))
        key = _page_key(page.url)
        viewport = page.viewport_size
        try:
            for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                if size != page.viewport_size:
                    page.set_viewport_size(size)
                self.problems.extend(sideways_scroll(page, size["width"]))
                if (key, name) not in _audited:
                    _audited.add((key, name))
                    self.problems.extend(accessibility_violations(page, name))
        finally:
            if viewport != page.viewport_size:
                page.set_viewport_size(viewport)
        return page


_OWN_TEXT = """els => els.filter(e => e.offsetParent !== null || e.closest('.dropdown-menu')).map(e => {
    const copy = e.cloneNode(true);
    copy.querySelectorAll('.visually-hidden').forEach(hidden => hidden.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
}).filter(Boolean)"""


def russian_in_english(page, text: str) -> list[str]:
    """Russian on an English page: a Russian translation as the whole text of an element, or a Russian word
    among the interface's own words (headers, labels, buttons, menus, hints) that no English source uses on
    purpose. Data stays as entered (a person's or a technopark's Russian name is not a translation)."""
    problems = []
    phrases = set(RUSSIAN_PHRASES)
    whole = page.locator("main *").evaluate_all(
        "els => els.map(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(' ')"
        ".replace(/\\s+/g, ' ').trim()).filter(Boolean)"
    )
    leaked = sorted({t for t in whole if t in phrases or t.rstrip(".:") in phrases})
    if leaked:
        problems.append(f"Russian text on the English page {page.url}: {leaked[:5]}")
    interface = page.locator(INTERFACE_TEXT).evaluate_all(_OWN_TEXT)
    words = {
        (word, label)
        for label in interface
        for word in re.findall(r"[А-Яа-яЁё][А-Яа-яЁё0-9-]*", label)
        if word not in RUSSIAN_WORDS_IN_ENGLISH
    }
    if words:
        problems.append(
            f"untranslated interface text on the English page {page.url}: "
            + "; ".join(sorted({label for _word, label in words})[:8])
        )
    return problems


def sideways_scroll(page, width) -> list[str]:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        return [f"{page.url} scrolls sideways at {width}px: {scroll_width}px wide"]
    return []


_AXE_SCRIPT: str | None = None
# Only what the checks report crosses back from the browser.
_SERIOUS_VIOLATIONS = """async impacts => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map(n => String(n.target[0]))}))"""


def accessibility_violations(page, viewport_name) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now. axe-core (570 kB) is
    injected once per document: the phone-width run reuses the desktop run's copy."""
    global _AXE_SCRIPT
    if _AXE_SCRIPT is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE_SCRIPT = Axe().axe_script
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_AXE_SCRIPT)
    violations = page.evaluate(_SERIOUS_VIOLATIONS, sorted(SERIOUS))
    return [
        f"axe on {page.url} ({viewport_name}): {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(v["targets"])
        for v in violations
    ]


@pytest.fixture
def pages(page, live_server):
    """The test's browser tab, watched for console errors, failed requests and CSP violations."""
    page.set_default_timeout(10_000)
    watched = Pages(page, live_server)
    yield watched
    watched.assert_no_problems()


@pytest.fixture
def another_person(new_context, live_server):
    """A second (third...) person in the same story: their own browser context, watched like ``pages``."""
    people = []

    def open_tab():
        page = new_context().new_page()
        page.set_default_timeout(10_000)
        people.append(Pages(page, live_server))
        return people[-1]

    yield open_tab
    for person in people:
        person.assert_no_problems()

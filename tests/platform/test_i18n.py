import re
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, format_datetime, ngettext

from clusterhub.core.i18n import money

ROOT = Path(__file__).resolve().parents[2]


def _extracted_ids(tmp_path) -> set:
    """Every msgid in the Python code and in the Jinja templates (babel.cfg), as ``make extract`` finds them."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.backend_independent
def test_every_string_in_the_code_has_a_russian_translation(tmp_path):
    extracted = _extracted_ids(tmp_path)
    with (ROOT / "translations/ru/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing, fuzzy = [], []
    for message_id in extracted:
        message = catalog.get(message_id[0] if isinstance(message_id, tuple) else message_id)
        strings = (
            message.string
            if message is not None and isinstance(message.string, tuple)
            else ((message.string,) if message is not None else ("",))
        )
        if message is None or not all(strings):
            missing.append(message_id)
        elif message.fuzzy:
            fuzzy.append(message_id)
    assert not missing, f"untranslated into Russian: {sorted(map(str, missing))[:20]}"
    assert not fuzzy, f"fuzzy Russian translations: {sorted(map(str, fuzzy))[:20]}"


@pytest.mark.backend_independent
def test_every_string_in_the_code_and_templates_is_in_the_english_catalogue(tmp_path):
    """English is the source: an empty msgstr shows the msgid, but the string must be in the catalogue
    (``make extract`` was run), and nothing may be left fuzzy there either."""
    extracted = _extracted_ids(tmp_path)
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = [m for m in extracted if catalog.get(m[0] if isinstance(m, tuple) else m) is None]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, (
        f"missing from the English catalogue (run make extract): {sorted(map(str, missing))[:20]}"
    )
    assert not fuzzy, f"fuzzy English translations: {sorted(map(str, fuzzy))[:20]}"


# Russian legal documents (invoice, act) are in Russian whatever the interface language.
RUSSIAN_ONLY_TEMPLATES = ("invoice_document.html", "act_document.html")


@pytest.mark.backend_independent
def test_templates_translate_every_sentence_they_show():
    """Text typed straight into a template, outside ``_()``, shows untranslated in the other language.
    Only names and abbreviations (ClusterHub, CSV, PDF, ИНН) may stand as they are."""
    untranslated = []
    for path in (ROOT / "platform/clusterhub").rglob("templates/**/*.html"):
        if path.name in RUSSIAN_ONLY_TEMPLATES or "templates/mail/" in path.as_posix():
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"<(script|style)\b.*?</\1>"):
            text = re.sub(pattern, " ", text, flags=re.S)
        for chunk in re.sub(r"<[^>]*>", "\n", text).splitlines():
            words = re.findall(r"[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё-]{2,}", chunk)
            if any(word != "ClusterHub" and not word.isupper() for word in words):
                untranslated.append(f"{path.relative_to(ROOT)}: {chunk.strip()}")
    assert not untranslated, "text outside _() in templates:\n" + "\n".join(untranslated[:20])


def test_russian_plural_forms(app):
    with app.test_request_context(), force_locale("ru"):
        forms = {n: ngettext("%(num)d center", "%(num)d centers", n) for n in (1, 2, 5, 21, 11, 104)}
    assert forms[1] == "1 центр"
    assert forms[2] == "2 центра"
    assert forms[5] == "5 центров"
    assert forms[21] == "21 центр"
    assert forms[11] == "11 центров"
    assert forms[104] == "104 центра"


def test_locale_follows_user_then_switch_then_browser_then_tenant(client, make_tenant, make_user, login):
    make_tenant("komi", default_locale="en")
    # tenant default when nothing else says
    assert 'lang="en"' in client.get("/komi/").get_data(as_text=True)
    # the browser's Accept-Language beats the tenant default
    assert 'lang="ru"' in client.get("/komi/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    # an explicit switch beats the browser
    client.post("/lang", data={"lang": "en", "next": "/komi/"})
    assert 'lang="en"' in client.get("/komi/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    # a logged-in user's preference beats the switch
    user = make_user(locale="ru")
    login(user)
    assert 'lang="ru"' in client.get("/komi/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switching_language_changes_every_page_and_is_remembered_for_the_user(client, make_user, login):
    user = make_user(locale="ru")
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert 'lang="ru"' in page and "Учётная запись" in page and "Your account" not in page
    client.post("/lang", data={"lang": "en", "next": "/account"})
    assert "Your account" in client.get("/account").get_data(as_text=True)


def test_error_pages_in_both_languages(client):
    assert "Page not found" in client.get("/nowhere/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    russian = client.get("/nowhere/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Page not found" not in russian and "404" in russian


def test_dates_are_shown_in_the_tenant_time_zone(app, client, make_tenant):
    make_tenant("kaliningrad", timezone="Europe/Kaliningrad")
    make_tenant("komi")
    moment = datetime(2026, 4, 1, 7, 0)  # stored in UTC
    with app.test_request_context("/kaliningrad/"):
        import sqlalchemy as sa
        from flask import g

        from clusterhub.extensions import db
        from clusterhub.tenancy.models import Tenant

        g.tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "kaliningrad"))
        with force_locale("ru"):
            assert "9:00" in format_datetime(moment, "short")
        g.tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "komi"))
        from flask_babel import refresh

        refresh()
        with force_locale("ru"):
            assert "10:00" in format_datetime(moment, "short")


def test_money_is_formatted_for_the_locale_from_kopecks(app):
    with app.test_request_context(), force_locale("ru"):
        assert money(12345678).replace("\xa0", " ").replace("\u202f", " ") == "123 456,78 ₽"
    with app.test_request_context(), force_locale("en"):
        assert money(12345678) == "123,456.78\u00a0₽"
        assert money(Decimal("1500.5")) == "1,500.50\u00a0₽"


@pytest.mark.backend_independent
def test_the_catalogues_compile_without_errors(tmp_path):
    """``make test`` compiles them first: a msgstr whose placeholders differ from its msgid breaks the build."""
    for language in ("ru", "en"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "compile",
                "-i",
                str(ROOT / f"translations/{language}/LC_MESSAGES/messages.po"),
                "-o",
                str(tmp_path / f"{language}.mo"),
                "-l",
                language,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0 and "error" not in result.stderr.lower(), result.stderr

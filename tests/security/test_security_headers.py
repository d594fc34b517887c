"""Security headers on every response, and templates that a nonce-based CSP does not break."""

import re
from pathlib import Path

import pytest

import clusterhub


@pytest.fixture
def home(client, make_tenant):
    make_tenant("komi")
    return client.get("/komi/")


def _csp(response) -> dict:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def test_the_csp_allows_only_own_and_nonced_scripts_and_styles(home):
    csp = _csp(home)
    nonce = re.search(r"'nonce-([^']+)'", " ".join(csp["script-src"])).group(1)
    assert csp["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert csp["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    policy = home.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_frames_are_refused(home):
    assert _csp(home)["frame-ancestors"] == ["'none'"]
    assert home.headers["X-Frame-Options"] == "DENY"


def test_nosniff_and_referrer_policy(home):
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    assert home.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_nonce_is_new_on_every_request_and_given_to_bootstraps_scripts(client, make_tenant):
    make_tenant("komi")
    first, second = client.get("/komi/"), client.get("/komi/")
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1) for r in (first, second)
    ]
    assert nonces[0] != nonces[1]
    page = first.get_data(as_text=True)
    assert f'nonce="{nonces[0]}"' in page
    # every inline script of the page carries the nonce; scripts from files are our own
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert f'nonce="{nonces[0]}"' in tag or re.search(r'src="/static/', tag), tag


def test_no_camera_or_other_devices_outside_the_check_in_page(home):
    policy = home.headers["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy


def test_errors_and_api_answers_carry_the_headers_too(client):
    for response in (client.get("/no-such-page"), client.get("/api/v1/tenants"), client.get("/healthz")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    app.config["ENV"] = "production"
    try:
        hsts = client.get("/healthz").headers["Strict-Transport-Security"]
    finally:
        app.config["ENV"] = "local"
    assert hsts.startswith("max-age=31536000")


TEMPLATES = sorted(Path(clusterhub.__file__).parent.rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_needs_unsafe_inline(template):
    """Inline handlers and style= attributes are blocked by the CSP: use static JS/CSS; <script>/<style>
    elements must either load a file or carry the nonce."""
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    assert "javascript:" not in text
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
        assert "csp_nonce()" in tag or "src=" in tag, tag


def test_python_built_svg_has_no_style_attributes():
    package = Path(clusterhub.__file__).parent
    for source in package.rglob("*.py"):
        assert 'style="' not in source.read_text(encoding="utf-8"), source


def test_a_cached_event_page_carries_the_nonce_of_the_request_that_serves_it(client, make_event):
    """Anonymous visitors get the event page from the page cache: its nonce must be the new one."""
    event_id = make_event().id
    for _ in range(2):  # the first request renders and stores, the second is a cache hit
        response = client.get(f"/komi/events/{event_id}")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        page = response.get_data(as_text=True)
        assert re.findall(r'nonce="([^"]+)"', page) and set(re.findall(r'nonce="([^"]+)"', page)) == {nonce}

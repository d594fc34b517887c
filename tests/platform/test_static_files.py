"""Styles and scripts are linked with a fingerprint of their content and cached by the browser for a year;
a stale or missing fingerprint is answered as before (revalidated on every use)."""

import re

from clusterhub.core.static_files import ONE_YEAR, _Fingerprints


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+\.(?:css|js)[^"]*)"', html)


def test_every_page_links_its_styles_and_scripts_with_a_fingerprint_the_browser_keeps_a_year(client):
    assets = _assets(client.get("/").get_data(as_text=True))
    assert any(a.startswith("/static/clusterhub.css?v=") for a in assets), assets
    assert any(a.startswith("/bootstrap/static/css/bootstrap.min.css?v=") for a in assets), assets
    for asset in assets:
        assert re.search(r"\?v=[0-9a-f]{12}$", asset), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.cache_control.max_age == ONE_YEAR and response.cache_control.public, asset


def test_a_stale_or_missing_fingerprint_is_revalidated_as_before(client):
    for url in ("/static/clusterhub.css", "/static/clusterhub.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.no_cache and response.cache_control.max_age is None, url
    assert client.get("/static/../config.py?v=1").status_code == 404


def test_a_changed_file_gets_a_new_fingerprint_under_the_debug_server(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    fingerprints = _Fingerprints(recheck=True)
    before = fingerprints.of(str(tmp_path), "site.css")
    (tmp_path / "site.css").write_text("body { color: navy }")
    assert before is not None and fingerprints.of(str(tmp_path), "site.css") not in (None, before)
    assert fingerprints.of(str(tmp_path), "../site.css") is None
    assert fingerprints.of(str(tmp_path), "missing.css") is None

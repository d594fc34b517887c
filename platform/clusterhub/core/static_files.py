"""Styles and scripts (ours and Bootstrap's) are linked with a fingerprint of their content, ``?v=<digest>``,
and a request that carries the file's current fingerprint may be cached by the browser for a year.

Without it every page asked again for its five files (``Cache-Control: no-cache``): five conditional requests
per page, one round trip before the first paint on a slow regional connection. A changed file gets a new
fingerprint, so nobody keeps an old copy. A request whose fingerprint is not the file's current one (a page
rendered by a pod of the previous release during a rolling update) is answered as before, without the long
lifetime, so the old copy is never cached under the new address.
"""

import hashlib
import os
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
MaxAge = Callable[[str | None], int | None]


def install(app: Flask) -> None:
    folders: dict[str, str] = {}
    if app.static_folder:
        folders["static"] = app.static_folder
    bootstrap = app.blueprints.get("bootstrap")
    if bootstrap is not None and bootstrap.static_folder:
        folders["bootstrap.static"] = bootstrap.static_folder
    fingerprints = _Fingerprints(recheck=app.debug)

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        folder = folders.get(endpoint)
        if folder is not None and "v" not in values and "filename" in values:
            digest = fingerprints.of(folder, values["filename"])
            if digest is not None:
                values["v"] = digest

    def cached_for_a_year_when_current(folder: str, default: MaxAge) -> MaxAge:
        def get_send_file_max_age(filename: str | None) -> int | None:
            asked = request.args.get("v")
            if asked is not None and filename is not None and asked == fingerprints.of(folder, filename):
                return ONE_YEAR
            return default(filename)

        return get_send_file_max_age

    for endpoint, folder in folders.items():
        owner: Any = app if endpoint == "static" else bootstrap
        owner.get_send_file_max_age = cached_for_a_year_when_current(folder, owner.get_send_file_max_age)


class _Fingerprints:
    """The content digest of each static file, read once (again when it changes, under the debug server)."""

    def __init__(self, recheck: bool) -> None:
        self._recheck = recheck
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, folder: str | None, filename: str) -> str | None:
        path = safe_join(folder, filename) if folder is not None else None
        if path is None:  # the name comes from the request's path when a file is served
            return None
        known = self._known.get(path)
        if known is not None and not self._recheck:
            return known[1]
        try:
            stat = os.stat(path)
        except OSError:
            return None  # a missing file gets no fingerprint; asking for it answers 404 as before
        signature = (stat.st_mtime_ns, stat.st_size)
        if known is not None and known[0] == signature:
            return known[1]
        with open(path, "rb") as handle:
            digest = hashlib.blake2b(handle.read(), digest_size=6).hexdigest()
        self._known[path] = (signature, digest)
        return digest

"""The extensions' per-request work, done only on the requests that have some.

Flask-WTF, Flask-Limiter, Flask-Login and Flask's cookie sessions each hook into every request. On a
request that sends no form, meets no rate limit and has an empty session (a health check, an anonymous
page) their hooks found nothing to do, yet together they cost about a third of ``/healthz``. Each is
replaced here, in its place in the hook order, by a check that calls the extension's own code whenever
it has something to do; ``tests/platform/test_request_floor.py`` holds what each must still do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Request

from ..extensions import csrf, limiter, login_manager
from .access import SAFE_METHODS


class SigningSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per secret key instead of per request,
    and nothing written for a session nobody read, changed or filled (where Flask first works out every
    cookie setting, then finds there is nothing to do)."""

    _signers: dict[tuple[Any, ...], Any] = {}

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._signers:
            self._signers[key] = super().get_signing_serializer(app)
        return self._signers[key]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ and self.get_signing_serializer(app) is not None:
            return self.session_class()  # no cookie to read (a first visit, a health check, an API call)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            # Nothing to write or delete; a page that looked into the empty session (an anonymous page
            # checking for messages) depends on the cookie all the same, as Flask would say.
            if session.accessed:
                if "Vary" in response.headers:
                    response.vary.add("Cookie")
                else:
                    response.headers["Vary"] = "Cookie"  # without parsing and rebuilding the header
            return
        super().save_session(app, session, response)


def install(app: Flask) -> None:
    """Replace the extensions' hooks on ``app`` (after every extension and blueprint is registered)."""
    app.session_interface = SigningSessionInterface()
    _replace(app.before_request_funcs[None], _named("csrf_protect"), _check_csrf)
    _replace(app.after_request_funcs[None], _named("_update_remember_cookie"), _update_remember_cookie)
    _replace(app.after_request_funcs[None], _named("__inject_headers"), _inject_rate_limit_headers)
    _replace(app.teardown_request_funcs[None], _named("__release_context"), _release_rate_limit_context)
    manager = limiter.limit_manager
    if not (manager.default_limits or manager.application_limits or manager._blueprint_limits):
        # Every limit here decorates its view, and a decorated view checks its limits itself when it
        # runs. Flask-Limiter's before_request pass serves default, application and blueprint limits only,
        # which we do not declare; it stays only if one is declared.
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def _named(suffix: str) -> Callable[[Any], bool]:
    def matches(hook: Any) -> bool:
        function = getattr(hook, "func", hook)  # Flask-Limiter registers a functools.partial
        return getattr(function, "__name__", "").endswith(suffix)

    return matches


def _replace(hooks: list[Any], matches: Callable[[Any], bool], replacement: Callable[..., Any]) -> None:
    """Put ``replacement`` where the one hook that ``matches`` is; an extension that changed its hooks
    fails the start-up here rather than running twice or not at all."""
    found = [index for index, hook in enumerate(hooks) if matches(hook)]
    if len(found) != 1:
        raise RuntimeError(f"expected one extension hook for {replacement.__name__}, found {len(found)}")
    hooks[found[0]] = replacement


def _check_csrf() -> None:
    """Flask-WTF's check, for the methods it protects: its own hook looked up the view's exemptions on
    every GET before finding the method needs no token."""
    if request.method in SAFE_METHODS:
        return
    config = current_app.config
    if (
        request.method in config["WTF_CSRF_METHODS"]
        and config["WTF_CSRF_ENABLED"]
        and config["WTF_CSRF_CHECK_DEFAULT"]
    ):
        csrf.protect(apply_exemptions=True)


def _update_remember_cookie(response: Response) -> Response:
    """Flask-Login's remember-me cookie is set or cleared from marks in the session: an empty session has
    none (unless every request refreshes the cookie). The session is looked at without the ``session``
    proxy, which would mark it read and add ``Vary: Cookie`` to a response that does not depend on it."""
    context = request_ctx._get_current_object()  # type: ignore[attr-defined]
    opened = getattr(context, "_session", None)  # Flask 3.1 keeps it there; its property marks it read
    if opened or current_app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
        return login_manager._update_remember_cookie(response)
    return response


def _limits_met() -> bool:
    """Whether a rate limit was checked in this request: Flask-Limiter keeps its per-request state on the
    request context from the first check on."""
    context = request_ctx._get_current_object()  # type: ignore[attr-defined]
    return hasattr(context, "_limiter_request_context")


def _inject_rate_limit_headers(response: Response) -> Response:
    if _limits_met():
        return limiter._Limiter__inject_headers(response)  # type: ignore[attr-defined]
    return response


def _release_rate_limit_context(exc: BaseException | None = None) -> None:
    if _limits_met():
        limiter._Limiter__release_context(exc)  # type: ignore[attr-defined]

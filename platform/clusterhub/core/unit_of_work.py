"""The request owns the transaction (as Indico's request handler does): services add and flush, and the
view's successful return commits once; a refusal or an exception anywhere rolls everything back.

Work that must not happen unless the data is stored (deleting a replaced file from storage) is queued
with ``after_commit`` and runs only once the commit has succeeded. Its mirror, ``after_rollback``, undoes
what was done outside the database and must not outlive a transaction that is not stored (a file written
to storage for a row that is rolled back): it runs when the request is refused, when the view or the
commit raises, and never after a successful commit."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from ..extensions import db
from .access import SAFE_METHODS
from .refusal import request_refused


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after this request's commit (at once outside a request: the caller commits)."""
    if not has_request_context():
        callback()
        return
    g.setdefault("after_commit", []).append(callback)


def after_rollback(callback: Callable[[], None]) -> None:
    """Run ``callback`` if this request's writes are not stored (refused, or an error in the view or the
    commit). Outside a request nothing is queued: a command commits or rolls back itself."""
    if has_request_context():
        g.setdefault("after_rollback", []).append(callback)


def undo(app: Flask) -> None:
    """The request's writes are not stored: forget the after-commit work and run the after-rollback work."""
    g.pop("after_commit", None)
    for callback in g.pop("after_rollback", ()):
        try:
            callback()
        except Exception:  # the request has already failed; a leftover file is logged, not a second error
            app.logger.exception("An after-rollback task failed on %s", request.path)


def finish(app: Flask) -> None:
    """Commit what the view did, or roll it back if the request met a refusal."""
    opened = db.session.registry.has()  # a request that never touched the database has nothing to end
    if request_refused():
        if opened:
            db.session.rollback()
        undo(app)
        return
    if opened:
        session = db.session
        if (
            session.info.get("flushed")
            or request.method not in SAFE_METHODS
            or session.new
            or session.dirty
            or session.deleted
        ):
            session.commit()
    g.pop("after_rollback", None)
    for callback in g.pop("after_commit", ()):
        try:
            callback()
        except Exception:  # the data is stored; a leftover file is logged, not a failed request
            app.logger.exception("An after-commit task failed on %s", request.path)


def _note_flush(session: Session, _flush_context: object) -> None:
    # A GET that writes through a service (default rounds seeded on first use) has flushed: its session
    # then holds nothing new or dirty, yet the transaction has rows to commit.
    session.info["flushed"] = True


def _forget_flush(session: Session) -> None:
    session.info.pop("flushed", None)


sa.event.listen(Session, "after_flush", _note_flush)
sa.event.listen(Session, "after_commit", _forget_flush)
sa.event.listen(Session, "after_rollback", _forget_flush)


class UnitOfWorkFlask(Flask):
    """Flask whose view dispatch ends with the request's single commit: an error in the commit itself goes
    through the same error handlers as one raised by the view (503 when the database is gone)."""

    _sync_functions: dict[Callable[..., Any], Callable[..., Any]]

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask asks this of every hook on every request (about twenty here), and the coroutine check
        # behind it cost a tenth of /healthz: the answer never changes for a function, so it is kept.
        try:
            return self._sync_functions[func]
        except AttributeError:
            self._sync_functions = {}
        except KeyError:
            pass
        sync = self._sync_functions[func] = super().ensure_sync(func)
        return sync

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = super().dispatch_request()
            finish(self)
        except BaseException:
            # The view or the commit failed: the session is rolled back at the end of the request, so
            # what was written outside the database for it goes now.
            undo(self)
            raise
        return response

"""One kind of error for "the service will not do this, and here is why": every module's refusals are
``Refusal``s, so a view, the API and the unit of work treat them alike."""

from collections.abc import Iterator
from contextlib import contextmanager


class Refusal(ValueError):
    """A service refuses what it was asked, for a reason the user can act on.

    ``message`` is already translated (services call gettext), ``field`` names the form field or JSON key
    it concerns, if one does. A request that meets a refusal commits nothing (see ``unit_of_work``)."""

    status = 422
    #: False for a refusal whose trace must be stored (a change attempted on a signed protocol is logged):
    #: the request's writes then stand, unless another refusal rolls them back.
    rolls_back = True

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if self.rolls_back:
            _pending().append(self)


def _pending() -> list["Refusal"]:
    """The refusals this request has met and not answered (a throwaway list outside a request: a command
    or the outbox worker commits or rolls back itself)."""
    from flask import g, has_request_context

    return g.setdefault("refusals", []) if has_request_context() else []


def request_refused() -> bool:
    """Whether the request met a refusal that no one answered: its writes must be rolled back."""
    from flask import g, has_request_context

    return has_request_context() and bool(g.get("refusals"))


def answered(error: Refusal) -> None:
    """The caller acts on ``error`` itself and writes something else on purpose (a guest already registered
    gets a mail with their ticket): it no longer rolls back the request's writes."""
    pending = _pending()
    if error in pending:
        pending.remove(error)


@contextmanager
def expected_refusals() -> Iterator[None]:
    """Refusals raised and caught inside the block are answers the caller acts on (a filter value that is
    ignored, a period replaced by the default one), not a failure of the request: its writes stand. The
    ``try``/``except`` goes inside the ``with``: a refusal that escapes the block still rolls everything
    back. Nothing inside may leave half-done writes behind."""
    pending = _pending()
    before = len(pending)
    yield
    del pending[before:]

"""One kind of error for "the service will not do this, and here is why": every module's refusals are
``Refusal``s, so a view, the API and the unit of work treat them alike."""


class Refusal(ValueError):
    """A service refuses what it was asked, for a reason the user can act on.

    ``message`` is already translated (services call gettext), ``field`` names the form field or JSON key
    it concerns, if one does. A request that meets a refusal commits nothing (see ``unit_of_work``)."""

    status = 422

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        _mark_request_refused()


def _mark_request_refused() -> None:
    from flask import g, has_app_context

    if has_app_context():
        g.refused = True

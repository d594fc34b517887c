"""The one place a refusal becomes a form error: views call a service, and when it refuses they show the
reason beside the field it names (or as a flash when the form has no such field); and the confirmation form
every area's destructive buttons share."""

from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..extensions import db
from .refusal import Refusal, request_refused


class ConfirmForm(FlaskForm):
    """An empty form: a POST button protected by CSRF, used for confirmed destructive actions."""

    submit = SubmitField(_l("Confirm"))


def show_on(form: Any, error: Refusal, default_field: str | None = None) -> None:
    """Put ``error``'s message on ``form[error.field]`` (else on ``default_field``), or flash it when the
    form has neither field. What the request wrote is rolled back now, so the page shows the stored state
    (the unit of work would roll it back anyway), unless the refusal keeps its trace (``rolls_back``)."""
    if request_refused():
        db.session.rollback()
    field = _field(form, error.field) or _field(form, default_field)
    if field is None:
        flash(str(error), "danger")
        return
    if isinstance(field.errors, tuple):  # WTForms leaves a tuple on fields it has not validated
        field.errors = list(field.errors)
    field.errors.append(str(error))


def _field(form: Any, name: str | None) -> Any:
    if form is None or not name:
        return None
    field = getattr(form, name, None)
    return field if hasattr(field, "errors") else None

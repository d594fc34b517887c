from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..tenancy.models import utcnow
from . import scopes


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes (one per choice) instead of a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def default_expiry():
    return (utcnow() + timedelta(days=90)).date()


class CenterTokenForm(FlaskForm):
    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What uses the token, e.g. «CRM of the center». It is shown in the audit log."),
    )
    scopes = CheckboxesField(
        _l("May change"),
        choices=[SelectChoice(scopes.write_scope(area), label) for area, label in scopes.AREAS.items()],
        description=_l("Every token reads the center's data. Leave all unticked for a read-only token."),
    )
    expires_on = DateField(
        _l("Valid until"),
        validators=[DataRequired()],
        default=default_expiry,
        description=_l("At most one year from today."),
    )

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import AnyOf, DataRequired


class ErasureForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: my registrations will be anonymised, my roles removed and my account closed"),
        validators=[DataRequired(_l("Confirm that you want your data erased."))],
    )


class MailConsentForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(("withdraw", "give"))])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""

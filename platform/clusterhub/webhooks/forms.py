from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..tokens.forms import CheckboxesField
from .services.subscriptions import EVENTS


class SubscriptionForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=100)])
    url = StringField(
        _l("Address that receives the events"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("An https:// address of your system; each event is sent to it as a signed POST."),
    )
    events = CheckboxesField(
        _l("Events"),
        choices=[SelectChoice(name, label) for name, label in EVENTS.items()],
        validators=[DataRequired()],
    )

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..projects.models import OUTCOME_LABELS
from .models import PANEL_ROLE_LABELS

ROUND_STATUS_LABELS = {
    "open": _l("Scoring open"),
    "closed": _l("Scoring closed"),
    "signed": _l("Protocol signed"),
}


class RoundForm(FlaskForm):
    selection_round_id = SelectField(_l("Selection round"), coerce=int)
    number = IntegerField(
        _l("Defense number in the cycle"), default=1, validators=[NumberRange(min=1, max=3)]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    held_on = DateTimeLocalField(_l("Date and time"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    location = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    agenda_item_id = SelectField(
        _l("Held at the session"),
        coerce=int,
        validators=[Optional()],
        description=_l(
            "A «project defense» item of one of the center's sessions; leave empty for a standalone round."
        ),
    )
    min_experts_per_project = IntegerField(
        _l("Experts per project at least"), default=3, validators=[NumberRange(min=1, max=20)]
    )
    blind = BooleanField(_l("Blind review: experts do not see applicants' names"))


class PanelForm(FlaskForm):
    email = EmailField(_l("E-mail of a ClusterHub user"), validators=[DataRequired(), Email()])
    role = SelectField(_l("Role on the panel"), choices=list(PANEL_ROLE_LABELS.items()), default="expert")
    affiliation = StringField(
        _l("Affiliation"),
        validators=[Optional(), Length(max=200)],
        description=_l("Минпромторг, АКИТ, the region…"),
    )


class SlotForm(FlaskForm):
    joint_project_id = SelectField(_l("Project"), coerce=int)
    starts_at = DateTimeLocalField(_l("Time"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    presenter = StringField(_l("Presenter"), validators=[Optional(), Length(max=200)])


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Decision"), choices=list(OUTCOME_LABELS.items()))
    remarks = TextAreaField(_l("Remarks"), validators=[Optional()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])

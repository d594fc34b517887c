"""Forms of the B2B meetings. Forms parse and require; the services judge meaning."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import OUTCOME_LABELS


class BlockForm(FlaskForm):
    title_ru = StringField(_l("Title in Russian"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    place_ru = StringField(_l("Hall in Russian"), validators=[Optional(), Length(max=300)])
    place_en = StringField(_l("Hall in English"), validators=[Optional(), Length(max=300)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    slot_minutes = IntegerField(
        _l("Slot length, minutes"), validators=[DataRequired(), NumberRange(min=5, max=240)]
    )
    slot_count = IntegerField(_l("Number of slots"), validators=[DataRequired(), NumberRange(min=1, max=48)])
    table_count = IntegerField(
        _l("Number of tables"), validators=[DataRequired(), NumberRange(min=1, max=500)]
    )
    table_names = TextAreaField(
        _l("Table names"), validators=[Optional()], description=_l("One per line; empty lines get a number.")
    )
    max_meetings = IntegerField(
        _l("Most meetings per participant"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("Leave empty for no limit."),
    )
    max_consecutive = IntegerField(
        _l("Most meetings in a row"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("After that many, a participant gets a free slot. Leave empty for no limit."),
    )

    take_out = BooleanField(
        _l("With fewer slots or tables, take out the meetings placed beyond them"),
        description=_l(
            "With fewer slots or tables, meetings placed beyond them wait for a place again; "
            "once the schedule is published, both sides are told."
        ),
    )

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class MeetingRequestForm(FlaskForm):
    recipient_id = HiddenField(validators=[DataRequired()])
    # choices: the two sides' published offers and requests (set by the view); "" cites none
    offer_id = SelectField(_l("About an offer or request of the exchange"), choices=[], validate_choice=False)
    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=2000)])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PreferenceForm(FlaskForm):
    max_meetings = IntegerField(
        _l("Most meetings for me"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("Leave empty for the block's limit."),
    )
    unavailable = CheckboxesField(
        _l("Slots when I am not available"), coerce=int, choices=[], validate_choice=False
    )


class RunForm(FlaskForm):
    allow_moving = BooleanField(_l("Announced meetings may move to place more"))


class MoveForm(FlaskForm):
    slot = SelectField(_l("Slot"), coerce=int)
    table = SelectField(_l("Table"), coerce=int)


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()])
    amount = StringField(
        _l("Amount, roubles"),
        validators=[Optional(), Length(max=30)],
        description=_l("For an agreement, if you wish."),
    )

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class PresetForm(FlaskForm):
    name = StringField(_l("Preset name"), validators=[DataRequired(), Length(max=120)])
    query = HiddenField()
    submit = SubmitField(_l("Save this export"))


class KpiPlanForm(FlaskForm):
    indicator = HiddenField(validators=[DataRequired()])
    plan = DecimalField(_l("Planned"), places=2, validators=[Optional(), NumberRange(min=0)])
    fact = DecimalField(_l("Fact (if not computed)"), places=2, validators=[Optional(), NumberRange(min=0)])
    submit = SubmitField(_l("Save"))


class SubmitReportForm(FlaskForm):
    narrative = TextAreaField(
        _l("Narrative"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("What the center did in the period, in a few paragraphs."),
    )
    submit = SubmitField(_l("Submit the report"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comments"), validators=[Optional(), Length(max=5000)])
    accept = SubmitField(_l("Accept"))
    send_back = SubmitField(_l("Return for corrections"))

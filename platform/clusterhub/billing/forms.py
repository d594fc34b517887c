from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import BillingInterval, SubscriptionStatus

INTERVAL_CHOICES = [(BillingInterval.MONTH.value, _l("Monthly")), (BillingInterval.YEAR.value, _l("Yearly"))]


def _limit(label):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Leave empty for no limit."),
    )


class PlanForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)])
    currency = StringField(_l("Currency"), default="RUB", validators=[DataRequired(), Length(min=3, max=3)])
    price_month = IntegerField(
        _l("Price per month, in kopecks (cents)"), default=0, validators=[Optional(), NumberRange(min=0)]
    )
    price_year = IntegerField(
        _l("Price per year, in kopecks (cents)"), default=0, validators=[Optional(), NumberRange(min=0)]
    )
    staff_seats = _limit(_l("Staff seats"))
    sessions_per_year = _limit(_l("Published sessions per year"))
    technoparks = _limit(_l("Technoparks"))
    storage_mb = _limit(_l("Storage, MB"))
    api_access = BooleanField(_l("API access"), default=True)
    stripe_price_month = StringField(_l("Stripe price id, monthly"), validators=[Optional(), Length(max=100)])
    stripe_price_year = StringField(_l("Stripe price id, yearly"), validators=[Optional(), Length(max=100)])
    active = BooleanField(_l("Offered to centers"), default=True)
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        return {
            name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "submit")
        }


class SubscriptionForm(FlaskForm):
    plan_id = SelectField(_l("Plan"), coerce=int)
    status = SelectField(_l("Status"), choices=[(s.value, s.value) for s in SubscriptionStatus])
    interval = SelectField(_l("Billing period"), choices=INTERVAL_CHOICES)
    period_end = DateField(_l("Paid until"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

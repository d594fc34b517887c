from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ...forms import INTERVAL_CHOICES


class RequisitesForm(FlaskForm):
    name = StringField(_l("Full name of the organisation"), validators=[DataRequired(), Length(max=300)])
    inn = StringField(_l("ИНН"), validators=[DataRequired(), Length(max=14)])
    kpp = StringField(_l("КПП"), validators=[Optional(), Length(max=12)])
    address = StringField(_l("Legal address"), validators=[DataRequired(), Length(max=500)])
    bank_name = StringField(_l("Bank"), validators=[DataRequired(), Length(max=300)])
    bic = StringField(_l("БИК"), validators=[DataRequired(), Length(max=12)])
    account = StringField(_l("Settlement account"), validators=[DataRequired(), Length(max=24)])
    corr_account = StringField(_l("Correspondent account"), validators=[Optional(), Length(max=24)])
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        return {
            name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "submit")
        }


class InvoiceRequestForm(FlaskForm):
    plan_id = SelectField(_l("Plan"), coerce=int)
    interval = SelectField(_l("Billing period"), choices=INTERVAL_CHOICES)
    submit = SubmitField(_l("Issue an invoice"))


class PaymentForm(FlaskForm):
    amount = StringField(_l("Amount received, roubles"), validators=[DataRequired()])
    paid_on = DateField(_l("Payment date"), validators=[DataRequired()])
    order_number = StringField(_l("Payment order number"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Record the payment"))

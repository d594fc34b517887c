from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..enterprises.forms import region_choices
from .models import CLUSTER_TYPE_LABELS, MEMBER_ROLE_LABELS, REGISTER_STATUS_LABELS


class ClusterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    cluster_type = SelectField(_l("Type"), choices=list(CLUSTER_TYPE_LABELS.items()))
    industry = StringField(_l("Specialisation (industry)"), validators=[Length(max=300)])
    okved_codes = StringField(
        _l("Specialisation ОКВЭД 2 codes"), description=_l("Separated by spaces or commas.")
    )
    region_ids = SelectMultipleField(_l("Regions"), coerce=int)
    specialised_org_inn = StringField(
        _l("ИНН of the specialised organisation"), description=_l("The enterprise must have a profile.")
    )
    register_status = SelectField(_l("Register status"), choices=list(REGISTER_STATUS_LABELS.items()))
    register_order_number = StringField(_l("Order number"), validators=[Length(max=60)])
    register_order_date = DateField(_l("Order date"), validators=[Optional()])
    register_valid_until = DateField(_l("Valid until"), validators=[Optional()])
    functional_map = TextAreaField(_l("Functional map"), validators=[Length(max=20_000)])
    programme_goals = TextAreaField(
        _l("Development programme: key goals"),
        validators=[Length(max=20_000)],
        description=_l("One goal per line."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_ids.choices = [(int(v), label) for v, label in region_choices()[1:]]

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in [
                "name",
                "cluster_type",
                "industry",
                "okved_codes",
                "region_ids",
                "register_status",
                "register_order_number",
                "register_order_date",
                "register_valid_until",
                "functional_map",
                "programme_goals",
            ]
        }


class MemberForm(FlaskForm):
    inn = StringField(_l("ИНН"), validators=[DataRequired()])
    full_name = StringField(
        _l("Full name of the organisation"),
        description=_l("Only needed when the enterprise has no profile yet."),
    )
    role = SelectField(_l("Role"), choices=list(MEMBER_ROLE_LABELS.items()), default="participant")
    joined_on = DateField(_l("Joined on"), validators=[Optional()])
    submit = SubmitField(_l("Add the member"))


class MemberEditForm(FlaskForm):
    role = SelectField(_l("Role"), choices=list(MEMBER_ROLE_LABELS.items()))
    joined_on = DateField(_l("Joined on"), validators=[Optional()])
    left_on = DateField(_l("Left on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class LinkForm(FlaskForm):
    supplier_id = SelectField(_l("Supplier"), coerce=int)
    customer_id = SelectField(_l("Customer"), coerce=int)
    product = StringField(_l("Product"), validators=[DataRequired(), Length(max=300)])
    okpd2 = StringField(_l("ОКПД2 code"))
    submit = SubmitField(_l("Add the supply"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV or XLSX file"),
        validators=[FileRequired()],
        description=_l("Columns: inn (required), name, role, joined_on. The first row names the columns."),
    )
    submit = SubmitField(_l("Check the file"))


class RuleForm(FlaskForm):
    threshold = IntegerField(_l("Threshold"), validators=[Optional()])
    enabled = BooleanField(_l("Checked"))
    submit = SubmitField(_l("Save"))

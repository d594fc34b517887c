import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..extensions import db
from ..regions.models import Region
from .models import REPRESENTATIVE_ROLE_LABELS, SIZE_LABELS


def region_choices(blank=_l("Not specified")):
    regions = db.session.scalars(sa.select(Region).order_by(Region.name_ru)).all()
    return [("", blank)] + [(str(r.id), r.name) for r in regions]


class EnterpriseProfileForm(FlaskForm):
    full_name = StringField(_l("Full name of the organisation"), validators=[DataRequired(), Length(max=500)])
    short_name = StringField(_l("Short name"), validators=[Length(max=200)])
    legal_form = StringField(
        _l("Legal form"), validators=[Length(max=100)], description=_l("For example АО, ООО, ИП.")
    )
    ogrn = StringField(
        _l("ОГРН / ОГРНИП"), description=_l("13 digits for an organisation, 15 for an entrepreneur.")
    )
    kpp = StringField(_l("КПП"))
    region_id = SelectField(_l("Region"))
    legal_address = StringField(_l("Legal address"), validators=[Length(max=500)])
    actual_address = StringField(_l("Actual address"), validators=[Length(max=500)])
    okved_main = StringField(_l("Main ОКВЭД 2 code"), description=_l("For example 16.10."))
    okved_additional = StringField(
        _l("Additional ОКВЭД 2 codes"), description=_l("Separated by spaces or commas.")
    )
    size_category = SelectField(_l("Size category"))
    website = StringField(_l("Website"), validators=[Length(max=200)])
    email = StringField(_l("Public e-mail"), validators=[Length(max=254)])
    phone = StringField(_l("Public phone"), validators=[Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id.choices = region_choices()
        self.size_category.choices = [("", _l("Not specified"))] + [(k, v) for k, v in SIZE_LABELS.items()]

    def show_derived_region(self, enterprise):
        if enterprise.region_derived:
            self.region_id.description = _l(
                "Derived from the ИНН: the region where it was issued. Check it; saving confirms it."
            )

    def process_enterprise(self, enterprise):
        self.region_id.data = str(enterprise.region_id or "")
        self.okved_additional.data = " ".join(enterprise.okved_additional_list)

    def values(self) -> dict:
        names = [
            "full_name",
            "short_name",
            "legal_form",
            "ogrn",
            "kpp",
            "region_id",
            "legal_address",
            "actual_address",
            "okved_main",
            "okved_additional",
            "size_category",
            "website",
            "email",
            "phone",
            "description",
        ]
        return {name: getattr(self, name).data or "" for name in names}


class FigureForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired()])
    headcount = IntegerField(_l("Headcount"), validators=[Optional()])
    revenue = DecimalField(_l("Revenue, roubles"), places=2, validators=[Optional()])
    submit = SubmitField(_l("Save the year"))


class ProductForm(FlaskForm):
    name = StringField(_l("Product"), validators=[DataRequired(), Length(max=300)])
    okpd2 = StringField(_l("ОКПД2 code"), description=_l("For example 16.21.12."))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Add the product"))


class ClaimForm(FlaskForm):
    inn = StringField(
        _l("ИНН"),
        validators=[DataRequired()],
        description=_l("10 digits for an organisation, 12 for an entrepreneur."),
    )
    full_name = StringField(
        _l("Full name of the organisation"),
        validators=[Length(max=500)],
        description=_l("Only needed when the enterprise has no profile yet."),
    )
    submit = SubmitField(_l("Claim"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=list(REPRESENTATIVE_ROLE_LABELS.items()))
    submit = SubmitField(_l("Save"))


class MergeForm(FlaskForm):
    source_inn = StringField(_l("ИНН of the duplicate (will be removed)"), validators=[DataRequired()])
    target_inn = StringField(_l("ИНН of the profile to keep"), validators=[DataRequired()])
    submit = SubmitField(_l("Compare"))

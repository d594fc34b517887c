"""Forms of the technopark pages. Amounts are typed as text: the services parse and validate them
(so "1 500,50" works and the messages are the same as in imports)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..extensions import db
from ..regions.models import Region
from .models import (
    AUDIENCE_LABELS,
    EQUIPMENT_CATEGORY_LABELS,
    OFFER_STATUS_LABELS,
    REGISTER_STATUS_LABELS,
    SERVICE_CATEGORY_LABELS,
    SERVICE_UNIT_LABELS,
    TECHNOPARK_KIND_LABELS,
    VAT_LABELS,
    ZONE_KIND_LABELS,
)


def _choices(labels) -> list:
    return [(key.value, label) for key, label in labels.items()]


class TechnoparkForm(FlaskForm):
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    operator_inn = StringField(
        _l("Operator's ИНН"),
        validators=[Optional(), Length(max=12)],
        description=_l("The enterprise that runs the technopark; its profile is created if it is new."),
    )
    operator_name = StringField(
        _l("Operator's full name"),
        validators=[Optional(), Length(max=500)],
        description=_l("Needed only when the enterprise is not on the platform yet."),
    )
    kind = SelectField(_l("Type"), choices=_choices(TECHNOPARK_KIND_LABELS))
    register_status = SelectField(_l("Register status"), choices=_choices(REGISTER_STATUS_LABELS))
    region_id = SelectField(_l("Region"), coerce=int)
    address_ru = StringField(_l("Address in Russian"), validators=[Optional(), Length(max=300)])
    address_en = StringField(_l("Address in English"), validators=[Optional(), Length(max=300)])
    total_area = StringField(_l("Total area, m²"), validators=[Optional()])
    useful_area = StringField(_l("Useful area, m²"), validators=[Optional()])
    description_ru = TextAreaField(_l("Description in Russian"), validators=[Optional()])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional()])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email()])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = db.session.scalars(sa.select(Region).order_by(Region.name_ru))
        self.region_id.choices = [(r.id, r.name) for r in regions]


class ZoneForm(FlaskForm):
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_choices(ZONE_KIND_LABELS))
    area = StringField(_l("Area, m²"), validators=[DataRequired()])
    free_area = StringField(_l("Free area, m²"), validators=[Optional()])
    suitable_for_ru = StringField(_l("Suitable for (in Russian)"), validators=[Optional(), Length(max=500)])
    suitable_for_en = StringField(_l("Suitable for (in English)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save"))


class EquipmentForm(FlaskForm):
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    category = SelectField(_l("Category"), choices=_choices(EQUIPMENT_CATEGORY_LABELS))
    manufacturer = StringField(_l("Manufacturer"), validators=[Optional(), Length(max=200)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=200)])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[DataRequired(), NumberRange(min=1)])
    zone_id = SelectField(_l("Zone"), coerce=int)
    bookable = BooleanField(_l("Can be booked by time"))
    specs = TextAreaField(
        _l("Key specifications"),
        validators=[Optional()],
        description=_l('One per line: "name: value [unit]", e.g. "Working area: 500×400 [mm]".'),
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, zones, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_id.choices = [(0, _l("— not in a zone —"))] + [(z.id, z.name_ru) for z in zones]


class ServiceForm(FlaskForm):
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    category = SelectField(_l("Category"), choices=_choices(SERVICE_CATEGORY_LABELS))
    unit = SelectField(_l("Unit"), choices=_choices(SERVICE_UNIT_LABELS))
    price = StringField(
        _l("Price per unit, RUB"), validators=[Optional()], description=_l("E.g. 1500 or 1500.50.")
    )
    vat = SelectField(_l("VAT"), choices=_choices(VAT_LABELS))
    price_on_request = BooleanField(_l("Price on request"))
    lead_time_days = IntegerField(
        _l("Lead time, days"), validators=[Optional(), NumberRange(min=0, max=3650)]
    )
    audience = SelectField(_l("Who may order"), choices=_choices(AUDIENCE_LABELS))
    equipment_ids = SelectMultipleField(_l("Equipment used"), coerce=int, validators=[Optional()])
    description_ru = TextAreaField(_l("Description in Russian"), validators=[Optional()])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=_choices(OFFER_STATUS_LABELS))
    submit = SubmitField(_l("Save"))

    def __init__(self, equipment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.equipment_ids.choices = [(e.id, e.name_ru) for e in equipment]


class ResidentForm(FlaskForm):
    inn = StringField(_l("Resident's ИНН"), validators=[DataRequired(), Length(max=14)])
    full_name = StringField(
        _l("Full name of the organisation"),
        validators=[Optional(), Length(max=500)],
        description=_l("Needed only when the enterprise is not on the platform yet."),
    )
    since = DateField(_l("Resident since"), validators=[DataRequired()])
    until = DateField(_l("Resident until"), validators=[Optional()])
    submit = SubmitField(_l("Add the resident"))


class RequestForm(FlaskForm):
    enterprise_id = SelectField(_l("On behalf of"), coerce=int)
    quantity = StringField(_l("Quantity"), default="1", validators=[DataRequired()])
    desired_start = DateField(_l("Desired start"), validators=[Optional()])
    desired_end = DateField(_l("Desired end"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Send the request"))

    def __init__(self, enterprises, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise_id.choices = [(e.id, f"{e.name} (ИНН {e.inn})") for e in enterprises]


class AcceptForm(FlaskForm):
    quote = StringField(_l("Quote, RUB"), validators=[DataRequired()])
    scheduled_start = DateField(_l("Scheduled start"), validators=[DataRequired()])
    scheduled_end = DateField(_l("Scheduled end"), validators=[DataRequired()])
    note = TextAreaField(_l("Note to the customer"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Accept"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Send"))


class BookingForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("From"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("To"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    enterprise_id = SelectField(_l("Enterprise"), coerce=int, validate_choice=False)
    maintenance = BooleanField(_l("Maintenance block (equipment unavailable)"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Book"))


class ImportForm(FlaskForm):
    what = SelectField(_l("What"), choices=[("services", _l("Services")), ("equipment", _l("Equipment"))])
    submit = SubmitField(_l("Import"))

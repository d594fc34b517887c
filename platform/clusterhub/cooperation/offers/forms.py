import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ...extensions import db
from ...regions.models import FEDERAL_DISTRICTS, Region
from .models import COOPERATION_KIND_LABELS, ENTRY_KIND_LABELS

FIELDS = (
    "kind_of_entry",
    "kind",
    "title_ru",
    "title_en",
    "description_ru",
    "description_en",
    "okpd2_codes",
    "okved_codes",
    "served_districts",
    "served_region_ids",
    "volume",
    "terms",
    "valid_from",
    "valid_until",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def region_choices():
    regions = db.session.scalars(sa.select(Region).order_by(Region.name_ru)).all()
    return [(str(r.id), r.name) for r in regions]


def district_choices():
    return [(code, label) for code, (label, _abbr) in FEDERAL_DISTRICTS.items()]


class OfferForm(FlaskForm):
    kind_of_entry = SelectField(_l("Offer or request"))
    kind = SelectField(_l("Kind of cooperation"))
    title_ru = StringField(_l("Title in Russian"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Length(max=300)])
    description_ru = TextAreaField(
        _l("Description in Russian"),
        validators=[DataRequired(), Length(max=10_000)],
        description=_l("What you offer or seek, materials, tolerances, certificates: the matching reads it."),
    )
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=10_000)])
    okpd2_codes = StringField(
        _l("ОКПД 2 codes"),
        description=_l(
            "Products or services, separated by spaces, e.g. 22.29.21 16.10. A shorter code covers its group."
        ),
    )
    okved_codes = StringField(_l("ОКВЭД 2 codes"), description=_l("Activities, e.g. 25.62."))
    served_districts = SelectMultipleField(
        _l("Federal districts served"), description=_l("None chosen, with no region either: all Russia.")
    )
    served_region_ids = SelectMultipleField(_l("Regions served"))
    volume = StringField(
        _l("Volume"), validators=[Length(max=300)], description=_l("E.g. up to 500 t a month.")
    )
    terms = TextAreaField(_l("Terms"), validators=[Length(max=5_000)])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(
        _l("Valid until"),
        validators=[Optional()],
        description=_l("After this day the entry leaves the search by itself."),
    )
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=200)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=40)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_of_entry.choices = [(k.value, v) for k, v in ENTRY_KIND_LABELS.items()]
        self.kind.choices = [(k.value, v) for k, v in COOPERATION_KIND_LABELS.items()]
        self.served_districts.choices = district_choices()
        self.served_region_ids.choices = region_choices()

    def load(self, offer) -> None:
        """Fill the list fields from a stored entry (on GET)."""
        self.okpd2_codes.data = " ".join(offer.okpd2_list)
        self.okved_codes.data = " ".join(offer.okved_list)
        self.served_districts.data = offer.served_district_list
        self.served_region_ids.data = [str(r) for r in offer.served_region_id_list]

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in FIELDS if name in self._fields}


class DigestForm(FlaskForm):
    enabled = BooleanField(
        _l("Send me a weekly e-mail with new matches of my enterprises' offers and requests")
    )
    submit = SubmitField(_l("Save"))

import zoneinfo
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from ..extensions import db
from ..regions.models import Region


class TenantForm(FlaskForm):
    slug = StringField(
        _l("Address (slug)"),
        validators=[
            DataRequired(),
            Regexp(
                r"^[a-z][a-z0-9-]{1,39}$",
                message=_l("Latin lower-case letters, digits and hyphens, 2 to 40 characters."),
            ),
        ],
    )
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(min=3, max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(min=3, max=200)])
    region_id = SelectField(_l("Region"), coerce=int)
    timezone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=64)],
        description=_l("Leave empty to use the region's time zone."),
    )
    default_locale = SelectField(
        _l("Default language"), choices=[SelectChoice("ru", "Русский"), SelectChoice("en", "English")]
    )
    email = EmailField(_l("E-mail"), validators=[Optional(), Email()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address_ru = StringField(_l("Address in Russian"), validators=[Optional(), Length(max=300)])
    address_en = StringField(_l("Address in English"), validators=[Optional(), Length(max=300)])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = db.session.scalars(sa.select(Region).order_by(Region.name_ru)).all()
        self.region_id.choices = [SelectChoice(r.id, r.name) for r in regions]

    def validate_timezone(self, field: Any) -> None:
        if field.data:
            try:
                zoneinfo.ZoneInfo(field.data)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise ValidationError(_l("Unknown time zone.")) from exc

    def values(self) -> dict[str, Any]:
        return {
            name: (getattr(self, name).data or None)
            for name in (
                "slug",
                "name_ru",
                "name_en",
                "region_id",
                "timezone",
                "default_locale",
                "email",
                "phone",
                "address_ru",
                "address_en",
                "website",
            )
        }

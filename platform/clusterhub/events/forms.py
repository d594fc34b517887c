"""Forms of the events module. Validation of meaning lives in the services; forms parse and require."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..regions.models import region_names
from .models import (
    AGENDA_KIND_LABELS,
    CATEGORY_LABELS,
    EVENT_KIND_LABELS,
    ORGANISER_ROLE_LABELS,
    REGISTRATION_STATUS_LABELS,
)
from .services.agenda import linkable_projects, linkable_technoparks


def region_choices(blank=None):
    return ([(0, blank)] if blank is not None else []) + region_names(str(get_locale()))


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select options (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _labels(labels, blank=None):
    return ([("", blank)] if blank is not None else []) + [(key, label) for key, label in labels.items()]


class EventForm(FlaskForm):
    title_ru = StringField(_l("Title in Russian"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=as_choices(_labels(EVENT_KIND_LABELS)))
    description_ru = TextAreaField(_l("Description in Russian"), validators=[Optional()])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional()])
    city_ru = StringField(_l("City in Russian"), validators=[DataRequired(), Length(max=120)])
    city_en = StringField(_l("City in English"), validators=[Optional(), Length(max=120)])
    region_id = SelectField(_l("Region"), coerce=int)
    start_date = DateField(_l("First day"), validators=[DataRequired()])
    end_date = DateField(_l("Last day"), validators=[DataRequired()])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Leave empty for no limit. When it is reached, new registrants join a waiting list."),
    )
    requires_approval = BooleanField(_l("Registrations need approval by the staff"))
    planned_participants = IntegerField(
        _l("Planned participants"), validators=[Optional(), NumberRange(min=0)]
    )
    planned_enterprises = IntegerField(_l("Planned enterprises"), validators=[Optional(), NumberRange(min=0)])
    planned_regions = IntegerField(_l("Planned regions"), validators=[Optional(), NumberRange(min=0)])
    consent_version = StringField(
        _l("Version of the consent text"),
        validators=[Optional(), Length(max=20)],
        description=_l("Recorded with each registration; change it when the consent text changes."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id.choices = as_choices(region_choices())

    def values(self) -> dict:
        return {
            name: field.data for name, field in self._fields.items() if name not in ("submit", "csrf_token")
        }


class VenueForm(FlaskForm):
    name_ru = StringField(_l("Venue in Russian"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Venue in English"), validators=[Optional(), Length(max=200)])
    address_ru = StringField(_l("Address in Russian"), validators=[DataRequired(), Length(max=300)])
    address_en = StringField(_l("Address in English"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Add the venue"))


class OrganiserForm(FlaskForm):
    name_ru = StringField(_l("Organisation in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Organisation in English"), validators=[Optional(), Length(max=300)])
    role = SelectField(_l("Role"), choices=as_choices(_labels(ORGANISER_ROLE_LABELS)))
    inn = StringField(
        _l("ИНН"),
        validators=[Optional(), Length(max=14)],
        description=_l("Optional: links the enterprise profile."),
    )
    submit = SubmitField(_l("Add"))


class AgendaItemForm(FlaskForm):
    title_ru = StringField(_l("Title in Russian"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("Type"), choices=as_choices(_labels(AGENDA_KIND_LABELS)))
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    venue_id = SelectField(_l("Venue"), coerce=int)
    site_inn = StringField(_l("ИНН of the enterprise site"), validators=[Optional(), Length(max=14)])
    site_name = StringField(
        _l("Name of the enterprise"),
        validators=[Optional(), Length(max=300)],
        description=_l("Needed only when no profile has this ИНН yet."),
    )
    site_address_ru = StringField(
        _l("Address of the site in Russian"), validators=[Optional(), Length(max=300)]
    )
    site_address_en = StringField(
        _l("Address of the site in English"), validators=[Optional(), Length(max=300)]
    )
    host_inns = StringField(
        _l("Host enterprises (ИНН, comma-separated)"), validators=[Optional(), Length(max=500)]
    )
    speakers = TextAreaField(_l("Speakers"), validators=[Optional()], description=_l("One per line."))
    description_ru = TextAreaField(_l("Description in Russian"), validators=[Optional()])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional()])
    technopark_id = SelectField(_l("Technopark visited"), coerce=int, validators=[Optional()])
    joint_project_id = SelectField(_l("Joint project presented"), coerce=int, validators=[Optional()])
    linked_title = StringField(_l("Other link: title"), validators=[Optional(), Length(max=300)])
    linked_url = StringField(_l("Its link"), validators=[Optional(), Length(max=500)])
    seat_limit = IntegerField(
        _l("Seat limit"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("E.g. the seats on the bus to a site visit. Leave empty for no limit."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue_id.choices = as_choices(
            [(0, _l("— an enterprise site or another address —"))] + [(v.id, v.name) for v in event.venues]
        )
        self.technopark_id.choices = as_choices([(0, _l("— none —"))] + linkable_technoparks())
        self.joint_project_id.choices = as_choices([(0, _l("— none —"))] + linkable_projects())

    def values(self) -> dict:
        values = {
            name: field.data for name, field in self._fields.items() if name not in ("submit", "csrf_token")
        }
        values["host_inns"] = [
            s for s in (self.host_inns.data or "").replace(";", ",").split(",") if s.strip()
        ]
        return values


class RegistrationForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        # the shape only (one @, a dotted domain): registrations come from every kind of organisation's mail
        validators=[
            DataRequired(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    category = SelectField(_l("Category"), choices=as_choices(_labels(CATEGORY_LABELS)))
    region_id = SelectField(_l("Region"), coerce=int)
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=500)])
    inn = StringField(
        _l("ИНН of the organisation"),
        validators=[Optional(), Length(max=14)],
        description=_l("Finds the enterprise profile, or creates it."),
    )
    position_title = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    consent = BooleanField(
        _l("I consent to the processing of my personal data (152-ФЗ)"),
        # checked here too, so that the box itself is marked and named in the error summary
        validators=[DataRequired(_l("Registration needs your consent to the processing of personal data."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id.choices = as_choices(region_choices(blank=_l("— choose —")))


class StaffRegistrationForm(RegistrationForm):
    consent = None
    submit = SubmitField(_l("Save"))


class GroupRegistrationForm(FlaskForm):
    enterprise_id = SelectField(_l("Enterprise"), coerce=int)
    category = SelectField(_l("Category"), choices=as_choices(_labels(CATEGORY_LABELS)))
    region_id = SelectField(_l("Region"), coerce=int)
    people = TextAreaField(
        _l("Employees"),
        validators=[DataRequired()],
        description=_l("One per line: full name; e-mail; position."),
    )
    consent = BooleanField(
        _l("Each employee has consented to the processing of their personal data (152-ФЗ)")
    )
    submit = SubmitField(_l("Register the employees"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id.choices = as_choices(region_choices(blank=_l("— the enterprise's region —")))


class MessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired()])
    submit = SubmitField(_l("Send to the registrants shown"))


class CheckInForm(FlaskForm):
    code = StringField(_l("Code or ticket"), validators=[DataRequired(), Length(max=400)])
    agenda_item_id = SelectField(_l("Where"), coerce=int)
    submit = SubmitField(_l("Check in"))


class DelegationImportForm(FlaskForm):
    """A delegation's file and what its rows leave blank."""

    file = FileField(
        _l("CSV or XLSX file"),
        validators=[FileRequired()],
        description=_l(
            "Columns: full_name and email (required), organisation, position, phone, category, region "
            "(code or name), inn. The first row names the columns."
        ),
    )
    organisation = StringField(
        _l("Organisation of the delegation"),
        validators=[Optional(), Length(max=500)],
        description=_l("For the rows that name none."),
    )
    category = SelectField(_l("Category"), choices=as_choices(_labels(CATEGORY_LABELS)))
    region_id = SelectField(_l("Region"), coerce=int)
    submit = SubmitField(_l("Check the file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id.choices = as_choices(region_choices(blank=_l("As in the file")))


class RosterAddForm(FlaskForm):
    registration_id = SelectField(_l("Participant"), coerce=int)


class RosterMoveForm(FlaskForm):
    agenda_item_id = SelectField(_l("Move to"), coerce=int)


STATUS_FILTER = _labels(REGISTRATION_STATUS_LABELS, blank=_l("Any status"))
CATEGORY_FILTER = _labels(CATEGORY_LABELS, blank=_l("Any category"))
KIND_FILTER = _labels(EVENT_KIND_LABELS, blank=_l("Any kind"))

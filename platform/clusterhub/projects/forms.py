from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .models import (
    OUTCOME_LABELS,
    ROLE_LABELS,
    CostCategory,
    DocumentKind,
    IndicatorKind,
    ParticipantRole,
)

CATEGORY_LABELS = {
    CostCategory.EQUIPMENT: _l("Equipment"),
    CostCategory.STARTER_BATCH: _l("Starter batch"),
    CostCategory.RESEARCH: _l("Research and development"),
    CostCategory.CERTIFICATION: _l("Testing and certification"),
    CostCategory.TOOLING: _l("Tooling"),
    CostCategory.OTHER: _l("Other costs"),
}
INDICATOR_LABELS = {
    IndicatorKind.OUTPUT: _l("Output"),
    IndicatorKind.NEW_PRODUCTS: _l("New products"),
    IndicatorKind.JOBS: _l("Jobs"),
    IndicatorKind.PARTICIPANT_PURCHASES: _l("Purchases between participants"),
}


class ProjectForm(FlaskForm):
    selection_round_id = SelectField(_l("Selection round"), coerce=int)
    lead_inn = StringField(_l("ИНН of the lead enterprise"), validators=[DataRequired(), Length(max=12)])
    cluster_id = SelectField(_l("Cluster"), coerce=int, validators=[Optional()])
    lead_name = StringField(
        _l("Name of the lead enterprise"),
        validators=[Optional(), Length(max=500)],
        description=_l("Needed only if the enterprise is not in ClusterHub yet."),
    )
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=300)])
    summary_ru = TextAreaField(_l("Summary (Russian)"), validators=[Optional()])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Optional()])
    requested_subsidy = DecimalField(
        _l("Requested subsidy, ₽"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    co_financing = DecimalField(
        _l("Own and co-financing, ₽"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    submit = SubmitField(_l("Save"))


class SelectionRoundForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)], description="pp41-2027")
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2015, max=2100)])
    legal_edition = StringField(
        _l("Legal edition"),
        validators=[DataRequired(), Length(max=200)],
        description="ПП РФ № 41 от 28.01.2016 в ред. 2023",
    )
    applicant_cap = DecimalField(
        _l("Cap per applicant, ₽"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    max_subsidy_share = DecimalField(
        _l("Maximum subsidy share of eligible costs"),
        places=4,
        validators=[InputRequired(), NumberRange(min=0.0001, max=1)],
        description=_l("0.5 means 50 per cent."),
    )
    min_participants = IntegerField(
        _l("Minimum number of participants"), default=2, validators=[NumberRange(min=1, max=100)]
    )
    deadline = DateField(_l("Deadline for applications"), validators=[Optional()])
    criteria = TextAreaField(
        _l("Criteria"),
        validators=[DataRequired()],
        description=_l(
            "One per line: code; name in Russian; name in English; weight; lowest score; highest score"
        ),
    )


class ProjectEditForm(FlaskForm):
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=300)])
    summary_ru = TextAreaField(_l("Summary (Russian)"), validators=[Optional()])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Optional()])
    requested_subsidy = DecimalField(
        _l("Requested subsidy, ₽"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    co_financing = DecimalField(
        _l("Own and co-financing, ₽"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )


class ParticipantForm(FlaskForm):
    inn = StringField(_l("ИНН"), validators=[DataRequired(), Length(max=12)])
    name = StringField(_l("Name (if new to ClusterHub)"), validators=[Optional(), Length(max=500)])
    role = SelectField(
        _l("Role"), choices=[(k, v) for k, v in ROLE_LABELS.items() if k != ParticipantRole.LEAD]
    )


class ProductForm(FlaskForm):
    name = StringField(_l("Product"), validators=[DataRequired(), Length(max=300)])
    okpd2 = StringField(_l("ОКПД2"), validators=[DataRequired(), Length(max=12)], description="16.21.13.000")
    import_substitution = BooleanField(_l("Import-substituting"), default=True)
    maker_id = SelectField(_l("Made by"), coerce=int)
    buyer_id = SelectField(_l("For"), coerce=int)


class CostForm(FlaskForm):
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    description = StringField(_l("Description"), validators=[DataRequired(), Length(max=300)])
    amount = DecimalField(_l("Amount, ₽"), places=2, validators=[InputRequired(), NumberRange(min=0.01)])
    eligible = BooleanField(_l("Eligible for the subsidy"), default=True)


class StageForm(FlaskForm):
    title = StringField(_l("Stage"), validators=[DataRequired(), Length(max=300)])
    starts_on = DateField(_l("Starts"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends"), validators=[DataRequired()])


class IndicatorForm(FlaskForm):
    kind = SelectField(_l("Indicator"), choices=list(INDICATOR_LABELS.items()))
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=40)])
    plan = TextAreaField(
        _l("Plan values per half-year"),
        validators=[DataRequired()],
        description=_l("One per line: year, half (1 or 2), value — e.g. 2026 2 15000"),
    )


class StatusForm(FlaskForm):
    to_status = SelectField(_l("New status"))
    outcome = SelectField(
        _l("Outcome"), choices=[("", "—"), *OUTCOME_LABELS.items()], validators=[Optional()]
    )
    remark = TextAreaField(_l("Remark"), validators=[Optional()])


DOCUMENT_LABELS = {
    DocumentKind.BUSINESS_PLAN: _l("Business plan"),
    DocumentKind.PRESENTATION: _l("Presentation"),
    DocumentKind.COST_ESTIMATE: _l("Cost estimate"),
    DocumentKind.OTHER: _l("Other document"),
}


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=list(DOCUMENT_LABELS.items()))
    file = FileField(
        _l("File"),
        validators=[FileRequired()],
        description=_l("PDF, docx, xlsx, pptx, odt, ods, odp, png or jpg; at most 20 MB."),
    )

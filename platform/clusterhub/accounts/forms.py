from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..tenancy.models import utcnow
from .models import FEDERAL_ROLES, ROLE_LABELS, TenantRole, role_label  # noqa: F401 (role_label: old home)

LANGUAGE_CHOICES = [
    SelectChoice("", _l("As the browser says")),
    SelectChoice("ru", "Русский"),
    SelectChoice("en", "English"),
]


def _default_token_expiry():
    from datetime import timedelta

    return (utcnow() + timedelta(days=90)).date()


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class AcceptInvitationForm(FlaskForm):
    # The fields are spelled out rather than mixed in, so that the name comes first on the page.
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Join"))


class SignUpForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=10, max=200, message=_l("The password must be 10 to 200 characters long.")),
        ],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Sign up"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    submit = SubmitField(_l("Send the link"))


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField(_l("Set the password"))


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change the password"))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in TenantRole])
    submit = SubmitField(_l("Send the invitation"))


class FederalInviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in FEDERAL_ROLES])
    submit = SubmitField(_l("Send the invitation"))


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    read_only = BooleanField(_l("Read-only: the token cannot change anything"))
    expires_on = DateField(
        _l("Valid until"),
        validators=[DataRequired()],
        default=_default_token_expiry,
        description=_l("At most one year from today."),
    )
    submit = SubmitField(_l("Create a token"))

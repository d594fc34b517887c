import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ..core import signals
from ..core.access import Permission, login_required, personal, public, requires
from ..core.forms import ConfirmForm, show_on
from ..core.menu import PLATFORM_GROUP, MenuItem
from ..core.refusal import Refusal, answered
from ..core.urls import safe_next_url
from ..extensions import db, limiter
from ..tenancy.models import utcnow
from ..tokens.access import issuing_limited
from .forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    ChangePasswordForm,
    FederalInviteForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignUpForm,
)
from .models import ApiToken, FederalInvitation, User
from .services import federal as federal_services
from .services import memberships, users
from .services import signup as signup_services
from .services.api_tokens import create_api_token, revoke_api_token
from .services.memberships import invitation_from_token
from .services.users import (
    EmailNotConfirmed,
    authenticate,
    change_password,
    normalize_email,
    request_password_reset,
    update_profile,
    user_from_reset_token,
)
from .services.users import reset_password as reset_password_with_token

bp = Blueprint("accounts", __name__, template_folder="templates")

MANAGE_FEDERAL_STAFF = Permission.MANAGE_FEDERAL_STAFF


# Rate limits of the forms that take an e-mail address: per address and client together, so that nobody
# but the owner's own client can lock an account, and per client over all addresses. Every limited
# endpoint answers the same generic 429, whether the address has an account or not.
def _per_address_and_client(purpose: str):
    def key():
        return f"{purpose}:{get_remote_address()}:{normalize_email(request.form.get('email', ''))}"

    return key


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_ip_limit():
    return current_app.config["LOGIN_IP_RATE_LIMIT"]


def _failed(response):
    return response.status_code != 302


def _accepted(response):
    """The form passed validation (and a mail may have gone out): typos do not use up the limit."""
    return g.get("account_form_accepted", False)


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session: nothing a visitor's cookie carried before survives into it."""
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_per_address_and_client("login"))
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next"), url_for("core.start")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except EmailNotConfirmed as error:
            answered(error)  # the refusal sent a new confirmation link: that must be stored
            flash(str(error), "warning")
            return render_template("accounts/login.html", form=form)
        if user is not None:
            start_session(user)
            flash(_("Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(safe_next_url(request.args.get("next"), url_for("core.start")))
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
@personal
def logout():
    # A copy of the cookie (a shared computer, a stolen backup) must not outlive the logout.
    users.end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit(
    "3 per hour", methods=["POST"], deduct_when=_accepted, key_func=_per_address_and_client("signup")
)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("enterprises.mine"))
    form = SignUpForm()
    if form.validate_on_submit():
        g.account_form_accepted = True
        try:
            signup_services.sign_up(
                form.email.data, form.full_name.data, form.password.data, locale=str(get_locale())
            )
        except Refusal as error:
            show_on(form, error, "password")
        else:
            return render_template("accounts/signup_sent.html", email=normalize_email(form.email.data))
    return render_template("accounts/signup.html", form=form)


@bp.route("/signup/confirm/<token>")
@public
def confirm_email(token):
    try:
        user = signup_services.confirm_email(token)
    except Refusal as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    start_session(user)
    flash(
        _("Your address is confirmed. Now find your enterprise by its ИНН to represent it."),
        "success",
    )
    return redirect(url_for("enterprises.mine"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit(
    "5 per hour", methods=["POST"], deduct_when=_accepted, key_func=_per_address_and_client("reset")
)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        g.account_form_accepted = True
        request_password_reset(form.email.data)
        flash(_("If an account with this address exists, we have sent a link to set a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        user = user_from_reset_token(token)
    except Refusal as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password_with_token(token, form.password.data)
        except Refusal as error:
            show_on(form, error, "password")
        else:
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, user=user)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    try:
        invitation = invitation_from_token(token)
    except Refusal as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        tenant = invitation.tenant  # read before the commit: the invitation's scope closes with it
        try:
            user = memberships.accept_invitation(invitation, form.full_name.data, form.password.data)
        except Refusal as error:
            show_on(form, error, "password")
        else:
            start_session(user)
            flash(_("Welcome to %(center)s!", center=tenant.name), "success")
            return redirect(url_for("tenancy.center_home", tenant=tenant.slug))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/federal-invitations/<token>", methods=["GET", "POST"])
@public
def accept_federal_invitation(token):
    try:
        invitation = federal_services.federal_invitation_from_token(token)
    except Refusal as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = federal_services.accept_federal_invitation(
                invitation, form.full_name.data, form.password.data
            )
        except Refusal as error:
            show_on(form, error, "password")
        else:
            start_session(user)
            flash(_("Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(url_for("reporting.dashboard"))
    return render_template("accounts/accept_federal_invitation.html", form=form, invitation=invitation)


@bp.route("/admin/federal-staff", methods=["GET", "POST"])
@requires(MANAGE_FEDERAL_STAFF)
def federal_staff():
    form = FederalInviteForm()
    if form.validate_on_submit():
        try:
            invitation, _link = federal_services.invite_federal(form.email.data, form.role.data, current_user)
        except Refusal as error:
            show_on(form, error, "email")
        else:
            flash(_("The invitation has been sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("accounts.federal_staff"))
    return render_template(
        "accounts/federal_staff.html",
        form=form,
        staff=federal_services.federal_staff(),
        invitations=federal_services.pending_federal_invitations(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/admin/federal-staff/invitations/<int:invitation_id>/revoke", methods=["POST"])
@requires(MANAGE_FEDERAL_STAFF)
def revoke_federal_invitation(invitation_id):
    invitation = db.get_or_404(FederalInvitation, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            federal_services.revoke_federal_invitation(invitation, current_user)
        except Refusal as error:
            flash(str(error), "warning")
        else:
            flash(_("The invitation has been revoked."), "success")
    return redirect(url_for("accounts.federal_staff"))


@bp.route("/admin/federal-staff/<int:user_id>/withdraw", methods=["POST"])
@requires(MANAGE_FEDERAL_STAFF)
def withdraw_federal_role(user_id):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            federal_services.withdraw_federal_role(user, current_user)
        except Refusal as error:
            flash(str(error), "warning")
        else:
            flash(_("%(name)s no longer has a federal role.", name=user.full_name), "success")
    return redirect(url_for("accounts.federal_staff"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
@personal
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        update_profile(current_user, form.full_name.data, form.locale.data)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@personal
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.password.data)
        except Refusal as error:
            show_on(form, error, "current")
        else:
            login_user(current_user._get_current_object())  # keep this session; the others are logged out
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
@personal
@issuing_limited
def api_tokens():
    form = ApiTokenForm()
    new_secret = None
    if form.validate_on_submit():
        try:
            _token, new_secret = create_api_token(
                current_user, form.name.data, read_only=form.read_only.data, expires_on=form.expires_on.data
            )
        except Refusal as error:
            show_on(form, error, "name")
        else:
            form = ApiTokenForm(formdata=None)
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/tokens.html",
        form=form,
        tokens=tokens,
        new_secret=new_secret,
        confirm_form=ConfirmForm(),
        now_utc=utcnow(),
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
@personal
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        revoke_api_token(token, current_user)
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.api_tokens"))


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "global": [
            MenuItem(
                _l("Federal staff"), "accounts.federal_staff", MANAGE_FEDERAL_STAFF, group=PLATFORM_GROUP
            ),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)

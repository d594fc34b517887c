import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from . import services
from .authz import login_required, personal, public
from .forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from .models import ApiToken
from .services import (
    AccountError,
    authenticate,
    change_password,
    create_api_token,
    invitation_from_token,
    normalize_email,
    request_password_reset,
    revoke_api_token,
    update_profile,
    user_from_reset_token,
)
from .services import reset_password as reset_password_with_token

bp = Blueprint("accounts", __name__, template_folder="templates")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response):
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.start")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=_failed,
    key_func=lambda: "login-account:" + normalize_email(request.form.get("email", "")),
)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            session.pop("lang", None)
            db.session.commit()
            flash(_("Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
@personal
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account with this address exists, we have sent a link to set a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        user = user_from_reset_token(token)
    except AccountError as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password_with_token(token, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, user=user)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    try:
        invitation = invitation_from_token(token)
    except AccountError as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        tenant = invitation.tenant  # read before the commit: the invitation's scope closes with it
        try:
            user = services.accept_invitation(invitation, form.full_name.data, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome to %(center)s!", center=tenant.name), "success")
            return redirect(url_for("tenancy.center_home", tenant=tenant.slug))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@personal
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        update_profile(current_user, form.full_name.data, form.locale.data)
        db.session.commit()
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
        except AccountError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session; the others are logged out
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
@personal
def api_tokens():
    form = ApiTokenForm()
    new_secret = None
    if form.validate_on_submit():
        try:
            _token, new_secret = create_api_token(current_user, form.name.data)
        except AccountError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            form = ApiTokenForm(formdata=None)
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/tokens.html", form=form, tokens=tokens, new_secret=new_secret, confirm_form=ConfirmForm()
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
        db.session.commit()
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.api_tokens"))

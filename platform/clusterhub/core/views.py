import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user

from ..accounts.authz import Permission, can, login_required, public
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus
from .i18n import LOCALES
from .readiness import database_ready
from .start import start_page_of

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    tenants = db.session.scalars(
        sa.select(Tenant)
        .join(Tenant.region)
        .where(Tenant.status == TenantStatus.ACTIVE)
        .order_by(Region.federal_district, Tenant.name_ru)
    ).all()
    return render_template("core/home.html", tenants=tenants)


@bp.route("/start")
@login_required
def start():
    """Each role's pending work: where a user lands after logging in."""
    return render_template(
        "core/start.html",
        page=start_page_of(current_user),
        federal=can(Permission.FEDERAL_READ),
        reviewer=can(Permission.REVIEW_REPORTS),
        platform_admin=can(Permission.MANAGE_TENANTS),
    )


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("core/accessibility.html")


@bp.route("/favicon.ico")
@public
def favicon():
    # Browsers ask for /favicon.ico whatever the page says; without this route it would be a center slug.
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.route("/lang", methods=["POST"])
@public
def switch_language():
    """Switch the interface language; a logged-in user's choice is kept in their profile."""
    lang = request.form.get("lang")
    if lang in LOCALES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    target = request.form.get("next") or url_for("core.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.home")
    return redirect(target)


@bp.route("/healthz")
@public
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz():
    ready, detail = database_ready(current_app)
    return jsonify(status="ok" if ready else "unavailable", detail=detail), 200 if ready else 503

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
)
from flask_login import current_user

from ..extensions import csrf, db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus
from .access import Permission, can, login_required, personal, public
from .i18n import LOCALES
from .readiness import database_ready
from .start import start_page_of
from .urls import safe_next_url

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
@csrf.exempt
@public
@personal  # a federal user's own language
def switch_language():
    """Switch the interface language; a logged-in user's choice is kept in their profile.

    An anonymous visitor's switch needs no CSRF token (it changes only that visitor's own cookie), so the
    pages they read carry no token and start no session: no cookie is set until they log in or fill in a
    form. A logged-in user's switch changes their profile and must carry the token."""
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    lang = request.form.get("lang")
    if lang in LOCALES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next_url(request.form.get("next")))


# The kubelet asks every few seconds: the answer never changes, so it is not serialized each time.
_HEALTHY = b'{"status":"ok"}\n'


@bp.route("/healthz")
@public
def healthz():
    return current_app.response_class(_HEALTHY, mimetype="application/json")


@bp.route("/readyz")
@public
def readyz():
    ready, detail = database_ready(current_app)
    return jsonify(status="ok" if ready else "unavailable", detail=detail), 200 if ready else 503

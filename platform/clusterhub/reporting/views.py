"""The federal layer (read-only across tenants). For now: an overview of the centers."""

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from ..accounts.authz import Permission, requires
from ..accounts.models import Membership
from ..core.menu import add_global_item
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant
from ..tenancy.scoping import federal_read_scope

bp = Blueprint("reporting", __name__, template_folder="templates")
add_global_item(_l("Federal overview"), "reporting.overview", Permission.FEDERAL_READ)


def centers_overview() -> list:
    """Every center with its region and the number of people holding a role there (one query)."""
    people = (
        sa.select(Membership.tenant_id, sa.func.count().label("people"))
        .group_by(Membership.tenant_id)
        .subquery()
    )
    statement = (
        sa.select(Tenant, sa.func.coalesce(people.c.people, 0))
        .join(Tenant.region)
        .outerjoin(people, people.c.tenant_id == Tenant.id)
        .order_by(Region.federal_district, Tenant.name_ru)
        .execution_options(cross_tenant=True)
    )
    with federal_read_scope(db.session):
        return db.session.execute(statement).all()


@bp.route("/federal/")
@requires(Permission.FEDERAL_READ)
def overview():
    return render_template("reporting/overview.html", rows=centers_overview())

"""Drill-down from an indicator to the records behind it (read-only, across tenants, paginated)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..clusters.models import Cluster
from ..events.models import Event
from ..projects.models import JointProject
from ..technoparks.models import Technopark
from ..tenancy.models import Tenant
from . import sql


def _clusters(scope):
    from .sources.clusters import specialisation_filter

    statement = sa.select(
        Tenant.name_ru, Cluster.name, Cluster.industry, Cluster.register_status, Cluster.register_valid_until
    ).select_from(Cluster)
    statement = sql.scoped(statement, scope, Cluster.tenant_id).where(specialisation_filter(scope))
    return statement.order_by(Tenant.name_ru, Cluster.name), [
        _l("Center"),
        _l("Cluster"),
        _l("Specialisation"),
        _l("Register status"),
        _l("Valid until"),
    ]


def _sessions(scope):
    from .sources.events import HELD

    statement = sa.select(
        Tenant.name_ru, Event.title_ru, Event.start_date, Event.city_ru, Event.planned_participants
    ).select_from(Event)
    statement = sql.scoped(statement, scope, Event.tenant_id).where(
        Event.status.in_(HELD), Event.start_date >= scope.period.start, Event.start_date < scope.period.end
    )
    return statement.order_by(Event.start_date.desc()), [
        _l("Center"),
        _l("Session"),
        _l("Starts"),
        _l("City"),
        _l("Planned participants"),
    ]


def _projects(scope):
    """The projects submitted in the period, as the project indicators date them."""
    from .sources.projects import SUBMITTED_ON

    statement = sa.select(
        Tenant.name_ru,
        JointProject.title_ru,
        JointProject.status,
        JointProject.defense_outcome,
        SUBMITTED_ON.label("submitted"),
    ).select_from(JointProject)
    statement = sql.scoped(statement, scope, JointProject.tenant_id).where(
        sql.in_period(SUBMITTED_ON, scope), JointProject.status != "draft"
    )
    return statement.order_by(SUBMITTED_ON.desc()), [
        _l("Center"),
        _l("Project"),
        _l("Status"),
        _l("Defense outcome"),
        _l("Submitted"),
    ]


def _defended_projects(scope):
    """The projects defended in the period, dated by their defense as ``projects_defended`` is."""
    from .sources.projects import DEFENDED, SUBMITTED_ON, defended_in_period

    dated, (last_defense, on) = defended_in_period(scope)
    defended_on = sa.func.coalesce(last_defense.c.held_on, SUBMITTED_ON)
    statement = (
        sa.select(
            Tenant.name_ru,
            JointProject.title_ru,
            JointProject.status,
            JointProject.defense_outcome,
            defended_on.label("defended"),
        )
        .select_from(JointProject)
        .outerjoin(last_defense, on)
    )
    statement = sql.scoped(statement, scope, JointProject.tenant_id).where(
        dated, JointProject.status.in_(DEFENDED)
    )
    return statement.order_by(defended_on.desc()), [
        _l("Center"),
        _l("Project"),
        _l("Status"),
        _l("Defense outcome"),
        _l("Defended"),
    ]


def _technoparks(scope):

    statement = sa.select(
        Tenant.name_ru, Technopark.name_ru, Technopark.kind, Technopark.total_area, Technopark.created_at
    ).select_from(Technopark)
    return sql.scoped(statement, scope, Technopark.tenant_id).order_by(Tenant.name_ru, Technopark.name_ru), [
        _l("Center"),
        _l("Technopark"),
        _l("Type"),
        _l("Total area, m²"),
        _l("Added"),
    ]


RECORDS = {
    "clusters": _clusters,
    "clusters_in_register": _clusters,
    "sessions_held": _sessions,
    "projects_presented": _projects,
    "projects_defended": _defended_projects,
    "projects_filed": _projects,
    "technoparks": _technoparks,
}

"""The federal figures, stored: a summary table read by the dashboard, the exports and the API.

Computing every indicator from the records takes seconds at the country's scale (300,000 registrations,
30,000 scores), far too long for a page. So the figures of a period are computed once for the whole
country at every grouping (by center, region, district and country) and stored in ``indicator_summaries``.
Any area (a district, a region, a center) is a slice of that one computation, so every view of the same
period shows the same numbers, whichever worker or replica answers.

The worker keeps this year's and last year's periods fresh (``flask reporting refresh``, a CronJob every
10 minutes). A request computes and stores figures itself only when they are missing or older than
``REPORTING_CACHE_SECONDS`` (30 minutes: the worker is late, or the period is one it does not keep:
another of the last ten years, or a cluster specialisation; those are pruned a day later). Custom date
ranges and a center's own figures (one tenant: quick) are always computed live.
"""

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy.orm import Session

from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus, utcnow
from ..tenancy.scoping import in_federal_read
from . import registry, sql
from .models import IndicatorSummary, KpiPlan
from .periods import Period, codes_of_years, parse_period

LEVELS = ("country", "district", "region", "tenant")  # from the coarsest area to the finest
STANDARD_PERIOD = re.compile(r"\d{4}(-H[12]|-Q[1-4])?")


@dataclass
class Figures:
    """Every indicator of a period at every grouping, and the map of which center lies where."""

    values: dict  # indicator key -> grouping -> {group key: value}
    tenant_region: dict[int, int]  # active centers only, as the indicators count them
    region_district: dict[int, str]
    computed_at: datetime
    plans: dict = field(default_factory=dict)  # indicator key -> {center: its plan for the period's year}
    breakdowns: dict = field(default_factory=dict)  # breakdown key -> {center: {category: count}}

    def slice(self, key: str, scope: sql.Scope, grouping: str) -> dict:
        """What ``indicators.compute`` answers for ``scope`` and ``grouping``, read from the stored figures."""
        area = self._area(scope)
        if area is None:
            return {}
        area_level, area_key = area
        by_group = self.values[key]
        if LEVELS.index(grouping) <= LEVELS.index(area_level):
            # The area itself, named at the coarser grouping (a region's figure under its district's key).
            value = by_group[area_level].get(area_key)
            return {} if value is None else {self._ancestor(area_level, area_key, grouping): value}
        if area_level == "country":
            return dict(by_group[grouping])
        return {
            group: value
            for group, value in by_group[grouping].items()
            if self._ancestor(grouping, group, area_level) == area_key
        }

    def plan_totals(self, scope: sql.Scope) -> dict:
        """The centers' plans for the period's year added up over the scope's area."""
        centers = self._centers_in(scope)
        plans = {
            key: [by_center[c] for c in centers & by_center.keys()] for key, by_center in self.plans.items()
        }
        return _area_plans(plans, single_center=len(centers) == 1)

    def breakdown_totals(self, scope: sql.Scope) -> dict:
        """Every breakdown added up over the scope's area: ``{key: {category: count}}``."""
        centers = self._centers_in(scope)
        totals = {}
        for key, by_center in self.breakdowns.items():
            totals[key] = {}
            for center in centers & by_center.keys():
                for category, count in by_center[center].items():
                    totals[key][category] = totals[key].get(category, 0) + count
        return totals

    def _centers_in(self, scope: sql.Scope) -> set:
        area = self._area(scope)
        if area is None:
            return set()
        level, key = area
        return {c for c in self.tenant_region if self._ancestor("tenant", c, level) == key}

    def _area(self, scope: sql.Scope) -> tuple[str, object] | None:
        """The finest area the scope's filters name, or None when they contradict each other."""
        region_id = scope.region_id
        if scope.tenant_id:
            if scope.tenant_id not in self.tenant_region:
                return None
            if region_id and self.tenant_region[scope.tenant_id] != region_id:
                return None
            region_id = self.tenant_region[scope.tenant_id]
        if region_id and region_id not in self.region_district:
            return None
        if region_id and scope.district and self.region_district[region_id] != scope.district:
            return None
        if scope.tenant_id:
            return "tenant", scope.tenant_id
        if region_id:
            return "region", region_id
        if scope.district:
            return "district", scope.district
        return "country", sql.COUNTRY

    def _ancestor(self, level: str, key, target: str):
        """The key of the area at ``target`` level that contains the area ``key`` of ``level``."""
        if level == "tenant" and target != "tenant":
            key, level = self.tenant_region.get(key), "region"
        if level == "region" and target not in ("region", "tenant"):
            key, level = self.region_district.get(key), "district"
        if target == "country":
            return sql.COUNTRY
        return key


def compute_figures(period: Period, specialisation: str = "") -> Figures:
    """Every indicator for the whole country at every grouping: one statement per indicator and grouping
    computed (additive indicators only by center, then added up), whatever the number of centers."""
    scope = sql.Scope(period=period, specialisation=specialisation or None)
    tenant_region = dict(
        sql.rows(sa.select(Tenant.id, Tenant.region_id).where(Tenant.status == TenantStatus.ACTIVE)).all()
    )
    region_district = dict(sql.rows(sa.select(Region.id, Region.federal_district)).all())
    values = {}
    for key, indicator in registry.REGISTRY.items():
        by_tenant = indicator.compute(scope, "tenant")
        if indicator.additive:
            by_region = _added_up(by_tenant, tenant_region)
            by_district = _added_up(by_region, region_district)
            by_country = {sql.COUNTRY: sum(by_tenant.values(), 0)}
        else:
            by_region = indicator.compute(scope, "region")
            by_district = indicator.compute(scope, "district")
            by_country = indicator.compute(scope, "country") or {sql.COUNTRY: 0}
        values[key] = {
            "tenant": by_tenant,
            "region": by_region,
            "district": by_district,
            "country": by_country,
        }
    breakdowns = {}
    for key, breakdown in registry.BREAKDOWNS.items():
        breakdowns[key] = {}
        for (center, category), count in breakdown.compute(scope).items():
            breakdowns[key].setdefault(center, {})[category] = count
    return Figures(values, tenant_region, region_district, utcnow(), plans_by_tenant(scope), breakdowns)


def plans_by_tenant(scope: sql.Scope) -> dict:
    """``{indicator: {center: plan}}``: the plans the centers of the scope entered for the period's year."""
    statement = sa.select(KpiPlan.tenant_id, KpiPlan.indicator, KpiPlan.plan).select_from(KpiPlan)
    statement = sql.scoped(statement, scope, KpiPlan.tenant_id).where(
        KpiPlan.year == scope.period.start.year, KpiPlan.plan.is_not(None)
    )
    plans: dict = {}
    for tenant_id, indicator, plan in sql.rows(statement):
        plans.setdefault(indicator, {})[tenant_id] = plan
    return plans


def breakdown_totals(scope: sql.Scope) -> dict:
    """Every breakdown over the scope's area, ``{key: {category: count}}`` (federal reads: stored)."""
    figures = stored_figures(scope)
    if figures is not None:
        return figures.breakdown_totals(scope)
    totals = {}
    for key, breakdown in registry.BREAKDOWNS.items():
        totals[key] = {}
        for (_center, category), count in breakdown.compute(scope).items():
            totals[key][category] = totals[key].get(category, 0) + count
    return totals


def plan_totals(scope: sql.Scope) -> dict:
    """The plans of the scope's centers for the period's year, added up per indicator (federal reads)."""
    figures = stored_figures(scope)
    if figures is not None:
        return figures.plan_totals(scope)
    plans = {key: list(by_center.values()) for key, by_center in plans_by_tenant(scope).items()}
    return _area_plans(plans, single_center=scope.tenant_id is not None)


def _area_plans(plans_of_centers: dict, single_center: bool) -> dict:
    """The plan of an area from its centers' plans: added up, except for shares and means (plans of
    80 % in two centers are not 160 %), which have a plan only for one center."""
    area = {}
    for key, plans in plans_of_centers.items():
        if not plans or key not in registry.REGISTRY:
            continue
        if registry.REGISTRY[key].unit != "percent":
            area[key] = sum(plans)
        elif single_center:
            area[key] = plans[0]
    return area


def _added_up(values: dict, parent_of: dict) -> dict:
    totals = {}
    for key, value in values.items():
        parent = parent_of.get(key)
        if parent is not None:
            totals[parent] = totals.get(parent, 0) + value
    return totals


# --- storage -----------------------------------------------------------------------------------------


def _to_json(figures: Figures) -> dict:
    def number(value):
        return str(value) if isinstance(value, Decimal) else value

    return {
        "values": {
            key: {
                grouping: [[group, number(v)] for group, v in groups.items()]
                for grouping, groups in by.items()
            }
            for key, by in figures.values.items()
        },
        "plans": {
            key: [[t, str(plan)] for t, plan in by_tenant.items()] for key, by_tenant in figures.plans.items()
        },
        "breakdowns": {
            key: [
                [center, category, n]
                for center, counts in by_center.items()
                for category, n in counts.items()
            ]
            for key, by_center in figures.breakdowns.items()
        },
        "tenant_region": [[t, r] for t, r in figures.tenant_region.items()],
        "region_district": [[r, d] for r, d in figures.region_district.items()],
    }


def _from_json(data: dict, computed_at: datetime) -> Figures:
    def number(value):
        return Decimal(value) if isinstance(value, str) else value

    values = {
        key: {grouping: {group: number(v) for group, v in pairs} for grouping, pairs in by.items()}
        for key, by in data["values"].items()
    }
    plans = {key: {t: Decimal(plan) for t, plan in pairs} for key, pairs in data.get("plans", {}).items()}
    breakdowns = {}
    for key, triples in data.get("breakdowns", {}).items():
        breakdowns[key] = {}
        for center, category, count in triples:
            breakdowns[key].setdefault(center, {})[category] = count
    return Figures(
        values, dict(data["tenant_region"]), dict(data["region_district"]), computed_at, plans, breakdowns
    )


def refresh(period: Period, specialisation: str = "") -> Figures:
    """Compute the period's figures from the records and store them (replacing the previous ones)."""
    started = time.perf_counter()
    with sql.federal_reads(own_session=True):
        figures = compute_figures(period, specialisation)
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    # Stored in a transaction of its own (a federal request stays read-only). Two refreshes of the same
    # period may race: newer figures are never replaced by older ones, and of two first inserts one wins.
    with Session(bind=db.engine) as writer:
        row = writer.scalar(
            sa.select(IndicatorSummary).where(
                IndicatorSummary.period == period.code, IndicatorSummary.specialisation == specialisation
            )
        )
        if row is None:
            row = IndicatorSummary(period=period.code, specialisation=specialisation)
            writer.add(row)
        elif row.computed_at > figures.computed_at:
            return figures
        row.figures, row.computed_at, row.compute_ms = _to_json(figures), figures.computed_at, elapsed_ms
        try:
            writer.commit()
        except sa.exc.IntegrityError:
            writer.rollback()
    _parsed[(period.code, specialisation)] = figures
    return figures


# Parsed figures per worker, reused while the stored row is unchanged (checked once per request).
_parsed: dict[tuple[str, str], Figures] = {}


def stored_figures(scope: sql.Scope) -> Figures | None:
    """The figures to slice for a federal read of ``scope``, or None when it is computed live."""
    figures = _stored([scope])
    return figures[0] if figures else None


def version(scopes: list[sql.Scope]) -> tuple | None:
    """When the figures of these scopes were computed, as a cache version; None if any is live."""
    figures = _stored(scopes)
    return tuple(f.computed_at for f in figures) if figures else None


def _stored(scopes: list[sql.Scope]) -> list[Figures] | None:
    """The stored figures of every scope (one query for those not read yet in this request), or None
    if any of them is computed live."""
    session = sql.reporting_session.get() or db.session
    max_age = current_app.config.get("REPORTING_CACHE_SECONDS", 0) if has_app_context() else 0
    if not max_age or not in_federal_read(session):
        return None
    if not all(storable(scope.period.code, scope.specialisation or "") for scope in scopes):
        return None
    keys = [(scope.period.code, scope.specialisation or "") for scope in scopes]
    memo = g.setdefault("indicator_summaries", {}) if has_request_context() else {}
    missing = list(dict.fromkeys(key for key in keys if key not in memo))
    if missing:
        stamps = {
            (row.period, row.specialisation): row
            for row in db.session.execute(
                sa.select(
                    IndicatorSummary.id,
                    IndicatorSummary.period,
                    IndicatorSummary.specialisation,
                    IndicatorSummary.computed_at,
                ).where(sa.tuple_(IndicatorSummary.period, IndicatorSummary.specialisation).in_(missing))
            )
        }
        for key in missing:
            memo[key] = _fresh_figures(key, stamps.get(key), max_age)
    return [memo[key] for key in keys]


def _fresh_figures(key: tuple[str, str], stored, max_age: int) -> Figures:
    """The parsed figures of the stored row, recomputed first when missing or too old."""
    if stored is None or utcnow() - stored.computed_at > timedelta(seconds=max_age):
        return refresh(parse_period(key[0]), key[1])
    parsed = _parsed.get(key)
    if parsed is None or parsed.computed_at != stored.computed_at:
        data = db.session.scalar(sa.select(IndicatorSummary.figures).where(IndicatorSummary.id == stored.id))
        parsed = _parsed[key] = _from_json(data, stored.computed_at)
    return parsed


def computed_at(scope: sql.Scope) -> datetime | None:
    """When the figures shown for ``scope`` were computed (None: live, just now)."""
    figures = stored_figures(scope)
    return figures.computed_at if figures else None


def standard_periods(today: date | None = None) -> list[str]:
    """The periods the worker keeps fresh: every year, half-year and quarter of this year and the last,
    and the year before (the dashboard's time series shows three years)."""
    today = today or date.today()
    return codes_of_years((today.year, today.year - 1)) + [str(today.year - 2)]


def storable(code: str, specialisation: str, today: date | None = None) -> bool:
    """Whether a period's figures are stored: years, half-years and quarters of the last ten years (a
    custom range, or any other year, is computed live), with a well-formed specialisation."""
    today = today or date.today()
    if not STANDARD_PERIOD.fullmatch(code) or not today.year - 10 <= int(code[:4]) <= today.year + 1:
        return False
    return not specialisation or bool(sql.SPECIALISATION.fullmatch(specialisation))


def periods_to_refresh(today: date | None = None) -> list[tuple[str, str]]:
    """What the worker recomputes: the standard periods, without a cluster specialisation."""
    return [(code, "") for code in standard_periods(today)]


def prune(older_than: timedelta = timedelta(days=1), today: date | None = None) -> int:
    """Delete the stored figures the worker does not keep (other years, specialisations) once they are
    older than ``older_than``: a request that needs them again computes them again."""
    kept = set(periods_to_refresh(today))
    rows = db.session.execute(
        sa.select(IndicatorSummary.id, IndicatorSummary.period, IndicatorSummary.specialisation).where(
            IndicatorSummary.computed_at < utcnow() - older_than
        )
    ).all()
    stale = [row.id for row in rows if (row.period, row.specialisation) not in kept]
    if stale:
        db.session.execute(sa.delete(IndicatorSummary).where(IndicatorSummary.id.in_(stale)))
        db.session.commit()
    return len(stale)


def refresh_all(pairs: Iterable[tuple[str, str]], progress: Callable | None = None) -> list[tuple]:
    """Refresh every (period, specialisation); returns (period, specialisation, milliseconds) each."""
    done = []
    for code, specialisation in pairs:
        started = time.perf_counter()
        refresh(parse_period(code), specialisation)
        done.append((code, specialisation, int((time.perf_counter() - started) * 1000)))
        if progress:
            progress(code)
    return done


def clear_parsed() -> None:
    _parsed.clear()

"""The filters of the reporting pages, read from the query string: the period (a year, half-year,
quarter or custom dates), the federal district, region and center, and a cluster specialisation."""

from flask import flash
from flask_babel import gettext as _

from ..core.refusal import Refusal, expected_refusals
from ..extensions import db
from ..regions.models import FEDERAL_DISTRICTS
from ..tenancy.models import Tenant, TenantStatus
from . import services, sql
from .periods import parse_period, period_groups


def period_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every year with data, each with its half-years and quarters, grouped by year (the latest first).
    Reads in the scope the caller opened: the federal read scope, or the center's own."""
    return period_groups(services.years_with_data())


def federal_period_choices():
    with sql.federal_reads():
        return period_choices()


CUSTOM_PERIOD = "custom"


def scope_from_request(args) -> sql.Scope:
    """The period chosen in the list (a year, half-year or quarter), or the dates of a custom period when
    the list says so (or names no period, as in older links with only ``from`` and ``to``)."""
    code = args.get("period")
    custom = not code or code == CUSTOM_PERIOD
    # A period that does not parse is answered with a warning and the default period; the figures the
    # page then computes and stores for it stand.
    with expected_refusals():
        try:
            period = parse_period(None, args.get("from"), args.get("to")) if custom else parse_period(code)
        except Refusal as error:
            flash(str(error), "warning")
            period = parse_period()
    district = args.get("district") if args.get("district") in FEDERAL_DISTRICTS else None
    region_id = args.get("region", type=int)
    tenant_id = args.get("tenant", type=int)
    if tenant_id:  # a center of the chosen region (choosing another region or district leaves it)
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None or tenant.status != TenantStatus.ACTIVE:
            flash(_("There is no such working center."), "warning")
            tenant_id = None
        elif (region_id and region_id != tenant.region_id) or (
            district and district != tenant.region.federal_district
        ):
            tenant_id = None
        else:
            region_id, district = tenant.region_id, None
    specialisation = (args.get("specialisation") or "").strip()
    if specialisation and not sql.SPECIALISATION.fullmatch(specialisation):
        flash(_("The specialisation is an ОКВЭД 2 code or its beginning, e.g. 16 or 16.10."), "warning")
        specialisation = ""
    return sql.Scope(
        period=period,
        district=district,
        region_id=region_id,
        tenant_id=tenant_id,
        specialisation=specialisation or None,
    )


def filters_of(args) -> dict:
    """The filters the dashboard's links keep (dates only with a custom period: a chosen year wins)."""
    filters = {
        k: v
        for k, v in args.items()
        if k in ("period", "from", "to", "district", "region", "tenant", "specialisation") and v
    }
    if filters.get("period", CUSTOM_PERIOD) != CUSTOM_PERIOD:
        filters.pop("from", None)
        filters.pop("to", None)
    return filters

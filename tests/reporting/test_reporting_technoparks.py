"""Technopark indicators computed on a small hand-built dataset with known answers."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from clusterhub.extensions import db
from clusterhub.reporting import indicators as ind
from clusterhub.reporting import sql
from clusterhub.reporting.periods import parse_period
from clusterhub.technoparks.models import EquipmentBooking, ServiceRequest
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope

KEYS = [
    "technoparks",
    "services_published",
    "service_requests",
    "paid_services_delivered",
    "request_completion_rate",
    "booked_equipment_hours",
]


@pytest.fixture
def catalogue(
    make_tenant, make_technopark, make_service, make_equipment, make_representative, tp_request_context
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    algraf = make_technopark(komi)
    kazan = make_technopark(tatarstan, name_ru="Технопарк «Казань»")
    lab = make_service(algraf)
    make_service(algraf, name_ru="Черновик", status="draft")
    make_service(kazan, name_ru="Консультация")
    machine = make_equipment(algraf)
    _user, enterprise = make_representative()
    with tenant_scope(db.session, komi.id):
        # (completed requests were accepted first, so they have the end of their scheduled work)
        for status, quote, created, scheduled_end in [
            ("completed", Decimal("1000"), datetime(2026, 2, 1), date(2026, 2, 10)),
            ("completed", None, datetime(2026, 3, 1), date(2026, 3, 5)),
            ("rejected", None, datetime(2026, 3, 2), None),
            ("submitted", None, datetime(2026, 5, 2), None),  # another quarter
            ("completed", Decimal("500"), datetime(2025, 12, 30), date(2025, 12, 31)),  # another year
        ]:
            db.session.add(
                ServiceRequest(
                    service_id=lab.id,
                    enterprise_id=enterprise.id,
                    quantity=1,
                    status=status,
                    quote=quote,
                    created_at=created,
                    scheduled_end=scheduled_end,
                )
            )
        # 3 h inside Q1, a booking crossing the end of Q1 (2 h inside), a cancelled one, a maintenance block
        for starts, ends, status, kind in [
            (datetime(2026, 1, 10, 9), datetime(2026, 1, 10, 12), "confirmed", "booking"),
            (datetime(2026, 3, 31, 22), datetime(2026, 4, 1, 2), "confirmed", "booking"),
            (datetime(2026, 2, 1, 9), datetime(2026, 2, 1, 17), "cancelled", "booking"),
            (datetime(2026, 2, 2, 9), datetime(2026, 2, 2, 17), "confirmed", "maintenance"),
        ]:
            db.session.add(
                EquipmentBooking(
                    equipment_id=machine.id, starts_at=starts, ends_at=ends, status=status, kind=kind
                )
            )
    db.session.commit()
    return komi, tatarstan


def values(scope, grouping="country"):
    with federal_read_scope(db.session):
        return {
            key: v.get(sql.COUNTRY) if grouping == "country" else v
            for key, v in ind.compute(KEYS, scope, grouping).items()
        }


def test_technopark_indicators_for_a_quarter(catalogue):
    result = values(sql.Scope(period=parse_period("2026-Q1")))
    assert result["technoparks"] == 2
    assert result["services_published"] == 2
    assert result["service_requests"] == 3
    assert result["paid_services_delivered"] == 1
    assert float(result["request_completion_rate"]) == pytest.approx(66.7)
    assert float(result["booked_equipment_hours"]) == pytest.approx(5.0)


def test_technopark_indicators_by_district_add_up(catalogue):
    komi, tatarstan = catalogue
    by_district = values(sql.Scope(period=parse_period("2026")), "district")
    assert by_district["technoparks"] == {"NWFD": 1, "VFD": 1}
    assert by_district["service_requests"] == {"NWFD": 4}
    assert float(by_district["booked_equipment_hours"]["NWFD"]) == pytest.approx(7.0)


@pytest.mark.parametrize("cache_seconds", [0, 900], ids=["live", "stored"])
def test_requests_by_status(app, catalogue, cache_seconds):
    from clusterhub.reporting import summaries

    app.config["REPORTING_CACHE_SECONDS"] = cache_seconds
    summaries.clear_parsed()
    try:
        with federal_read_scope(db.session):
            quarter = summaries.breakdown_totals(sql.Scope(period=parse_period("2026-Q1")))
            volga = summaries.breakdown_totals(sql.Scope(period=parse_period("2026"), district="VFD"))
    finally:
        app.config["REPORTING_CACHE_SECONDS"] = 0
    assert quarter["requests_by_status"] == {"completed": 2, "rejected": 1}
    assert volga["requests_by_status"] == {}  # Kazan's technopark has no requests


@pytest.mark.parametrize("cache_seconds", [0, 900], ids=["live", "stored"])
def test_paid_services_are_counted_when_they_were_delivered(
    app, make_tenant, make_technopark, make_service, make_representative, tp_request_context, cache_seconds
):
    """A service delivered in April 2021 and entered (and marked completed) in 2026 counts in 2021; one
    scheduled until June but marked completed in March counts in March."""
    from clusterhub.technoparks.models import ServiceRequestEvent

    komi = make_tenant("komi")
    lab = make_service(make_technopark(komi))
    _user, enterprise = make_representative()
    with tenant_scope(db.session, komi.id):
        for created, scheduled_end, marked in [
            (datetime(2026, 11, 2, 9), date(2021, 4, 2), datetime(2026, 11, 2, 10)),  # back-dated
            (datetime(2026, 2, 1, 9), date(2026, 6, 30), datetime(2026, 3, 15, 12)),  # finished early
        ]:
            request = ServiceRequest(
                service_id=lab.id,
                enterprise_id=enterprise.id,
                quantity=1,
                status="completed",
                quote=Decimal("100"),
                created_at=created,
                updated_at=marked,
                scheduled_end=scheduled_end,
            )
            db.session.add(request)
            db.session.flush()
            db.session.add(
                ServiceRequestEvent(
                    request_id=request.id, from_status="accepted", to_status="completed", created_at=marked
                )
            )
    db.session.commit()

    def delivered(period):
        return values(sql.Scope(period=parse_period(period)))["paid_services_delivered"]

    from clusterhub.reporting import summaries

    app.config["REPORTING_CACHE_SECONDS"] = cache_seconds
    summaries.clear_parsed()
    try:
        assert delivered("2021") == 1
        assert delivered("2021-Q2") == 1
        assert delivered("2026-Q1") == 1
        assert delivered("2026-Q2") == 0
        assert delivered("2026-Q4") == 0
        assert delivered("2026") == 1
    finally:
        app.config["REPORTING_CACHE_SECONDS"] = 0

"""Technopark indicators computed on a small hand-built dataset with known answers."""

from datetime import datetime
from decimal import Decimal

import pytest

from clusterhub.extensions import db
from clusterhub.reporting import indicators as ind
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
        for status, quote, created in [
            ("completed", Decimal("1000"), datetime(2026, 2, 1)),
            ("completed", None, datetime(2026, 3, 1)),
            ("rejected", None, datetime(2026, 3, 2)),
            ("submitted", None, datetime(2026, 5, 2)),  # another quarter
            ("completed", Decimal("500"), datetime(2025, 12, 30)),
        ]:  # another year
            db.session.add(
                ServiceRequest(
                    service_id=lab.id,
                    enterprise_id=enterprise.id,
                    quantity=1,
                    status=status,
                    quote=quote,
                    created_at=created,
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
            key: v.get(ind.COUNTRY) if grouping == "country" else v
            for key, v in ind.compute(KEYS, scope, grouping).items()
        }


def test_technopark_indicators_for_a_quarter(catalogue):
    result = values(ind.Scope(period=parse_period("2026-Q1")))
    assert result["technoparks"] == 2
    assert result["services_published"] == 2
    assert result["service_requests"] == 3
    assert result["paid_services_delivered"] == 1
    assert float(result["request_completion_rate"]) == pytest.approx(66.7)
    assert float(result["booked_equipment_hours"]) == pytest.approx(5.0)


def test_technopark_indicators_by_district_add_up(catalogue):
    komi, tatarstan = catalogue
    by_district = values(ind.Scope(period=parse_period("2026")), "district")
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
            quarter = summaries.breakdown_totals(ind.Scope(period=parse_period("2026-Q1")))
            volga = summaries.breakdown_totals(ind.Scope(period=parse_period("2026"), district="VFD"))
    finally:
        app.config["REPORTING_CACHE_SECONDS"] = 0
    assert quarter["requests_by_status"] == {"completed": 2, "rejected": 1}
    assert volga["requests_by_status"] == {}  # Kazan's technopark has no requests

"""Per-service and per-equipment figures of the center for the staff."""

from datetime import date, datetime, time, timedelta

from flask import render_template, request

from ...core.access import requires
from ..models import REQUEST_STATUS_LABELS
from ..services import stats
from . import VIEW_STATISTICS, bp


@bp.route("/<tenant>/staff/technoparks/statistics")
@requires(VIEW_STATISTICS)
def statistics():
    try:
        start = date.fromisoformat(request.args.get("from") or "")
    except ValueError:
        start = date.today().replace(day=1)
    try:
        end = date.fromisoformat(request.args.get("to") or "")
    except ValueError:
        end = (start + timedelta(days=32)).replace(day=1)
    if end <= start:
        end = start + timedelta(days=1)
    return render_template(
        "technoparks/statistics.html",
        services=stats.service_statistics(),
        equipment=stats.equipment_statistics(datetime.combine(start, time()), datetime.combine(end, time())),
        start=start,
        end=end,
        status_labels=REQUEST_STATUS_LABELS,
    )

"""The platform-wide search of every center's published services and bookable equipment."""

from flask import render_template, request
from flask_babel import get_locale

from ...core.access import public
from ...core.page_cache import per_viewer
from ...core.refusal import Refusal, expected_refusals
from ...regions.models import FEDERAL_DISTRICTS, region_names
from ..models import EQUIPMENT_CATEGORY_LABELS, SERVICE_CATEGORY_LABELS
from ..services import search as search_module
from ..services.values import clean_price
from . import bp


def _filters_from_args(args) -> search_module.SearchFilters:
    filters = search_module.SearchFilters(
        q=(args.get("q") or "").strip()[:200],
        category=args.get("category") or "",
        district=args.get("district") if args.get("district") in FEDERAL_DISTRICTS else "",
        sort=args.get("sort") if args.get("sort") in search_module.SORTS else "relevance",
    )
    filters.region_id = args.get("region", type=int)
    for name in ("price_min", "price_max"):
        raw = (args.get(name) or "").strip()
        if raw:
            with expected_refusals():  # an unreadable price filter is ignored, not a failed request
                try:
                    setattr(filters, name, clean_price(raw, field=name))
                except Refusal:
                    setattr(filters, name, None)
    return filters


# Read by every visitor and changed only by the centers' writes: kept per content version of all centers.
@bp.route("/services/")
@public
@per_viewer("service-search")
def search():
    kind = "equipment" if request.args.get("kind") == "equipment" else "services"
    filters = _filters_from_args(request.args)
    categories = EQUIPMENT_CATEGORY_LABELS if kind == "equipment" else SERVICE_CATEGORY_LABELS
    if filters.category not in categories:
        filters.category = ""
    page_number = request.args.get("page", 1, type=int)
    if kind == "equipment":
        page = search_module.search_equipment(filters, page_number)
    else:
        page = search_module.search_services(filters, page_number)
    regions = region_names(str(get_locale()))
    return render_template(
        "technoparks/search.html",
        kind=kind,
        filters=filters,
        page=page,
        categories=categories,
        regions=regions,
        districts=FEDERAL_DISTRICTS,
        args={k: v for k, v in request.args.items() if k != "page"},
    )

"""The public catalogue of a center: its technoparks, a technopark's page and a service's page."""

from datetime import date

from flask import abort, render_template, request

from ...core.access import public
from ...core.pagination import paginate
from ..models import SERVICE_CATEGORY_LABELS, OfferStatus, ServiceOffer
from ..services import attachments, offers, technoparks, zones
from ..services import equipment as equipment_services
from . import bp, can_manage, child_or_404, technopark_or_404


@bp.route("/<tenant>/technoparks/")
@public
def catalogue():
    return render_template("technoparks/catalogue.html", technoparks=technoparks.technoparks())


@bp.route("/<tenant>/technoparks/<int:technopark_id>")
@public
def technopark(technopark_id):
    technopark = technopark_or_404(technopark_id)
    q = (request.args.get("q") or "").strip()
    category = request.args.get("category") or ""
    statement = offers.services_of(technopark, published_only=True)
    if category in SERVICE_CATEGORY_LABELS:
        statement = statement.where(ServiceOffer.category == category)
    if q:
        for word in q.lower().split()[:8]:
            statement = statement.where(ServiceOffer.search_text.contains(word, autoescape=True))
    services_page = paginate(statement, per_page=30)
    return render_template(
        "technoparks/technopark.html",
        technopark=technopark,
        zones=zones.zones(technopark),
        equipment=equipment_services.equipment_list(technopark),
        services_page=services_page,
        q=q,
        category=category,
        residents=[r for r in technoparks.residents(technopark) if r.active_on(date.today())],
        photos=attachments.photos_of(technopark.id),
    )


@bp.route("/<tenant>/technoparks/<int:technopark_id>/services/<int:service_id>")
@public
def service(technopark_id, service_id):
    technopark = technopark_or_404(technopark_id)
    offer = child_or_404(ServiceOffer, service_id, technopark)
    if offer.status != OfferStatus.PUBLISHED and not can_manage():
        abort(404)
    return render_template(
        "technoparks/service.html",
        technopark=technopark,
        offer=offer,
        equipment=offers.linked_equipment(offer),
    )

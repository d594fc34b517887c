"""Pages of the cooperation exchange: the search across every region, an entry and its suggestions, the
representatives' editing and digest switch, and a center's featured entries."""

import click
import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...core import signals
from ...core.access import Permission, login_required, public, requires
from ...core.forms import ConfirmForm, show_on
from ...core.menu import STAFF_GROUP, HomeBlock, MenuItem
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...enterprises.services.representatives import represented_enterprises
from ...extensions import db
from ...regions.models import FEDERAL_DISTRICTS
from .forms import DigestForm, OfferForm, region_choices
from .models import COOPERATION_KIND_LABELS, ENTRY_KIND_LABELS, CooperationOffer, FeaturedOffer
from .services import digest, entries
from .services import featured as featured_services
from .services import search as search_services
from .services import suggestions as suggestion_services

bp = Blueprint("cooperation", __name__, template_folder="templates", cli_group="cooperation")

PER_PAGE = 20


def _featured_block(tenant):
    """Signed-in users see the featured entries; anonymous visitors get the center home from a page cache
    keyed by the center's row alone (centers.views.center_home), so they see a link that never changes."""
    if not current_user.is_authenticated:
        return {"offers": None}
    offers = featured_services.featured_offers()
    return {"offers": offers} if offers else None


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(
                _l("Featured cooperation"), "cooperation.featured", Permission.STAFF_AREA, group=STAFF_GROUP
            )
        ],
        "global": [MenuItem(_l("Cooperation"), "cooperation.search")],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {"center": [HomeBlock("cooperation/offers/_home_block.html", _featured_block)]}.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)


def _offer(offer_id) -> CooperationOffer:
    offer = db.session.scalar(
        sa.select(CooperationOffer)
        .options(joinedload(CooperationOffer.enterprise).joinedload(Enterprise.region))
        .where(CooperationOffer.id == offer_id)
    )
    if offer is None:
        abort(404)
    if not entries.visible_to(current_user, offer):
        abort(404)
    return offer


def _require_editor(offer_or_enterprise):
    if not entries.can_edit(current_user, offer_or_enterprise):
        abort(403)


def _filters() -> search_services.SearchFilters:
    return search_services.SearchFilters(
        kind_of_entry=request.args.get("entry", ""),
        kind=request.args.get("kind", ""),
        code=request.args.get("code", "").strip()[:16],
        district=request.args.get("district", ""),
        region_id=request.args.get("region", type=int),
        enterprise_id=request.args.get("enterprise", type=int),
        q=request.args.get("q", "").strip()[:200],
    )


@bp.route("/cooperation/")
@public
def search():
    filters = _filters()
    page = paginate(search_services.search_statement(filters), per_page=PER_PAGE)
    enterprise = db.session.get(Enterprise, filters.enterprise_id) if filters.enterprise_id else None
    args = {
        "entry": filters.kind_of_entry,
        "kind": filters.kind,
        "code": filters.code,
        "district": filters.district,
        "region": filters.region_id or "",
        "enterprise": filters.enterprise_id or "",
        "q": filters.q,
    }
    return render_template(
        "cooperation/offers/search.html",
        page=page,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        enterprise=enterprise,
        entry_kinds=ENTRY_KIND_LABELS,
        kinds=COOPERATION_KIND_LABELS,
        districts=FEDERAL_DISTRICTS,
        regions=region_choices(),
        represented=represented_enterprises(current_user),
    )


@bp.route("/cooperation/mine", methods=["GET", "POST"])
@login_required
def mine():
    form = DigestForm()
    if form.validate_on_submit():
        digest.set_digest(current_user, form.enabled.data)
        flash(
            _("The weekly digest is on.") if form.enabled.data else _("The weekly digest is off."), "success"
        )
        return redirect(url_for("cooperation.mine"), 303)
    form.enabled.data = digest.digest_enabled(current_user)
    represented = represented_enterprises(current_user)
    return render_template(
        "cooperation/offers/mine.html",
        represented=represented,
        entries=entries.entries_of([e.id for e in represented]),
        form=form,
    )


@bp.route("/cooperation/new/<int:enterprise_id>", methods=["GET", "POST"])
@login_required
def new(enterprise_id):
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    _require_editor(enterprise)
    form = OfferForm()
    if request.method == "GET":
        form.kind_of_entry.data = request.args.get("entry", "offer")
        form.contact_name.data = current_user.full_name
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        try:
            offer = entries.create_offer(enterprise, form.values(), current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("Saved as a draft. Publish it to appear in the search and the matching."), "success")
            return redirect(url_for("cooperation.offer", offer_id=offer.id), 303)
    return render_template("cooperation/offers/form.html", form=form, enterprise=enterprise, offer=None)


@bp.route("/cooperation/<int:offer_id>")
@public
def offer(offer_id):
    entry = _offer(offer_id)
    return render_template(
        "cooperation/offers/offer.html",
        offer=entry,
        served=entries.served_area_names(entry),
        editor=entries.can_edit(current_user, entry),
        contact=entries.contact_visible(current_user, entry),
        confirm_form=ConfirmForm(),
    )


@bp.route("/cooperation/<int:offer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(offer_id):
    entry = _offer(offer_id)
    _require_editor(entry)
    form = OfferForm(obj=entry)
    del form.kind_of_entry
    if request.method == "GET":
        form.load(entry)
    if form.validate_on_submit():
        try:
            entries.update_offer(entry, form.values(), current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("cooperation.offer", offer_id=entry.id), 303)
    return render_template(
        "cooperation/offers/form.html", form=form, enterprise=entry.enterprise, offer=entry
    )


@bp.route("/cooperation/<int:offer_id>/publish", methods=["POST"])
@login_required
def publish(offer_id):
    entry = _offer(offer_id)
    _require_editor(entry)
    if ConfirmForm().validate_on_submit():
        entries.publish(entry, current_user)
        flash(_("Published: it is in the search and the matching."), "success")
    return redirect(url_for("cooperation.offer", offer_id=entry.id), 303)


@bp.route("/cooperation/<int:offer_id>/archive", methods=["POST"])
@login_required
def archive(offer_id):
    entry = _offer(offer_id)
    _require_editor(entry)
    if ConfirmForm().validate_on_submit():
        entries.archive(entry, current_user)
        flash(_("Archived: it has left the search and the matching."), "success")
    return redirect(url_for("cooperation.offer", offer_id=entry.id), 303)


@bp.route("/cooperation/<int:offer_id>/suggestions")
@login_required
def suggestions(offer_id):
    entry = _offer(offer_id)
    is_live = entry.status == "published" and not entry.is_expired()
    found = suggestion_services.suggestions(entry) if is_live else []
    return render_template(
        "cooperation/offers/suggestions.html",
        offer=entry,
        suggestions=found,
        is_live=is_live,
        editor=entries.can_edit(current_user, entry),
    )


# --- a center's featured entries ------------------------------------------------------------------------


@bp.route("/<tenant>/cooperation/")
@public
def center_featured():
    return render_template(
        "cooperation/offers/center.html", offers=featured_services.featured_offers(limit=50)
    )


@bp.route("/<tenant>/staff/cooperation/featured")
@requires(Permission.STAFF_AREA)
def featured():
    filters = search_services.SearchFilters(
        q=request.args.get("q", "").strip()[:200], code=request.args.get("code", "").strip()[:16]
    )
    page = paginate(search_services.search_statement(filters), per_page=10) if filters.any else None
    return render_template(
        "cooperation/offers/featured.html",
        rows=featured_services.featured_rows(),
        page=page,
        filters=filters,
        featured_ids=featured_services.featured_ids(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/staff/cooperation/featured", methods=["POST"])
@requires(Permission.STAFF_AREA)
def feature():
    entry = db.session.get(CooperationOffer, request.form.get("offer_id", type=int) or 0)
    if entry is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        featured_services.feature(entry, current_user)
        flash(_("It is shown on the center's home page."), "success")
    return redirect(url_for("cooperation.featured", tenant=g.tenant.slug), 303)


@bp.route("/<tenant>/staff/cooperation/featured/<int:featured_offer_id>/remove", methods=["POST"])
@requires(Permission.STAFF_AREA)
def unfeature(featured_offer_id):
    row = db.get_or_404(FeaturedOffer, featured_offer_id)  # another center's row: 404 (tenant scoping)
    if ConfirmForm().validate_on_submit():
        db.session.delete(row)
        flash(_("It is no longer shown on the center's home page."), "success")
    return redirect(url_for("cooperation.featured", tenant=g.tenant.slug), 303)


# --- the weekly digest ------------------------------------------------------------------------------------


@bp.cli.command("digest")
def digest_command():
    """Queue the weekly e-mails with new matches (run weekly; a second run sends nothing new)."""
    count = digest.send_digest()
    db.session.commit()
    click.echo(f"queued {count} digests")

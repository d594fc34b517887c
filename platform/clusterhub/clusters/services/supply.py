"""Supply links between a cluster's members, and the cooperation scheme that draws them."""

import math

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ...audit.services import record
from ...core.refusal import Refusal
from ...enterprises.services.identifiers import clean_okpd2
from ...extensions import db
from ..models import Cluster, ClusterMember, MemberRole, SupplyLink
from .clusters import ClusterView


def add_link(cluster: Cluster, supplier_id: int, customer_id: int, product: str, okpd2: str | None, actor):
    members = {
        m.id: m
        for m in db.session.scalars(
            sa.select(ClusterMember).where(
                ClusterMember.cluster_id == cluster.id, ClusterMember.id.in_([supplier_id, customer_id])
            )
        )
    }
    if supplier_id not in members or customer_id not in members:
        raise Refusal(_("Choose the supplier and the customer among the cluster's members."), "supplier_id")
    if supplier_id == customer_id:
        raise Refusal(_("A member cannot supply itself."), "customer_id")
    product = (product or "").strip()
    if not product:
        raise Refusal(_("Name the product supplied."), "product")
    if (okpd2 or "").strip():
        try:
            okpd2 = clean_okpd2(okpd2)
        except Refusal as error:
            raise Refusal(str(error), "okpd2") from error
    else:
        okpd2 = None
    link = SupplyLink(
        cluster_id=cluster.id,
        supplier_id=supplier_id,
        customer_id=customer_id,
        product=product[:300],
        okpd2=okpd2,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "cluster.link_added",
        cluster,
        actor=actor,
        after={
            "supplier": members[supplier_id].enterprise.inn,
            "customer": members[customer_id].enterprise.inn,
            "product": product,
            "okpd2": okpd2,
        },
    )
    return link


def remove_link(link: SupplyLink, actor) -> None:
    record(
        "cluster.link_removed",
        ("Cluster", link.cluster_id),
        actor=actor,
        tenant_id=link.tenant_id,
        before={"product": link.product, "okpd2": link.okpd2},
    )
    db.session.delete(link)
    db.session.flush()


# --- the cooperation diagram -----------------------------------------------------------------------

ROLE_COLOURS = {
    MemberRole.ANCHOR: "#0d6efd",
    MemberRole.PARTICIPANT: "#198754",
    MemberRole.SUPPLIER: "#fd7e14",
    MemberRole.RESEARCH: "#6f42c1",
    MemberRole.INFRASTRUCTURE: "#6c757d",
}


def cooperation_svg(view: ClusterView, title: str) -> Markup:
    """The supply links as a directed graph drawn on a circle, as inline SVG (no script, no CDN).

    Members are placed around a circle in the page's order (by role), arrows go from supplier to customer,
    each node and arrow has a <title> for screen readers and tooltips.
    """
    members = view.members
    n = len(members)
    if n == 0:
        return Markup("")
    radius = max(140, n * 9)
    margin = 240  # room for labels (up to 28 characters) outside the circle
    size = 2 * (radius + margin)
    centre = size / 2
    positions = {}
    for index, member in enumerate(members):
        angle = 2 * math.pi * index / n - math.pi / 2
        positions[member.id] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle), angle)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:.0f} {size:.0f}" role="img" '
        f'class="cooperation-scheme" font-family="system-ui, sans-serif" '
        'aria-labelledby="scheme-title">',
        f'<title id="scheme-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker></defs>',
    ]
    by_id = view.by_id
    node_r = 7 if n > 60 else 10
    for link in view.links:
        if link.supplier_id not in positions or link.customer_id not in positions:
            continue
        x1, y1, _a1 = positions[link.supplier_id]
        x2, y2, _a2 = positions[link.customer_id]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        # stop the arrow at the edge of the target node
        ex, ey = x2 - (x2 - x1) * (node_r + 2) / length, y2 - (y2 - y1) * (node_r + 2) / length
        # a slight curve keeps two-way links apart
        mx, my = (x1 + ex) / 2 + (ey - y1) * 0.12, (y1 + ey) / 2 - (ex - x1) * 0.12
        label = f"{by_id[link.supplier_id].enterprise.name} → {by_id[link.customer_id].enterprise.name}: {link.product}"
        if link.okpd2:
            label += f" ({link.okpd2})"
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" fill="none" stroke="#495057" '
            f'stroke-opacity="0.55" stroke-width="1.3" marker-end="url(#arrow)"><title>{escape(label)}</title></path>'
        )
    for member in members:
        x, y, angle = positions[member.id]
        colour = ROLE_COLOURS.get(member.role, "#6c757d")
        name = member.enterprise.name
        short = name if len(name) <= 28 else name[:27] + "…"
        lx, ly = x + (node_r + 6) * math.cos(angle), y + (node_r + 6) * math.sin(angle)
        anchor = "start" if math.cos(angle) >= 0 else "end"
        rotation = math.degrees(angle) if anchor == "start" else math.degrees(angle) + 180
        opacity = "1" if member.is_active else "0.4"
        parts.append(
            f'<g opacity="{opacity}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{node_r}" fill="{colour}">'
            f"<title>{escape(name)} — {escape(member.role_label)}</title></circle>"
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{11 if n > 60 else 13}" text-anchor="{anchor}" '
            f'dominant-baseline="middle" transform="rotate({rotation:.1f} {lx:.1f} {ly:.1f})">{escape(short)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))

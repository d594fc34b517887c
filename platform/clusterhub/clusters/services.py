"""Clusters of a center: the cluster itself, its members and supply links, compliance checks against the
center's rules, the cooperation diagram, and members import/export.

Every function works inside the current tenant scope (the request's center); rows of other centers are
invisible to it by construction.
"""

import contextlib
import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..audit.services import record
from ..core import exports, signals
from ..core.files import store
from ..core.refusal import Refusal
from ..core.uploads import DOCUMENTS, IMAGES, check_xlsx_archive, read_upload
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise, EnterpriseProduct
from ..extensions import db
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant
from .models import (
    Cluster,
    ClusterDocument,
    ClusterDocumentKind,
    ClusterMember,
    ClusterType,
    ComplianceRuleSetting,
    MemberRole,
    RegisterStatus,
    SupplyLink,
)

# --- clusters --------------------------------------------------------------------------------------

CLUSTER_FIELDS = (
    "name",
    "cluster_type",
    "industry",
    "okved_codes",
    "region_ids",
    "specialised_org_id",
    "register_status",
    "register_order_number",
    "register_order_date",
    "register_valid_until",
    "functional_map",
    "programme_goals",
)


def _clean_cluster(values: dict) -> dict:
    cleaned = {key: values.get(key) for key in CLUSTER_FIELDS if key in values}
    for key, value in cleaned.items():
        if isinstance(value, str):
            cleaned[key] = value.strip() or None
    if not cleaned.get("name"):
        raise Refusal(_("Give the cluster's name."), "name")
    if cleaned.get("cluster_type") not in set(ClusterType):
        raise Refusal(_("Choose a cluster type from the list."), "cluster_type")
    status = cleaned.get("register_status") or RegisterStatus.NOT_REGISTERED
    if status not in set(RegisterStatus):
        raise Refusal(_("Choose a register status from the list."), "register_status")
    cleaned["register_status"] = status
    if status == RegisterStatus.REGISTERED and not (
        cleaned.get("register_order_number") and cleaned.get("register_order_date")
    ):
        raise Refusal(
            _("A cluster in the register needs the number and date of the order."), "register_order_number"
        )
    if (
        status == RegisterStatus.REGISTERED
        and cleaned.get("register_order_date")
        and not cleaned.get("register_valid_until")
    ):
        # A compliance decision under Decree No. 779 is valid for five years.
        order_date = cleaned["register_order_date"]
        try:
            cleaned["register_valid_until"] = order_date.replace(year=order_date.year + 5)
        except ValueError:  # 29 February
            cleaned["register_valid_until"] = order_date.replace(year=order_date.year + 5, day=28)
    if "okved_codes" in cleaned:
        codes = []
        for code in (cleaned["okved_codes"] or "").replace(",", " ").split():
            try:
                codes.append(enterprises.clean_okved(code))
            except Refusal as error:
                raise Refusal(str(error), "okved_codes") from error
        cleaned["okved_codes"] = " ".join(codes) or None
    if "region_ids" in cleaned:
        cleaned["region_ids"] = sorted({int(r) for r in cleaned["region_ids"] or []})
    if cleaned.get("specialised_org_id"):
        cleaned["specialised_org_id"] = int(cleaned["specialised_org_id"])
    return cleaned


def create_cluster(values: dict, actor) -> Cluster:
    cluster = Cluster(**_clean_cluster(values))
    db.session.add(cluster)
    db.session.flush()
    record("cluster.created", cluster, actor=actor, after={"name": cluster.name})
    return cluster


def update_cluster(cluster: Cluster, values: dict, actor) -> dict:
    before, after = {}, {}
    for key, value in _clean_cluster(values).items():
        if getattr(cluster, key) != value:
            before[key], after[key] = getattr(cluster, key), value
            setattr(cluster, key, value)
    if after:
        db.session.flush()
        record("cluster.updated", cluster, actor=actor, before=before, after=after)
    return after


def specialised_org_id_for(inn: str) -> int | None:
    """The profile id of the specialised organisation given by ИНН (``None`` when the field is empty)."""
    if not (inn or "").strip():
        return None
    try:
        enterprise = enterprises.find_by_inn(inn)
    except Refusal as error:
        raise Refusal(str(error), "specialised_org_inn") from error
    if enterprise is None:
        raise Refusal(
            _("There is no enterprise with this ИНН: add its profile first."), "specialised_org_inn"
        )
    return enterprise.id


# --- members ---------------------------------------------------------------------------------------


def _clean_role(role) -> str:
    if role not in set(MemberRole):
        raise Refusal(_("Choose a member role from the list."), "role")
    return role


def _clean_dates(joined_on, left_on):
    if joined_on and left_on and left_on < joined_on:
        raise Refusal(_("A member cannot leave before joining."), "left_on")
    return joined_on, left_on


def add_member(
    cluster: Cluster, enterprise: Enterprise, role: str, joined_on: date | None, actor
) -> ClusterMember:
    """Add an enterprise to a cluster (once: a second membership of the same enterprise is refused)."""
    role = _clean_role(role)
    exists = db.session.scalar(
        sa.select(ClusterMember.id).where(
            ClusterMember.cluster_id == cluster.id, ClusterMember.enterprise_id == enterprise.id
        )
    )
    if exists:
        raise Refusal(_("%(name)s is already a member of this cluster.", name=enterprise.name), "inn")
    member = ClusterMember(cluster_id=cluster.id, enterprise_id=enterprise.id, role=role, joined_on=joined_on)
    db.session.add(member)
    db.session.flush()
    record(
        "cluster.member_added",
        cluster,
        actor=actor,
        after={"enterprise": enterprise.inn, "role": role, "joined_on": joined_on},
    )
    return member


def add_member_by_inn(cluster: Cluster, inn: str, full_name: str | None, role: str, joined_on, actor):
    """Add a member by ИНН, creating the enterprise profile when there is none (``full_name`` needed)."""
    try:
        enterprise = enterprises.find_by_inn(inn)
        if enterprise is None:
            if not (full_name or "").strip():
                raise Refusal(
                    _("No enterprise with this ИНН is registered yet: give its full name."), "full_name"
                )
            enterprise, _created = enterprises.get_or_create_by_inn(inn, full_name, actor=actor)
    except Refusal as error:
        raise Refusal(str(error), error.field or "inn") from error
    return add_member(cluster, enterprise, role, joined_on, actor)


def update_member(member: ClusterMember, role: str, joined_on, left_on, actor) -> None:
    role = _clean_role(role)
    joined_on, left_on = _clean_dates(joined_on, left_on)
    before = {"role": member.role, "joined_on": member.joined_on, "left_on": member.left_on}
    member.role, member.joined_on, member.left_on = role, joined_on, left_on
    db.session.flush()
    record(
        "cluster.member_updated",
        ("Cluster", member.cluster_id),
        actor=actor,
        tenant_id=member.tenant_id,
        before={"enterprise": member.enterprise.inn, **before},
        after={"enterprise": member.enterprise.inn, "role": role, "joined_on": joined_on, "left_on": left_on},
    )


def remove_member(member: ClusterMember, actor) -> None:
    """Delete a membership entered by mistake (with its supply links). A member that left is kept with
    its leaving date instead: see :func:`update_member`."""
    record(
        "cluster.member_removed",
        ("Cluster", member.cluster_id),
        actor=actor,
        tenant_id=member.tenant_id,
        before={"enterprise": member.enterprise.inn, "role": member.role},
    )
    db.session.execute(
        sa.delete(SupplyLink).where(
            sa.or_(SupplyLink.supplier_id == member.id, SupplyLink.customer_id == member.id)
        )
    )
    db.session.delete(member)
    db.session.flush()


# --- supply links ----------------------------------------------------------------------------------


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
            okpd2 = enterprises.clean_okpd2(okpd2)
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


def active_on(today: date | None = None):
    """SQL condition: the membership is current (no leaving date, or one still ahead)."""
    today = today or date.today()
    return sa.or_(ClusterMember.left_on.is_(None), ClusterMember.left_on > today)


# --- the cluster page's data, in a fixed number of queries -----------------------------------------


@dataclass
class ClusterView:
    cluster: Cluster
    members: list  # ClusterMember, enterprise loaded
    links: list  # SupplyLink
    product_counts: dict  # enterprise id -> number of products in its profile

    @property
    def by_id(self) -> dict:
        return {m.id: m for m in self.members}

    @property
    def active_members(self) -> list:
        return [m for m in self.members if m.is_active]


def cluster_view(cluster: Cluster) -> ClusterView:
    """Members (with their enterprises), links and product counts: three queries whatever the size."""
    members = list(
        db.session.scalars(
            sa.select(ClusterMember)
            .where(ClusterMember.cluster_id == cluster.id)
            .join(ClusterMember.enterprise)
            .order_by(ClusterMember.role, Enterprise.full_name)
        ).unique()
    )
    links = list(
        db.session.scalars(
            sa.select(SupplyLink).where(SupplyLink.cluster_id == cluster.id).order_by(SupplyLink.id)
        )
    )
    enterprise_ids = [m.enterprise_id for m in members]
    counts = (
        dict(
            db.session.execute(
                sa.select(EnterpriseProduct.enterprise_id, sa.func.count())
                .where(EnterpriseProduct.enterprise_id.in_(enterprise_ids))
                .group_by(EnterpriseProduct.enterprise_id)
            ).all()
        )
        if enterprise_ids
        else {}
    )
    return ClusterView(cluster, members, links, counts)


# --- compliance rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    label: object  # lazy string with %(n)s for the threshold
    default_threshold: int | None


# Defaults from DOMAIN.md; the thresholds are *unconfirmed* there, so every center can change them.
DEFAULT_RULES = (
    RuleDefinition(
        "min_industrial_members", _l("At least %(n)s industrial participants (ОКВЭД sections B–E)"), 10
    ),
    RuleDefinition(
        "max_without_output",
        _l("At most %(n)s producing participants without output (no products and no supplies in the scheme)"),
        3,
    ),
    RuleDefinition("specialised_org", _l("A specialised organisation is appointed"), None),
    RuleDefinition("functional_map", _l("The functional map is described"), None),
    RuleDefinition("programme", _l("The development programme's key goals are set"), None),
    RuleDefinition(
        "register_valid", _l("A register entry, if any, is still valid (decisions last 5 years)"), None
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in DEFAULT_RULES}


@dataclass
class Rule:
    definition: RuleDefinition
    threshold: int | None
    enabled: bool
    customised: bool

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def text(self) -> str:
        return str(self.definition.label) % {"n": self.threshold}


@dataclass
class RuleResult:
    rule: Rule
    passed: bool
    detail: str = ""


def center_rules() -> list[Rule]:
    """The current center's rules: the defaults with its stored overrides applied."""
    overrides = {s.code: s for s in db.session.scalars(sa.select(ComplianceRuleSetting))}
    rules = []
    for definition in DEFAULT_RULES:
        setting = overrides.get(definition.code)
        rules.append(
            Rule(
                definition,
                setting.threshold
                if setting and setting.threshold is not None
                else definition.default_threshold,
                setting.enabled if setting else True,
                setting is not None,
            )
        )
    return rules


def set_rule(code: str, threshold, enabled: bool, actor) -> None:
    """Store a center's override of a rule (threshold and on/off)."""
    definition = RULES_BY_CODE.get(code)
    if definition is None:
        raise Refusal(_("Unknown rule."))
    if definition.default_threshold is None:
        threshold = None
    else:
        try:
            threshold = int(threshold)
        except (TypeError, ValueError):
            threshold = -1
        if threshold < 0:
            raise Refusal(_("Give the threshold as a whole number, zero or more."), code)
    setting = db.session.scalar(sa.select(ComplianceRuleSetting).where(ComplianceRuleSetting.code == code))
    before = None
    if setting is None:
        setting = ComplianceRuleSetting(code=code)
        db.session.add(setting)
    else:
        before = {"threshold": setting.threshold, "enabled": setting.enabled}
    setting.threshold, setting.enabled = threshold, bool(enabled)
    db.session.flush()
    record(
        "cluster.rule_set",
        setting,
        actor=actor,
        before=before,
        after={"code": code, "threshold": threshold, "enabled": bool(enabled)},
    )


def without_output(view: ClusterView) -> list:
    """Active producing members (not research or infrastructure) with no products and no supplies."""
    suppliers = {link.supplier_id for link in view.links}
    return [
        m
        for m in view.active_members
        if m.role not in (MemberRole.RESEARCH, MemberRole.INFRASTRUCTURE)
        and m.id not in suppliers
        and not view.product_counts.get(m.enterprise_id)
    ]


def check_compliance(view: ClusterView, rules: list[Rule] | None = None, today: date | None = None) -> list:
    """Each enabled rule with pass/fail and what was found."""
    rules = center_rules() if rules is None else rules
    today = today or date.today()
    cluster = view.cluster
    results = []
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.code == "min_industrial_members":
            n = sum(1 for m in view.active_members if enterprises.industry_okved(m.enterprise.okved_main))
            results.append(RuleResult(rule, n >= rule.threshold, _("%(n)s industrial participants", n=n)))
        elif rule.code == "max_without_output":
            idle = without_output(view)
            detail = ", ".join(m.enterprise.name for m in idle[:10]) + ("…" if len(idle) > 10 else "")
            results.append(RuleResult(rule, len(idle) <= rule.threshold, detail or _("none")))
        elif rule.code == "specialised_org":
            org = cluster.specialised_org
            results.append(RuleResult(rule, org is not None, org.name if org else _("not appointed")))
        elif rule.code == "functional_map":
            results.append(RuleResult(rule, bool(cluster.functional_map)))
        elif rule.code == "programme":
            results.append(RuleResult(rule, bool(cluster.programme_goals)))
        elif rule.code == "register_valid":
            valid = cluster.register_status != RegisterStatus.REGISTERED or (
                cluster.register_valid_until is not None and cluster.register_valid_until >= today
            )
            detail = (
                str(cluster.register_valid_until or "")
                if cluster.register_status == RegisterStatus.REGISTERED
                else ""
            )
            results.append(RuleResult(rule, valid, detail))
    return results


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


# --- import and export of members ------------------------------------------------------------------

IMPORT_COLUMNS = {
    "inn": ("inn", "инн"),
    "name": ("name", "full_name", "наименование", "название"),
    "role": ("role", "роль"),
    "joined_on": ("joined_on", "joined", "дата вступления", "дата_вступления"),
}
ROLE_ALIASES = {
    "якорное": MemberRole.ANCHOR,
    "якорный": MemberRole.ANCHOR,
    "участник": MemberRole.PARTICIPANT,
    "поставщик": MemberRole.SUPPLIER,
    "научная": MemberRole.RESEARCH,
    "образовательная": MemberRole.RESEARCH,
    "инфраструктура": MemberRole.INFRASTRUCTURE,
}
MAX_IMPORT_ROWS = 2000
MAX_ENTERPRISE_NAME = Enterprise.full_name.type.length


@dataclass
class ImportRow:
    line: int
    inn: str
    name: str
    role: str
    joined_on: str
    errors: list = field(default_factory=list)
    enterprise_name: str | None = None  # the existing profile found by ИНН

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "inn": self.inn,
            "name": self.name,
            "role": self.role,
            "joined_on": self.joined_on,
        }


def read_members_file(filename: str, data: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8 or Windows-1251, comma or semicolon) or XLSX file, as dicts with the known
    columns (``inn``, ``name``, ``role``, ``joined_on``) and their line number."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            check_xlsx_archive(data)
        except Refusal as error:
            raise Refusal(str(error), "file") from error
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            table = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds of errors on a broken file
            raise Refusal(_("The file is not a readable XLSX workbook."), "file") from exc
    elif filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")
        if "\x00" in text:
            raise Refusal(_("The file contains a NUL character, which is not allowed in text."), "file")
        dialect = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        table = list(csv.reader(io.StringIO(text), dialect))
    else:
        raise Refusal(_("Upload a CSV or XLSX file."), "file")
    if not table:
        raise Refusal(_("The file is empty."), "file")
    header = [str(h).strip().casefold() for h in table[0]]
    columns = {}
    for key, names in IMPORT_COLUMNS.items():
        for index, name in enumerate(header):
            if name in names:
                columns[key] = index
                break
    if "inn" not in columns:
        raise Refusal(_("The first row must name the columns; an ИНН column is required."), "file")
    rows = []
    for line, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        row = {"line": line}
        for key, index in columns.items():
            value = values[index] if index < len(values) else ""
            if isinstance(value, datetime):
                value = value.date().isoformat()
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            row[key] = str(exports.restore_cell(value)).strip()
        rows.append(row)
    if len(rows) > MAX_IMPORT_ROWS:
        raise Refusal(_("At most %(n)s rows can be imported at once.", n=MAX_IMPORT_ROWS), "file")
    return rows


def _parse_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def preview_import(cluster: Cluster, rows: list[dict]) -> list[ImportRow]:
    """Check every row without writing anything; each :class:`ImportRow` lists its errors.

    ``rows`` come back from the browser between the preview and the commit, so they are checked here
    again: at most ``MAX_IMPORT_ROWS``, each a mapping of text."""
    if len(rows) > MAX_IMPORT_ROWS:
        raise Refusal(_("At most %(n)s rows can be imported at once.", n=MAX_IMPORT_ROWS), "file")
    if not all(isinstance(raw, dict) for raw in rows):
        raise Refusal(_("The preview has expired: upload the file again."), "file")
    checked = []
    inns = {}
    for raw in rows:
        row = ImportRow(
            line=int(raw.get("line", 0)),
            inn=str(raw.get("inn", "")).strip(),
            name=str(raw.get("name", "")).strip(),
            role=str(raw.get("role", "")).strip().casefold() or MemberRole.PARTICIPANT,
            joined_on=str(raw.get("joined_on", "")).strip(),
        )
        row.role = ROLE_ALIASES.get(row.role, row.role)
        if len(row.name) > MAX_ENTERPRISE_NAME:
            row.errors.append(_("The name is longer than %(n)s characters.", n=MAX_ENTERPRISE_NAME))
        try:
            row.inn = enterprises.clean_inn(row.inn)
        except Refusal as error:
            row.errors.append(str(error))
        if row.role not in set(MemberRole):
            row.errors.append(
                _(
                    "Unknown role «%(role)s»: use anchor, participant, supplier, research or infrastructure.",
                    role=row.role,
                )
            )
        try:
            _parse_date(row.joined_on)
        except ValueError:
            row.errors.append(
                _("The date «%(value)s» is not a date: use 2024-03-01 or 01.03.2024.", value=row.joined_on)
            )
        if not row.errors:
            if row.inn in inns:
                row.errors.append(_("The ИНН is repeated: see line %(line)s.", line=inns[row.inn]))
            inns.setdefault(row.inn, row.line)
        checked.append(row)
    valid_inns = [r.inn for r in checked if not r.errors]
    existing = (
        {e.inn: e for e in db.session.scalars(sa.select(Enterprise).where(Enterprise.inn.in_(valid_inns)))}
        if valid_inns
        else {}
    )
    members = set(
        db.session.scalars(
            sa.select(ClusterMember.enterprise_id).where(ClusterMember.cluster_id == cluster.id)
        )
    )
    for row in checked:
        if row.errors:
            continue
        enterprise = existing.get(row.inn)
        if enterprise is None and not row.name:
            row.errors.append(_("No enterprise with this ИНН is registered yet: give its name in the file."))
        elif enterprise is not None:
            row.enterprise_name = enterprise.name
            if enterprise.id in members:
                row.errors.append(_("%(name)s is already a member of this cluster.", name=enterprise.name))
    return checked


def commit_import(cluster: Cluster, rows: list[dict], actor) -> int:
    """Add every row as a member, or nothing: the rows are checked again and any error refuses them all."""
    checked = preview_import(cluster, rows)
    if not checked:
        raise Refusal(_("The file has no rows to import."))
    if any(row.errors for row in checked):
        raise Refusal(_("Nothing was imported: correct the rows with errors and upload the file again."))
    for row in checked:
        add_member_by_inn(cluster, row.inn, row.name, row.role, _parse_date(row.joined_on), actor)
    record("cluster.members_imported", cluster, actor=actor, after={"rows": len(checked)})
    return len(checked)


def rows_to_json(rows: list[ImportRow]) -> str:
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False)


EXPORT_HEADER = ("inn", "ogrn", "name", "role", "joined_on", "left_on", "okved_main", "region")


def _export_rows(view: ClusterView):
    for m in view.members:
        e = m.enterprise
        yield (
            e.inn,
            e.ogrn or "",
            e.full_name,
            m.role,
            m.joined_on.isoformat() if m.joined_on else "",
            m.left_on.isoformat() if m.left_on else "",
            e.okved_main or "",
            e.region.tax_code if e.region else "",
        )


def members_csv(view: ClusterView) -> bytes:
    """Members as CSV (UTF-8 with BOM so that Excel opens Cyrillic correctly), importable again."""
    return exports.csv_bytes(EXPORT_HEADER, _export_rows(view), delimiter=";")


def members_xlsx(view: ClusterView) -> bytes:
    return exports.xlsx_bytes(EXPORT_HEADER, _export_rows(view), sheet_title="members")


# --- the enterprise profile's history, and merges ---------------------------------------------------


def membership_history(enterprise: Enterprise, viewer):
    """Cluster memberships of ``enterprise`` in every center (the enterprise's own rows only)."""
    from flask import url_for

    from ..accounts.authz import can

    statement = (
        sa.select(ClusterMember, Cluster, Tenant)
        .join(
            Cluster,
            sa.and_(Cluster.id == ClusterMember.cluster_id, Cluster.tenant_id == ClusterMember.tenant_id),
        )
        .join(Tenant, Tenant.id == ClusterMember.tenant_id)
        .where(ClusterMember.enterprise_id == enterprise.id)
    )
    items = []
    for member, cluster, tenant in cross_tenant.enterprise_rows(statement):
        status = member.role_label
        if member.left_on:
            status = _("%(role)s, left on %(date)s", role=member.role_label, date=member.left_on.isoformat())
        items.append(
            enterprises.HistoryItem(
                tenant=tenant,
                kind=_("Cluster membership"),
                title=cluster.name,
                date=member.joined_on,
                status=status,
                # The cluster's page is for the center's people: no link the viewer could not follow.
                url=url_for("clusters.detail", tenant=tenant.slug, cluster_id=cluster.id)
                if can("clusters.view", tenant, viewer)
                else None,
            )
        )
    return items


def merge_duplicate_memberships(source: Enterprise, target: Enterprise) -> None:
    """Before a merge: where both profiles are members of one cluster, move the duplicate's supply links
    to the kept membership and drop the duplicate's (the generic merge then moves the rest)."""
    from ..tenancy.scoping import tenant_scope

    statement = sa.select(ClusterMember).where(ClusterMember.enterprise_id.in_([source.id, target.id]))
    rows = [member for (member,) in cross_tenant.enterprise_rows(statement)]
    by_key = {}
    for m in rows:
        by_key.setdefault((m.tenant_id, m.cluster_id), {})[m.enterprise_id] = (m.id, m.tenant_id)
    for pair in by_key.values():
        if source.id not in pair or target.id not in pair:
            continue
        source_member, tenant_id = pair[source.id]
        target_member, _tenant = pair[target.id]
        with tenant_scope(db.session, tenant_id):
            db.session.execute(
                sa.update(SupplyLink)
                .where(SupplyLink.supplier_id == source_member)
                .values(supplier_id=target_member)
            )
            db.session.execute(
                sa.update(SupplyLink)
                .where(SupplyLink.customer_id == source_member)
                .values(customer_id=target_member)
            )
            db.session.execute(sa.delete(SupplyLink).where(SupplyLink.supplier_id == SupplyLink.customer_id))
            db.session.execute(sa.delete(ClusterMember).where(ClusterMember.id == source_member))
    db.session.expire_all()


def connect_signals() -> None:
    """Cluster memberships in an enterprise's history, and their duplicates resolved before a merge."""
    signals.enterprise_history.connect(membership_history)
    signals.enterprise_merging.connect(merge_duplicate_memberships)


DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def add_document(cluster: Cluster, kind: str, fileobj, filename: str, actor=None):
    """Store a cluster document (PDF, office document or image, up to 20 MB, checked by content)."""
    if kind not in set(ClusterDocumentKind):
        raise Refusal(_("Choose the kind of document."), "kind")
    try:
        upload = read_upload(fileobj, filename, DOCUMENTS | IMAGES, DOCUMENT_MAX_BYTES)
    except Refusal as exc:
        raise Refusal(str(exc), "document") from exc
    try:
        document = store(
            cluster.tenant_id,
            f"clusters/{cluster.id}",
            upload,
            ClusterDocument,
            actor=actor,
            cluster_id=cluster.id,
            kind=kind,
        )
    except Refusal as exc:  # the plan's storage limit, shown beside the file field
        raise Refusal(str(exc), "document") from exc
    record("cluster.document_added", cluster, actor=actor, after={"kind": kind, "filename": upload.name})
    return document


def documents_of(cluster: Cluster) -> list:
    return list(
        db.session.scalars(
            sa.select(ClusterDocument)
            .where(ClusterDocument.cluster_id == cluster.id)
            .order_by(ClusterDocument.kind, ClusterDocument.id)
        )
    )

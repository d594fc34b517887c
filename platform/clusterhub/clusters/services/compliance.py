"""A center's compliance rules for its clusters (defaults it may change) and a cluster checked against them."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...audit.services import record
from ...core.refusal import Refusal
from ...enterprises.services.identifiers import industry_okved
from ...extensions import db
from ..models import ComplianceRuleSetting, MemberRole, RegisterStatus
from .clusters import ClusterView


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
            n = sum(1 for m in view.active_members if industry_okved(m.enterprise.okved_main))
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

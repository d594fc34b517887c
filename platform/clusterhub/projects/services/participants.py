"""The enterprises taking part in a project and the products one makes for another; which projects a
representative follows, and the projects in an enterprise's history across centers."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...enterprises.services.history import HistoryItem
from ...enterprises.services.representatives import represented_enterprises
from ...extensions import db
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant
from ..models import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    JointProject,
    ParticipantRole,
    ProjectParticipant,
    ProjectProduct,
    ProjectStatus,
)
from .dossier import check_editable
from .rules import OKPD2_PATTERN


def add_participant(
    project: JointProject, enterprise: Enterprise, role: str, *, actor=None
) -> ProjectParticipant:
    check_editable(project)
    if role not in set(ParticipantRole) - {ParticipantRole.LEAD}:
        raise Refusal(_("Choose the participant's role."))
    if any(p.enterprise_id == enterprise.id for p in project.participants):
        raise Refusal(_("%(name)s already takes part in the project.", name=enterprise.name))
    participant = ProjectParticipant(enterprise_id=enterprise.id, role=role)
    project.participants.append(participant)
    db.session.flush()
    record("project.participant_added", project, actor=actor, after={"inn": enterprise.inn, "role": role})
    return participant


def remove_participant(participant: ProjectParticipant, *, actor=None) -> None:
    project = participant.project
    check_editable(project)
    if participant.role == ParticipantRole.LEAD:
        raise Refusal(_("The lead enterprise cannot be removed."))
    if any(participant.id in (p.maker_id, p.buyer_id) for p in project.products):
        raise Refusal(_("A product names this participant as maker or buyer; change the product first."))
    record(
        "project.participant_removed",
        project,
        actor=actor,
        before={"enterprise_id": participant.enterprise_id},
    )
    project.participants.remove(participant)
    db.session.flush()


def clean_okpd2(code: str) -> str:
    code = (code or "").strip()
    if not OKPD2_PATTERN.match(code):
        raise Refusal(_("The ОКПД2 code %(code)s is not valid: use the form 16.21.13.000.", code=code))
    return code


def add_product(
    project: JointProject,
    name: str,
    okpd2: str,
    *,
    import_substitution=True,
    maker=None,
    buyer=None,
    actor=None,
) -> ProjectProduct:
    check_editable(project)
    if not (name or "").strip():
        raise Refusal(_("Give the product's name."))
    okpd2 = clean_okpd2(okpd2)
    for participant in (maker, buyer):
        if participant is not None and participant.joint_project_id != project.id:
            raise Refusal(_("The maker and the buyer must take part in the project."))
    if maker is not None and buyer is not None and maker.id == buyer.id:
        raise Refusal(_("A joint project's product is made by one participant for another."))
    product = ProjectProduct(
        name=name.strip(),
        okpd2=okpd2,
        import_substitution=bool(import_substitution),
        maker_id=getattr(maker, "id", None),
        buyer_id=getattr(buyer, "id", None),
    )
    project.products.append(product)
    db.session.flush()
    record("project.product_added", project, actor=actor, after={"name": product.name, "okpd2": okpd2})
    return product


def projects_of_representative(user) -> list[JointProject]:
    """Projects of the current tenant in which ``user`` represents a participating enterprise."""
    enterprise_ids = [e.id for e in represented_enterprises(user)]
    if not enterprise_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(JointProject)
            .where(
                JointProject.id.in_(
                    sa.select(ProjectParticipant.joint_project_id).where(
                        ProjectParticipant.enterprise_id.in_(enterprise_ids)
                    )
                )
            )
            .order_by(JointProject.created_at.desc())
        )
    )


def represents_participant(user, project: JointProject) -> bool:
    ids = {e.id for e in represented_enterprises(user)}
    return any(p.enterprise_id in ids for p in project.participants)


def project_history(enterprise, viewer):
    """The joint projects the enterprise takes part in, in every center, with status and defense outcome."""
    statement = (
        sa.select(JointProject, Tenant)
        .join(
            ProjectParticipant,
            sa.and_(
                ProjectParticipant.joint_project_id == JointProject.id,
                ProjectParticipant.tenant_id == JointProject.tenant_id,
            ),
        )
        .join(Tenant, Tenant.id == JointProject.tenant_id)
        .where(ProjectParticipant.enterprise_id == enterprise.id, JointProject.status != ProjectStatus.DRAFT)
        .order_by(JointProject.created_at.desc())
    )
    items = []
    for project, tenant in cross_tenant.enterprise_rows(statement):
        status = str(STATUS_LABELS.get(project.status, project.status))
        if project.defense_outcome:
            status += f" · {OUTCOME_LABELS.get(project.defense_outcome, project.defense_outcome)}"
        items.append(
            HistoryItem(
                tenant=tenant,
                kind=_("Joint project"),
                title=project.title_ru,
                date=project.created_at,
                status=status,
                url=url_for("projects.mine", tenant=tenant.slug),
            )
        )
    return items


def connect_signals() -> None:
    """Joint projects in an enterprise's history (``signals.enterprise_history``)."""
    signals.enterprise_history.connect(project_history)

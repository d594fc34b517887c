"""The status workflow of a joint project: which moves are allowed, and moving it (submitting requires every
rule check of the round to pass)."""

from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy.models import utcnow
from ..models import DefenseOutcome, JointProject, ProjectStatus, ProjectStatusChange
from .dossier import rule_checks

TRANSITIONS = {
    ProjectStatus.DRAFT: {ProjectStatus.SUBMITTED},
    ProjectStatus.SUBMITTED: {ProjectStatus.ADMITTED, ProjectStatus.DRAFT},  # back to draft = returned
    ProjectStatus.ADMITTED: {ProjectStatus.DEFENDED, ProjectStatus.SUBMITTED},
    # after a preliminary defense a project may be admitted to the second one, or filed
    ProjectStatus.DEFENDED: {ProjectStatus.FILED, ProjectStatus.ADMITTED},
    ProjectStatus.FILED: {ProjectStatus.GRANTED, ProjectStatus.REFUSED},
    ProjectStatus.GRANTED: set(),
    ProjectStatus.REFUSED: set(),
}


def allowed_transitions(project: JointProject) -> list[str]:
    allowed = set(TRANSITIONS.get(project.status, set()))
    if project.status == ProjectStatus.DEFENDED and project.defense_outcome == DefenseOutcome.NOT_RECOMMENDED:
        allowed.discard(ProjectStatus.FILED)
    return [s for s in ProjectStatus if s in allowed]


def change_status(
    project: JointProject,
    to_status: str,
    *,
    actor=None,
    outcome: str | None = None,
    remark: str | None = None,
) -> ProjectStatusChange:
    """Move the project along the workflow, recording who and when. Invalid moves are refused.

    Submitting requires every rule check of the round to pass; "defended" requires an outcome.
    """
    if to_status not in allowed_transitions(project):
        raise Refusal(
            _("A project cannot go from %(from)s to %(to)s.", **{"from": project.status, "to": to_status})
        )
    if to_status == ProjectStatus.SUBMITTED and project.status == ProjectStatus.DRAFT:
        project.submitted_at = utcnow()
        failed = [c.label for c in rule_checks(project) if not c.passed]
        if failed:
            project.submitted_at = None
            raise Refusal(
                _("The project does not meet the round's rules: %(rules)s.", rules="; ".join(failed))
            )
    if to_status == ProjectStatus.DEFENDED:
        if outcome not in set(DefenseOutcome):
            raise Refusal(_("Record the panel's outcome."))
        project.defense_outcome = outcome
        if remark is not None:
            project.remarks = remark
    change = ProjectStatusChange(
        from_status=project.status,
        to_status=to_status,
        outcome=outcome,
        actor_id=getattr(actor, "id", None),
        remark=remark,
    )
    before = project.status
    project.status = to_status
    project.status_changes.append(change)
    db.session.flush()
    record(
        "project.status_changed",
        project,
        actor=actor,
        before={"status": before},
        after={"status": to_status, "outcome": outcome},
    )
    signals.project_status_changed.send(project, previous_status=before)
    return change

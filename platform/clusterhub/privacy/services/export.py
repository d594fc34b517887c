"""Export of a person's data (152-ФЗ art. 14): everything the platform holds about the person, read across
centers by one read-only function, :func:`read_own_data_across_centers`, restricted to the person's own
rows, and the ZIP archive streamed from it.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ...accounts.models import ApiToken, Membership, User
from ...audit.models import AuditEntry
from ...defenses.models import (
    Conflict,
    DefenseCriterion,
    DefenseRound,
    DefenseSlot,
    PanelMember,
    Score,
)
from ...enterprises.models import Enterprise, EnterpriseRepresentative
from ...events.models import Event, Registration
from ...extensions import db
from ...technoparks.models import ServiceOffer, ServiceRequest
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant, utcnow
from ..models import ErasureRequest
from .consent import mail_consent_withdrawal
from .pseudonyms import _text


@dataclass
class PersonalRecords:
    """What the centers hold about one person, as plain data (nothing here is attached to a session)."""

    memberships: list[dict] = field(default_factory=list)
    registrations: list[dict] = field(default_factory=list)
    panels: list[dict] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    service_requests: list[dict] = field(default_factory=list)
    audit_entries: list[dict] = field(default_factory=list)

    @property
    def tenant_ids(self) -> set[int]:
        rows = [*self.memberships, *self.registrations, *self.panels, *self.service_requests]
        return {row["tenant_id"] for row in rows}


def _same_tenant(left, right):
    return left.tenant_id == right.tenant_id


def read_own_data_across_centers(user: User) -> PersonalRecords:
    """Every center's rows about ``user``, for their own export and erasure request — and nothing else.

    The person's own data is theirs to read in every center (152-ФЗ, art. 14), so this is one of the
    named cross-tenant reads: every statement runs through
    :func:`~clusterhub.tenancy.cross_tenant.personal_rows` (read-only) and is restricted to rows of this
    user — their account id, or registrations made with their address.
    """
    email = (user.email or "").lower()
    found = PersonalRecords()

    run = cross_tenant.personal_rows

    tenants = {t.id: t for t in db.session.scalars(sa.select(Tenant))}
    names = {tenant_id: tenant.slug for tenant_id, tenant in tenants.items()}
    for (membership,) in run(sa.select(Membership).where(Membership.user_id == user.id)):
        found.memberships.append(
            {
                "tenant_id": membership.tenant_id,
                "center": names[membership.tenant_id],
                "role": membership.role,
                "since": _text(membership.created_at),
            }
        )
    registrations = run(
        sa.select(Registration, Event.title_ru, Event.start_date, Event.end_date)
        .join(Event, sa.and_(Event.id == Registration.event_id, _same_tenant(Event, Registration)))
        .where(sa.or_(Registration.user_id == user.id, sa.func.lower(Registration.email) == email))
        .order_by(Registration.tenant_id, Registration.id)
    )
    for registration, title, start, end in registrations:
        found.registrations.append(
            {
                "tenant_id": registration.tenant_id,
                "center": names[registration.tenant_id],
                "center_name": tenants[registration.tenant_id].name_ru,
                "id": registration.id,
                "session": title,
                "session_dates": [_text(start), _text(end)],
                "status": registration.status,
                "full_name": registration.full_name,
                "email": registration.email,
                "phone": registration.phone,
                "organisation": registration.organisation,
                "position": registration.position_title,
                "category": registration.category,
                "locale": registration.locale,
                "consent_version": registration.consent_version,
                "consent_at": _text(registration.consent_at),
                "created_at": _text(registration.created_at),
                "confirmed_at": _text(registration.confirmed_at),
                "cancelled_at": _text(registration.cancelled_at),
                "checked_in_at": _text(registration.checked_in_at),
            }
        )
    panels = run(
        sa.select(PanelMember, DefenseRound.title)
        .join(
            DefenseRound,
            sa.and_(DefenseRound.id == PanelMember.defense_round_id, _same_tenant(DefenseRound, PanelMember)),
        )
        .where(PanelMember.user_id == user.id)
    )
    for member, title in panels:
        found.panels.append(
            {
                "tenant_id": member.tenant_id,
                "center": names[member.tenant_id],
                "defense": title,
                "role": member.role,
                "affiliation": member.affiliation,
                "attended": member.attended,
            }
        )
    member_join = sa.and_(PanelMember.id == Score.panel_member_id, _same_tenant(PanelMember, Score))
    scores = run(
        sa.select(Score, DefenseSlot.code, DefenseCriterion.code, DefenseRound.title)
        .join(PanelMember, member_join)
        .join(
            DefenseSlot,
            sa.and_(DefenseSlot.id == Score.defense_slot_id, _same_tenant(DefenseSlot, Score)),
        )
        .join(
            DefenseCriterion,
            sa.and_(DefenseCriterion.id == Score.defense_criterion_id, _same_tenant(DefenseCriterion, Score)),
        )
        .join(
            DefenseRound,
            sa.and_(DefenseRound.id == DefenseSlot.defense_round_id, _same_tenant(DefenseRound, DefenseSlot)),
        )
        .where(PanelMember.user_id == user.id)
        .order_by(Score.tenant_id, Score.id)
    )
    for score, project, criterion, title in scores:
        found.scores.append(
            {
                "tenant_id": score.tenant_id,
                "center": names[score.tenant_id],
                "defense": title,
                "project": project,
                "criterion": criterion,
                "value": _text(score.value),
                "comment": score.comment,
                "updated_at": _text(score.updated_at),
            }
        )
    conflicts = run(
        sa.select(Conflict, DefenseSlot.code)
        .join(
            PanelMember,
            sa.and_(PanelMember.id == Conflict.panel_member_id, _same_tenant(PanelMember, Conflict)),
        )
        .join(
            DefenseSlot,
            sa.and_(DefenseSlot.id == Conflict.defense_slot_id, _same_tenant(DefenseSlot, Conflict)),
        )
        .where(PanelMember.user_id == user.id)
    )
    for conflict, project in conflicts:
        found.conflicts.append(
            {
                "tenant_id": conflict.tenant_id,
                "center": names[conflict.tenant_id],
                "project": project,
                "source": conflict.source,
                "reason": conflict.reason,
                "created_at": _text(conflict.created_at),
            }
        )
    requests = run(
        sa.select(ServiceRequest, ServiceOffer.name_ru)
        .join(
            ServiceOffer,
            sa.and_(ServiceOffer.id == ServiceRequest.service_id, _same_tenant(ServiceOffer, ServiceRequest)),
        )
        .where(ServiceRequest.requested_by_id == user.id)
        .order_by(ServiceRequest.tenant_id, ServiceRequest.id)
    )
    for service_request, service in requests:
        found.service_requests.append(
            {
                "tenant_id": service_request.tenant_id,
                "center": names[service_request.tenant_id],
                "id": service_request.id,
                "service": service,
                "enterprise_id": service_request.enterprise_id,
                "quantity": _text(service_request.quantity),
                "desired": [_text(service_request.desired_start), _text(service_request.desired_end)],
                "comment": service_request.comment,
                "status": service_request.status,
                "created_at": _text(service_request.created_at),
            }
        )
    registration_keys = {(r["tenant_id"], str(r["id"])) for r in found.registrations}
    entries = run(
        sa.select(AuditEntry)
        .where(
            sa.or_(
                AuditEntry.actor_id == user.id,
                sa.and_(AuditEntry.target_type == "User", AuditEntry.target_id == str(user.id)),
                sa.and_(
                    AuditEntry.target_type == "Registration",
                    AuditEntry.target_id.in_([key for _tenant, key in registration_keys]),
                ),
            )
        )
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    for (entry,) in entries:
        if (
            entry.target_type == "Registration"
            and entry.actor_id != user.id
            and (entry.tenant_id, entry.target_id) not in registration_keys
        ):
            continue  # a registration with the same id in another center: someone else's
        found.audit_entries.append(
            {
                "center": names.get(entry.tenant_id),
                "at": _text(entry.created_at),
                "by_you": entry.actor_id == user.id,
                "action": entry.action,
                "target": f"{entry.target_type}:{entry.target_id}",
                "before": entry.before,
                "after": entry.after,
            }
        )
    return found


README_TEXT = """\
Ваши персональные данные на платформе ClusterHub / Your personal data on ClusterHub
=================================================================================

Архив выгружен {when} (UTC) по запросу субъекта персональных данных (152-ФЗ, ст. 14).
Exported {when} (UTC) at the request of the data subject (Russian Federal Law 152-FZ, art. 14).

Файлы (JSON, UTF-8) / Files (JSON, UTF-8):

profile.json          — учётная запись: имя, e-mail, язык, роль, даты / the account: name, e-mail,
                        language, role, dates
memberships.json      — роли в центрах (ЦКР) / roles in centers
registrations.json    — регистрации на сессии во всех центрах, с версией и временем согласия на обработку
                        персональных данных / registrations for sessions in every center, with the version
                        and time of the consent to processing
consents.json         — согласия: на обработку при регистрации (версия, время) и на рассылки (отозвано или
                        нет) / consents: to processing at each registration (version, time) and to e-mail
                        (withdrawn or not)
expert_panels.json    — участие в экспертных комиссиях / seats on defense panels
expert_scores.json    — оценки, выставленные вами как экспертом / scores you gave as an expert
expert_conflicts.json — заявленные и выявленные конфликты интересов / declared and detected conflicts
service_requests.json — ваши заявки на услуги технопарков / your technopark service requests
enterprises.json      — предприятия, которые вы представляете / enterprises you represent
audit_entries.json    — записи журнала аудита о вас и о ваших действиях / audit entries about you and
                        by you
erasure_requests.json — ваши запросы на удаление данных / your erasure requests

Время — UTC (ISO 8601). Times are UTC (ISO 8601).
"""


class _Chunks(io.RawIOBase):
    """A write-only, non-seekable file: zipfile writes into it and the response streams what was written."""

    def __init__(self):
        super().__init__()
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def export_files(user: User, now: datetime | None = None) -> dict[str, object]:
    """The archive's files as data: name → JSON-able value (README.txt as text)."""
    now = now or utcnow()
    found = read_own_data_across_centers(user)

    def without_tenant_ids(rows):
        return [{k: v for k, v in row.items() if k != "tenant_id"} for row in rows]

    representations = db.session.execute(
        sa.select(EnterpriseRepresentative, Enterprise.inn, Enterprise.short_name, Enterprise.full_name)
        .join(Enterprise, Enterprise.id == EnterpriseRepresentative.enterprise_id)
        .where(EnterpriseRepresentative.user_id == user.id)
    ).all()
    withdrawal = mail_consent_withdrawal(user)
    erasures = db.session.scalars(sa.select(ErasureRequest).where(ErasureRequest.user_id == user.id)).all()
    return {
        "README.txt": README_TEXT.format(when=now.isoformat(timespec="seconds")),
        "profile.json": {
            "id": user.id,
            "full_name": user.full_name,
            "email": user.email,
            "locale": user.locale,
            "global_role": user.global_role,
            "created_at": _text(user.created_at),
            "email_confirmed_at": _text(user.email_confirmed_at),
            "last_login_at": _text(user.last_login_at),
            "api_tokens": [
                {"name": t.name, "prefix": t.prefix, "created_at": _text(t.created_at)}
                for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id))
            ],
        },
        "memberships.json": without_tenant_ids(found.memberships),
        "registrations.json": without_tenant_ids(found.registrations),
        "consents.json": {
            "processing_at_registration": [
                {
                    "center": r["center"],
                    "session": r["session"],
                    "consent_version": r["consent_version"],
                    "consent_at": r["consent_at"],
                }
                for r in found.registrations
            ],
            "email": {
                "withdrawn": withdrawal is not None,
                "withdrawn_at": _text(withdrawal.withdrawn_at) if withdrawal else None,
            },
        },
        "expert_panels.json": without_tenant_ids(found.panels),
        "expert_scores.json": without_tenant_ids(found.scores),
        "expert_conflicts.json": without_tenant_ids(found.conflicts),
        "service_requests.json": without_tenant_ids(found.service_requests),
        "enterprises.json": [
            {
                "inn": inn,
                "name": short_name or full_name,
                "role": link.role,
                "status": link.status,
                "since": _text(link.created_at),
            }
            for link, inn, short_name, full_name in representations
        ],
        "audit_entries.json": found.audit_entries,
        "erasure_requests.json": [
            {
                "requested_at": _text(e.requested_at),
                "due_at": _text(e.due_at),
                "completed_at": _text(e.completed_at),
            }
            for e in erasures
        ],
    }


def zip_stream(files: dict[str, object]):
    """The ZIP archive of :func:`export_files`, yielded in pieces as each file is written."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=2)
            archive.writestr(name, text.encode("utf-8"))
            yield sink.take()
    yield sink.take()

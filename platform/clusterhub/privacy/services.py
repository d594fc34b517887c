"""Personal-data rights under 152-ФЗ: export, erasure, withdrawal of consent to mail, retention.

* **Export** (art. 14): everything the platform holds about the person, read across centers by one
  read-only function, :func:`read_own_data_across_centers`, restricted to the person's own rows.
* **Erasure** (art. 14 part 1, art. 21 parts 3–5): a global request plus one part per center that holds
  the person's data; each center's admin completes its part within ``PRIVACY_ERASURE_DAYS``. Rows that must
  stay (registrations counted in the federal figures, signed protocols, the audit log) keep a pseudonym
  «Участник №…»; memberships and invitations are deleted. When the last center has completed, the
  account itself is anonymised (and at once when no center holds anything).
* **Withdrawal of consent to mail** (art. 9 part 2): the outbox checks every message at send time.
* **Retention** (art. 5 part 7): registrations of sessions that ended more than
  ``PRIVACY_RETENTION_DAYS`` ago are anonymised by ``flask privacy retention``.

Services add and flush; the request (or the CLI command) commits.
"""

import copy
import hashlib
import hmac
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import ApiToken, FederalInvitation, Invitation, Membership, TenantRole, User
from ..audit.models import AuditEntry
from ..audit.services import record
from ..core import signals
from ..core.refusal import Refusal
from ..defenses.models import (
    Conflict,
    DefenseCriterion,
    DefenseRound,
    DefenseSlot,
    PanelMember,
    Protocol,
    Score,
)
from ..defenses.services.protocol import content_hash
from ..enterprises.models import Enterprise, EnterpriseRepresentative
from ..events.models import Event, Registration
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..technoparks.models import ServiceOffer, ServiceRequest
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import tenant_scope
from .models import CenterErasure, ErasureRequest, MailConsentWithdrawal

# Addresses of anonymised rows: the .invalid top-level domain can never receive mail (RFC 2606), and the
# suffix tells the retention run which registrations are done already.
ANONYMOUS_DOMAIN = "anonymised.invalid"
PSEUDONYM_PREFIX = "Участник №"


# --- pseudonyms and digests ---------------------------------------------------------------------------


def _keyed(text: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_for(kind: str, key) -> str:
    """«Участник №<8 hex>»: stable for one person (or one registration), meaningless without the secret."""
    return f"{PSEUDONYM_PREFIX}{_keyed(f'pseudonym:{kind}:{key}')[:8]}"


def identity_digest(value: str | None) -> str:
    """A keyed digest of a name or an address (case and surrounding spaces ignored)."""
    return _keyed(f"identity:{(value or '').strip().lower()}")


def anonymous_email(pseudonym: str) -> str:
    return f"{pseudonym.removeprefix(PSEUDONYM_PREFIX)}@{ANONYMOUS_DOMAIN}"


# --- the one cross-center read -------------------------------------------------------------------------


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


def _text(value):
    if value is None or isinstance(value, str | int | bool | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return str(value)


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


# --- export --------------------------------------------------------------------------------------------

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


# --- consent to mail -----------------------------------------------------------------------------------


def mail_consent_withdrawal(user: User) -> MailConsentWithdrawal | None:
    return db.session.scalar(
        sa.select(MailConsentWithdrawal).where(MailConsentWithdrawal.email == (user.email or "").lower())
    )


def withdraw_mail_consent(user: User) -> MailConsentWithdrawal:
    """From now on no e-mail goes to the user's address — also what is already queued (checked at send)."""
    existing = mail_consent_withdrawal(user)
    if existing is not None:
        return existing
    withdrawal = MailConsentWithdrawal(email=user.email.lower(), user_id=user.id)
    db.session.add(withdrawal)
    db.session.flush()
    record("privacy.mail_consent_withdrawn", user, actor=user)
    return withdrawal


def give_mail_consent(user: User) -> None:
    """The user consents to e-mail again; messages still queued are sent."""
    existing = mail_consent_withdrawal(user)
    if existing is None:
        return
    db.session.delete(existing)
    db.session.flush()
    record("privacy.mail_consent_given", user, actor=user)


def mail_withheld(recipient: str, **_kwargs) -> bool:
    """Has the owner of ``recipient`` withdrawn consent to mail (or been anonymised)? Asked by the outbox
    for every message just before it is sent (``signals.mail_withheld``)."""
    address = (recipient or "").strip().lower()
    if address.endswith("@" + ANONYMOUS_DOMAIN):
        return True
    return (
        db.session.scalar(sa.select(MailConsentWithdrawal.id).where(MailConsentWithdrawal.email == address))
        is not None
    )


def withdraw_registration_consent(user: User, center_slug: str, registration_id: int) -> Registration:
    """The person withdraws consent to processing for one of their registrations: it is cancelled (unless
    the session is over) and anonymised at once in that center. Only the person's own registrations (as
    :func:`read_own_data_across_centers` finds them) can be named."""
    from ..events.services.registration import cancel_registration

    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == center_slug))
    own = {(r["tenant_id"], r["id"]) for r in read_own_data_across_centers(user).registrations}
    if tenant is None or (tenant.id, registration_id) not in own:
        raise Refusal(_("This is not one of your registrations."))
    with tenant_scope(db.session, tenant.id):
        registration = db.session.get(Registration, registration_id)
        if registration.is_active and not registration.event.has_ended:
            cancel_registration(registration, actor=user)
        anonymise_registration(registration, pseudonym_for("user", user.id))
        db.session.flush()
        record("privacy.registration_consent_withdrawn", registration, actor=user)
    return registration


# --- erasure -------------------------------------------------------------------------------------------


def pending_erasure(user: User) -> ErasureRequest | None:
    return db.session.scalar(
        sa.select(ErasureRequest).where(
            ErasureRequest.user_id == user.id, ErasureRequest.completed_at.is_(None)
        )
    )


def erasure_requests_of(user: User) -> list[ErasureRequest]:
    return list(
        db.session.scalars(
            sa.select(ErasureRequest)
            .where(ErasureRequest.user_id == user.id)
            .order_by(ErasureRequest.id.desc())
        )
    )


def request_erasure(user: User, now: datetime | None = None) -> ErasureRequest:
    """Record the person's erasure request: a global row and one part for every center holding their data,
    each due in ``PRIVACY_ERASURE_DAYS``. With no center involved the account is anonymised at once."""
    if pending_erasure(user) is not None:
        raise Refusal(_("Your erasure request is already being processed."))
    now = now or utcnow()
    due_at = now + timedelta(days=current_app.config["PRIVACY_ERASURE_DAYS"])
    pseudonym = pseudonym_for("user", user.id)
    request = ErasureRequest(
        user_id=user.id,
        pseudonym=pseudonym,
        name_digest=identity_digest(user.full_name),
        email_digest=identity_digest(user.email),
        requested_at=now,
        due_at=due_at,
    )
    db.session.add(request)
    db.session.flush()
    record("privacy.erasure_requested", request, actor=user, after={"due_at": due_at.date().isoformat()})
    tenant_ids = sorted(read_own_data_across_centers(user).tenant_ids)
    for tenant_id in tenant_ids:
        with tenant_scope(db.session, tenant_id):
            part = CenterErasure(
                erasure_request_id=request.id, pseudonym=pseudonym, requested_at=now, due_at=due_at
            )
            db.session.add(part)
            db.session.flush()
            record("privacy.erasure_requested", part, actor=user, after={"due_at": due_at.date().isoformat()})
    if not tenant_ids:
        complete_account_erasure(request, now=now)
    return request


def erasure_progress(request: ErasureRequest) -> list[dict]:
    """Each center's part of the person's own request, for their «My data» page: a read across centers,
    restricted to the parts of this one request."""
    rows = cross_tenant.erasure_parts(request.id)
    return [{"center": tenant, "completed_at": completed_at} for tenant, completed_at in rows]


def center_erasures(pending_only: bool = False) -> list[CenterErasure]:
    """The current center's erasure requests, oldest deadline first."""
    statement = sa.select(CenterErasure).order_by(
        CenterErasure.completed_at.is_not(None), CenterErasure.due_at, CenterErasure.id
    )
    if pending_only:
        statement = statement.where(CenterErasure.completed_at.is_(None))
    return list(db.session.scalars(statement))


def center_erasure(erasure_id: int) -> CenterErasure | None:
    """One of the current center's parts (another center's id is simply not found)."""
    return db.session.scalar(sa.select(CenterErasure).where(CenterErasure.id == erasure_id))


def anonymise_registration(registration: Registration, pseudonym: str) -> None:
    """Clear what identifies the registrant; the row stays for the session's figures."""
    registration.full_name = pseudonym
    registration.email = anonymous_email(pseudonym)
    registration.phone = None
    registration.position_title = None
    registration.user_id = None
    registration.registered_by_id = None


def _replace_names(content: dict, name: str, pseudonym: str) -> int:
    replaced = 0
    for member in content.get("panel") or []:
        if member.get("name") == name:
            member["name"], replaced = pseudonym, replaced + 1
    for conflict in content.get("conflicts") or []:
        if conflict.get("member") == name:
            conflict["member"], replaced = pseudonym, replaced + 1
    signed = content.get("signed") or {}
    if signed.get("by") == name:
        signed["by"], replaced = pseudonym, replaced + 1
    return replaced


def pseudonymise_protocol(protocol: Protocol, name: str, pseudonym: str, now: datetime) -> bool:
    """Replace ``name`` by ``pseudonym`` in a signed protocol. The protocol keeps the hash it was signed
    with (printed on paper copies); its content records that hash and the hash of the pseudonymised
    content, so the public check still confirms it
    (:func:`clusterhub.defenses.services.protocol.pseudonymised_protocol_intact`)."""
    content = copy.deepcopy(protocol.content)
    note = content.pop("pseudonymised", None)
    if not _replace_names(content, name, pseudonym):
        return False
    content["pseudonymised"] = {
        "signed_hash": (note or {}).get("signed_hash", protocol.content_hash),
        "at": _text(now),
        "hash": content_hash(content),
    }
    protocol.content = content
    return True


def _pending_parts(request_id: int) -> int:
    """How many centers have not completed their part yet (a count across centers, read-only)."""
    return cross_tenant.pending_erasure_parts(request_id)


def complete_center_erasure(part: CenterErasure, *, actor, now: datetime | None = None) -> dict:
    """The center admin's one action: the person's registrations in this center are anonymised, signed
    protocols get the pseudonym, memberships and invitations are deleted. Returns what was done. When the
    last center completes, the account is anonymised too."""
    # Every center's completion of one request takes this row lock first: two admins completing the last
    # two parts at once would otherwise each still count the other's as pending, and the account would
    # never be anonymised. The second waits, then sees the first one's part completed.
    request = db.session.scalar(
        sa.select(ErasureRequest)
        .where(ErasureRequest.id == part.erasure_request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.refresh(part)
    if part.completed_at is not None:
        raise Refusal(_("This erasure request has already been completed."))
    now = now or utcnow()
    user = db.session.get(User, request.user_id) if request.user_id else None
    done = {"registrations": 0, "memberships": 0, "invitations": 0, "protocols": 0}
    if user is not None:
        email = user.email.lower()
        for registration in db.session.scalars(
            sa.select(Registration).where(
                sa.or_(Registration.user_id == user.id, sa.func.lower(Registration.email) == email)
            )
        ):
            anonymise_registration(registration, part.pseudonym)
            done["registrations"] += 1
        for registration in db.session.scalars(
            sa.select(Registration).where(Registration.registered_by_id == user.id)
        ):
            registration.registered_by_id = None
        for membership in db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)):
            db.session.delete(membership)
            done["memberships"] += 1
        for invitation in db.session.scalars(
            sa.select(Invitation).where(sa.func.lower(Invitation.email) == email)
        ):
            db.session.delete(invitation)
            done["invitations"] += 1
        for protocol in db.session.scalars(sa.select(Protocol)):
            if pseudonymise_protocol(protocol, user.full_name, part.pseudonym, now):
                done["protocols"] += 1
    part.completed_at = now
    part.completed_by_id = getattr(actor, "id", None)
    part.outcome = done
    db.session.flush()
    record("privacy.erasure_completed", part, actor=actor, after=done)
    if _pending_parts(request.id) == 0:
        complete_account_erasure(request, now=now)
    return done


def complete_account_erasure(request: ErasureRequest, now: datetime | None = None) -> None:
    """The global part: the account becomes the pseudonym (it stays, as signed records point at it), can no
    longer log in, and loses its tokens, enterprise links, consent records and mail."""
    now = now or utcnow()
    user = db.session.get(User, request.user_id) if request.user_id else None
    if user is not None:
        email = user.email.lower()
        for model, condition in (
            (ApiToken, ApiToken.user_id == user.id),
            (EnterpriseRepresentative, EnterpriseRepresentative.user_id == user.id),
            (FederalInvitation, sa.func.lower(FederalInvitation.email) == email),
            (MailConsentWithdrawal, MailConsentWithdrawal.email == email),
            (OutboxMessage, sa.func.lower(OutboxMessage.recipient) == email),
        ):
            for row in db.session.scalars(sa.select(model).where(condition)):
                db.session.delete(row)
        user.full_name = request.pseudonym
        user.email = anonymous_email(request.pseudonym)
        user.password_hash = None
        user.active = False
        user.global_role = None
        user.locale = None
        user.last_login_at = None
        user.session_token = secrets.token_urlsafe(16)  # every session of the account ends
    request.completed_at = now
    db.session.flush()
    record("privacy.account_anonymised", request, tenant_id=None)


def erased_digests() -> dict[str, str]:
    """digest → pseudonym for the people whose erasure the current center has completed (for the audit
    log's pages, which show the pseudonym where an entry still holds an erased name or address)."""
    rows = db.session.execute(
        sa.select(ErasureRequest.name_digest, ErasureRequest.email_digest, ErasureRequest.pseudonym)
        .join(CenterErasure, CenterErasure.erasure_request_id == ErasureRequest.id)
        .where(CenterErasure.completed_at.is_not(None))
    ).all()
    digests = {}
    for name_digest, email_digest, pseudonym in rows:
        digests[name_digest] = pseudonym
        digests[email_digest] = pseudonym
    return digests


def redact_changes(changes: list[dict], digests: dict[str, str]) -> list[dict]:
    """The audit log's described changes with erased names and addresses shown as the pseudonym."""
    if not digests:
        return changes

    def shown(value):
        if not isinstance(value, str):
            return value
        return digests.get(identity_digest(value), value)

    return [
        {**change, "before": shown(change["before"]), "after": shown(change["after"])} for change in changes
    ]


# --- reminders -----------------------------------------------------------------------------------------


def remind_due_erasures(now: datetime | None = None) -> int:
    """Mail every center admin once about each pending erasure due within ``PRIVACY_REMINDER_DAYS``."""
    from ..events.services.links import absolute_url
    from ..outbox.services import enqueue_template

    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config["PRIVACY_REMINDER_DAYS"])
    queued = 0
    for tenant in db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(db.session, tenant.id):
            parts = db.session.scalars(
                sa.select(CenterErasure).where(
                    CenterErasure.completed_at.is_(None),
                    CenterErasure.reminded_at.is_(None),
                    CenterErasure.due_at <= horizon,
                )
            ).all()
            if not parts:
                continue
            admins = db.session.scalars(
                sa.select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.role == TenantRole.CENTER_ADMIN, User.active.is_(True))
            ).all()
            link = absolute_url("privacy.center_requests", tenant=tenant.slug)
            for part in parts:
                for admin in admins:
                    enqueue_template(
                        admin.email,
                        "privacy_erasure_reminder",
                        admin.locale or tenant.default_locale,
                        tenant_slug=tenant.slug,
                        tenant=tenant,
                        part=part,
                        link=link,
                    )
                    queued += 1
                part.reminded_at = now
            db.session.flush()
    return queued


# --- retention -----------------------------------------------------------------------------------------


@dataclass
class RetentionBatch:
    tenant: Tenant
    registration_ids: list[int]


def retention_due(now: datetime | None = None) -> list[RetentionBatch]:
    """Per center, the registrations of sessions that ended more than ``PRIVACY_RETENTION_DAYS`` ago and
    still carry a name."""
    now = now or utcnow()
    cutoff = (now - timedelta(days=current_app.config["PRIVACY_RETENTION_DAYS"])).date()
    batches = []
    for tenant in db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(db.session, tenant.id):
            ids = db.session.scalars(
                sa.select(Registration.id)
                .join(Event, Event.id == Registration.event_id)
                .where(Event.end_date < cutoff, ~Registration.email.endswith("@" + ANONYMOUS_DOMAIN))
                .order_by(Registration.id)
            ).all()
        if ids:
            batches.append(RetentionBatch(tenant, list(ids)))
    return batches


def anonymise_expired(batch: RetentionBatch, ids: list[int]) -> int:
    """Anonymise these registrations of one center (ids from :func:`retention_due`)."""
    with tenant_scope(db.session, batch.tenant.id):
        rows = db.session.scalars(sa.select(Registration).where(Registration.id.in_(ids))).all()
        for registration in rows:
            anonymise_registration(
                registration, pseudonym_for(f"registration:{batch.tenant.id}", registration.id)
            )
        db.session.flush()
        record(
            "privacy.retention_anonymised",
            ("Tenant", batch.tenant.id),
            tenant_id=batch.tenant.id,
            after={"registrations": len(rows)},
        )
    return len(rows)


def audit_redaction(sender=None, **_kwargs):
    """The audit log's pages show pseudonyms for erased values (``signals.audit_redactions``): the
    erased digests are read once per page."""
    digests = erased_digests()
    return lambda changes: redact_changes(changes, digests)


def connect_signals() -> None:
    """Withhold the mail of people who withdrew consent (``signals.mail_withheld``) and redact erased
    people in the audit log (``signals.audit_redactions``); called from ``create_app``."""
    signals.mail_withheld.connect(mail_withheld)
    signals.audit_redactions.connect(audit_redaction)

"""The protocol: its content as plain data, its SHA-256, signing by the chair, and public verification
by hash (the PDF is drawn in :mod:`.protocol_pdf`)."""

import hashlib
import json
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant, utcnow
from ..models import DefenseRound, Protocol, RoundStatus
from .locks import lock_round, refuse_if_signed
from .panel import is_chair
from .results import round_data


def _text(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value


def protocol_content(defense_round_id) -> dict:
    """The protocol as plain data: what is hashed, stored, rendered as HTML and as PDF."""
    data = round_data(defense_round_id)
    defense_round, slots = data["round"], data["slots"]
    members = {m.id: m for m in data["panel"]}
    tenant = db.session.get(Tenant, defense_round.tenant_id)
    return {
        "center": {"ru": tenant.name_ru, "en": tenant.name_en},
        "round": {
            "title": defense_round.title,
            "number": defense_round.number,
            "selection_round": defense_round.selection_round.legal_edition,
            "held_on": _text(defense_round.held_on),
            "location": defense_round.location,
            "blind": defense_round.blind,
        },
        "panel": [
            {"name": m.user.full_name, "role": m.role, "affiliation": m.affiliation, "attended": m.attended}
            for m in data["panel"]
        ],
        "criteria": [
            {
                "id": c.id,
                "code": c.code,
                "name_ru": c.name_ru,
                "name_en": c.name_en,
                "weight": _text(c.weight),
                "min": c.min_score,
                "max": c.max_score,
            }
            for c in data["criteria"]
        ],
        "conflicts": [
            {
                "member": members[c.panel_member_id].user.full_name,
                "project": slots[c.defense_slot_id].code,
                "source": c.source,
                "reason": c.reason,
            }
            for c in data["conflicts"]
        ],
        "projects": [
            {
                "code": slots[r.key].code,
                "title": slots[r.key].project.title_ru,
                "applicant": slots[r.key].project.lead_enterprise.name,
                "rank": r.rank,
                "score": _text(r.score),
                "min": _text(r.minimum),
                "max": _text(r.maximum),
                "std_dev": _text(r.std_dev),
                "count": r.count,
                "missing": r.missing,
                "per_criterion": [_text(data["per_criterion"][(r.key, c.id)]) for c in data["criteria"]],
                "decision": slots[r.key].decision,
                "remarks": slots[r.key].remarks,
            }
            for r in data["results"]
        ],
    }


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def pseudonymised_protocol_intact(content: dict, digest: str) -> bool:
    """Was this protocol signed with ``digest`` and has it changed since only by pseudonymisation (names
    replaced on erasure under 152-ФЗ, see ``privacy.services.pseudonyms.pseudonymise_protocol``)?"""
    note = (content or {}).get("pseudonymised")
    if not isinstance(note, dict) or note.get("signed_hash") != digest:
        return False
    rest = {key: value for key, value in content.items() if key != "pseudonymised"}
    return content_hash(rest) == note.get("hash")


def sign_protocol(defense_round: DefenseRound, *, actor) -> Protocol:
    """The chair signs: the protocol is frozen with its SHA-256 and the round can no longer change."""
    defense_round = lock_round(defense_round, exclusive=True)
    refuse_if_signed(defense_round, actor, "sign")
    if not is_chair(defense_round, actor):
        raise Refusal(_("Only the chair signs the protocol."))
    if defense_round.status != RoundStatus.CLOSED:
        raise Refusal(_("Close the scoring before signing the protocol."))
    undecided = [s.code for s in defense_round.slots if not s.decision]
    if undecided:
        raise Refusal(_("Record a decision for every project first: %(codes)s.", codes=", ".join(undecided)))
    content = protocol_content(defense_round.id)
    signed_at = utcnow()
    content["signed"] = {"by": actor.full_name, "at": _text(signed_at)}
    protocol = Protocol(
        defense_round_id=defense_round.id,
        content=content,
        content_hash=content_hash(content),
        signed_by_id=actor.id,
        signed_at=signed_at,
    )
    db.session.add(protocol)
    defense_round.status = RoundStatus.SIGNED
    db.session.flush()
    record("defense.protocol_signed", defense_round, actor=actor, after={"hash": protocol.content_hash})
    signals.protocol_signed.send(protocol, defense_round=defense_round)
    return protocol


def protocol_of(defense_round_id) -> Protocol | None:
    return db.session.scalar(sa.select(Protocol).where(Protocol.defense_round_id == defense_round_id))


def verify_protocol(digest: str) -> tuple[Protocol | None, Tenant | None, bool]:
    """Find a signed protocol by its hash in any center and check that its stored content still has it.

    The verification page is public and the hash alone says nothing about which center signed the
    protocol, so this is the named cross-tenant read :func:`~clusterhub.tenancy.cross_tenant.protocol_by_hash`
    (a row with this exact hash), then its center's name."""
    digest = (digest or "").strip().lower()
    if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        return None, None, False
    protocol = cross_tenant.protocol_by_hash(digest)
    if protocol is None:
        return None, None, False
    tenant = db.session.get(Tenant, protocol.tenant_id)

    intact = content_hash(protocol.content) == digest or pseudonymised_protocol_intact(
        protocol.content, digest
    )
    return protocol, tenant, intact

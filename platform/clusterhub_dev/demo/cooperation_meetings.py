"""Demo B2B meetings: the Komi session gets a meeting block on its first evening, with requests among its
participants (most accepted, a few waiting), scheduled and published. One demo participant gets an account
(``uchastnik1@demo.example.ru``, the demo password): two meetings in his schedule and one request waiting for his
answer. One participant has set their own limits (three meetings at most, away in the last slot), shown on the
staff's «Ограничения участников» tab. Participants stand for the demo enterprise they named, so a request can cite
its offers and requests. (The demo enterprise representative stays unregistered: the browser tests register him themselves.)

Idempotent: a session that already has the block is left as it is."""

import random
from datetime import datetime, time

import sqlalchemy as sa

from clusterhub.accounts.services import users
from clusterhub.cooperation.meetings.models import MeetingBlock
from clusterhub.cooperation.meetings.services import blocks, preferences, requests, scheduling
from clusterhub.events.models import Event, Registration, RegistrationStatus
from clusterhub.events.services import common as events
from clusterhub.extensions import db
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

from .events import TITLE_RU

BLOCK_TITLE_RU = "Деловые встречи (B2B)"
PARTICIPANT_EMAIL = "uchastnik1@demo.example.ru"
TOPICS = (
    "Поставки пиловочника и щепы",
    "Совместный проект по глубокой переработке древесины",
    "Услуги испытательной лаборатории технопарка",
    "Контрактное производство фанеры",
    "Логистика и складские мощности",
)


def load() -> MeetingBlock | None:
    """Create the block, the requests and the schedule in the komi session unless the block exists;
    commits. Returns the block (None: no komi session)."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "komi"))
    if tenant is None:
        return None
    with tenant_scope(db.session, tenant.id):
        event = db.session.scalar(sa.select(Event).where(Event.title_ru == TITLE_RU))
        if event is None:
            return None
        block = db.session.scalar(
            sa.select(MeetingBlock).where(
                MeetingBlock.event_id == event.id, MeetingBlock.title_ru == BLOCK_TITLE_RU
            )
        )
        if block is not None:
            return block
        rep = _participant_account(event)
        if rep is None:
            return None
        _link_enterprises(event)
        block = blocks.create_block(
            event,
            {
                "title_ru": BLOCK_TITLE_RU,
                "title_en": "B2B meetings",
                "place_ru": "Конгресс-холл, фойе второго этажа",
                "place_en": "Congress hall, second-floor foyer",
                "starts_at": events.to_utc(datetime.combine(event.start_date, time(18, 15)), tenant),
                "slot_minutes": 20,
                "slot_count": 6,
                "table_count": 10,
                "table_names": None,
                "max_meetings": 5,
                "max_consecutive": 3,
            },
        )
        people = db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.id)
        ).all()
        others = [p for p in people if p.id != rep.id]
        partners = [p for p in others if p.organisation != rep.organisation]
        rng = random.Random(18)
        pairs: set = set()
        # the representative: two accepted meetings and one request awaiting his answer
        for n, other in enumerate(partners[:3]):
            if n < 2:
                meeting = requests.request_meeting(block, rep, other.id, TOPICS[n])
                requests.answer(meeting, other, accept=True)
            else:
                requests.request_meeting(block, other, rep.id, TOPICS[2])
            pairs.add(frozenset((rep.id, other.id)))
        while len(pairs) < 45:
            a, b = rng.sample(others, 2)
            if a.organisation == b.organisation or frozenset((a.id, b.id)) in pairs:
                continue
            pairs.add(frozenset((a.id, b.id)))
            meeting = requests.request_meeting(block, a, b.id, rng.choice(TOPICS))
            roll = rng.random()
            if roll < 0.8:
                requests.answer(meeting, b, accept=True)
            elif roll < 0.9:
                requests.answer(meeting, b, accept=False)
        # one participant leaves before the last slot and wants three meetings at most
        preferences.set_preferences(block, others[-1], 3, [block.slot_count - 1])
        scheduling.run_scheduler(block)
        scheduling.publish(block)
        db.session.commit()
    return block


def _participant_account(event: Event) -> Registration | None:
    """An account for the first demo participant, so the participant's pages can be seen (None: not there)."""
    from . import DEMO_PASSWORD

    user = users.find_user_by_email(PARTICIPANT_EMAIL)
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.email == PARTICIPANT_EMAIL
        )
    )
    if registration is None:
        return None
    if user is None:
        user = users.create_user(PARTICIPANT_EMAIL, registration.full_name, DEMO_PASSWORD)
    registration.user_id = user.id
    return registration


def _link_enterprises(event: Event) -> None:
    """Demo participants stand for the demo enterprise they named as their organisation (the name in «»
    matches, whatever the legal form is written as), so a meeting request can cite the two sides' entries."""
    from clusterhub.enterprises.models import Enterprise

    by_name: dict[str, int] = {}
    for enterprise_id, full_name in db.session.execute(sa.select(Enterprise.id, Enterprise.full_name)):
        by_name.setdefault(_quoted(full_name), enterprise_id)
    for registration in db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.enterprise_id.is_(None))
    ):
        registration.enterprise_id = by_name.get(_quoted(registration.organisation))


def _quoted(name: str) -> str:
    """«Лузалес» of "ООО «Лузалес»" and of "Общество с ограниченной ответственностью «Лузалес»"."""
    start, end = name.find("«"), name.rfind("»")
    return name[start + 1 : end] if 0 <= start < end else name

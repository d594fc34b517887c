"""Demo data: about ten joint projects in Komi defended before a panel of seven experts.

``load()`` is idempotent: it builds nothing if the demo defense round already exists. Called from
``flask demo load`` (see ``clusterhub_dev/demo``), or directly.
"""

from datetime import date, datetime

import sqlalchemy as sa

from clusterhub.accounts.services import users
from clusterhub.defenses.models import DefenseRound
from clusterhub.defenses.services import assignments, conflicts, panel, rounds, scoring
from clusterhub.enterprises.services.profiles import get_or_create_by_inn
from clusterhub.enterprises.services.representatives import add_representative, is_representative
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject
from clusterhub.projects.services import dossier, participants, selection_rounds, workflow
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

from .enterprises import demo_inn

DEMO_PASSWORD = "clusterhub-demo"
ROUND_TITLE = "Практическая сессия в Сыктывкаре, день 2: предварительная защита проектов"


def valid_inn(seed: int, prefix: str = "11") -> str:
    """A syntactically valid 10-digit ИНН (check digit per the tax service's rule) for demo enterprises."""
    body = f"{prefix}{seed:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return body + str(sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10)


# title, lead (name, region prefix), buyer name, product (name, ОКПД2), costs in roubles, subsidy share
PROJECTS = [
    (
        "Освоение производства плит МДФ",
        ("ООО «Лузалес»", "11"),
        "ООО «Мебельная фабрика Коми»",
        ("Плиты МДФ", "16.21.13.000"),
        480_000_000,
        0.3,
    ),
    (
        "Завод литий-ионных аккумуляторных ячеек",
        ("ООО «Елабужский аккумуляторный завод»", "16"),
        "ПАО «КАМАЗ»",
        ("Аккумуляторные ячейки", "27.20.23.000"),
        900_000_000,
        0.15,
    ),
    (
        "Янтарные изделия для приборостроения",
        ("Ассоциация «Янтарный кластер Калининградской области»", "39"),
        "АО «Калининградский приборный завод»",
        ("Изоляторы из янтаря", "23.19.25.000"),
        120_000_000,
        0.5,
    ),
    (
        "Светодиодные светильники для железных дорог",
        ("АО «Ардатовский светотехнический завод»", "13"),
        "ОАО «Российские железные дороги — Северная дирекция»",
        ("Светильники светодиодные", "27.40.39.000"),
        250_000_000,
        0.45,
    ),
    (
        "Фанера повышенной влагостойкости",
        ("ООО «Сыктывкарский фанерный завод»", "11"),
        "ООО «Вагоностроитель»",
        ("Фанера ФСФ", "16.21.12.000"),
        200_000_000,
        0.4,
    ),
    (
        "Лесохимическое производство канифоли",
        ("ООО «Комилесхим»", "11"),
        "ООО «Шинный завод»",
        ("Канифоль талловая", "20.14.71.000"),
        150_000_000,
        0.5,
    ),
    (
        "Корпуса станков из минерального литья",
        ("ООО «Ухтинский машзавод»", "11"),
        "АО «Станкомаш»",
        ("Станины из минерального литья", "28.41.40.000"),
        90_000_000,
        0.5,
    ),
    (
        "Бумага для гофрокартона из вторсырья",
        ("АО «Печорская бумажная фабрика»", "11"),
        "ООО «Упаковочный комбинат»",
        ("Бумага для гофрирования", "17.12.33.000"),
        350_000_000,
        0.4,
    ),
    (
        "Компоненты для буровых установок",
        ("ООО «Усинский нефтемаш»", "11"),
        "ООО «Северная буровая компания»",
        ("Долота буровые", "28.92.61.110"),
        160_000_000,
        0.5,
    ),
    (
        "Деревянные домокомплекты из CLT-панелей",
        ("ООО «Коми КЛТ»", "11"),
        "ООО «Северстрой»",
        ("Панели CLT", "16.23.20.000"),
        300_000_000,
        0.35,
    ),
]
EXPERTS = [
    ("expert@clusterhub.example.com", "Эдуард Экспертов", "АКИТ"),
    ("expert2@minpromtorg.example.com", "Марина Промышленная", "Минпромторг России"),
    ("expert3@minpromtorg.example.com", "Андрей Субсидиев", "Минпромторг России"),
    ("expert4@akit.example.com", "Ольга Кластерова", "АКИТ"),
    ("expert5@komi.example.com", "Виктор Лесной", "Минпромторг Республики Коми"),
    ("expert6@frp.example.com", "Нина Фондова", "Фонд развития промышленности"),
    ("expert7@tatarstan.example.com", "Рустам Технопарков", "ЦКР Республики Татарстан"),
]


def _user(email, name):
    user = users.find_user_by_email(email)
    return user or users.create_user(email, name, DEMO_PASSWORD)


def load(tenant_slug: str = "komi") -> DefenseRound | None:
    """Build the demo projects and round in ``tenant_slug`` (idempotent). Returns the round if built."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == tenant_slug))
    if tenant is None:
        raise LookupError(f"tenant {tenant_slug} missing: run `flask tenants sync` first")
    selection_round = {r.code: r for r in selection_rounds.seed_selection_rounds()}["pp41-2023"]
    with tenant_scope(db.session, tenant.id):
        exists = db.session.scalar(
            sa.select(DefenseRound.id).where(
                DefenseRound.selection_round_id == selection_round.id, DefenseRound.number == 1
            )
        )
        if exists:
            return None
        chair = _user("chair@akit.example.com", "Геннадий Председателев")
        secretary = _user("komi-staff@clusterhub.example.com", "Олег Сотрудников")
        built = build(tenant, selection_round, chair, secretary, ROUND_TITLE, PROJECTS, EXPERTS, scored=6)
        representative = users.find_user_by_email("rep@luzales.example.com")
        if representative is not None:
            luzales = db.session.get(JointProject, built["projects"][0]).lead_enterprise
            if not is_representative(representative, luzales):
                add_representative(luzales, representative, confirmed=True)
        db.session.commit()
        return built["round"]


def build(
    tenant, selection_round, chair, secretary, title, project_rows, expert_rows, *, scored: int, number=1
):
    """The projects (admitted), the round, its panel, a balanced assignment and the first ``scored``
    projects scored by their experts. Used by the demo and the benchmark."""
    project_ids = []
    for i, (name, (lead_name, region), buyer_name, (product, okpd2), cost, share) in enumerate(project_rows):
        # A lead that is one of the demo enterprises (Luzales, СФЗ) is that profile, not a namesake.
        lead_inn = demo_inn(lead_name) or valid_inn(1000 + i * 7, region)
        lead, _ = get_or_create_by_inn(lead_inn, lead_name)
        buyer, _ = get_or_create_by_inn(valid_inn(5000 + i * 7, region), buyer_name)
        project = dossier.create_project(
            selection_round,
            lead,
            name,
            summary_ru=f"{product}: выпуск для {buyer_name}.",
            requested_subsidy=int(cost * share) * 100,
            co_financing=int(cost * (1 - share)) * 100,
        )
        buyer_participant = participants.add_participant(project, buyer, "buyer")
        participants.add_product(
            project, product, okpd2, maker=project.participants[0], buyer=buyer_participant
        )
        dossier.add_cost_item(project, "equipment", "Технологическое оборудование", int(cost * 0.7) * 100)
        dossier.add_cost_item(
            project, "starter_batch", "Стартовая партия", cost * 100 - int(cost * 0.7) * 100
        )
        dossier.add_stage(project, "Поставка и монтаж оборудования", date(2026, 3, 1), date(2026, 10, 31))
        dossier.add_stage(project, "Выпуск стартовой партии", date(2026, 11, 1), date(2027, 3, 31))
        dossier.add_indicator(
            project, "output", "млн руб.", {(2027, 1): cost // 4_000_000, (2027, 2): cost // 2_000_000}
        )
        dossier.add_indicator(project, "jobs", "чел.", {(2027, 1): 10 + i, (2027, 2): 20 + i})
        workflow.change_status(project, "submitted")
        workflow.change_status(project, "admitted")
        project_ids.append(project.id)
    defense_round = rounds.create_round(
        selection_round,
        number,
        title,
        held_on=datetime(2026, 4, 2, 7, 0),
        location="Сыктывкар, «Мой бизнес»",
        min_experts_per_project=3,
    )
    panel.add_panel_member(defense_round, chair, "chair", affiliation="АКИТ")
    panel.add_panel_member(defense_round, secretary, "secretary", affiliation="ЦКР Республики Коми")
    for email, name, affiliation in expert_rows:
        panel.add_panel_member(defense_round, _user(email, name), "expert", affiliation=affiliation)
    for i, project_id in enumerate(project_ids):
        rounds.add_slot(
            defense_round,
            db.session.get(JointProject, project_id),
            starts_at=datetime(2026, 4, 2, 7 + i // 3, (i % 3) * 20),
            presenter="Генеральный директор",
        )
    assignments.apply_proposal(defense_round)
    for slot in defense_round.slots[:scored]:
        for member in defense_round.panel:
            if not member.scores or conflicts.is_conflicted(slot.id, member.id):
                continue
            if scoring.own_scores(slot.id, member.id) or not _assigned(slot, member):
                continue
            values = {
                c.id: (5 + (slot.id * 3 + member.id * 5 + c.position) % 6, "Проект проработан")
                for c in defense_round.criteria
            }
            scoring.score_project(slot, member, values)
    return {"round": defense_round, "projects": project_ids}


def _assigned(slot, member) -> bool:
    return any(
        a.defense_slot_id == slot.id and a.panel_member_id == member.id
        for a in assignments.assignments_in(slot.defense_round_id)
    )

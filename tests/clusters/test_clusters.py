"""Clusters of a center: members, supply links, compliance rules, diagram, import/export, history, merge."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from clusterhub.clusters.models import ClusterMember, SupplyLink
from clusterhub.clusters.services.clusters import cluster_view
from clusterhub.clusters.services.compliance import center_rules, check_compliance, set_rule
from clusterhub.clusters.services.exports import members_csv, members_xlsx
from clusterhub.clusters.services.imports import commit_import, preview_import, read_members_file
from clusterhub.clusters.services.members import add_member, add_member_by_inn, remove_member
from clusterhub.clusters.services.supply import add_link, cooperation_svg
from clusterhub.core.refusal import Refusal
from clusterhub.enterprises.services.history import enterprise_history
from clusterhub.enterprises.services.merging import merge_enterprises, reference_counts
from clusterhub.enterprises.services.profiles import find_by_inn
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.usefixtures("request_ctx")


def _scope(cluster):
    return tenant_scope(db.session, cluster.test_tenant_id)


def test_an_enterprise_joins_a_cluster_once(make_cluster, make_enterprise):
    cluster = make_cluster()
    company = make_enterprise()
    with _scope(cluster):
        add_member(cluster, company, "anchor", date(2020, 1, 1), None)
        with pytest.raises(Refusal, match="already a member"):
            add_member(cluster, company, "participant", None, None)
        with pytest.raises(Refusal):
            add_member_by_inn(cluster, "7707083893", "", "participant", None, None)
        member = add_member_by_inn(cluster, "7707083893", "ПАО «Новое»", "supplier", None, None)
        assert member.enterprise.full_name == "ПАО «Новое»"


def test_supply_links_connect_two_members_of_the_cluster(make_cluster, make_enterprise):
    cluster = make_cluster(members=2)
    other = make_cluster(name="Другой", members=1)
    with _scope(cluster):
        a, b = db.session.scalars(
            sa.select(ClusterMember).where(ClusterMember.cluster_id == cluster.id)
        ).all()
        outsider = db.session.scalar(sa.select(ClusterMember).where(ClusterMember.cluster_id == other.id))
        with pytest.raises(Refusal):
            add_link(cluster, a.id, outsider.id, "Брус", None, None)
        with pytest.raises(Refusal):
            add_link(cluster, a.id, a.id, "Брус", None, None)
        with pytest.raises(Refusal, match="ОКПД2"):
            add_link(cluster, a.id, b.id, "Брус", "16-10", None)
        add_link(cluster, a.id, b.id, "Брус клеёный", "16.23.11", None)
        remove_member(b, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SupplyLink)) == 0


def test_compliance_rules_pass_and_fail_with_the_center_thresholds(make_cluster, make_enterprise):
    cluster = make_cluster(members=3, programme_goals="Рост экспорта")
    with _scope(cluster):
        view = cluster_view(cluster)
        results = {r.rule.code: r for r in check_compliance(view)}
        assert not results["min_industrial_members"].passed  # 3 < 10 by default
        assert "3" in results["min_industrial_members"].detail
        assert results["programme"].passed and not results["functional_map"].passed
        assert not results["specialised_org"].passed
        # three producing members without products or supplies: within the default "at most 3"
        assert results["max_without_output"].passed and results["max_without_output"].detail.count("ООО") == 3
    with _scope(cluster):
        set_rule("min_industrial_members", 3, True, None)
        set_rule("max_without_output", 1, True, None)
        set_rule("functional_map", None, False, None)
        results = {r.rule.code: r for r in check_compliance(cluster_view(cluster))}
        assert results["min_industrial_members"].passed
        assert not results["max_without_output"].passed
        assert "functional_map" not in results
        with pytest.raises(Refusal):
            set_rule("min_industrial_members", -1, True, None)


def test_rules_of_one_center_do_not_change_another(make_cluster, make_tenant):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    with tenant_scope(db.session, komi.id):
        set_rule("min_industrial_members", 4, True, None)
        db.session.commit()
    with tenant_scope(db.session, tatarstan.id):
        assert {r.code: r.threshold for r in center_rules()}["min_industrial_members"] == 10


def test_cooperation_scheme_is_an_svg_with_an_arrow_per_supply(make_cluster):
    cluster = make_cluster(members=3)
    with _scope(cluster):
        a, b, c = db.session.scalars(sa.select(ClusterMember)).all()
        add_link(cluster, a.id, b.id, "Щепа <технологическая>", "16.10.23", None)
        add_link(cluster, b.id, c.id, "Фанера", None, None)
        svg = str(cooperation_svg(cluster_view(cluster), "Схема"))
    assert svg.startswith("<svg") and svg.count("marker-end") == 2 and svg.count("<circle") == 3
    assert "Щепа &lt;технологическая&gt;" in svg and "<script" not in svg


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_reports_errors_per_row_and_writes_nothing(make_cluster, make_enterprise):
    cluster = make_cluster()
    known = make_enterprise(name="ООО «Известное»", inn="7707083893")
    csv_data = (
        "ИНН;Наименование;Роль;Дата вступления\n"
        "7707083893;;участник;01.03.2024\n"
        "7707083894;ООО Ошибка;participant;\n"
        "7736207543;ООО «Новое»;boss;2024-13-01\n"
        "7707083893;;supplier;\n"
    ).encode("cp1251")
    with _scope(cluster):
        rows = read_members_file("members.csv", csv_data)
        checked = preview_import(cluster, rows)
        assert [r.line for r in checked] == [2, 3, 4, 5]
        assert checked[0].errors == [] and checked[0].enterprise_name == known.name
        assert "ИНН 7707083894 is not valid" in checked[1].errors[0]
        assert len(checked[2].errors) == 2  # role and date
        assert "line 2" in checked[3].errors[0]
        with pytest.raises(Refusal):
            commit_import(cluster, rows, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClusterMember)) == 0
        assert find_by_inn("7736207543") is None


def test_import_from_xlsx_commits_all_rows_and_export_round_trips(make_cluster, make_enterprise):
    cluster = make_cluster()
    make_enterprise(inn="7707083893")
    data = _xlsx(
        [
            ["inn", "name", "role", "joined_on"],
            [7707083893, None, "anchor", date(2021, 5, 1)],
            ["7736207543", "ООО «Яндекс»", "research", None],
        ]
    )
    with _scope(cluster):
        rows = read_members_file("m.xlsx", data)
        assert commit_import(cluster, rows, None) == 2
        view = cluster_view(cluster)
        assert {(m.enterprise.inn, m.role, m.joined_on) for m in view.members} == {
            ("7707083893", "anchor", date(2021, 5, 1)),
            ("7736207543", "research", None),
        }
        exported = load_workbook(io.BytesIO(members_xlsx(view))).active
        assert [c.value for c in next(exported.iter_rows())][:4] == ["inn", "ogrn", "name", "role"]
        text = members_csv(view).decode("utf-8-sig")
        again = preview_import(cluster, read_members_file("m.csv", text.encode()))
        assert all("already a member" in r.errors[0] for r in again)


def test_unreadable_or_headerless_files_are_refused(make_cluster):
    cluster = make_cluster()
    with _scope(cluster):
        with pytest.raises(Refusal):
            read_members_file("m.xlsx", b"not a zip")
        with pytest.raises(Refusal, match="ИНН column"):
            read_members_file("m.csv", b"a,b\n1,2\n")
        with pytest.raises(Refusal):
            read_members_file("m.pdf", b"%PDF")


def test_history_shows_memberships_of_all_centers_to_the_enterprise_and_own_ones_to_a_center(
    make_cluster, make_enterprise, make_tenant, make_user, make_owner
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    company = make_enterprise()
    owner = make_owner(company)
    komi_cluster = make_cluster(komi, name="Кластер Коми")
    tatar_cluster = make_cluster(tatarstan, name="Кластер Татарстана")
    for cluster in (komi_cluster, tatar_cluster):
        with _scope(cluster):
            add_member(cluster, company, "participant", date(2022, 1, 1), None)
            db.session.commit()
    titles = lambda viewer: {item.title for item in enterprise_history(company, viewer)}  # noqa: E731
    assert titles(owner) == {"Кластер Коми", "Кластер Татарстана"}
    assert titles(make_user("platform_admin")) == {"Кластер Коми", "Кластер Татарстана"}
    assert titles(make_user("center_staff", komi)) == {"Кластер Коми"}
    assert titles(make_user()) == set()


def test_merge_moves_cluster_memberships_in_every_center_and_resolves_duplicates(
    make_cluster, make_enterprise, make_tenant, make_user
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    keep, duplicate, partner = make_enterprise(), make_enterprise(), make_enterprise()
    both = make_cluster(komi, name="Оба")
    only_dup = make_cluster(tatarstan, name="Только дубль")
    with _scope(both):
        add_member(both, keep, "anchor", None, None)
        dup_member = add_member(both, duplicate, "participant", None, None)
        partner_member = add_member(both, partner, "supplier", None, None)
        add_link(both, partner_member.id, dup_member.id, "Лес", None, None)
        db.session.commit()
    with _scope(only_dup):
        add_member(only_dup, duplicate, "participant", None, None)
        db.session.commit()
    with _scope(only_dup):
        only_dup.specialised_org_id = duplicate.id
        db.session.commit()
    merge_enterprises(duplicate, keep, make_user("platform_admin"))
    db.session.commit()
    with tenant_scope(db.session, komi.id):
        members = db.session.scalars(sa.select(ClusterMember)).all()
        assert sorted(m.enterprise_id for m in members) == sorted([keep.id, partner.id])
        link = db.session.scalar(sa.select(SupplyLink))
        assert link.customer_id == next(m.id for m in members if m.enterprise_id == keep.id)
    with tenant_scope(db.session, tatarstan.id):
        assert [m.enterprise_id for m in db.session.scalars(sa.select(ClusterMember))] == [keep.id]
        db.session.refresh(only_dup)
        assert only_dup.specialised_org_id == keep.id


def test_a_register_decision_is_valid_for_five_years_unless_told(make_cluster):
    cluster = make_cluster(
        register_status="registered", register_order_number="1234", register_order_date=date(2024, 2, 29)
    )
    with _scope(cluster):
        assert cluster.register_valid_until == date(2029, 2, 28)


def test_merge_preview_counts_references_in_every_center(make_cluster, make_enterprise, make_tenant):
    company = make_enterprise()
    for slug in ("komi", "tatarstan"):
        cluster = make_cluster(make_tenant(slug), name=slug)
        with _scope(cluster):
            add_member(cluster, company, "participant", None, None)
            db.session.commit()
    assert reference_counts(company) == {"cluster_members.enterprise_id": 2}

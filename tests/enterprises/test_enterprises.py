"""Enterprise profiles: identifiers, edits with audit, claims, representatives, search, merge, history."""

import pytest
import sqlalchemy as sa
from stdnum.ru import ogrn as stdnum_ogrn

from clusterhub.core.refusal import Refusal
from clusterhub.enterprises.models import Enterprise, EnterpriseRepresentative
from clusterhub.enterprises.services.history import edit_history
from clusterhub.enterprises.services.identifiers import (
    clean_inn,
    clean_kpp,
    clean_ogrn,
    clean_okpd2,
    clean_okved,
)
from clusterhub.enterprises.services.merging import enterprise_references, merge_enterprises
from clusterhub.enterprises.services.products import add_product
from clusterhub.enterprises.services.profiles import get_or_create_by_inn, set_figures, update_profile
from clusterhub.enterprises.services.representatives import (
    add_representative,
    approve_claim,
    center_may_decide,
    claim,
    confirm_first_claim,
    is_representative,
    reject_claim,
    remove_representative,
    set_representative_role,
)
from clusterhub.enterprises.services.search import search_statement
from clusterhub.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")

# Real, published identifiers (ПАО Сбербанк, ООО «Яндекс», a 12-digit ИНН and ОГРНИП from public examples).
VALID_INN = ["7707083893", "7736207543", "7830002293", "500100732259"]
INVALID_INN = ["7707083894", "7736207542", "500100732258", "123", "77070838931", "77O7083893"]
VALID_OGRN = ["1027700132195", "1027739850962", "1027809169585", "304500116000157"]
INVALID_OGRN = ["1027700132196", "0027700132195", "304500116000158", "204500116000157", "10277001321"]


@pytest.mark.parametrize("number", VALID_INN)
def test_valid_inn_is_accepted(number):
    assert clean_inn(f" {number} ") == number


@pytest.mark.parametrize("number", INVALID_INN)
def test_invalid_inn_is_refused_with_the_number_in_the_message(number):
    with pytest.raises(Refusal, match="ИНН"):
        clean_inn(number)


@pytest.mark.parametrize("number", VALID_OGRN)
def test_valid_ogrn_and_ogrnip_are_accepted(number):
    assert clean_ogrn(number) == number


@pytest.mark.parametrize("number", INVALID_OGRN)
def test_invalid_ogrn_is_refused(number):
    with pytest.raises(Refusal):
        clean_ogrn(number)


def test_ogrnip_whose_remainder_is_10_to_12_is_valid_although_stdnum_refuses_it():
    # 30450010000004 % 13 == 10: the check digit is the last digit of the remainder, 0.
    number = "304500100000040"
    assert int(number[:-1]) % 13 == 10
    assert not stdnum_ogrn.is_valid(number)  # the python-stdnum bug DOMAIN.md warns about
    assert clean_ogrn(number) == number
    with pytest.raises(Refusal):
        clean_ogrn("304500100000041")


@pytest.mark.parametrize("kpp", ["773601001", "7736AB001", "1101 01 001"])
def test_valid_kpp(kpp):
    assert len(clean_kpp(kpp)) == 9


@pytest.mark.parametrize("kpp", ["77360100", "7736010011", "7736010A1", "AB3601001"])
def test_invalid_kpp(kpp):
    with pytest.raises(Refusal):
        clean_kpp(kpp)


@pytest.mark.parametrize("code", ["16", "16.1", "16.10", "16.10.1", "16.10.11"])
def test_okved_formats_accepted(code):
    assert clean_okved(code) == code


@pytest.mark.parametrize("code", ["1", "16.", "16.100", "16.10.111", "A16", "16,10"])
def test_okved_formats_refused(code):
    with pytest.raises(Refusal):
        clean_okved(code)


def test_okpd2_accepts_the_deepest_level_and_refuses_garbage():
    assert clean_okpd2("16.10.10.110") == "16.10.10.110"
    with pytest.raises(Refusal):
        clean_okpd2("16.10.10.1100")


def test_one_profile_per_inn(make_enterprise):
    first = make_enterprise(inn="7707083893", name="ПАО Сбербанк")
    again, created = get_or_create_by_inn("7707 083 893", "Другое имя")
    assert again.id == first.id and not created


def test_profile_update_validates_and_records_before_and_after(make_enterprise, make_owner):
    enterprise = make_enterprise(name="ООО «Лес»")
    owner = make_owner(enterprise)
    with pytest.raises(Refusal) as error:
        update_profile(enterprise, {"ogrn": "1027700132196"}, owner)
    assert error.value.field == "ogrn"
    changed = update_profile(
        enterprise,
        {
            "ogrn": "1027700132195",
            "okved_main": "16.10",
            "okved_additional": "16.21, 02.20",
            "website": "les.ru",
        },
        owner,
    )
    db.session.commit()
    assert set(changed) == {"ogrn", "okved_main", "okved_additional", "website"}
    assert enterprise.okved_additional_list == ["16.21", "02.20"] and enterprise.website == "https://les.ru"
    entry = edit_history(enterprise)[0]  # platform-level entries: read in the federal scope
    assert entry.action == "enterprise.updated"
    assert entry.before["ogrn"] is None and entry.after["ogrn"] == "1027700132195"


def test_figures_are_a_history_by_year(make_enterprise):
    enterprise = make_enterprise()
    set_figures(enterprise, 2023, 100, "1000000", None)
    set_figures(enterprise, 2024, 120, "1 250 000,50", None)
    set_figures(enterprise, 2024, 125, None, None)  # a correction of one year
    db.session.commit()
    db.session.refresh(enterprise)
    assert [(f.year, f.headcount) for f in enterprise.figures] == [(2024, 125), (2023, 100)]
    with pytest.raises(Refusal):
        set_figures(enterprise, 1800, 1, None, None)


def test_first_claim_is_confirmed_by_the_center_of_the_region(make_enterprise, make_user, make_tenant):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    enterprise = make_enterprise(region="11")
    claimant = make_user()
    staff_komi, staff_tatarstan = make_user("center_staff", komi), make_user("center_staff", tatarstan)
    link = claim(claimant, enterprise.inn)
    assert link.status == "pending" and link.role == "owner"
    assert not center_may_decide(tatarstan, link)
    with pytest.raises(Refusal):
        confirm_first_claim(link, tatarstan, staff_tatarstan)
    confirm_first_claim(link, komi, staff_komi)
    db.session.commit()
    assert is_representative(claimant, enterprise, "owner")


def test_first_claim_of_a_region_without_center_goes_to_any_center(make_enterprise, make_user, make_tenant):
    tatarstan = make_tenant("tatarstan")
    enterprise = make_enterprise(region="39")  # Kaliningrad: no center in this test
    link = claim(make_user(), enterprise.inn)
    assert center_may_decide(tatarstan, link)


def test_claim_of_an_unknown_inn_creates_the_profile_and_a_duplicate_claim_finds_it(make_user):
    user, other = make_user(), make_user()
    with pytest.raises(Refusal):
        claim(user, "7736207543")
    link = claim(user, "7736207543", "ООО «Яндекс»")
    again = claim(other, "7736207543", "Какое-то другое имя")
    assert again.enterprise_id == link.enterprise_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)) == 1
    with pytest.raises(Refusal):
        claim(user, "7736207543")


def test_later_claims_are_approved_by_an_owner_not_by_an_editor(make_enterprise, make_owner, make_user):
    enterprise = make_enterprise()
    owner = make_owner(enterprise)
    editor = make_user()
    add_representative(enterprise, editor, "editor", confirmed=True)
    link = claim(make_user(), enterprise.inn)
    assert link.role == "editor"
    with pytest.raises(Refusal):
        approve_claim(link, editor)
    approve_claim(link, owner, "editor")
    assert link.status == "confirmed"


def test_last_owner_cannot_leave_others_behind_but_can_hand_over(make_enterprise, make_owner, make_user):
    enterprise = make_enterprise()
    owner = make_owner(enterprise)
    editor = make_user()
    editor_link = add_representative(enterprise, editor, "editor", confirmed=True)
    owner_link = db.session.scalar(
        sa.select(EnterpriseRepresentative).where(EnterpriseRepresentative.user_id == owner.id)
    )
    with pytest.raises(Refusal):
        remove_representative(owner_link, owner)
    with pytest.raises(Refusal):
        set_representative_role(owner_link, "editor", owner)
    set_representative_role(editor_link, "owner", owner)
    remove_representative(owner_link, owner)
    db.session.commit()
    assert not is_representative(owner, enterprise)
    assert is_representative(editor, enterprise, "owner")


def test_directory_search_by_name_inn_ogrn_okved_and_region(make_enterprise):
    make_enterprise(name="ООО «Лузалес»", inn="7707083893", okved_main="16.10", ogrn="1027700132195")
    make_enterprise(name="АО «Монди»", inn="7736207543", okved_main="17.12", okved_additional="16.10")
    make_enterprise(name="ООО «Татнефть-Сервис»", inn="7830002293", region="16", okved_main="09.10")

    def names(**kwargs):
        return [e.full_name for e in db.session.scalars(search_statement(**kwargs))]

    assert names(q="лузалес") == ["ООО «Лузалес»"]
    assert names(q="ЛУЗАЛЕС") == ["ООО «Лузалес»"]
    assert names(q="7736") == ["АО «Монди»"]
    assert names(q="10277001") == ["ООО «Лузалес»"]
    assert names(okved="16.10") == ["АО «Монди»", "ООО «Лузалес»"]
    assert names(okved="16") == ["АО «Монди»", "ООО «Лузалес»"]
    from tests.fixtures.enterprises import region_id

    assert names(region_id=region_id("16")) == ["ООО «Татнефть-Сервис»"]
    assert names(q="100%_") == []


def test_merge_moves_every_reference_and_is_audited(make_enterprise, make_owner, make_user):
    keep = make_enterprise(name="ООО «Лес»", inn="7707083893")
    duplicate = make_enterprise(name="ООО Лес (дубль)", inn="7736207543", okved_main="16.10")
    both = make_user()
    add_representative(keep, both, "editor", confirmed=True)
    add_representative(duplicate, both, "owner", confirmed=True)
    only_dup = make_owner(duplicate)
    set_figures(duplicate, 2023, 10, None, None)
    set_figures(duplicate, 2024, 11, None, None)
    set_figures(keep, 2024, 99, None, None)
    add_product(duplicate, "Брус", "16.10.10", None, None)
    admin = make_user("platform_admin")
    duplicate_id = duplicate.id
    moved = merge_enterprises(duplicate, keep, admin)
    db.session.commit()
    assert db.session.get(Enterprise, duplicate_id) is None
    assert is_representative(both, keep, "owner")  # the stronger role survives
    assert is_representative(only_dup, keep, "owner")
    db.session.refresh(keep)
    assert {(f.year, f.headcount) for f in keep.figures} == {(2023, 10), (2024, 99)}
    assert [p.name for p in keep.products] == ["Брус"]
    assert keep.okved_main == "16.10"  # an empty field filled from the duplicate
    assert moved["enterprise_products.enterprise_id"] == 1
    entry = edit_history(keep)[0]
    assert (
        entry.action == "enterprise.merged"
        and entry.before["merged_id"] == duplicate_id
        and entry.target_id == str(keep.id)
    )


def test_merge_discovers_references_from_the_metadata():
    tables = {f"{t.name}.{c.name}" for t, c in enterprise_references()}
    assert {"enterprise_representatives.enterprise_id", "cluster_members.enterprise_id"} <= tables


def test_owners_hear_of_later_claims_and_claimants_of_decisions(make_enterprise, make_owner, make_user):
    from clusterhub.outbox.models import OutboxMessage

    enterprise = make_enterprise(name="ООО «Лес»")
    owner = make_owner(enterprise, email="owner@les.example.com")
    claimant = make_user(email="new@les.example.com")
    link = claim(claimant, enterprise.inn)
    reject_claim(link, owner)
    db.session.flush()
    mail = {(m.recipient, m.subject) for m in db.session.scalars(sa.select(OutboxMessage))}
    assert ("owner@les.example.com", "Новая заявка на ООО «Лес»") in mail
    assert ("new@les.example.com", "Ваша заявка на ООО «Лес» отклонена") in mail

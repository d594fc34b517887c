"""The region of an enterprise read from its ИНН/ОГРН: known answers for every subject's tax code and for
the codes of merged subjects, derivation at creation (shown as derived, cleared by an edit), and the
backfill of migration 0019."""

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from clusterhub.enterprises.models import Enterprise
from clusterhub.enterprises.services.history import edit_history, history_value
from clusterhub.enterprises.services.identifiers import derived_region_id, tax_region_code
from clusterhub.enterprises.services.merging import merge_enterprises
from clusterhub.enterprises.services.profiles import get_or_create_by_inn, update_profile
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub_dev.demo.enterprises import inn_with_checksum, ogrn_with_checksum

EN = {"Accept-Language": "en"}

# The Federal Tax Service's code of each of the 89 subjects (the first two digits of an ИНН issued there).
SUBJECTS = {
    "01": "Republic of Adygea",
    "02": "Republic of Bashkortostan",
    "03": "Republic of Buryatia",
    "04": "Altai Republic",
    "05": "Republic of Dagestan",
    "06": "Republic of Ingushetia",
    "07": "Kabardino-Balkarian Republic",
    "08": "Republic of Kalmykia",
    "09": "Karachay-Cherkess Republic",
    "10": "Republic of Karelia",
    "11": "Komi Republic",
    "12": "Mari El Republic",
    "13": "Republic of Mordovia",
    "14": "Sakha Republic (Yakutia)",
    "15": "Republic of North Ossetia–Alania",
    "16": "Republic of Tatarstan",
    "17": "Tuva Republic",
    "18": "Udmurt Republic",
    "19": "Republic of Khakassia",
    "20": "Chechen Republic",
    "21": "Chuvash Republic",
    "22": "Altai Krai",
    "23": "Krasnodar Krai",
    "24": "Krasnoyarsk Krai",
    "25": "Primorsky Krai",
    "26": "Stavropol Krai",
    "27": "Khabarovsk Krai",
    "28": "Amur Oblast",
    "29": "Arkhangelsk Oblast",
    "30": "Astrakhan Oblast",
    "31": "Belgorod Oblast",
    "32": "Bryansk Oblast",
    "33": "Vladimir Oblast",
    "34": "Volgograd Oblast",
    "35": "Vologda Oblast",
    "36": "Voronezh Oblast",
    "37": "Ivanovo Oblast",
    "38": "Irkutsk Oblast",
    "39": "Kaliningrad Oblast",
    "40": "Kaluga Oblast",
    "41": "Kamchatka Krai",
    "42": "Kemerovo Oblast – Kuzbass",
    "43": "Kirov Oblast",
    "44": "Kostroma Oblast",
    "45": "Kurgan Oblast",
    "46": "Kursk Oblast",
    "47": "Leningrad Oblast",
    "48": "Lipetsk Oblast",
    "49": "Magadan Oblast",
    "50": "Moscow Oblast",
    "51": "Murmansk Oblast",
    "52": "Nizhny Novgorod Oblast",
    "53": "Novgorod Oblast",
    "54": "Novosibirsk Oblast",
    "55": "Omsk Oblast",
    "56": "Orenburg Oblast",
    "57": "Oryol Oblast",
    "58": "Penza Oblast",
    "59": "Perm Krai",
    "60": "Pskov Oblast",
    "61": "Rostov Oblast",
    "62": "Ryazan Oblast",
    "63": "Samara Oblast",
    "64": "Saratov Oblast",
    "65": "Sakhalin Oblast",
    "66": "Sverdlovsk Oblast",
    "67": "Smolensk Oblast",
    "68": "Tambov Oblast",
    "69": "Tver Oblast",
    "70": "Tomsk Oblast",
    "71": "Tula Oblast",
    "72": "Tyumen Oblast",
    "73": "Ulyanovsk Oblast",
    "74": "Chelyabinsk Oblast",
    "75": "Zabaykalsky Krai",
    "76": "Yaroslavl Oblast",
    "77": "Moscow",
    "78": "Saint Petersburg",
    "79": "Jewish Autonomous Oblast",
    "83": "Nenets Autonomous Okrug",
    "86": "Khanty-Mansi Autonomous Okrug – Yugra",
    "87": "Chukotka Autonomous Okrug",
    "89": "Yamalo-Nenets Autonomous Okrug",
    "90": "Zaporozhye Oblast",
    "91": "Republic of Crimea",
    "92": "Sevastopol",
    "93": "Donetsk People's Republic",
    "94": "Luhansk People's Republic",
    "95": "Kherson Oblast",
}

# Codes of subjects that merged into another: ИНН issued before the merger keep them.
MERGED = {
    "80": "Zabaykalsky Krai",  # Агинский Бурятский АО, 2008
    "81": "Perm Krai",  # Коми-Пермяцкий АО, 2005
    "82": "Kamchatka Krai",  # Корякский АО, 2007 (82 is Crimea's vehicle code, not its tax code)
    "84": "Krasnoyarsk Krai",  # Таймырский АО, 2007
    "85": "Irkutsk Oblast",  # Усть-Ордынский Бурятский АО, 2008
    "88": "Krasnoyarsk Krai",  # Эвенкийский АО, 2007
}


def organisation_inn(code: str, serial: int = 12345) -> str:
    return inn_with_checksum(f"{code}03{serial:05d}")


def ogrn_of(code: str) -> str:
    return ogrn_with_checksum(f"102{code}1234567")


def region_name(region_id) -> str | None:
    return db.session.get(Region, region_id).name_en if region_id else None


def test_the_known_answers_cover_every_subject_of_the_reference(app):
    with app.app_context():
        assert set(db.session.scalars(sa.select(Region.tax_code))) == set(SUBJECTS)


@pytest.mark.parametrize(("code", "subject"), sorted({**SUBJECTS, **MERGED}.items()))
def test_an_inn_names_the_subject_it_was_issued_in(app, code, subject):
    with app.app_context():
        assert region_name(derived_region_id(organisation_inn(code))) == subject
        # the same from the ОГРН alone (its digits 4–5), and from a 12-digit ИНН of an individual
        assert region_name(derived_region_id(None, ogrn_of(code))) == subject
        assert region_name(derived_region_id(f"{code}0101234567")) == subject


def test_published_identifiers_give_their_regions():
    assert tax_region_code("7707083893") == "77"  # ПАО Сбербанк, Moscow
    assert tax_region_code("7830002293") == "78"  # Saint Petersburg
    assert tax_region_code("500100732259") == "50"  # an entrepreneur of Moscow Oblast
    assert tax_region_code(None, "1027700132195") == "77"  # Сбербанк's ОГРН
    assert tax_region_code("", "304500116000157") == "50"  # an ОГРНИП


def test_baikonur_and_interregional_codes_give_no_region_unless_the_ogrn_names_one():
    assert tax_region_code(organisation_inn("99")) is None
    assert tax_region_code(organisation_inn("99"), ogrn_of("11")) == "11"
    assert tax_region_code(organisation_inn("99"), ogrn_of("99")) is None
    assert tax_region_code("not a number", "nor this") is None


def test_a_profile_created_from_an_inn_alone_gets_its_region_marked_as_derived(request_ctx):
    crimean, created = get_or_create_by_inn(organisation_inn("91"), "ООО «Крымский завод»")
    assert created and region_name(crimean.region_id) == "Republic of Crimea" and crimean.region_derived
    given_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "11"))
    given, _ = get_or_create_by_inn(organisation_inn("77"), "ООО «Филиал»", region_id=given_id)
    assert region_name(given.region_id) == "Komi Republic" and not given.region_derived
    nowhere, _ = get_or_create_by_inn(organisation_inn("99"), "ООО «Байконур-Сервис»")
    assert nowhere.region_id is None and not nowhere.region_derived


def test_saving_the_region_confirms_it_and_the_history_names_it(request_ctx):
    enterprise, _ = get_or_create_by_inn(organisation_inn("11"), "ООО «Лесопилка»")
    assert enterprise.region_derived
    update_profile(enterprise, {"description": "Пиломатериалы"}, actor=None)
    assert enterprise.region_derived  # an edit that does not show the region confirms nothing
    changed = update_profile(enterprise, {"region_id": str(enterprise.region_id)}, actor=None)
    assert not enterprise.region_derived and changed == {"region_id": enterprise.region_id}
    latest = edit_history(enterprise)[0]
    assert history_value("region_id", latest.after["region_id"]) == "Komi Republic"


def test_the_profile_shows_a_derived_region_as_such_until_a_representative_saves_it(
    client, login, make_owner, request_ctx
):
    enterprise, _ = get_or_create_by_inn(organisation_inn("92"), "ООО «Севастопольский док»")
    db.session.commit()
    owner = make_owner(enterprise)
    page = client.get(f"/enterprises/{enterprise.id}", headers=EN).get_data(as_text=True)
    assert "Sevastopol" in page and "derived from the ИНН" in page
    login(owner)
    form = client.get(f"/enterprises/{enterprise.id}/edit", headers=EN).get_data(as_text=True)
    assert "Derived from the ИНН" in form
    data = {"full_name": enterprise.full_name, "region_id": str(enterprise.region_id), "size_category": ""}
    assert client.post(f"/enterprises/{enterprise.id}/edit", data=data).status_code == 302
    page = client.get(f"/enterprises/{enterprise.id}", headers=EN).get_data(as_text=True)
    assert "Sevastopol" in page and "derived from the ИНН" not in page


def _migration():
    path = next(Path(__file__).parents[2].glob("migrations/versions/*_0019_enterprise_region.py"))
    spec = importlib.util.spec_from_file_location("migration_0019", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_fills_in_the_regions_of_existing_profiles_and_leaves_given_ones(request_ctx):
    komi = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "11"))
    rows = {
        "koryak": Enterprise(inn=organisation_inn("82"), full_name="ООО «Корякское»", search_text=""),
        "by_ogrn": Enterprise(
            inn=organisation_inn("99"), ogrn=ogrn_of("16"), full_name="ООО «Межрегион»", search_text=""
        ),
        "nowhere": Enterprise(inn=organisation_inn("99", 2), full_name="ООО «Нигде»", search_text=""),
        "given": Enterprise(
            inn=organisation_inn("77"), full_name="ООО «Дано»", region_id=komi, search_text=""
        ),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    with Operations.context(MigrationContext.configure(db.session.connection())):
        _migration().backfill_regions()
    db.session.commit()
    db.session.expire_all()
    shown = {key: (region_name(e.region_id), e.region_derived) for key, e in rows.items()}
    assert shown == {
        "koryak": ("Kamchatka Krai", True),
        "by_ogrn": ("Republic of Tatarstan", True),
        "nowhere": (None, False),
        "given": ("Komi Republic", False),
    }


def test_the_api_says_whether_the_region_was_derived(client, make_user, request_ctx):
    from clusterhub.accounts.services.api_tokens import create_api_token

    derived, _ = get_or_create_by_inn(organisation_inn("16"), "ООО «Казанский завод»")
    _row, secret = create_api_token(make_user(), "test")
    db.session.commit()
    profile = client.get(f"/api/v1/enterprises/{derived.id}", headers={"Authorization": f"Bearer {secret}"})
    assert profile.get_json()["region"] == {
        "tax_code": "16",
        "iso_code": "RU-TA",
        "name_ru": "Республика Татарстан",
        "name_en": "Republic of Tatarstan",
        "derived": True,
    }


def test_a_merge_keeps_the_region_someone_gave_over_one_read_from_the_inn(request_ctx, make_user):
    admin = make_user("platform_admin")
    keep, _ = get_or_create_by_inn(organisation_inn("77", 7), "ООО «Основной»")
    given_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "11"))
    duplicate, _ = get_or_create_by_inn(organisation_inn("77", 8), "ООО «Дубль»", region_id=given_id)
    assert keep.region_derived and not duplicate.region_derived
    merge_enterprises(duplicate, keep, admin)
    assert region_name(keep.region_id) == "Komi Republic" and not keep.region_derived

"""The cooperation exchange: who may edit an enterprise's offers and requests, the workflow, expiry, the
search, suggestions with their reasons and without contacts, the digest and its switch, a center's
featured entries, the API, and a constant query count for the suggestions page."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.clusters.services.clusters import create_cluster
from clusterhub.clusters.services.members import add_member
from clusterhub.cooperation.offers.models import CooperationOffer, FeaturedOffer
from clusterhub.cooperation.offers.services import digest, entries, suggestions
from clusterhub.core.refusal import Refusal
from clusterhub.enterprises.services.profiles import get_or_create_by_inn
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.regions.models import Region
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.demo.scale import inn_for
from tests.fixtures.cooperation import values
from tests.fixtures.pages import count_queries

_counter = iter(range(1, 100_000))


def region_id(tax_code: str) -> int:
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == tax_code))


@pytest.fixture
def make_enterprise(make_user):
    """An enterprise in a region with a confirmed representative: ``(enterprise, representative)``."""

    def make(name="Предприятие", region="11"):
        enterprise, _created = get_or_create_by_inn(
            inn_for(next(_counter)), name, region_id=region_id(region)
        )
        enterprise.short_name = name
        user = make_user()
        add_representative(enterprise, user, confirmed=True)
        db.session.commit()
        return enterprise, user

    return make


def published(enterprise, user, **overrides) -> CooperationOffer:
    offer = entries.create_offer(enterprise, values(**overrides), user)
    entries.publish(offer, user)
    db.session.commit()
    return offer


# --- editing and the workflow ---------------------------------------------------------------------------


def test_only_confirmed_representatives_and_platform_admins_edit(make_enterprise, make_user):
    enterprise, rep = make_enterprise()
    offer = entries.create_offer(enterprise, values(), rep)
    assert offer.status == "draft" and offer.okpd2_list == ["22.29.21"]
    stranger = make_user()
    pending = make_user()
    add_representative(enterprise, pending)  # a claim not yet confirmed
    for user in (stranger, pending):
        with pytest.raises(Refusal):
            entries.update_offer(offer, values(title_ru="Чужое"), user)
        with pytest.raises(Refusal):
            entries.publish(offer, user)
    admin = make_user("platform_admin")
    entries.update_offer(offer, values(title_ru="Поправлено администратором"), admin)
    assert offer.title_ru == "Поправлено администратором"


def test_edit_pages_answer_403_to_others_and_work_for_the_representative(
    client, login, make_enterprise, make_user
):
    enterprise, rep = make_enterprise()
    offer = entries.create_offer(enterprise, values(), rep)
    db.session.commit()
    login(make_user())
    assert client.get(f"/cooperation/new/{enterprise.id}").status_code == 403
    assert client.get(f"/cooperation/{offer.id}").status_code == 404  # a draft is not public
    assert client.post(f"/cooperation/{offer.id}/publish").status_code == 404
    client.post("/logout")
    login(rep)
    form = client.get(f"/cooperation/new/{enterprise.id}?entry=offer").get_data(as_text=True)
    assert "ОКПД 2" in form
    response = client.post(
        f"/cooperation/new/{enterprise.id}",
        data={**values(kind_of_entry="offer", okpd2_codes="22.29.21 16.10"), "served_districts": ["NWFD"]},
    )
    assert response.status_code == 303
    created = db.session.scalar(sa.select(CooperationOffer).where(CooperationOffer.kind_of_entry == "offer"))
    assert created.okpd2_list == ["22.29.21", "16.10"] and created.served_district_list == ["NWFD"]
    assert client.post(f"/cooperation/{created.id}/publish").status_code == 303
    db.session.refresh(created)
    assert created.status == "published" and created.published_at is not None
    assert "Северо-Западный" in client.get(f"/cooperation/{created.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("okpd2_codes", "22-29"),
        ("okved_codes", "16.10.11.1"),
        ("title_ru", ""),
        ("kind", "barter"),
        ("contact_email", "not-an-address"),
    ],
)
def test_invalid_values_are_refused_with_the_field(make_enterprise, field, value):
    enterprise, rep = make_enterprise()
    with pytest.raises(Refusal) as refused:
        entries.create_offer(enterprise, values(**{field: value}), rep)
    assert refused.value.field == field


def test_a_code_is_required_and_dates_must_be_in_order(make_enterprise):
    enterprise, rep = make_enterprise()
    with pytest.raises(Refusal):
        entries.create_offer(enterprise, values(okpd2_codes="", okved_codes=""), rep)
    with pytest.raises(Refusal) as refused:
        entries.create_offer(
            enterprise, values(valid_from=date(2026, 5, 1), valid_until=date(2026, 4, 1)), rep
        )
    assert refused.value.field == "valid_until"


def test_expired_entries_leave_the_search_by_themselves(make_enterprise):
    enterprise, rep = make_enterprise()
    lasting = published(enterprise, rep, title_ru="Бессрочный запрос")
    ending = published(
        enterprise, rep, title_ru="Запрос до завтра", valid_until=date.today() + timedelta(days=1)
    )

    def found(today):
        return set(db.session.scalars(sa.select(CooperationOffer.id).where(entries.live(today))))

    assert found(date.today()) == {lasting.id, ending.id}
    assert found(date.today() + timedelta(days=2)) == {lasting.id}  # no job ran: the query decides
    entries.archive(lasting, rep)
    assert found(date.today()) == {ending.id}


def test_an_expired_entry_cannot_be_published_again_without_a_new_date(make_enterprise):
    enterprise, rep = make_enterprise()
    offer = entries.create_offer(enterprise, values(valid_until=date.today() - timedelta(days=1)), rep)
    with pytest.raises(Refusal):
        entries.publish(offer, rep)


# --- search ---------------------------------------------------------------------------------------------


def test_search_filters_by_kind_code_prefix_district_and_words(client, make_enterprise):
    komi, komi_rep = make_enterprise("Коми-Пласт", "11")
    kazan, kazan_rep = make_enterprise("Казань-Металл", "16")
    plastic = published(komi, komi_rep, kind_of_entry="offer", title_ru="Литьё пластмасс под давлением")
    metal = published(
        kazan,
        kazan_rep,
        kind_of_entry="offer",
        kind="production_capacity",
        title_ru="Механическая обработка металла",
        description_ru="Токарные и фрезерные станки с ЧПУ, обработка стальных деталей.",
        okpd2_codes="25.62.10",
    )

    def titles(query):
        return client.get(f"/cooperation/{query}").get_data(as_text=True)

    page = titles("")
    assert plastic.title_ru in page and metal.title_ru in page
    assert "Иван Петров" not in page and "ivan@example.com" not in page  # no contacts in lists
    by_code = titles("?code=22.2")
    assert plastic.title_ru in by_code and metal.title_ru not in by_code
    by_kind = titles("?kind=production_capacity")
    assert metal.title_ru in by_kind and plastic.title_ru not in by_kind
    by_district = titles("?district=VFD")
    assert metal.title_ru in by_district and plastic.title_ru not in by_district
    by_words = titles("?q=обработка")
    assert metal.title_ru in by_words and plastic.title_ru not in by_words
    empty = titles("?code=99")
    assert "Ничего не найдено по этим условиям." in empty


def test_an_empty_exchange_says_what_to_do(client):
    page = client.get("/cooperation/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Пока не опубликовано ни одного предложения" in page


# --- suggestions ----------------------------------------------------------------------------------------


@pytest.fixture
def market(make_enterprise, make_tenant):
    """A Komi request for plastic housings and offers across Russia, the first of them also a fellow
    member of a Komi cluster."""
    buyer, buyer_rep = make_enterprise("Лузалес", "11")
    near, near_rep = make_enterprise("Северный полимер", "29")
    far, far_rep = make_enterprise("Сибпласт", "54")
    other, other_rep = make_enterprise("Хлебозавод", "77")
    request = published(buyer, buyer_rep)
    offers = {
        "near": published(
            near,
            near_rep,
            kind_of_entry="offer",
            title_ru="Литьё пластмассовых корпусов на заказ",
            contact_name="Сергей Секретов",
            contact_email="secret@near.example.com",
        ),
        "far": published(
            far,
            far_rep,
            kind_of_entry="offer",
            title_ru="Изделия из пластмасс",
            okpd2_codes="22.21.30",
            description_ru="Трубы и профили.",
        ),
        "other": published(
            other,
            other_rep,
            kind_of_entry="offer",
            title_ru="Хлеб",
            okpd2_codes="10.71",
            description_ru="Хлеб и булки.",
        ),
    }
    tenant = make_tenant("komi")
    with tenant_scope(db.session, tenant.id):
        cluster = create_cluster({"name": "Лесной кластер", "cluster_type": "industrial"}, None)
        add_member(cluster, buyer, "participant", None, None)
        add_member(cluster, near, "participant", None, None)
    db.session.commit()
    return {"request": request, "buyer_rep": buyer_rep, "offers": offers}


def test_suggestions_rank_offers_and_explain_them(market):
    with force_locale("en"):
        found = suggestions.suggestions(market["request"])
    titles = [s.offer.title_ru for s in found]
    assert titles == ["Литьё пластмассовых корпусов на заказ", "Изделия из пластмасс"]  # not the bread
    near, far = found
    assert "the same ОКПД 2 code 22.29.21" in near.reasons
    assert "1 cluster in common" in near.reasons
    assert "Northwestern Federal District" in near.reasons
    assert "ОКПД 2 group 22.2" in far.reasons
    # and back: the offer sees the request
    assert [s.offer.id for s in suggestions.suggestions(market["offers"]["near"])] == [market["request"].id]


def test_suggestions_page_in_russian_without_contacts(client, login, market):
    login(market["buyer_rep"])
    page = client.get(
        f"/cooperation/{market['request'].id}/suggestions", headers={"Accept-Language": "ru"}
    ).get_data(as_text=True)
    assert "Северный полимер" in page and "Архангельская область" in page
    assert "тот же код ОКПД 2 22.29.21" in page and "1 общий кластер" in page
    assert "Сергей Секретов" not in page and "secret@near.example.com" not in page
    offer_page = client.get(f"/cooperation/{market['offers']['near'].id}").get_data(as_text=True)
    assert "secret@near.example.com" not in offer_page  # the other side's contacts stay hidden


def test_a_contact_grant_from_another_module_shows_the_contact(client, login, market):
    near = market["offers"]["near"]
    buyer = market["buyer_rep"]

    def accepted_meeting(user, offer):
        return user.id == buyer.id and offer.id == near.id

    entries.register_contact_grant(accepted_meeting)
    try:
        login(buyer)
        assert "secret@near.example.com" in client.get(f"/cooperation/{near.id}").get_data(as_text=True)
    finally:
        entries._contact_grants.remove(accepted_meeting)


def test_the_suggestions_page_costs_the_same_queries_for_3_or_30_candidates(
    client, login, market, make_enterprise
):
    login(market["buyer_rep"])
    url = f"/cooperation/{market['request'].id}/suggestions"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(27):
        enterprise, rep = make_enterprise(f"Полимер-{n}", ("29", "54", "16")[n % 3])
        published(
            enterprise, rep, kind_of_entry="offer", okpd2_codes=("22.29.21", "22.21.30", "22.11")[n % 3]
        )
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert "Полимер-26" in page or "Полимер-25" in page
    assert many["n"] == few["n"] <= 12  # user, entry, rights, candidates by code and text, rows, history


# --- digest ---------------------------------------------------------------------------------------------


def test_the_weekly_digest_sends_new_matches_once_and_honours_the_switch(market, make_enterprise):
    sent = digest.send_digest()
    db.session.commit()
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    recipients = {m.recipient for m in messages}
    assert market["buyer_rep"].email in recipients and sent == len(messages)
    mail = next(m for m in messages if m.recipient == market["buyer_rep"].email)
    assert "Северный полимер" in mail.body_text and "secret@near.example.com" not in mail.body_text
    assert f"http://clusterhub.test/cooperation/{market['offers']['near'].id}" in mail.body_text
    assert digest.send_digest() == 0  # nothing new since
    # a new offer: only those who did not switch the digest off hear of it
    digest.set_digest(market["buyer_rep"], False)
    newcomer, rep = make_enterprise("Новый пластик", "29")
    published(newcomer, rep, kind_of_entry="offer")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    digest.send_digest()
    db.session.commit()
    new = db.session.scalars(sa.select(OutboxMessage).offset(before)).all()
    assert market["buyer_rep"].email not in {m.recipient for m in new}


def test_the_digest_switch_on_the_page(client, login, market):
    login(market["buyer_rep"])
    page = client.get("/cooperation/mine").get_data(as_text=True)
    assert "Литьё пластмассовых корпусов" in page and "checked" in page
    assert client.post("/cooperation/mine", data={}).status_code == 303
    assert digest.digest_enabled(market["buyer_rep"]) is False


# --- featured by a center -------------------------------------------------------------------------------


def test_a_center_features_entries_on_its_home_page(client, login, market, make_user, make_tenant):
    komi = make_tenant("komi")
    tatarstan = make_tenant("tatarstan")
    staff = make_user("center_staff", komi)
    near = market["offers"]["near"]
    login(staff)
    assert client.post("/komi/staff/cooperation/featured", data={"offer_id": near.id}).status_code == 303
    assert client.post("/tatarstan/staff/cooperation/featured", data={"offer_id": near.id}).status_code == 403
    staff_page = client.get("/komi/staff/cooperation/featured").get_data(as_text=True)
    assert near.title_ru in staff_page
    assert near.title_ru in client.get("/komi/").get_data(as_text=True)
    assert near.title_ru not in client.get("/tatarstan/").get_data(as_text=True)
    client.post("/logout")
    # anonymous visitors get the cached center home with a link, and the list one click away
    assert "/komi/cooperation/" in client.get("/komi/").get_data(as_text=True)
    assert near.title_ru in client.get("/komi/cooperation/").get_data(as_text=True)
    assert near.title_ru not in client.get("/tatarstan/cooperation/").get_data(as_text=True)
    login(staff)
    with tenant_scope(db.session, tatarstan.id):
        assert db.session.scalars(sa.select(FeaturedOffer)).all() == []
    entries.archive(near, make_user("platform_admin"))
    db.session.commit()
    assert near.title_ru not in client.get("/komi/").get_data(as_text=True)  # only live entries show


# --- API ------------------------------------------------------------------------------------------------


def test_api_lists_reads_and_suggests_without_contacts(client, market):
    listing = client.get("/api/v1/cooperation/offers?entry=offer&code=22.2").get_json()
    assert listing["total"] == 2 and all(item["contact"] is None for item in listing["items"])
    one = client.get(f"/api/v1/cooperation/offers/{market['offers']['near'].id}").get_json()
    assert one["okpd2_codes"] == ["22.29.21"] and one["enterprise"]["region"] == "29"
    _token, secret = create_api_token(market["buyer_rep"], "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    suggested = client.get(
        f"/api/v1/cooperation/offers/{market['request'].id}/suggestions", headers=headers
    ).get_json()
    assert suggested["items"][0]["offer"]["enterprise"]["name"] == "Северный полимер"
    assert suggested["items"][0]["offer"]["contact"] is None and suggested["items"][0]["reasons"]


def test_api_writes_for_the_representative_only(client, make_enterprise, make_user):
    enterprise, rep = make_enterprise()
    _token, secret = create_api_token(rep, "test")
    _token, other_secret = create_api_token(make_user(), "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {
        **values(okpd2_codes=["22.29.21"], okved_codes=[]),  # the API takes lists of codes
        "enterprise_id": enterprise.id,
        "served_regions": ["11", "29"],
    }
    refused = client.post(
        "/api/v1/cooperation/offers", json=body, headers={"Authorization": f"Bearer {other_secret}"}
    )
    assert refused.status_code == 403
    created = client.post("/api/v1/cooperation/offers", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["status"] == "draft" and data["served_regions"] == ["11", "29"]
    assert data["contact"]["email"] == "ivan@example.com"  # the representative sees it
    invalid = client.patch(
        f"/api/v1/cooperation/offers/{data['id']}", json={"okpd2_codes": ["x"]}, headers=headers
    )
    assert invalid.status_code == 422 and invalid.get_json()["error"]["field"] == "okpd2_codes"
    changed = client.patch(
        f"/api/v1/cooperation/offers/{data['id']}", json={"volume": "5000 шт."}, headers=headers
    )
    assert (
        changed.get_json()["volume"] == "5000 шт." and changed.get_json()["title_ru"] == values()["title_ru"]
    )
    assert (
        client.post(f"/api/v1/cooperation/offers/{data['id']}/publish", headers=headers).get_json()["status"]
        == "published"
    )
    assert (
        client.post(f"/api/v1/cooperation/offers/{data['id']}/archive", headers=headers).get_json()["status"]
        == "archived"
    )
    assert client.get(f"/api/v1/cooperation/offers/{data['id']}").status_code == 404  # archived: not public


def test_an_enterprise_without_entries_says_so_on_its_filtered_list(client, login, make_enterprise):
    enterprise, rep = make_enterprise("Пустое предприятие")
    page = client.get(f"/cooperation/?enterprise={enterprise.id}", headers={"Accept-Language": "ru"})
    assert "Пустое предприятие: нет опубликованных предложений и запросов." in page.get_data(as_text=True)
    login(rep)
    profile = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert (
        f"/cooperation/?enterprise={enterprise.id}" in profile
        and f"/cooperation/new/{enterprise.id}" in profile
    )


def test_the_scale_generator_makes_live_entries_with_their_codes(make_enterprise):
    import random

    from clusterhub.cooperation.offers.models import CooperationOfferCode
    from clusterhub_dev.demo.cooperation_offers_scale import make_offers

    enterprise, _rep = make_enterprise()
    other, _ = make_enterprise()
    assert make_offers(200, [enterprise.id, other.id], random.Random(1)) == 200
    live = db.session.scalars(sa.select(CooperationOffer).where(entries.live())).all()
    assert 150 < len(live) < 200
    codes = db.session.scalar(sa.select(sa.func.count()).select_from(CooperationOfferCode))
    assert codes >= 400  # one ОКПД 2 code or two, and one ОКВЭД 2 code, each
    request = next(o for o in live if o.kind_of_entry == "request")
    assert suggestions.suggestions(request)  # the synthetic market has partners


def test_search_pages_through_many_entries(client, make_enterprise):
    enterprise, rep = make_enterprise()
    for n in range(23):
        published(enterprise, rep, title_ru=f"Запрос номер {n:02d}")
    first = client.get("/cooperation/").get_data(as_text=True)
    second = client.get("/cooperation/?page=2").get_data(as_text=True)
    assert "Запрос номер 22" in first and "Запрос номер 02" not in first  # newest first, 20 a page
    assert "Запрос номер 02" in second and "Запрос номер 22" not in second


def test_the_demo_gives_komi_enterprises_entries_that_match(make_user, make_tenant):
    from clusterhub_dev.demo import cooperation_offers as demo

    make_tenant("komi")
    make_user("platform_admin", email="admin@clusterhub.example.com")
    assert demo.load() == len(demo.ENTRIES)
    db.session.commit()
    assert demo.load() == 0  # idempotent
    request = db.session.scalar(
        sa.select(CooperationOffer).where(
            CooperationOffer.title_ru == "Ремонт и обслуживание лесопильного оборудования"
        )
    )
    with force_locale("en"):
        found = suggestions.suggestions(request)
    assert found[0].offer.enterprise.name == "Лесмаш Сервис"
    assert "the same ОКПД 2 code 33.12.29" in found[0].reasons
    requests = db.session.scalars(
        sa.select(CooperationOffer).where(CooperationOffer.kind_of_entry == "request")
    )
    assert all(suggestions.suggestions(r) for r in requests)  # every demo request has partners

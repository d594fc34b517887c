"""Every stored web address is http(s): a `javascript:` website must never become a link on a public page."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from clusterhub.centers import services as tenancy
from clusterhub.core.refusal import Refusal
from clusterhub.core.urls import is_web_address, web_href
from clusterhub.enterprises.services.profiles import clean_profile
from clusterhub.events.services.agenda import save_agenda_item
from clusterhub.extensions import db
from clusterhub.technoparks.services import technoparks
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "/relative/path",
    "https://",
    "https://exa mple.ru",
    "https://example.ru/\x00",
    "ftp://example.ru/file",
]


@pytest.fixture(autouse=True)
def _request(request_context):
    yield


@pytest.mark.parametrize("address", HOSTILE)
def test_only_absolute_http_addresses_count_as_web_addresses(address):
    assert not is_web_address(address)
    assert web_href(address) == "#"


@pytest.mark.parametrize(
    "address", ["https://example.ru", "http://algraf.ru/o-nas?x=1", "HTTPS://EXAMPLE.RU"]
)
def test_ordinary_addresses_are_accepted(address):
    assert is_web_address(address)
    assert web_href(address) == address


@pytest.mark.parametrize("address", HOSTILE[:5])
def test_technopark_website_must_be_http(make_tenant, address):
    tenant = make_tenant("komi")
    with tenant_scope(db.session, tenant.id), pytest.raises(Refusal) as error:
        technoparks.create_technopark(
            {
                "name_ru": "Технопарк",
                "kind": "industrial",
                "region_id": tenant.region_id,
                "website": address,
            }
        )
    assert error.value.field == "website"
    assert "http" in str(error.value)


def test_technopark_website_https_is_kept(make_tenant):
    tenant = make_tenant("komi")
    with tenant_scope(db.session, tenant.id):
        technopark = technoparks.create_technopark(
            {
                "name_ru": "Технопарк",
                "kind": "industrial",
                "region_id": tenant.region_id,
                "website": "https://a.ru",
            }
        )
        assert technopark.website == "https://a.ru"


@pytest.mark.parametrize("address", HOSTILE[:5])
def test_center_website_must_be_http(make_tenant, address):
    tenant = make_tenant("komi")
    with pytest.raises(Refusal):
        tenancy.update_tenant(
            tenant,
            {
                "slug": "komi",
                "name_ru": tenant.name_ru,
                "name_en": tenant.name_en,
                "region_id": tenant.region_id,
                "website": address,
            },
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(Tenant.website).where(Tenant.slug == "komi")) is None


def test_center_website_in_tenant_file_must_be_http():
    with pytest.raises(ValueError):
        tenancy.TenantFile.model_validate(
            {
                "slug": "komi",
                "name_ru": "ЦКР Коми",
                "name_en": "CDC Komi",
                "region": "11",
                "website": "https://",
            }
        )


@pytest.mark.parametrize("address", ["javascript:alert(1)", "JAVASCRIPT:alert(1).x", "data:text/html,x"])
def test_enterprise_website_must_be_http(address):
    with pytest.raises(Refusal) as error:
        clean_profile({"website": address})
    assert error.value.field == "website"


@pytest.mark.parametrize("address", HOSTILE[:5])
def test_agenda_item_link_must_be_http(model_event, address):
    day = model_event.start_date
    with tenant_scope(db.session, model_event.tenant_id), pytest.raises(Refusal) as error:
        save_agenda_item(
            model_event,
            {
                "kind": "meal",
                "title_ru": "Ужин",
                "site_address_ru": "кафе",
                "starts_at": datetime(day.year, day.month, day.day, 19),
                "ends_at": datetime(day.year, day.month, day.day, 20),
                "linked_title": "Программа",
                "linked_url": address,
            },
        )
    assert error.value.field == "linked_url"


def test_a_stored_javascript_website_is_not_rendered_as_a_link(app, make_technopark, make_tenant):
    """Rows saved before the check existed: the page shows the text but links nowhere."""
    technopark = make_technopark()
    owner = app.config["OWNER_ENGINE"]
    with owner.begin() as connection:
        connection.execute(
            sa.text("UPDATE technoparks SET website = 'javascript:alert(1)' WHERE id = :id"),
            {"id": technopark.id},
        )
    response = app.test_client().get(f"/komi/technoparks/{technopark.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "javascript:alert(1)" in page
    assert 'href="javascript:' not in page

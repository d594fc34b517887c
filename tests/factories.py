"""Factory fixtures: build tenants, users and memberships through the services, as the app does."""

import pytest
import sqlalchemy as sa

from clusterhub.accounts.services import memberships as memberships_services
from clusterhub.accounts.services import users as users_services
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.tenancy import services as tenancy
from clusterhub.tenancy.models import Tenant

PASSWORD = "correct horse battery"
REGION_OF = {"komi": "11", "tatarstan": "16", "kaliningrad": "39", "mordovia": "13"}


@pytest.fixture
def make_tenant():
    def make(slug="komi", region="11", **values) -> Tenant:
        existing = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if existing is not None:
            return existing
        region_row = db.session.scalar(
            sa.select(Region).where(Region.tax_code == REGION_OF.get(slug, region))
        )
        tenant = tenancy.create_tenant(
            {
                "slug": slug,
                "name_ru": f"ЦКР {slug}",
                "name_en": f"CDC {slug}",
                "region_id": region_row.id,
                "default_locale": "ru",
                **values,
            }
        )
        db.session.commit()
        return tenant

    return make


@pytest.fixture
def make_user(make_tenant):
    counter = iter(range(1, 10_000))

    def make(role=None, tenant=None, email=None, name=None, locale=None):
        """``role``: a global role (platform_admin, federal_analyst), a tenant role with ``tenant``, or None."""
        n = next(counter)
        email = email or f"user{n}-{role or 'plain'}@example.com"
        global_role = role if role in ("platform_admin", "federal_analyst", "federal_reviewer") else None
        user = users_services.create_user(
            email, name or f"User {n}", PASSWORD, global_role=global_role, locale=locale
        )
        if role and not global_role:
            tenant = tenant or make_tenant("komi")
            memberships_services.add_membership(user, tenant, role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    def do(user, password=PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        if response.status_code != 302:
            import re

            errors = re.findall(r'invalid-feedback">([^<]*)<', response.get_data(as_text=True))
            raise AssertionError(f"login failed with {response.status_code}: {errors}")
        return response

    return do

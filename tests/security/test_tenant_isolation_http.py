"""The HTTP isolation sweep: walk the URL map; for every route under a tenant that takes an object id,
an administrator of tenant A asking for tenant B's object gets 404 for GET and POST, and B's data is
unchanged. New routes are covered without editing this file; an id argument the sweep cannot fill in
fails the test instead of being skipped."""

import re

import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.extensions import db
from tests.fixtures.generic_rows import RowBuilder, tenant_owned_models

# Object-id arguments whose name does not follow "<snake_case model name>_id".
ARGUMENT_MODELS: dict[str, str] = {
    "service_id": "ServiceOffer",
    "request_id": "ServiceRequest",
    "booking_id": "EquipmentBooking",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def model_for_argument(argument: str):
    models = {f"{_snake(m.__name__)}_id": m for m in tenant_owned_models()}
    models.update(
        {
            arg: next(m for m in tenant_owned_models() if m.__name__ == name)
            for arg, name in ARGUMENT_MODELS.items()
        }
    )
    return models.get(argument)


def tenant_object_routes(app):
    for rule in app.url_map.iter_rules():
        if "tenant" not in rule.arguments:
            continue
        object_args = [a for a in rule.arguments if a.endswith("_id")]
        if object_args:
            yield rule, object_args


def snapshot_of(app, tenant_id: int) -> dict:
    """Every tenant-owned row of the tenant, read as the owner (RLS does not apply to it)."""
    state = {}
    with app.config["OWNER_ENGINE"].connect() as conn:
        for model in tenant_owned_models():
            table = model.__table__
            rows = conn.execute(
                sa.select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.id)
            ).all()
            state[table.name] = [tuple(map(str, row)) for row in rows]
    return state


def test_every_object_route_answers_404_for_another_tenants_object(
    app, client, make_tenant, make_user, login
):
    a, b = make_tenant("komi"), make_tenant("tatarstan")
    admin_a = make_user("center_admin", tenant=a)
    rows = RowBuilder(make_user, {"a": a.id, "b": b.id})
    _token, secret = create_api_token(admin_a, "sweep")
    db.session.commit()
    b_id, a_slug = b.id, a.slug

    routes = list(tenant_object_routes(app))
    unfillable = sorted({arg for _rule, args in routes for arg in args if model_for_argument(arg) is None})
    assert not unfillable, f"the sweep cannot fill in {unfillable}: map them in ARGUMENT_MODELS"

    login(admin_a)
    checked = 0
    for rule, object_args in routes:
        values = {"tenant": a_slug}
        for arg in object_args:
            values[arg] = rows.build(model_for_argument(arg), b_id).id
        for arg in rule.arguments - set(values):
            values[arg] = 1 if "int" in type(rule._converters.get(arg, "")).__name__.lower() else "x"
        db.session.commit()
        before = snapshot_of(app, b_id)
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        headers = {"Authorization": f"Bearer {secret}"} if url.startswith("/api/") else {}
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(url, method=method, headers=headers, data={})
            assert response.status_code == 404, f"{method} {url} ({rule.endpoint}) -> {response.status_code}"
            checked += 1
        assert snapshot_of(app, b_id) == before, f"{rule.endpoint} changed tenant B's data"
    assert checked >= 3  # at least the foundation's own object routes were exercised

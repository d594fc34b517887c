"""The HTTP isolation sweep: walk the URL map; for every route under a tenant that takes an object id,
an administrator of tenant A asking for tenant B's object gets 404 for GET and POST, and B's data is
unchanged. New routes are covered without editing this file; an id argument the sweep cannot fill in
fails the test instead of being skipped."""

import functools
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
    """Every tenant-owned row of the tenant, read as the owner (RLS does not apply to it), in one statement:
    the sweep takes two snapshots per route, and one query per table made them most of its time."""
    state: dict[str, list[str]] = {}
    with app.config["OWNER_ENGINE"].connect() as conn:
        statement = _snapshot_statement(conn.dialect.name)
        for table_name, row in conn.execute(statement, {"tenant_id": tenant_id}):
            state.setdefault(table_name, []).append(row)
    return {table_name: sorted(rows) for table_name, rows in state.items()}


@functools.cache
def _snapshot_statement(dialect_name: str):
    as_text = sa.func.json_build_array if dialect_name == "postgresql" else sa.func.json_array
    return sa.union_all(
        *(
            sa.select(
                sa.literal(model.__table__.name).label("table_name"),
                as_text(*(sa.cast(column, sa.Text) for column in model.__table__.columns)).label("row"),
            ).where(model.__table__.c.tenant_id == sa.bindparam("tenant_id"))
            for model in tenant_owned_models()
        )
    )


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


def test_the_snapshot_sees_a_changed_value_and_a_deleted_row(app, make_tenant, make_user):
    """The sweep's evidence that B's data is unchanged: a snapshot that missed a change would pass any route."""
    b = make_tenant("tatarstan")
    rows = RowBuilder(make_user, {"b": b.id})
    model = next(m for m in tenant_owned_models() if m.__name__ == "Cluster")
    table, cluster_id, b_id = model.__table__, rows.build(model, b.id).id, b.id
    db.session.commit()
    before = snapshot_of(app, b_id)
    assert before[table.name]
    with app.config["OWNER_ENGINE"].begin() as conn:
        conn.execute(table.update().where(table.c.id == cluster_id).values(industry="changed by a route"))
    changed = snapshot_of(app, b_id)
    assert changed != before
    with app.config["OWNER_ENGINE"].begin() as conn:
        conn.execute(table.delete().where(table.c.id == cluster_id))
    assert table.name not in snapshot_of(app, b_id)

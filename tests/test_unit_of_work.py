"""The request owns the transaction: a view's successful return commits once, a refusal rolls back
everything the request wrote, and work queued for after the commit runs only when the data is stored."""

import pytest
import sqlalchemy as sa

from clusterhub import create_app
from clusterhub.accounts.authz import public
from clusterhub.accounts.models import User
from clusterhub.core.refusal import Refusal
from clusterhub.core.unit_of_work import after_commit
from clusterhub.extensions import db

ran = []


@pytest.fixture(scope="module")
def uow_app(app):
    """A second application on the same database, with routes that write and then succeed or refuse."""
    second = create_app(
        {"INSTANCE_PATH": app.instance_path}
        | {key: app.config[key] for key in ("DATABASE_URL", "TESTING", "BASE_URL")}
        | {"WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "PASSWORD_HASHING": "minimal"}
    )

    def add_person(email):
        db.session.add(User(email=email, full_name="Unit of Work"))
        db.session.flush()
        after_commit(lambda: ran.append(email))

    @second.post("/uow/kept")
    @public
    def kept():
        add_person("kept@example.org")
        return "stored"

    @second.post("/uow/refused")
    @public
    def refused():
        add_person("refused@example.org")
        raise Refusal("Нельзя: место занято", field="seat")

    @second.post("/api/uow/refused")
    @public
    def refused_api():
        add_person("refused-api@example.org")
        raise Refusal("Нельзя: место занято", field="seat")

    @second.post("/uow/caught")
    @public
    def caught():
        # A view that catches a refusal to show it on its form still commits nothing of the failed attempt.
        try:
            add_person("caught@example.org")
            raise Refusal("Нельзя")
        except Refusal:
            return "form shown again", 200

    yield second
    with second.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def stored(email):
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email))


def test_a_successful_view_is_committed_without_committing_itself(uow_app):
    ran.clear()
    response = uow_app.test_client().post("/uow/kept")
    assert response.status_code == 200
    assert stored("kept@example.org") == 1
    assert ran == ["kept@example.org"]


def test_a_refusal_rolls_back_what_the_request_wrote_and_says_why_on_the_page(uow_app):
    ran.clear()
    response = uow_app.test_client().post("/uow/refused")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/uow/refused")
    assert stored("refused@example.org") == 0
    assert ran == []


def test_a_refusal_in_the_api_is_a_422_naming_the_field(uow_app):
    response = uow_app.test_client().post("/api/uow/refused")
    assert response.status_code == 422
    assert response.get_json() == {"error": {"code": 422, "message": "Нельзя: место занято", "field": "seat"}}
    assert stored("refused-api@example.org") == 0


def test_a_refusal_caught_by_the_view_still_commits_nothing(uow_app):
    ran.clear()
    response = uow_app.test_client().post("/uow/caught")
    assert response.status_code == 200
    assert stored("caught@example.org") == 0
    assert ran == []

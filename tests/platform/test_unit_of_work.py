"""The request owns the transaction: a view's successful return commits once, a refusal rolls back
everything the request wrote, and work queued for after the commit runs only when the data is stored."""

import io

import pytest
import sqlalchemy as sa

from clusterhub import create_app
from clusterhub.accounts.models import User
from clusterhub.clusters.models import Cluster, ClusterDocument
from clusterhub.clusters.services.documents import add_document
from clusterhub.core.access import public
from clusterhub.core.refusal import Refusal, answered, expected_refusals
from clusterhub.core.unit_of_work import after_commit
from clusterhub.enterprises.models import Enterprise
from clusterhub.enterprises.services.profiles import set_logo
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope

ran = []
stored_keys: list[str] = []
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


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

    @second.get("/uow/seeded")
    @public
    def seeded():
        # A page that writes through a service on first use (default rounds): the service only flushes.
        add_person("seeded@example.org")
        return "shown"

    @second.post("/uow/checked")
    @public
    def checked():
        add_person("checked@example.org")
        with expected_refusals():  # e.g. a filter value that does not parse and is ignored
            try:
                raise Refusal("Не число", field="price_max")
            except Refusal:
                pass
        return "stored despite the ignored value"

    @second.post("/uow/answered")
    @public
    def answered_on_purpose():
        try:
            raise Refusal("Уже зарегистрирован", field="email")
        except Refusal as error:
            answered(error)  # e.g. the address's owner gets their ticket by mail instead
            add_person("answered@example.org")
        return "the same answer as a success"

    class TraceKept(Refusal):
        rolls_back = False
        status = 409

    @second.post("/uow/trace")
    @public
    def trace():
        add_person("trace@example.org")  # stands for the audit entry of an attempt on a signed protocol
        raise TraceKept("Протокол подписан")

    @second.post("/api/uow/trace")
    @public
    def trace_api():
        add_person("trace-api@example.org")
        raise TraceKept("Протокол подписан")

    @second.post("/uow/logo/<int:enterprise_id>/<outcome>")
    @public
    def replace_logo(enterprise_id, outcome):
        enterprise = db.session.get(Enterprise, enterprise_id)
        set_logo(enterprise, io.BytesIO(PNG + b"new"), "new.png", actor=None)
        if outcome == "refused":
            raise Refusal("Профиль не сохранён", field="full_name")
        return "replaced"

    @second.post("/uow/document/<int:tenant_id>/<int:cluster_id>/<outcome>")
    @public
    def add_cluster_document(tenant_id, cluster_id, outcome):
        with tenant_scope(db.session, tenant_id):
            cluster = db.session.get(Cluster, cluster_id)
            document = add_document(cluster, "other", io.BytesIO(PNG), "map.png", actor=None)
        stored_keys.append(document.storage_key)
        if outcome == "refused":
            raise Refusal("Кластер не сохранён", field="name")
        if outcome == "failed":
            raise RuntimeError("the view broke after the upload")
        if outcome == "commit-fails":
            db.session.add(User(email="kept@example.org", full_name="Duplicate"))  # unique e-mail, at commit
        return "stored"

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


def test_a_page_that_writes_through_a_service_is_committed_though_the_service_only_flushed(uow_app):
    assert uow_app.test_client().get("/uow/seeded").status_code == 200
    assert stored("seeded@example.org") == 1


def test_refusals_expected_by_the_view_do_not_roll_back_its_writes(uow_app):
    assert uow_app.test_client().post("/uow/checked").status_code == 200
    assert stored("checked@example.org") == 1


def test_a_refusal_the_view_answers_on_purpose_keeps_what_it_then_writes(uow_app):
    assert uow_app.test_client().post("/uow/answered").status_code == 200
    assert stored("answered@example.org") == 1


def test_a_refusal_that_keeps_its_trace_is_stored_and_answered_with_its_status(uow_app):
    response = uow_app.test_client().post("/uow/trace")
    assert response.status_code == 303
    assert stored("trace@example.org") == 1
    api = uow_app.test_client().post("/api/uow/trace")
    assert api.status_code == 409
    assert api.get_json() == {"error": {"code": 409, "message": "Протокол подписан"}}
    assert stored("trace-api@example.org") == 1


def test_a_refused_page_goes_back_to_the_page_of_this_site_the_form_was_on(uow_app):
    client = uow_app.test_client()
    back = client.post("/uow/refused", headers={"Referer": "http://localhost/uow/form?step=2"})
    assert back.status_code == 303 and back.headers["Location"] == "/uow/form?step=2"
    elsewhere = client.post("/uow/refused", headers={"Referer": "https://evil.example/uow/form"})
    assert elsewhere.headers["Location"] == "/uow/refused"


def test_a_replaced_logo_leaves_storage_only_once_the_replacement_is_committed(uow_app, app, make_enterprise):
    storage = app.extensions["storage"]
    enterprise = make_enterprise()
    set_logo(enterprise, io.BytesIO(PNG), "old.png", actor=None)
    db.session.commit()
    old_key, enterprise_id = enterprise.logo_key, enterprise.id
    assert storage.exists(old_key)

    client = uow_app.test_client()
    assert client.post(f"/uow/logo/{enterprise_id}/refused").status_code == 303
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise_id).logo_key == old_key
    assert storage.exists(old_key)  # the rolled-back request did not lose the logo its row points to
    assert storage.open(old_key).read() == PNG

    assert client.post(f"/uow/logo/{enterprise_id}/kept").status_code == 200
    db.session.expire_all()
    new_key = db.session.get(Enterprise, enterprise_id).logo_key
    assert new_key != old_key and storage.exists(new_key)
    assert not storage.exists(old_key)


def _cluster(make_tenant, make_cluster) -> tuple[int, int]:
    komi = make_tenant("komi")
    cluster = make_cluster(tenant=komi)
    with tenant_scope(db.session, komi.id):  # under Row-Level Security the row is read in its center
        return komi.id, cluster.id


@pytest.mark.parametrize("outcome", ["refused", "failed", "commit-fails"])
def test_a_file_stored_by_a_request_that_does_not_commit_leaves_the_storage(
    uow_app, app, make_tenant, make_cluster, outcome
):
    storage = app.extensions["storage"]
    tenant_id, cluster_id = _cluster(make_tenant, make_cluster)
    url = f"/uow/document/{tenant_id}/{cluster_id}/{outcome}"
    client = uow_app.test_client()
    if outcome == "commit-fails":
        client.post("/uow/kept")  # the e-mail the failing commit repeats
    stored_keys.clear()
    assert client.post(url).status_code == (303 if outcome == "refused" else 500)
    assert len(stored_keys) == 1
    assert not storage.exists(stored_keys[0])
    db.session.rollback()
    with tenant_scope(db.session, tenant_id):
        count = sa.select(sa.func.count()).select_from(ClusterDocument)
        assert db.session.scalar(count.where(ClusterDocument.cluster_id == cluster_id)) == 0


def test_a_file_stored_by_a_request_that_commits_stays(uow_app, app, make_tenant, make_cluster):
    tenant_id, cluster_id = _cluster(make_tenant, make_cluster)
    stored_keys.clear()
    assert uow_app.test_client().post(f"/uow/document/{tenant_id}/{cluster_id}/kept").status_code == 200
    assert app.extensions["storage"].open(stored_keys[0]).read() == PNG

"""Outgoing webhooks cannot be turned against the platform: a receiver's host name is resolved once per
delivery and the connection goes to that checked address (no DNS rebinding onto internal services), and
the subscriptions' signing secrets are stored encrypted, never in clear."""

import datetime as dt
import ipaddress
import logging
import socket
import ssl

import pytest
import requests.adapters
import sqlalchemy as sa
import urllib3.util.connection
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clusterhub.config import ConfigError, load_config
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub.webhooks import sealing
from clusterhub.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from clusterhub.webhooks.services import delivery as webhook_delivery
from clusterhub.webhooks.services import subscriptions
from tests.api.test_webhooks import Receiver, deliver, register, subscribe, verify

PUBLIC = "93.184.216.34"  # a global address; nothing is ever sent to it (connections are redirected)


class FakeDNS:
    """Replaces ``socket.getaddrinfo`` for the names it knows: each lookup of a name gets the next of its
    answers (the last one repeats), as a resolver of an attacker's zone would; other names resolve
    normally."""

    def __init__(self, monkeypatch, **answers):
        self.answers = {name.replace("_", "."): list(a) for name, a in answers.items()}
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in self.answers:
                return real(host, port, *args, **kwargs)
            self.lookups.append(host)
            queue = self.answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def public_only(app):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = None


def the_delivery(tenant) -> WebhookDelivery:
    with tenant_scope(db.session, tenant.id):
        return db.session.scalars(sa.select(WebhookDelivery)).one()


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["169.254.169.254"],
        [PUBLIC, "10.0.0.5"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["64:ff9b::a9fe:a9fe"],
    ],
    ids=[
        "loopback",
        "metadata",
        "one-private-among-public",
        "ipv6-loopback",
        "ipv4-mapped",
        "nat64-metadata",
    ],
)
def test_a_host_that_resolves_to_an_internal_address_at_delivery_is_refused_and_the_delivery_fails(
    monkeypatch, public_only, receiver, make_tenant, make_event, person, request_context, answer
):
    dns = FakeDNS(monkeypatch, hooks_example_ru=[answer])
    tenant = make_tenant("komi")
    subscribe(tenant, f"http://hooks.example.ru:{receiver.server.server_address[1]}/hook")
    register(make_event(tenant).id, person)
    assert deliver() == {"sent": 0, "retry": 0, "failed": 1}
    assert receiver.received == [] and dns.lookups == ["hooks.example.ru"]
    delivery = the_delivery(tenant)
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code is None
    private = ipaddress.ip_address(next(a for a in answer if a != PUBLIC))
    assert f"hooks.example.ru resolves to a non-public address ({private})" in delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:8080/",
        "https://[::1]/",
        "http://10.1.2.3/",
    ],
)
def test_an_address_that_names_an_internal_host_is_refused_when_subscribing(
    public_only, make_tenant, request_context, url
):
    tenant = make_tenant("komi")
    with (
        tenant_scope(db.session, tenant.id),
        pytest.raises(Refusal, match="только на публичные адреса") as refused,
    ):
        subscriptions.create_subscription("CRM", url, ["registration.created"], None)
    assert refused.value.field == "url"


def test_a_public_host_is_connected_to_at_the_address_checked_even_if_it_rebinds(
    monkeypatch, public_only, receiver, make_tenant, make_event, person, request_context
):
    """The name answers a public address, then 127.0.0.1 to any later lookup: the connection goes to the
    public address that was checked (redirected here to the local receiver), with the name as Host."""
    dns = FakeDNS(monkeypatch, hooks_example_ru=[[PUBLIC], ["127.0.0.1"]])
    port = receiver.server.server_address[1]
    connected = []
    real_connect = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        return real_connect(("127.0.0.1", port) if address[0] == PUBLIC else address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    tenant = make_tenant("komi")
    _id, secret = subscribe(tenant, f"http://hooks.example.ru:{port}/hook?crm=1")
    register(make_event(tenant).id, person)
    assert deliver() == {"sent": 1, "retry": 0, "failed": 0}
    assert connected == [(PUBLIC, port)] and dns.lookups == ["hooks.example.ru"]
    [got] = receiver.received
    assert got["headers"]["Host"] == f"hooks.example.ru:{port}" and got["path"] == "/hook?crm=1"
    assert verify(secret, got)


def _tls_receiver(tmp_path, name):
    """An HTTPS receiver on 127.0.0.1 whose certificate, from a throwaway CA, is valid for ``name`` only."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.sni = []
    context.sni_callback = lambda sock, server_name, ctx: server.sni.append(server_name)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    return server, str(tmp_path / "ca.pem")


def test_tls_is_checked_for_the_host_name_while_connecting_to_the_checked_address(
    monkeypatch, tmp_path, make_tenant, make_event, person, request_context
):
    receiver, ca = _tls_receiver(tmp_path, "hooks.example.ru")
    try:
        monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", ca)
        FakeDNS(monkeypatch, hooks_example_ru=[["127.0.0.1"]], other_example_ru=[["127.0.0.1"]])
        port = receiver.server.server_address[1]
        tenant = make_tenant("komi")
        subscribe(tenant, f"https://hooks.example.ru:{port}/hook", label="Good")
        register(make_event(tenant).id, person)
        assert deliver()["sent"] == 1
        assert receiver.sni == ["hooks.example.ru"] and len(receiver.received) == 1

        with tenant_scope(db.session, tenant.id):
            subscriptions.remove_subscription(subscriptions.subscriptions()[0], None)
            db.session.commit()
        subscribe(tenant, f"https://other.example.ru:{port}/hook", label="Wrong name")
        register(make_event(tenant).id, person)
        assert deliver()["retry"] == 1
        assert len(receiver.received) == 1
        assert "certificate" in the_delivery(tenant).last_error.lower()
    finally:
        receiver.close()


# --- secrets at rest -------------------------------------------------------------------------------------


def stored_secrets(app) -> list[str]:
    """The column as the database holds it (read as the owner, past the ORM and row-level security)."""
    with app.config["OWNER_ENGINE"].connect() as conn:
        return list(conn.scalars(sa.text("SELECT secret_encrypted FROM webhook_subscriptions ORDER BY id")))


def test_the_secret_is_stored_encrypted_and_deliveries_are_still_signed_with_it(
    app, receiver, make_tenant, make_event, person, request_context
):
    tenant = make_tenant("komi")
    _id, secret = subscribe(tenant, receiver.url())
    [stored] = stored_secrets(app)
    assert secret.startswith("whsec_") and secret not in stored and "whsec_" not in stored
    assert secret[len("whsec_") :] not in stored
    assert Fernet(sealing.derived_key(app.config["SECRET_KEY"])).decrypt(stored.encode()).decode() == secret
    register(make_event(tenant).id, person)
    assert deliver()["sent"] == 1
    assert verify(secret, receiver.received[0])


def test_a_wrong_key_sends_nothing_unsigned_says_why_and_the_right_key_resumes(
    app, caplog, monkeypatch, receiver, make_tenant, make_event, person, request_context
):
    tenant = make_tenant("komi")
    _id, secret = subscribe(tenant, receiver.url())
    register(make_event(tenant).id, person)
    new_key = Fernet.generate_key().decode()
    app.config["WEBHOOK_SECRETS_KEY"] = new_key
    # migrations/env.py's fileConfig() disabled the loggers that existed when the test database was built
    monkeypatch.setattr(logging.getLogger(webhook_delivery.__name__), "disabled", False)
    caplog.set_level(logging.ERROR, logger=webhook_delivery.__name__)
    try:
        assert deliver() == {"sent": 0, "retry": 1, "failed": 0}
        assert receiver.received == []
        error = the_delivery(tenant).last_error
        assert "cannot be decrypted with WEBHOOK_SECRETS_KEY" in error and "was the key changed?" in error
        assert any(r.levelname == "ERROR" and "cannot be decrypted" in r.getMessage() for r in caplog.records)

        # The old key kept after the new one: the stored secret opens again, and new secrets use the new key.
        old_key = sealing.derived_key(app.config["SECRET_KEY"]).decode()
        app.config["WEBHOOK_SECRETS_KEY"] = f"{new_key},{old_key}"
        assert deliver(now=the_delivery(tenant).next_attempt_at)["sent"] == 1
        assert verify(secret, receiver.received[0])
        with tenant_scope(db.session, tenant.id):
            renewed = subscriptions.renew_secret(db.session.get(WebhookSubscription, _id), None)
            db.session.commit()
        assert Fernet(new_key).decrypt(stored_secrets(app)[0].encode()).decode() == renewed
    finally:
        app.config["WEBHOOK_SECRETS_KEY"] = None


def test_a_malformed_secrets_key_stops_the_start_with_a_clear_message(tmp_path):
    with pytest.raises(ConfigError, match="WEBHOOK_SECRETS_KEY must be Fernet keys"):
        load_config(str(tmp_path), {"WEBHOOK_SECRETS_KEY": "not-a-key", "SECRET_KEY": "x" * 40})


def test_the_migration_encrypts_the_stored_secrets_and_its_downgrade_decrypts_them(app, make_tenant):
    from flask_migrate import downgrade, upgrade

    tenant_id = make_tenant("komi").id
    db.session.commit()
    db.session.remove()  # no open transaction may hold the table the migration alters
    plain = "whsec_" + "s" * 43
    try:
        downgrade(revision="0030_meeting_preferences")
        with app.config["OWNER_ENGINE"].begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO webhook_subscriptions (label, url, secret, events, active, created_at, tenant_id)"
                    " VALUES ('CRM', 'https://crm.example.ru/hook', :secret, '[]', true, :now, :tenant)"
                ),
                {"secret": plain, "now": dt.datetime(2026, 12, 4), "tenant": tenant_id},
            )
        upgrade()
        [stored] = stored_secrets(app)
        assert plain not in stored and sealing.unseal(stored) == plain
        downgrade(revision="0030_meeting_preferences")
        with app.config["OWNER_ENGINE"].connect() as conn:
            assert list(conn.scalars(sa.text("SELECT secret FROM webhook_subscriptions"))) == [plain]
    finally:
        upgrade()

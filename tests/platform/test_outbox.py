from datetime import timedelta

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage, OutboxStatus
from clusterhub.outbox.services import RETRY_DELAYS, enqueue, send_due
from clusterhub.tenancy.models import utcnow


class RecordingMailer:
    def __init__(self, fail_times=0):
        self.sent, self.fail_times, self.calls = [], fail_times, 0

    def send(self, message):
        self.calls += 1
        if self.calls <= self.fail_times:
            raise ConnectionRefusedError("mail server down")
        self.sent.append((message.recipient, message.subject, message.message_id))


def test_mail_is_written_with_the_change_and_rolled_back_with_it():
    enqueue("a@example.com", "Hello", "Body")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    enqueue("a@example.com", "Hello", "Body")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_a_failing_mail_server_loses_nothing_and_nothing_is_sent_twice():
    enqueue("a@example.com", "Hello", "Body")
    db.session.commit()
    mailer = RecordingMailer(fail_times=2)
    now = utcnow()
    assert send_due(mailer, now=now) == {"sent": 0, "retry": 1, "failed": 0}
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status == OutboxStatus.PENDING and "mail server down" in message.last_error
    # not due yet: nothing is tried before the backoff delay
    assert send_due(mailer, now=now) == {"sent": 0, "retry": 0, "failed": 0}
    later = now + RETRY_DELAYS[0] + timedelta(seconds=1)
    assert send_due(mailer, now=later)["retry"] == 1
    much_later = later + RETRY_DELAYS[1] + timedelta(seconds=1)
    assert send_due(mailer, now=much_later)["sent"] == 1
    assert send_due(mailer, now=much_later + timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(mailer.sent) == 1
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.attempts == 3


def test_after_the_last_retry_a_message_is_kept_as_failed():
    enqueue("a@example.com", "Hello", "Body")
    db.session.commit()
    mailer = RecordingMailer(fail_times=100)
    moment = utcnow()
    for _ in range(len(RETRY_DELAYS) + 1):
        send_due(mailer, now=moment)
        moment += timedelta(days=1)
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status == OutboxStatus.FAILED and message.attempts == len(RETRY_DELAYS) + 1


def test_the_worker_command_sends_queued_mail(app):
    enqueue("a@example.com", "Hello", "Body")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert db.session.scalars(sa.select(OutboxMessage.status)).one() == OutboxStatus.SENT


def test_the_worker_loop_touches_its_heartbeat_after_every_poll(app, tmp_path, monkeypatch):
    heartbeat = tmp_path / "heartbeat"
    polls = []

    class Stop(Exception):
        pass

    def sleep(seconds):  # the second poll's sleep ends the loop
        polls.append(heartbeat.stat().st_mtime_ns)  # raises if the poll did not touch the heartbeat
        if len(polls) == 2:
            raise Stop

    monkeypatch.setattr("clusterhub.cli.time.sleep", sleep)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--loop", "--heartbeat", str(heartbeat)])
    assert isinstance(result.exception, Stop) and len(polls) == 2
    assert heartbeat.exists()


def test_mail_is_rendered_in_the_recipients_language(make_tenant, make_user):
    from clusterhub.accounts.services.users import request_password_reset

    make_user(email="ru@example.com", locale="ru")
    make_user(email="en@example.com", locale="en")
    request_password_reset("ru@example.com")
    request_password_reset("en@example.com")
    db.session.commit()
    subjects = dict(db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.subject)).all())
    assert subjects["en@example.com"] == "Set a new ClusterHub password"
    assert (
        subjects["ru@example.com"] != subjects["en@example.com"]
        and "ClusterHub" in subjects["ru@example.com"]
    )


class SilentSmtpServer:
    """Accepts connections and never says a word: the mail server that starved the worker."""

    def __init__(self):
        import socket
        import threading

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        for connection in self.connections:
            connection.close()
        self.listener.close()


def test_a_silent_mail_server_costs_one_short_timeout_and_the_heartbeat_keeps_beating(app, tmp_path):
    from clusterhub.outbox.services import SmtpMailer

    for n in range(3):
        enqueue(f"user{n}@example.com", "Hello", "Body")
    db.session.commit()
    server = SilentSmtpServer()
    heartbeat = tmp_path / "worker-heartbeat"
    app.extensions["clusterhub.mailer"] = SmtpMailer(
        "127.0.0.1", server.port, sender="a@example.com", timeout=1
    )
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "send", "--heartbeat", str(heartbeat)])
    finally:
        del app.extensions["clusterhub.mailer"]
        server.close()
    assert result.exit_code == 0, result.output
    # the pass stops at the first unanswered message instead of waiting on every one of them
    assert "sent 0, retrying 1, failed 0" in result.output
    assert len(server.connections) == 1
    assert heartbeat.exists()  # touched after the message, not only after a whole pass
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.status for m in messages] == [OutboxStatus.PENDING] * 3
    assert "timed out" in messages[0].last_error and messages[1].attempts == 0


def test_the_smtp_timeout_comes_from_the_configuration():
    from clusterhub.outbox.services import mailer_from_config

    mailer = mailer_from_config(
        {"MAIL_SERVER": "smtp.example.com", "MAIL_PORT": 25, "MAIL_DEFAULT_SENDER": "a@b.c"}
    )
    assert mailer.timeout == 10
    configured = {
        "MAIL_SERVER": "smtp.example.com",
        "MAIL_PORT": 25,
        "MAIL_DEFAULT_SENDER": "a@b.c",
        "MAIL_TIMEOUT": 3,
    }
    assert mailer_from_config(configured).timeout == 3


def test_the_worker_waits_out_a_database_outage_instead_of_dying(app, monkeypatch):
    import sqlalchemy as sa

    from clusterhub.outbox import services as outbox

    calls = []

    def send_due(mailer, after_each=None):
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("terminating connection"))
        return {"sent": 1, "retry": 0, "failed": 0}

    class Stop(Exception):
        pass

    def sleep(seconds):
        if len(calls) >= 2:
            raise Stop

    monkeypatch.setattr(outbox, "send_due", send_due)
    monkeypatch.setattr("clusterhub.cli.time.sleep", sleep)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--loop", "--interval", "0"])

    assert isinstance(result.exception, Stop)  # still looping after the outage, stopped by the test
    assert len(calls) == 2
    assert "database unreachable" in result.output and "sent 1" in result.output


def test_a_request_during_a_database_outage_answers_503_with_retry_after(app, client, monkeypatch):
    import sqlalchemy as sa

    def down():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    down.access_rule = ("public",)
    monkeypatch.setitem(app.view_functions, "core.healthz", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "Please try again later" in response.get_data(as_text=True)

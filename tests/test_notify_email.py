"""Email against a real SMTP server (aiosmtpd on 127.0.0.1): failure, recovery and digest mails through the
notifier, STARTTLS with login, plain-words errors, and `autosync notify test email` end to end."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from autosync_desktop import events as ev
from autosync_desktop import secrets
from autosync_desktop.cli import main
from autosync_desktop.notify import (
    AccountFreshness,
    Backend,
    DeliveryResult,
    Dispatcher,
    NotifyConfig,
    deliver_once,
    messages,
)
from autosync_desktop.notify.messages import DigestTotals, RunFacts
from autosync_desktop.notify.redact import Redactor
from autosync_desktop.notify.registry import ChannelContext

NEXT_RUN = datetime(2026, 1, 16, 5, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every mail it receives."""

    def __init__(self) -> None:
        self.mails: list[tuple[Any, EmailMessage]] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._changed:
            self.mails.append((envelope, mail))
            self._changed.notify_all()
        return "250 Message accepted"

    def wait(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.mails) >= count, timeout)
            return [mail for _, mail in self.mails]


class SmtpServer:
    def __init__(self, **kwargs: Any) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def email_settings(port: int, **more: Any) -> dict[str, Any]:
    return {"notify.desktop.enabled": False, "notify.email.enabled": True, "notify.email.host": "127.0.0.1",
            "notify.email.port": port, "notify.email.security": "none", "notify.email.from": "autosync@example.com",
            "notify.email.to": "ops@example.com, tom@example.com", "notify.min_interval_minutes": 0, **more}


class FakeBackend:
    """The store side of the notifier, in memory; secrets come from the (memory) keyring."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.state: dict[str, Any] | None = None
        self.results: list[DeliveryResult] = []

    def run_facts(self, e: ev.RunFinished) -> RunFacts:
        return RunFacts(run_id=e.run_id, schedule=e.schedule, account=e.account, status=e.status, trigger=e.trigger,
                        at=e.at, error_class=e.error_class, error=e.error, retry_at=e.retry_at, next_run_at=NEXT_RUN,
                        rows=e.rows, sign_in_hint=messages.sign_in_command(e.account))

    def accounts(self) -> list[AccountFreshness]:
        return [AccountFreshness("Acme Ads", datetime.now(UTC), datetime(2026, 1, 1, tzinfo=UTC), expected=True,
                                 schedules=("Daily Acme",))]

    def backend(self) -> Backend:
        return Backend(settings=lambda: self.values, run_facts=self.run_facts, accounts=self.accounts,
                       totals=lambda since, until: DigestTotals(runs=14, succeeded=12, failed=2, rows=5120),
                       load_state=lambda: self.state, save_state=lambda data: setattr(self, "state", data),
                       save_result=self.results.append, secret_values=lambda: [],
                       channel_secret=secrets.load_channel_secret)


def finished(status: str, run_id: int, **kw: Any) -> ev.RunFinished:
    return ev.RunFinished(run_id=run_id, schedule="Daily Acme", account="Acme Ads", trigger="scheduled",
                          status=status, **kw)


def test_failure_recovery_and_digest_mails_through_the_notifier(smtp: SmtpServer, memory_keyring: dict) -> None:
    bus, fake = ev.EventBus(), FakeBackend(email_settings(smtp.port))
    notifier = Dispatcher(bus, fake.backend(), tick_s=3600, retry_delays=()).start()
    try:
        bus.publish(finished("failed", 41, error_class="Permanent",
                             error="Unknown account id 123-456-7890 (platform said: CUSTOMER_NOT_FOUND)"))
        bus.publish(finished("failed", 42, error_class="Permanent", error="Unknown account id 123-456-7890"))
        assert notifier.flush()
        mails = smtp.inbox.wait(1)
        assert len(mails) == 1  # the retry that failed the same way sent nothing
        failure = mails[0]
        assert failure["From"] == "autosync@example.com"
        assert failure["To"] == "ops@example.com, tom@example.com"
        assert failure["Subject"] == "[AutoSync] Sync failed: Daily Acme (Acme Ads)"
        assert failure["X-AutoSync-Event"] == "failure"
        body = failure.get_content()
        assert "What failed: schedule 'Daily Acme' of account 'Acme Ads', run 41" in body
        assert "the platform refused the request: Unknown account id 123-456-7890" in body
        assert f"The next scheduled run is at {messages.when(NEXT_RUN)}." in body
        assert "Check the account id" in body and "autosync accounts test 'Acme Ads'" in body
        envelope = smtp.inbox.mails[0][0]
        assert envelope.mail_from == "autosync@example.com"
        assert envelope.rcpt_tos == ["ops@example.com", "tom@example.com"]

        bus.publish(finished("succeeded", 43, rows=880))
        assert notifier.flush()
        recovery = smtp.inbox.wait(2)[1]
        assert recovery["Subject"] == "[AutoSync] Sync recovered: Daily Acme (Acme Ads)"
        assert "after 2 failed runs" in recovery.get_content()
        assert "Rows written:" in recovery.get_content() and "880" in recovery.get_content()

        fake.values.update({"notify.email.digest": True, "notify.email.digest_at": "00:00"})
        bus.publish(finished("failed", 44, error_class="Transient", error="HTTP 503"))  # digest-only from now on
        notifier.tick_now()
        assert notifier.flush()
        mails = smtp.inbox.wait(3)
        assert len(mails) == 3
        digest = mails[2]
        assert digest["Subject"].startswith("[AutoSync] AutoSync daily digest ")
        assert "2 failures, 1 recovery, 1 still failing" in digest["Subject"]
        text = digest.get_content()
        assert "14 runs, 12 succeeded, 2 failed, 5120 rows written" in text
        assert "Still failing:" in text and "Daily Acme (Acme Ads)" in text
        assert "Sync failed: Daily Acme (Acme Ads)" in text and "Sync recovered: Daily Acme (Acme Ads)" in text
        assert [r.ok for r in fake.results] == [True, True, True]
        assert fake.results[0].message == f"Sent to ops@example.com, tom@example.com via 127.0.0.1:{smtp.port} " \
                                          "(no encryption)"
    finally:
        notifier.stop()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def test_starttls_with_login_and_plain_words_errors(tls_files: tuple[Path, Path], memory_keyring: dict,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = tls_files
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"correct-smtp-password", handled=False)  # False: reply 535

    secrets.save_channel_secret("email", "password", "correct-smtp-password")
    with SmtpServer(tls_context=server_tls, require_starttls=True, authenticator=authenticator) as server:
        config = NotifyConfig.from_values(email_settings(server.port, **{
            "notify.email.security": "starttls", "notify.email.username": "autosync"}))
        ctx = ChannelContext(config, secrets.load_channel_secret, timeout_s=5)
        note = messages.channel_test("email", datetime.now(UTC))

        untrusted, _ = deliver_once("email", note, ctx, Redactor())  # the self-signed certificate is not trusted
        assert not untrusted.ok
        assert untrusted.message.startswith("The TLS certificate of 127.0.0.1 could not be verified")

        monkeypatch.setattr("autosync_desktop.notify.email.default_tls_context",
                            lambda: ssl.create_default_context(cafile=str(cert)))
        result, _ = deliver_once("email", note, ctx, Redactor())
        assert result.ok, result.message
        assert result.message == f"Sent to ops@example.com, tom@example.com via 127.0.0.1:{server.port} (STARTTLS)"
        mail = server.inbox.wait(1)[0]
        assert mail["Subject"] == "[AutoSync] AutoSync test message"
        assert "'autosync notify test email'" in mail.get_content()
        assert logins == [(b"autosync", b"correct-smtp-password")]

        secrets.save_channel_secret("email", "password", "wrong-smtp-password")
        refused, retryable = deliver_once("email", note, ctx, Redactor())
        assert not refused.ok and not retryable
        assert refused.message.startswith(f"The mail server 127.0.0.1:{server.port} refused the user name or "
                                          "password (535")
        assert "wrong-smtp-password" not in refused.message

        plain = NotifyConfig.from_values(email_settings(server.port, **{"notify.email.username": "autosync"}))
        no_tls, _ = deliver_once("email", note, ChannelContext(plain, secrets.load_channel_secret, 5), Redactor())
        assert not no_tls.ok  # the server offers login only after STARTTLS
        assert no_tls.message.startswith(f"The mail server 127.0.0.1:{server.port} does not offer login on this "
                                         "connection")


def cli(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_notify_test_email_end_to_end(smtp: SmtpServer, tmp_path: Path, memory_keyring: dict,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    for key, value in (("notify.email.host", "127.0.0.1"), ("notify.email.port", str(smtp.port)),
                       ("notify.email.security", "none"), ("notify.email.from", "autosync@example.com"),
                       ("notify.email.to", "ops@example.com")):
        assert cli(data, capsys, "settings", "set", key, value)[0] == 0
    code, out, err = cli(data, capsys, "settings", "set", "notify.email.to", "ops at example")
    assert code == 2 and "notify.email.to: email addresses separated by commas" in err

    code, out, err = cli(data, capsys, "notify", "test", "email")
    assert code == 0, err
    assert out.startswith(f"Sent to ops@example.com via 127.0.0.1:{smtp.port} (no encryption). Note: email "
                          "notifications are off; turn them on with 'autosync settings set notify.email.enabled on'")
    mail = smtp.inbox.wait(1)[0]
    assert mail["Subject"] == "[AutoSync] AutoSync test message" and mail["To"] == "ops@example.com"
    assert "This is a test message from AutoSync Desktop" in mail.get_content()

    assert cli(data, capsys, "settings", "set", "notify.email.enabled", "on")[0] == 0
    code, out, _ = cli(data, capsys, "notify", "test", "email")
    assert code == 0 and out.strip() == f"Sent to ops@example.com via 127.0.0.1:{smtp.port} (no encryption)"

    closed = free_port()
    assert cli(data, capsys, "settings", "set", "notify.email.port", str(closed))[0] == 0
    code, out, err = cli(data, capsys, "notify", "test", "email")
    assert code == 2 and out == ""
    assert err.strip() == (f"autosync: email: Could not connect to the mail server 127.0.0.1:{closed} (connection "
                           "refused); check notify.email.host and notify.email.port")

    code, out, _ = cli(data, capsys, "notify", "list")
    assert code == 0
    assert f"ops@example.com via 127.0.0.1:{closed} (no encryption)" in out
    assert "last email:" in out and "FAILED (test): Could not connect to the mail server" in out
    assert "Nobody sends notifications right now" in out

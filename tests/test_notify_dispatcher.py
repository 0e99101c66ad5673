"""The notifier never blocks or fails a sync: publishing returns while a channel hangs, failing channels are
recorded and logged, a Demo sync through the service layer succeeds with a broken channel, a failing run
reaches a working channel end to end, and no secret ends up in a message, a log line or the database."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop import events as ev
from autosync_desktop import secrets
from autosync_desktop.cli import main
from autosync_desktop.connectors.base import Permanent
from autosync_desktop.notify import AccountFreshness, Backend, DeliveryResult, Dispatcher, Notification, messages
from autosync_desktop.notify.messages import DigestTotals, RunFacts
from autosync_desktop.services import Services, UserError
from autosync_desktop.store.models import Account
from tests.fakes.server import FakeApi, Reply, Request

SIGNING_SECRET = "whsec-shared-0123456789"


class Receiver(FakeApi):
    def __init__(self, reply: Reply | None = None) -> None:
        super().__init__()
        self.reply = reply or Reply(200, "ok")

    def handle(self, req: Request) -> Reply:
        return self.reply


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeBackend:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = {"notify.desktop.enabled": False, "notify.min_interval_minutes": 0, **values}
        self.results: list[DeliveryResult] = []
        self.recorded = threading.Event()

    def save_result(self, result: DeliveryResult) -> None:
        self.results.append(result)
        self.recorded.set()

    def backend(self) -> Backend:
        def facts(e: ev.RunFinished) -> RunFacts:
            return RunFacts(run_id=e.run_id, schedule=e.schedule, account=e.account, status=e.status,
                            trigger=e.trigger, at=e.at, error_class=e.error_class, error=e.error)

        accounts = [AccountFreshness("Acme Ads", None, datetime.now(UTC), expected=True, schedules=("A", "B", "C"))]
        return Backend(settings=lambda: self.values, run_facts=facts, accounts=lambda: accounts,
                       totals=lambda since, until: DigestTotals(), load_state=lambda: None,
                       save_state=lambda data: None, save_result=self.save_result, secret_values=lambda: [],
                       channel_secret=secrets.load_channel_secret)


def failed(schedule: str, run_id: int = 1) -> ev.RunFinished:
    return ev.RunFinished(run_id=run_id, schedule=schedule, account="Acme Ads", trigger="scheduled", status="failed",
                          error_class="Transient", error="HTTP 503")


def test_publish_returns_while_a_channel_hangs_and_other_channels_keep_going(memory_keyring: dict) -> None:
    entered, release = threading.Event(), threading.Event()
    shown: list[Notification] = []

    def hanging_sink(n: Notification) -> None:  # the desktop channel blocks until the test lets it go
        entered.set()
        release.wait(10)
        shown.append(n)

    secrets.save_channel_secret("webhook", "secret", SIGNING_SECRET)
    with Receiver() as hook:
        fake = FakeBackend({"notify.desktop.enabled": True, "notify.webhook.enabled": True,
                            "notify.webhook.url": f"{hook.base_url}/hook"})
        bus = ev.EventBus()
        notifier = Dispatcher(bus, fake.backend(), tick_s=3600, retry_delays=(), desktop_sink=hanging_sink).start()
        try:
            bus.publish(failed("A"))
            assert entered.wait(5), "the desktop delivery should have started"
            bus.publish(failed("B", 2))  # the publisher (the engine's thread) does not wait for the hanging channel
            returned_while_hanging = not release.is_set()
            # the webhook is not stuck behind the desktop channel either
            for _ in range(100):
                if len(hook.calls("/hook")) == 2:
                    break
                threading.Event().wait(0.05)
            webhook_done_while_hanging = len(hook.calls("/hook")) == 2 and not release.is_set()
            release.set()
            assert returned_while_hanging
            assert webhook_done_while_hanging
            assert notifier.flush()
            assert [n.title for n in shown] == ["Sync failed: A (Acme Ads)", "Sync failed: B (Acme Ads)"]
            assert {(r.channel, r.ok) for r in fake.results} == {("desktop", True), ("webhook", True)}
        finally:
            release.set()
            notifier.stop()


@pytest.mark.parametrize(("reply", "expected"), [
    (None, "Could not connect to The webhook (127.0.0.1:{port}): connection refused"),
    (Reply(500, "internal error"), "The webhook answered HTTP 500 (internal error)"),
    (Reply(200, "late", delay_s=1.5), "The webhook (127.0.0.1:{port}) did not answer within 0.5 s"),
], ids=["server-down", "http-500", "timeout"])
def test_a_failing_channel_is_retried_recorded_and_logged(memory_keyring: dict, caplog: pytest.LogCaptureFixture,
                                                          reply: Reply | None, expected: str) -> None:
    secrets.save_channel_secret("webhook", "secret", SIGNING_SECRET)
    caplog.set_level(logging.INFO, logger="autosync_desktop.notify")
    server = Receiver(reply) if reply else None
    if server:
        server.__enter__()
    try:
        port = int(server.base_url.rsplit(":", 1)[1]) if server else closed_port()
        fake = FakeBackend({"notify.webhook.enabled": True, "notify.webhook.url": f"http://127.0.0.1:{port}/hook"})
        bus = ev.EventBus()
        notifier = Dispatcher(bus, fake.backend(), tick_s=3600, timeout_s=0.5, retry_delays=(0.05,)).start()
        try:
            bus.publish(failed("A"))
            assert notifier.flush()
        finally:
            notifier.stop()
        [result] = fake.results
        assert not result.ok and result.message == expected.format(port=port)
        if server:
            assert len(server.calls("/hook")) == 2  # one retry for a failure that may pass
        assert f"notification 'Sync failed: A (Acme Ads)' via webhook failed: {result.message}" in caplog.text
        assert "trying again in 0 s" in caplog.text
    finally:
        if server:
            server.__exit__(None, None, None)


def test_a_setup_problem_is_recorded_at_once_without_retries(memory_keyring: dict) -> None:
    fake = FakeBackend({"notify.slack.enabled": True, "notify.desktop.enabled": True})
    notifier = Dispatcher(ev.EventBus(), fake.backend(), tick_s=3600, retry_delays=(30.0,))
    notifier.start()
    try:
        notifier.bus.publish(failed("A"))
        assert fake.recorded.wait(5)  # not after 30 s: a missing URL will not appear by waiting
        assert notifier.flush()
        # no window in this process: the desktop channel is skipped, not recorded as a failure every time
        assert [(r.channel, r.ok) for r in fake.results] == [("slack", False)]
        assert fake.results[0].message.startswith("No Slack webhook URL in the keyring")
    finally:
        notifier.stop()


def test_needs_sign_in_through_the_engine_is_one_message(tmp_path: Path, memory_keyring: dict,
                                                       scripted: Any) -> None:
    from autosync_desktop.connectors.base import ReauthRequired

    svc = Services.open(tmp_path / "data", kind="service")
    secrets.save_channel_secret("webhook", "secret", SIGNING_SECRET)  # recorded in this store: it is read
    with Receiver() as hook:
        try:
            svc.accounts.add("scripted", "Scripted Co")
            svc.schedules.add("Hourly Scripted", "Scripted Co", frequency="interval", every_minutes=60)
            _enable_webhook(svc, f"{hook.base_url}/hook")
            svc.start_scheduler()
            scripted.failures = [ReauthRequired("The refresh token was revoked (invalid_grant)")]
            run_id = svc.runs.request("Hourly Scripted").run_id
            assert svc.runs.wait(run_id, poll_s=0.05, timeout_s=20).status == "failed"
            assert svc.notifier is not None and svc.notifier.flush()
            [event] = [json.loads(r.body) for r in hook.calls("/hook")]
            assert event["event"] == "sign_in" and event["title"] == "Sign-in needed: Scripted Co"
            assert "The refresh token was revoked" in event["summary"]
            assert event["details"]["What to do"].startswith("Sign in again: ")
        finally:
            svc.close()


# --- through the service layer ----------------------------------------------------------------------------------

def _enable_webhook(svc: Services, url: str, **more: str) -> None:
    for key, value in {"notify.desktop.enabled": "off", "notify.webhook.enabled": "on", "notify.webhook.url": url,
                       "notify.min_interval_minutes": "0", "retry.max_attempts": "1", **more}.items():
        svc.settings.set(key, value)


def test_a_demo_sync_succeeds_while_the_configured_channel_is_down(tmp_path: Path, memory_keyring: dict,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("autosync_desktop.notify.dispatcher.RETRY_DELAYS_S", ())
    svc = Services.open(tmp_path / "data", kind="service")
    secrets.save_channel_secret("webhook", "secret", SIGNING_SECRET)  # recorded in this store: it is read
    try:
        svc.accounts.add("demo", "Demo", options={"latency_ms": "0", "history_days": "5"})
        _enable_webhook(svc, f"http://127.0.0.1:{closed_port()}/hook", **{"notify.webhook.on_success": "on"})
        svc.start_scheduler()
        assert svc.notifier is not None
        request = svc.runs.request("Demo")
        run = svc.runs.wait(request.run_id, poll_s=0.05, timeout_s=20)
        assert run.status == "succeeded" and run.rows > 0
        assert svc.notifier.flush()
        webhook = next(c for c in svc.notifications.channels().channels if c.name == "webhook")
        assert webhook.last_result is not None and webhook.last_result.ok is False
        assert webhook.last_result.message.startswith("Could not connect to The webhook (127.0.0.1:")
        assert webhook.last_result.title == "Sync succeeded: account Demo"
        assert svc.notifications.channels().sender == "this process"
    finally:
        svc.close()
    assert svc.notifier is None


def test_a_failing_run_reaches_a_working_channel_end_to_end(tmp_path: Path, memory_keyring: dict,
                                                           scripted: Any) -> None:
    svc = Services.open(tmp_path / "data", kind="service")
    secrets.save_channel_secret("webhook", "secret", SIGNING_SECRET)  # recorded in this store: it is read
    with Receiver() as hook:
        try:
            svc.accounts.add("scripted", "Scripted Co")
            svc.schedules.add("Hourly Scripted", "Scripted Co", frequency="interval", every_minutes=60)
            _enable_webhook(svc, f"{hook.base_url}/hook")
            svc.start_scheduler()
            scripted.failures = [Permanent("Unknown account id 42"), Permanent("Unknown account id 42")]
            for _ in range(2):  # the second failure is the same problem: no second message
                run_id = svc.runs.request("Hourly Scripted").run_id
                assert svc.runs.wait(run_id, poll_s=0.05, timeout_s=20).status == "failed"
            run_id = svc.runs.request("Hourly Scripted").run_id
            assert svc.runs.wait(run_id, poll_s=0.05, timeout_s=20).status == "succeeded"
            assert svc.notifier is not None and svc.notifier.flush()
            events = [json.loads(r.body) for r in hook.calls("/hook")]
            assert [e["event"] for e in events] == ["failure", "recovery"]
            failure = events[0]
            assert failure["title"] == "Sync failed: Hourly Scripted (Scripted Co)"
            assert failure["details"]["Error"] == "the platform refused the request: Unknown account id 42"
            assert failure["details"]["Next try"].startswith("The next scheduled run is at ")
            assert "Check the account id" in failure["details"]["What to do"]
            assert events[1]["facts"]["failed_runs"] == 2
            assert svc.notifications.channels().failing == ()
        finally:
            svc.close()


def test_no_secret_in_messages_logs_or_the_database(tmp_path: Path, memory_keyring: dict,
                                                    caplog: pytest.LogCaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("autosync_desktop.notify.dispatcher.RETRY_DELAYS_S", ())
    account_token = "opensesame-account-access-token"  # no digits: only the keyring-value net catches it
    refresh = "1//0gRefreshTokenValue-abcdef"
    smtp_password = "smtp-password-for-autosync"
    twilio_token = "twilio-auth-token-0123456789abcdef"
    slack_path = "/services/T0001/B0002/SlackSecretPath"
    every_secret = [account_token, refresh, smtp_password, twilio_token, SIGNING_SECRET, "SlackSecretPath"]
    data = tmp_path / "data"
    svc = Services.open(data, kind="service")
    with Receiver() as hook, Receiver(Reply(500, f"echo {twilio_token}")) as twilio:
        try:
            Account.create(name="Acme Meta", platform="meta_ads", external_id="123", auth_state="ok")
            secrets.save_credentials("Acme Meta", {"access_token": account_token, "refresh_token": refresh})
            secrets.save_channel_secret("email", "password", smtp_password)
            secrets.save_channel_secret("slack", "url", f"{hook.base_url}{slack_path}")
            secrets.save_channel_secret("sms", "auth_token", twilio_token)
            secrets.save_channel_secret("webhook", "secret", SIGNING_SECRET)
            _enable_webhook(svc, f"{hook.base_url}/hook", **{
                "notify.slack.enabled": "on", "notify.sms.enabled": "on", "notify.sms.api_base": twilio.base_url,
                "notify.sms.account_sid": "AC0123456789abcdef0123456789abcdef", "notify.sms.from": "+15550001111",
                "notify.sms.to": "+15552223333", "notify.email.enabled": "on",
                "notify.email.host": "127.0.0.1", "notify.email.port": str(closed_port()),
                "notify.email.security": "none", "notify.email.username": "autosync",
                "notify.email.from": "a@example.com", "notify.email.to": "b@example.com"})
            svc.start_scheduler()
            assert svc.notifier is not None
            svc.bus.publish(ev.RunFinished(
                run_id=77, schedule=None, account="Acme Meta", trigger="manual", status="failed",
                error_class="ReauthRequired",
                error=f"GET /act_123?access_token={account_token} refused; refresh {refresh}; "
                      f"smtp {smtp_password}; hook {hook.base_url}{slack_path}"))
            assert svc.notifier.flush()
            errors = []
            for channel in ("email", "sms"):  # test messages that fail: the error shown to the user
                with pytest.raises(UserError) as failure:
                    svc.notifications.test(channel)
                errors.append(str(failure.value))
            results = [asdict(c.last_result) | {"at": c.last_result.at.isoformat()}
                       for c in svc.notifications.channels().channels if c.last_result]
        finally:
            svc.close()
        bodies = [r.body.decode() for r in hook.calls()] + [r.body.decode() for r in twilio.calls()]
    assert len(hook.calls()) == 2 and len(twilio.calls()) == 2  # slack + webhook; the SMS alert + the SMS test
    assert "twilio-auth-token" not in errors[1] and errors[1].startswith("sms: Twilio answered HTTP 500 (echo ")
    texts = {"messages": "\n".join(bodies), "logs": caplog.text, "errors": "\n".join(errors),
             "results": json.dumps(results)}
    db_bytes = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("autosync.db"))
    for secret in every_secret:
        for where, text in texts.items():
            assert secret not in text, f"{secret!r} leaked into {where}"
        assert secret.encode() not in db_bytes, f"{secret!r} leaked into the database"
    assert "[redacted]" in texts["messages"] and "[redacted]" in texts["results"]
    assert {r["channel"] for r in results} == {"email", "slack", "webhook", "sms"}


def test_cli_notify_list_and_set_secret(tmp_path: Path, memory_keyring: dict, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = str(tmp_path / "data")
    url = "https://hooks.slack.com/services/T0001/B0002/CliSecretPath"
    monkeypatch.setattr("sys.stdin", io.StringIO(url + "\n"))
    assert main(["--data-dir", data, "notify", "set-secret", "slack"]) == 0
    assert capsys.readouterr().out.strip() == "Stored the Slack incoming-webhook URL in the keyring"
    assert secrets.load_channel_secret("slack", "url") == url
    monkeypatch.setattr("sys.stdin", io.StringIO("not a url\n"))
    assert main(["--data-dir", data, "notify", "set-secret", "webhook", "--url"]) == 2
    assert "must start with https://" in capsys.readouterr().err
    assert main(["--data-dir", data, "settings", "set", "notify.slack.enabled", "on"]) == 0
    assert main(["--data-dir", data, "settings", "set", "notify.quiet_start", "22:00"]) == 0
    assert main(["--data-dir", data, "settings", "set", "notify.quiet_end", "07:00"]) == 0
    assert main(["--data-dir", data, "settings", "set", "notify.quiet_end", "7am"]) == 2
    capsys.readouterr()

    assert main(["--data-dir", data, "notify", "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert "CliSecretPath" not in out
    info = json.loads(out)
    slack = next(c for c in info["channels"] if c["name"] == "slack")
    assert slack == {"name": "slack", "enabled": True, "ready": True, "problem": None,
                     "target": "Slack incoming webhook (hooks.slack.com)",
                     "sends": ["failure", "recovery", "stale", "sign_in"], "last_result": None}
    assert info["quiet_hours"] == "22:00–07:00" and info["sender"] is None
    assert [c["name"] for c in info["channels"]] == ["desktop", "email", "slack", "webhook", "sms"]

    assert main(["--data-dir", data, "notify", "set-secret", "slack", "--clear"]) == 0
    assert secrets.load_channel_secret("slack", "url") is None
    assert main(["--data-dir", data, "notify", "list"]) == 0
    assert "slack: No Slack webhook URL in the keyring" in capsys.readouterr().out


def test_settings_declared_for_every_channel() -> None:
    from autosync_desktop.notify.config import CHANNEL_NAMES, TOGGLES
    from autosync_desktop.store import settings

    assert tuple(settings.NOTIFY_CHANNELS) == CHANNEL_NAMES
    for channel in CHANNEL_NAMES:
        for toggle in ("enabled", *(f"on_{t}" for t in TOGGLES)):
            assert settings.spec_for(f"notify.{channel}.{toggle}").kind is bool
    assert messages.KINDS  # the message kinds the toggles govern exist

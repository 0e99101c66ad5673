"""Slack, the signed webhook and Twilio SMS against loopback HTTP servers: what they receive, how they
authenticate, and the plain-words errors (with no secret in them)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from autosync_desktop import secrets
from autosync_desktop.notify import NotifyConfig, deliver_once, messages
from autosync_desktop.notify.messages import Notification, RunFacts
from autosync_desktop.notify.redact import Redactor
from autosync_desktop.notify.registry import ChannelContext
from autosync_desktop.notify.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.fakes.server import FakeApi, Reply, Request

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "twilio-auth-token-0123456789abcdef"


class Receiver(FakeApi):
    def __init__(self, reply: Reply | None = None) -> None:
        super().__init__()
        self.reply = reply or Reply(200, "ok")

    def handle(self, req: Request) -> Reply:
        return self.reply


def failure() -> Notification:
    return messages.failure(RunFacts(
        run_id=9, schedule="Daily Acme", account="Acme Ads", status="failed", trigger="scheduled",
        at=datetime(2026, 1, 15, 9, 0, tzinfo=UTC), error_class="Transient", error="HTTP 503 from the platform",
        next_run_at=datetime(2026, 1, 16, 5, 0, tzinfo=UTC)), UTC)


def send(channel: str, values: dict[str, Any], n: Notification | None = None) -> tuple[bool, str]:
    ctx = ChannelContext(NotifyConfig.from_values(values), secrets.load_channel_secret, timeout_s=2)
    result, _ = deliver_once(channel, n or failure(), ctx, Redactor())
    return result.ok, result.message


# --- Slack ----------------------------------------------------------------------------------------------------

def test_slack_incoming_webhook_gets_text_and_blocks(memory_keyring: dict) -> None:
    with Receiver() as slack:
        secrets.save_channel_secret("slack", "url", f"{slack.base_url}/services/T0001/B0002/SlackSecretPath42")
        ok, message = send("slack", {})
        assert ok and message == f"Sent to Slack ({slack.base_url.removeprefix('http://')})"
        [req] = slack.calls()
        assert req.path == "/services/T0001/B0002/SlackSecretPath42"
        assert req.headers["content-type"] == "application/json"
        body = req.json()
        assert body["text"].startswith("🔴 Sync failed: Daily Acme (Acme Ads): The scheduled sync")
        assert body["blocks"][0] == {"type": "header", "text": {"type": "plain_text",
                                                                "text": "Sync failed: Daily Acme (Acme Ads)"}}
        fields = [f["text"] for f in body["blocks"][2]["fields"]]
        assert "*Error*\na temporary network or platform problem: HTTP 503 from the platform" in fields
        assert any(f.startswith("*What to do*\nUsually this fixes itself") for f in fields)

        slack.reply = Reply(404, "no_service")
        ok, message = send("slack", {})
        assert not ok
        assert message == ("Slack answered HTTP 404 (no_service); the webhook no longer exists: create a new incoming "
                           "webhook and store the webhook URL with 'autosync notify set-secret slack'")
        assert "SlackSecretPath42" not in message


def test_slack_without_url_or_over_plain_http_is_refused(memory_keyring: dict) -> None:
    ok, message = send("slack", {})
    assert not ok and message.startswith("No Slack webhook URL in the keyring")
    secrets.save_channel_secret("slack", "url", "http://hooks.example.com/services/T/B/PlainHttpSecret")
    ok, message = send("slack", {})
    assert not ok and message.startswith("The Slack webhook URL must start with https://")
    assert "PlainHttpSecret" not in message


# --- signed webhook -------------------------------------------------------------------------------------------

def test_webhook_posts_signed_json_that_verifies_only_with_the_secret(memory_keyring: dict) -> None:
    secret = "whsec-shared-0123456789"
    secrets.save_channel_secret("webhook", "secret", secret)
    with Receiver(Reply(204, b"")) as hook:
        ok, message = send("webhook", {"notify.webhook.url": f"{hook.base_url}/autosync"})
        assert ok, message
        assert message == f"Sent to {hook.base_url}/autosync (HTTP 204), signed with X-AutoSync-Signature"
        [req] = hook.calls("/autosync")
        signature = req.headers[SIGNATURE_HEADER.lower()]
        assert signature.startswith("sha256=") and len(signature) == 7 + 64
        assert verify(secret, req.body, signature)
        assert not verify("wrong-secret", req.body, signature)
        assert not verify(secret, req.body.replace(b"Acme", b"Evil"), signature)  # a changed body fails
        assert not verify(secret, req.body, None)
        payload = json.loads(req.body)
        assert payload["timestamp"] == int(req.headers[TIMESTAMP_HEADER.lower()])  # the signed body holds it too
        assert payload["event"] == "failure" and payload["severity"] == "error"
        assert payload["facts"]["run_id"] == 9 and payload["facts"]["schedule"] == "Daily Acme"
        assert payload["details"]["Next try"].startswith("The next scheduled run is at 2026-01-16")
        assert secret not in req.body.decode()


def test_webhook_url_with_a_token_lives_in_the_keyring_and_is_never_shown(memory_keyring: dict) -> None:
    secrets.save_channel_secret("webhook", "secret", "whsec-shared-0123456789")
    with Receiver(Reply(500, "boom")) as hook:
        secrets.save_channel_secret("webhook", "url", f"{hook.base_url}/hook?key=UrlTokenValue77")
        ok, message = send("webhook", {"notify.webhook.url": "https://ignored.example.com/"})
        assert not ok
        host = hook.base_url.removeprefix("http://")
        assert message == "The webhook answered HTTP 500 (boom)"
        assert hook.calls("/hook")[0].query == {"key": ["UrlTokenValue77"]}
        hook.reply = Reply(200, "ok")
        ok, message = send("webhook", {})
        assert ok and message == f"Sent to {host} (URL in the keyring) (HTTP 200), signed with X-AutoSync-Signature"


def test_webhook_needs_a_signing_secret(memory_keyring: dict) -> None:
    ok, message = send("webhook", {"notify.webhook.url": "https://example.com/hook"})
    assert not ok and message.startswith("No signing secret in the keyring: store one with 'autosync notify "
                                         "set-secret webhook'")


# --- Twilio SMS -----------------------------------------------------------------------------------------------

class FakeTwilio(FakeApi):
    def handle(self, req: Request) -> Reply:
        return Reply(201, {"sid": "SM" + "f" * 32, "status": "queued", "to": req.form()["To"]})


def sms_values(api: FakeApi, to: str = "+15552223333, +15554445555") -> dict[str, Any]:
    return {"notify.sms.api_base": api.base_url, "notify.sms.account_sid": SID, "notify.sms.from": "+15550001111",
            "notify.sms.to": to}


def test_twilio_messages_api_gets_basic_auth_and_form_fields(memory_keyring: dict) -> None:
    secrets.save_channel_secret("sms", "auth_token", TOKEN)
    with FakeTwilio() as twilio:
        ok, message = send("sms", sms_values(twilio))
        assert ok, message
        assert message == f"Sent to +15552223333, +15554445555 via Twilio API at {twilio.base_url[7:]}"
        calls = twilio.calls()
        assert [c.path for c in calls] == [f"/2010-04-01/Accounts/{SID}/Messages.json"] * 2
        for req, number in zip(calls, ("+15552223333", "+15554445555"), strict=True):
            assert req.method == "POST"
            assert req.headers["authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
            assert req.headers["content-type"] == "application/x-www-form-urlencoded"
            form = req.form()
            assert form["To"] == number and form["From"] == "+15550001111"
            assert form["Body"].startswith("AutoSync: Sync failed: Daily Acme (Acme Ads). The scheduled sync")
            assert len(form["Body"]) <= messages.SMS_LIMIT
            assert TOKEN not in form["Body"]


@pytest.mark.parametrize(("reply", "expected"), [
    (Reply(401, {"code": 20003, "message": "Authenticate", "status": 401}),
     "Twilio refused the Account SID or auth token (HTTP 401, error 20003); check notify.sms.account_sid and store "
     "the auth token with 'autosync notify set-secret sms'"),
    (Reply(400, {"code": 21211, "message": "The 'To' number +15552223333 is not a valid phone number.",
                 "status": 400}),
     "Twilio refused the message to +15552223333: The 'To' number +15552223333 is not a valid phone number. "
     "(error 21211, https://www.twilio.com/docs/errors/21211)"),
])
def test_twilio_errors_in_plain_words(memory_keyring: dict, reply: Reply, expected: str) -> None:
    secrets.save_channel_secret("sms", "auth_token", TOKEN)
    with FakeTwilio() as twilio:
        twilio.fail_next("Messages.json", reply)
        ok, message = send("sms", sms_values(twilio, to="+15552223333"))
        assert not ok and message == expected and TOKEN not in message


def test_twilio_refuses_plain_http_to_a_remote_api_base(memory_keyring: dict) -> None:
    secrets.save_channel_secret("sms", "auth_token", TOKEN)
    values = {"notify.sms.api_base": "http://api.twilio.example", "notify.sms.account_sid": SID,
              "notify.sms.from": "+15550001111", "notify.sms.to": "+15552223333"}
    ok, message = send("sms", values)
    assert not ok and message.startswith("notify.sms.api_base must start with https://")

"""Redaction: keyring values (in any encoding a message might carry) and token-looking strings are masked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from autosync_desktop.notify import messages
from autosync_desktop.notify.messages import RunFacts
from autosync_desktop.notify.redact import MASK, Redactor, redact, secret_strings


@pytest.mark.parametrize(("text", "expected"), [
    ("Authorization: Bearer abcdef123456", f"Authorization: Bearer {MASK}"),
    ("GET /v19.0/act_1/insights?access_token=EAAGm0PX4ZCpsBAx&limit=50",
     f"GET /v19.0/act_1/insights?access_token={MASK}&limit=50"),
    ('{"refresh_token": "1//0gLqa-secret", "client_id": "x"}', f'{{"refresh_token": "{MASK}", "client_id": "x"}}'),
    ("https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXX", f"https://hooks.slack.com/services/{MASK}"),
    ("smtp://autosync:hunter2hunter2@mail.example.com:587", f"smtp://autosync:{MASK}@mail.example.com:587"),
    ("token ya29.a0AfH6SMBx-abcdefghijk expired", f"token {MASK} expired"),
    ("Meta said EAAB1234567890abcdefghijKLMN is invalid", f"Meta said {MASK} is invalid"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
     f"jwt {MASK}"),
    ("key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", f"key {MASK}"),
])
def test_token_patterns_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Error validating access token: Session has expired on Tuesday",  # the words stay readable
    "Unknown account id 123-456-7890 (platform said: CUSTOMER_NOT_FOUND)",
    "/home/maya/.local/share/autosync-desktop/autosync.db.v1.bak",
    "Rate limited (code 17), retry at 2026-01-15 10:45 UTC",
    "Sync failed: Daily Google Ads (Acme Google Ads)",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_known_values_are_masked_in_every_encoding_and_short_values_are_not() -> None:
    secret = 'open "sesame"/plus+equals=&more'
    redactor = Redactor(["1", "EUR", secret, "plainsecretvalue"])

    for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1]):
        assert redactor(f"before {form} after") == f"before {MASK} after"
    assert redactor("plainsecretvalue and plainsecretvalue") == f"{MASK} and {MASK}"
    assert redactor("1 EUR") == "1 EUR"  # too short to be a secret worth masking as literal text
    assert redactor(None) == ""


def test_secret_strings_flattens_credentials() -> None:
    creds = {"access_token": "tok-1", "nested": {"refresh_token": "tok-2"}, "scopes": ["a", "b"]}
    assert sorted(secret_strings(creds)) == ["a", "b", "tok-1", "tok-2"]
    assert secret_strings('{"client_secret": "s3"}') == ["s3"]
    assert secret_strings(None) == []


def test_a_message_redacted_before_delivery_keeps_no_secret_anywhere() -> None:
    secret = "plaintext-password-without-digits"
    facts = RunFacts(run_id=3, schedule="Daily", account="Acme", status="failed", trigger="scheduled",
                     at=datetime(2026, 1, 15, tzinfo=UTC), error_class="Permanent",
                     error=f"login with {secret} refused; see https://api.example.com/x?token=abcdefgh")
    n = messages.failure(facts, UTC)
    summary = messages.summary("1 update", "held", [n], ["Daily (Acme)"], facts.at)
    clean = summary.map_text(Redactor([secret]))
    rendered = [messages.as_text(clean), messages.as_short(clean), str(messages.as_slack(clean)),
                str(messages.as_payload(clean))]
    for text in rendered:
        assert secret not in text and "abcdefgh" not in text
    assert MASK in messages.as_text(clean)

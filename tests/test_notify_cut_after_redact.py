"""A delivery error that echoes a secret is redacted whole before it is shortened (no half-secret survives)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from autosync_desktop.notify import Notification, registry
from autosync_desktop.notify.dispatcher import RESULT_CHARS, deliver_once
from autosync_desktop.notify.http import status_error
from autosync_desktop.notify.redact import Redactor

REFRESH_TOKEN = "1//0gRefreshTokenValue-abcdefghijklmnopqrstuvwxyz"


class _EchoingChannel:
    """A channel whose server answered 400 and repeated our secret just around where a cut would fall."""

    def __init__(self, padding: int) -> None:
        self.padding = padding

    def send(self, n: Notification) -> str:
        response = requests.Response()
        response.status_code = 400
        response._content = ("x" * self.padding + f" bad token {REFRESH_TOKEN} " + "y" * 500).encode()
        raise status_error(response, "The webhook")


@pytest.mark.parametrize("padding", [100, 140, 150, 160, 200, 280])
def test_an_echoed_secret_is_masked_whole_wherever_the_cut_falls(monkeypatch: pytest.MonkeyPatch,
                                                                 padding: int) -> None:
    monkeypatch.setattr(registry, "build", lambda name, ctx: _EchoingChannel(padding))
    ctx = registry.ChannelContext(config=None, secret=lambda channel, key: None)  # type: ignore[arg-type]
    n = Notification(kind="failure", title="t", subject="t", summary="s", at=datetime(2026, 1, 1, tzinfo=UTC))
    result, retryable = deliver_once("webhook", n, ctx, Redactor([REFRESH_TOKEN]),
                                     clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    assert not result.ok and not retryable
    assert len(result.message) <= RESULT_CHARS
    for size in range(8, len(REFRESH_TOKEN) + 1):  # not even a piece of it
        assert all(REFRESH_TOKEN[i:i + size] not in result.message for i in range(len(REFRESH_TOKEN) - size + 1))

"""Slack through an incoming webhook. The webhook URL embeds a token, so it lives in the keyring only
(`autosync notify set-secret slack`); errors and `notify list` name only its host."""

from __future__ import annotations

from autosync_desktop.notify import http
from autosync_desktop.notify.base import DEFAULT_TIMEOUT_S, NotConfigured, require_https
from autosync_desktop.notify.messages import Notification, as_slack

SET_SECRET = "store the webhook URL with 'autosync notify set-secret slack'"
HINTS = {
    "invalid_token": "the webhook was removed or its app uninstalled: create a new incoming webhook and " + SET_SECRET,
    "no_service": "the webhook no longer exists: create a new incoming webhook and " + SET_SECRET,
    "channel_not_found": "the webhook's channel was deleted: create a new incoming webhook and " + SET_SECRET,
    "channel_is_archived": "the webhook's channel is archived: unarchive it or create a new webhook",
    "action_prohibited": "a Slack admin restricted posting to this channel",
}


class SlackChannel:
    name = "slack"

    def __init__(self, url: str | None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._url = (url or "").strip()
        self.timeout_s = timeout_s

    def target(self) -> str:
        return f"Slack incoming webhook ({http.host_of(self._url)})" if self._url else "not set up"

    def missing(self) -> str | None:
        if not self._url:
            return f"No Slack webhook URL in the keyring: create an incoming webhook in Slack and {SET_SECRET}"
        return None

    def send(self, message: Notification) -> str:
        problem = self.missing()
        if problem:
            raise NotConfigured(problem)
        require_https(self._url, "The Slack webhook URL", SET_SECRET)
        response = http.post(self._url, json=as_slack(message), timeout_s=self.timeout_s, what="Slack")
        if response.status_code != 200:
            code = (response.text or "").strip()
            raise http.status_error(response, "Slack", HINTS.get(code, ""))
        return f"Sent to Slack ({http.host_of(self._url)})"

"""SMS through Twilio's Messages REST API: one POST per recipient to
`{api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json` with form fields To, From (or MessagingServiceSid)
and Body, HTTP basic auth AccountSid:AuthToken. The auth token lives in the keyring
(`autosync notify set-secret sms`); notify.sms.api_base stands in for a test server or a regional edge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autosync_desktop.notify import http
from autosync_desktop.notify.base import DEFAULT_TIMEOUT_S, DeliveryError, NotConfigured, require_https
from autosync_desktop.notify.config import TWILIO_API_BASE, SmsSettings
from autosync_desktop.notify.messages import Notification, as_short

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

SET_TOKEN = "store the auth token with 'autosync notify set-secret sms'"


class TwilioSmsChannel:
    name = "sms"

    def __init__(self, settings: SmsSettings, auth_token: str | None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.settings = settings
        self._token = auth_token or ""
        self.timeout_s = timeout_s

    def _via(self) -> str:
        base = self.settings.api_base.rstrip("/")
        return "Twilio" if base == TWILIO_API_BASE else f"Twilio API at {http.host_of(base)}"

    def target(self) -> str:
        return f"{', '.join(self.settings.recipients)} via {self._via()}" if self.settings.recipients else "not set up"

    def missing(self) -> str | None:
        s = self.settings
        unset = [key for key, value in (("notify.sms.account_sid", s.account_sid), ("notify.sms.from", s.sender),
                                        ("notify.sms.to", s.recipients)) if not value]
        if unset:
            return f"SMS is not set up: set {', '.join(unset)} (autosync settings set KEY VALUE)"
        if not self._token:
            return f"No Twilio auth token in the keyring: {SET_TOKEN}"
        return None

    def send(self, message: Notification) -> str:
        problem = self.missing()
        if problem:
            raise NotConfigured(problem)
        s = self.settings
        base = s.api_base.rstrip("/")
        require_https(base, "notify.sms.api_base", f"the default is {TWILIO_API_BASE}")
        url = f"{base}/2010-04-01/Accounts/{s.account_sid}/Messages.json"
        sender = {"MessagingServiceSid": s.sender} if s.sender.startswith("MG") else {"From": s.sender}
        body = as_short(message)
        sent, failed = [], []
        for number in s.recipients:
            response = http.post(url, data={"To": number, **sender, "Body": body}, auth=(s.account_sid, self._token),
                                 timeout_s=self.timeout_s, what="Twilio")
            if response.status_code in (200, 201):
                sent.append(number)
                continue
            error = self._explain(response, number)
            if response.status_code == 401 or not s.recipients[1:]:
                raise error
            failed.append(error.message)
        if failed:
            raise DeliveryError(f"Sent to {', '.join(sent) or 'nobody'}; failed: {'; '.join(failed)}")
        return f"Sent to {', '.join(sent)} via {self._via()}"

    def _explain(self, response: requests.Response, number: str) -> DeliveryError:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = {}
        code, text = (data.get("code"), data.get("message")) if isinstance(data, dict) else (None, None)
        if status == 401:
            error = f", error {code}" if code else ""
            return DeliveryError(f"Twilio refused the Account SID or auth token (HTTP 401{error}); check "
                                 f"notify.sms.account_sid and {SET_TOKEN}")
        if text:
            return DeliveryError(f"Twilio refused the message to {number}: {text}"
                                 + (f" (error {code}, https://www.twilio.com/docs/errors/{code})" if code else ""),
                                 retryable=status >= 500 or status == 429)
        return http.status_error(response, "Twilio")

"""Notifications: alerts that mean something (failure, recovery, stale data, sign-in needed), never noise.

- `policy.py`     which events become which messages, when (dedupe, minimum interval, quiet hours, digest)
- `messages.py`   what a message says (what failed, the error in plain words, next try, what to do) and its
                  renderings for each channel
- `redact.py`     masking secrets out of every text that leaves the app
- `dispatcher.py` the notifier threads: bus events in, deliveries out, results recorded; never blocks a sync
- `registry.py`   the channels by name and how to build them; `base.py` the Channel protocol
- channels:       `email.py` (SMTP), `slack.py` (incoming webhook), `webhook.py` (signed JSON POST),
                  `sms.py` (Twilio), `desktop.py` (shown by the window)

Imports events, secrets, requests and smtplib; the store is reached only through the callables of
`dispatcher.Backend`, which services/ wires up. Never imports Qt.
"""

from autosync_desktop.notify import config, dispatcher, messages, redact, registry
from autosync_desktop.notify.base import Channel, DeliveryError, DeliveryResult, NotConfigured
from autosync_desktop.notify.config import CHANNEL_NAMES, NotifyConfig
from autosync_desktop.notify.dispatcher import Backend, Dispatcher, deliver_once
from autosync_desktop.notify.messages import DigestTotals, Notification, RunFacts
from autosync_desktop.notify.policy import AccountFreshness, Policy, PolicyState

__all__ = [
    "CHANNEL_NAMES", "AccountFreshness", "Backend", "Channel", "DeliveryError", "DeliveryResult", "DigestTotals",
    "Dispatcher", "NotConfigured", "Notification", "NotifyConfig", "Policy", "PolicyState", "RunFacts",
    "config", "deliver_once", "dispatcher", "messages", "redact", "registry",
]

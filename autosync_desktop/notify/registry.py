"""The channels by name, the keyring secrets each one uses, and how to build one from settings + keyring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autosync_desktop.errors import UserError
from autosync_desktop.notify.base import DEFAULT_TIMEOUT_S, Channel, NotConfigured
from autosync_desktop.notify.config import CHANNEL_NAMES, NotifyConfig
from autosync_desktop.notify.desktop import DesktopChannel, DesktopSink
from autosync_desktop.secrets import SecretsUnavailable

# channel -> the names of its keyring secrets, the first being what `notify set-secret CHANNEL` stores
SECRETS: dict[str, tuple[str, ...]] = {
    "desktop": (), "email": ("password",), "slack": ("url",), "webhook": ("secret", "url"), "sms": ("auth_token",)}
SECRET_LABELS: dict[tuple[str, str], str] = {
    ("email", "password"): "SMTP password", ("slack", "url"): "Slack incoming-webhook URL",
    ("webhook", "secret"): "webhook signing secret", ("webhook", "url"): "webhook URL (with its token)",
    ("sms", "auth_token"): "Twilio auth token"}

SecretLookup = Callable[[str, str], str | None]  # (channel, secret name) -> value from the keyring


@dataclass(frozen=True, slots=True)
class ChannelContext:
    config: NotifyConfig
    secret: SecretLookup
    timeout_s: float = DEFAULT_TIMEOUT_S
    desktop_sink: DesktopSink | None = None


# The channels' modules (smtplib, email, hmac, requests…) are imported when a channel is first built.
def _email(ctx: ChannelContext) -> Channel:
    from autosync_desktop.notify.email import EmailChannel

    email = ctx.config.email
    return EmailChannel(email, ctx.secret("email", "password") if email.username else None, ctx.timeout_s)


def _webhook(ctx: ChannelContext) -> Channel:
    from autosync_desktop.notify.webhook import WebhookChannel

    secret_url = ctx.secret("webhook", "url")
    return WebhookChannel(secret_url or ctx.config.webhook.url, ctx.secret("webhook", "secret"), ctx.timeout_s,
                          url_is_secret=bool(secret_url))


def _slack(ctx: ChannelContext) -> Channel:
    from autosync_desktop.notify.slack import SlackChannel

    return SlackChannel(ctx.secret("slack", "url"), ctx.timeout_s)


def _sms(ctx: ChannelContext) -> Channel:
    from autosync_desktop.notify.sms import TwilioSmsChannel

    return TwilioSmsChannel(ctx.config.sms, ctx.secret("sms", "auth_token"), ctx.timeout_s)


FACTORIES: dict[str, Callable[[ChannelContext], Channel]] = {
    "desktop": lambda ctx: DesktopChannel(ctx.desktop_sink),
    "email": _email,
    "slack": _slack,
    "webhook": _webhook,
    "sms": _sms,
}
assert tuple(FACTORIES) == CHANNEL_NAMES == tuple(SECRETS)


class UnknownChannel(UserError):
    pass


def check_name(name: str) -> str:
    if name not in FACTORIES:
        raise UnknownChannel(f"Unknown notification channel {name!r}; choose one of {', '.join(CHANNEL_NAMES)}")
    return name


def build(name: str, ctx: ChannelContext) -> Channel:
    """The channel with its current settings and secrets; a locked or missing keyring is NotConfigured."""
    check_name(name)
    try:
        return FACTORIES[name](ctx)
    except SecretsUnavailable as exc:
        raise NotConfigured(str(exc)) from None

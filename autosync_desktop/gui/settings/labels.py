"""Human words for what the window asks: platform badges, credential and option labels, setting texts and units.

Pure data and functions (no Qt, no I/O). Every key a connector or the store declares gets a label here; a key
without one is turned into words (`humanize`), so no raw key (`latency_ms`, `http.max_concurrent.meta_ads`) is
ever a label. Setting keys appear as text only on Settings › Advanced.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# --- platforms ---


@dataclass(frozen=True, slots=True)
class Badge:
    letters: str  # drawn in a coloured circle
    color: str  # the circle's colour (white letters on it meet 4.5:1)
    label: str  # the platform's name in the window


BADGES: dict[str, Badge] = {
    "google_ads": Badge("G", "#1a63c7", "Google Ads"),
    "meta_ads": Badge("M", "#5b2bd6", "Meta"),
    "linkedin_ads": Badge("in", "#0b6279", "LinkedIn"),
    "microsoft_ads": Badge("MS", "#b33000", "Microsoft Advertising"),
    "tiktok_ads": Badge("TT", "#b0124f", "TikTok"),
    "x_ads": Badge("X", "#2b2b2b", "X"),
    "ga4": Badge("GA4", "#8a4b00", "Google Analytics 4"),
    "demo": Badge("D", "#5b6270", "Demo (sample data)"),
}
PLATFORM_ORDER = tuple(BADGES)


def badge(platform: str, label: str | None = None) -> Badge:
    """The platform's badge; an unknown platform gets grey initials of its label."""
    if platform in BADGES:
        return BADGES[platform]
    words = (label or humanize(platform)).split()
    return Badge("".join(w[0] for w in words[:2]).upper() or "?", "#5b6270", label or humanize(platform))


# The platform's own account id: what it is called there, an example, and where to find it.
ACCOUNT_ID: dict[str, tuple[str, str, str]] = {
    "google_ads": ("Customer ID", "123-456-7890", "The 10 digits at the top of Google Ads, next to the account name"),
    "meta_ads": ("Ad account ID", "act_1234567890", "In Meta Business Settings › Ad accounts (with or without act_)"),
    "linkedin_ads": ("Ad account ID", "512345678", "In Campaign Manager, the number next to the account name"),
    "microsoft_ads": ("Account ID", "180012345", "In Microsoft Advertising › Accounts summary, the Account ID"),
    "tiktok_ads": ("Advertiser ID", "7012345678901234567", "In TikTok Ads Manager, under the account name"),
    "x_ads": ("Ads account ID", "18ce54d4x5t", "In ads.x.com, the id in the address after /accounts/"),
    "ga4": ("Property ID", "312345678", "In Google Analytics › Admin › Property details"),
    "demo": ("Sample account ID", "demo-1", "Optional: any text; the Demo account makes up its data"),
}


def account_id_words(platform: str) -> tuple[str, str, str]:
    return ACCOUNT_ID.get(platform, ("Account ID", "", "The platform's own id of the account"))


# --- credentials (the keys are the connectors' own: connectors/credentials.py) ---


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    help: str
    secret: bool = True  # a password field: never echoed


CREDENTIALS: dict[str, Field] = {
    "developer_token": Field("Developer token", "Google Ads: Tools › API Center; Microsoft: the Developer Portal "
                             "› Account"),
    "access_token": Field("Access token", "A long-lived or system-user token from the platform's developer site"),
    "refresh_token": Field("Refresh token", "Issued by the platform when you sign in; lets AutoSync stay signed in"),
    "client_id": Field("OAuth client ID", "The client (app) ID of your OAuth app", secret=False),
    "client_secret": Field("OAuth client secret", "The secret of your OAuth app, if it has one"),
    "login_customer_id": Field("Manager account ID (optional)",
                               "Only when you reach this account through a manager account: its 10 digits",
                               secret=False),
    "app_id": Field("App ID", "Your TikTok developer app's ID", secret=False),
    "secret": Field("App secret", "Your TikTok developer app's secret"),
    "auth_code": Field("Authorization code", "The code TikTok shows once after you authorize the app"),
    "consumer_key": Field("API key", "Your X developer app › Keys and tokens › API Key", secret=False),
    "consumer_secret": Field("API key secret", "Your X developer app › Keys and tokens › API Key Secret"),
    "access_token_secret": Field("Access token secret", "Shown with the access token in your X developer app"),
}
# What a browser sign-in (OAuth or X's PIN) fills in by itself: not asked for on the "sign in with the browser" route.
FROM_SIGN_IN = frozenset({"access_token", "refresh_token", "client_id", "client_secret", "consumer_key",
                          "consumer_secret", "access_token_secret"})


def credential(key: str) -> Field:
    return CREDENTIALS.get(key, Field(humanize(key), ""))


# --- account options (connectors/<platform>.py OPTIONS, demo's option_names, and the common lookback_days) ---


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    help: str
    unit: str = ""  # shown after the box: "days", "ms"


OPTIONS: dict[str, Option] = {
    "lookback_days": Option("Re-fetch recent days", "Days before today fetched again on every sync, because the "
                            "platform still restates them", "days"),
    "api_base_url": Option("API address", "Only to point AutoSync at a test server; leave empty"),
    "token_url": Option("Sign-in address", "Only to point AutoSync at a test server; leave empty"),
    "login_customer_id": Option("Manager account ID", "The manager account (10 digits) you reach this account "
                                "through, if any"),
    "customer_id": Option("Customer ID", "The cid=… number in the address of the Microsoft Advertising web app"),
    "page_size": Option("Rows per page", "How many rows one request asks for", "rows"),
    "linkedin_version": Option("LinkedIn API version", "YYYYMM, e.g. 202601; leave empty for AutoSync's"),
    "conversion_action_types": Option("Conversion actions", "Which Meta actions count as conversions, separated by "
                                      "commas; leave empty for purchases, leads and registrations"),
    "async_threshold_days": Option("Background report from", "Date ranges at least this long use Meta's "
                                   "background reports", "days"),
    "page_limit": Option("Rows per page", "How many rows one request asks for", "rows"),
    "async_max_jobs": Option("Background reports at once", "How many Meta background reports run side by side"),
    "campaigns": Option("Sample campaigns", "How many made-up campaigns the Demo account has"),
    "history_days": Option("Days of sample history", "How far back the made-up data goes", "days"),
    "latency_ms": Option("Simulated delay per request", "Makes the Demo account as slow as a real platform", "ms"),
    "failure_rate": Option("Simulated failure rate", "From 0 to 1: how often a Demo request fails on purpose"),
    "currency": Option("Currency", "The currency of the sample money, e.g. EUR"),
    "timezone": Option("Time zone", "The sample account's time zone, e.g. Europe/Berlin"),
}
# Options an account cannot work without: asked for beside the account id, not under "Advanced".
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {"microsoft_ads": ("customer_id",)}


def option(key: str) -> Option:
    return OPTIONS.get(key, Option(humanize(key), ""))


# --- settings (store/settings.py declarations, services.settings.list) ---

# Text shown instead of 0 where 0 switches the limit off.
ZERO_TEXT = {
    "http.requests_per_minute": "Unlimited", "retention.stats_months": "Keep all", "notify.stale_hours": "Never",
    "notify.min_interval_minutes": "No limit", "health.probe_minutes": "Never", "retry.base_delay_s": "At once",
    "retry.max_delay_s": "At once", "retry.max_rate_limit_wait_s": "Never wait", "scheduler.wake_delay_s": "At once",
}
# The window's words where a declaration's help names other keys or CLI commands.
HELP = {
    "http.requests_per_minute": "Requests per minute to one platform, all its accounts together",
    "http.max_concurrent": "Requests to one platform at the same time, all its accounts together",
    "notify.email.username": "Leave empty when the server needs no login; the password is set with the button "
                             "below",
    "notify.webhook.url": "Receives signed JSON posts; a URL with a token in it is set with the button below",
    "notify.sms.account_sid": "Your Twilio Account SID (AC…); the auth token is set with the button below",
    "api.enabled": "Lets scripts and dashboards on this computer read and drive AutoSync (127.0.0.1 only)",
    "retry.base_delay_s": "The wait before the first retry of a temporary error",
    "retry.max_delay_s": "The longest wait between two attempts",
    "retry.max_rate_limit_wait_s": "The longest wait for a platform's rate limit to reset inside one run; a "
                                   "longer one moves the run to later",
    "scheduler.wake_delay_s": "After the computer wakes up, wait this long for the network before catching up",
    "http.timeout_s": "How long one request to a platform may take",
    "sync.run_timeout_minutes": "A sync still going after this long is stopped and counts as failed",
    "notify.stale_hours": "Warn when an account with an active schedule had no successful sync for this long",
    "notify.min_interval_minutes": "At most one message per schedule and channel in this time; later ones are "
                                   "held and sent together",
    "health.probe_minutes": "Check each account's connection when it was idle this long",
    "retention.stats_months": "Delete daily stats older than this",
}
PER_PLATFORM = ("http.requests_per_minute", "http.max_concurrent")
# Numbers shown as durations: the unit the setting is stored in (the box shows "30 s", "1 h", "2 h").
DURATION_UNIT = {"_s": 1, "_minutes": 60, "_hours": 3600}


def base_key(key: str) -> str:
    """`http.max_concurrent.meta_ads` -> `http.max_concurrent`; other keys unchanged."""
    head, _, _tail = key.rpartition(".")
    return head if head in PER_PLATFORM else key


def setting_help(key: str, declared: str) -> str:
    return HELP.get(base_key(key), declared)


def duration_unit(key: str) -> int | None:
    """Seconds per stored unit for a duration setting, else None."""
    return next((seconds for end, seconds in DURATION_UNIT.items() if base_key(key).endswith(end)), None)


def zero_text(key: str) -> str:
    return ZERO_TEXT.get(base_key(key), "")


def humanize(key: str) -> str:
    """'page_size' -> 'Page size' (for a key nobody labelled yet)."""
    words = re.sub(r"[._]+", " ", key).strip()
    return (words[:1].upper() + words[1:]) if words else key


# --- durations in words ---

_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def duration_words(seconds: float) -> str:
    """3600 -> '1 h', 7200 -> '2 h', 5400 -> '1 h 30 min', 30 -> '30 s', 0.5 -> '0.5 s' (two largest units)."""
    if seconds < 0 or not math.isfinite(seconds):
        return "—"
    if seconds < 60 and not float(seconds).is_integer():
        return f"{seconds:.1f} s".replace(".0 s", " s")
    rest = round(seconds)
    if rest == 0:
        return "0 s"
    parts: list[str] = []
    for unit, size in _UNITS:
        if unit == "d" and rest < 2 * 86400:
            continue  # "24 h", "36 h"; days from 2
        if rest >= size:
            parts.append(f"{rest // size} {unit}")
            rest %= size
        if len(parts) == 2:
            break
    if len(parts) == 2 and parts[1].startswith("0 "):
        parts.pop()
    return " ".join(parts)


def parse_duration(text: str) -> float | None:
    """'1 h 30 min', '90 min', '45 s', '2h', '1.5 h' -> seconds; a bare number is None (the caller's unit)."""
    found = re.findall(r"(\d+(?:[.,]\d+)?)\s*(d|h|min|m|s)\b", text.strip().lower())
    if not found:
        return None
    size = {"d": 86400, "h": 3600, "min": 60, "m": 60, "s": 1}
    return sum(float(number.replace(",", ".")) * size[unit] for number, unit in found)


PLAIN_NUMBERS = frozenset({"api.port"})  # numbers that are names (a port), never grouped: '8765', not '8,765'


def number_words(value: float, grouped: bool = True) -> str:
    """120.0 -> '120', 0.5 -> '0.5', 12000 -> '12,000' ('12000' when not `grouped`)."""
    if float(value).is_integer():
        return f"{int(value):,}" if grouped else str(int(value))
    return f"{value:,.2f}".rstrip("0").rstrip(".")

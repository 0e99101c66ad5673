"""What a notification says: the Notification value, the builders that word each kind, and its renderings.

Every message answers the user's questions in plain words: what failed, why (the error without jargon), when
AutoSync tries again, and what the user can do (a command to copy). Builders take facts that are already
redacted (see redact.py); renderers (`as_text`, `as_short`, `as_slack`, `as_payload`) only reshape them.
"""

from __future__ import annotations

import shlex
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import Any

from autosync_desktop.domain import ApiVersion

KINDS = ("failure", "recovery", "success", "stale", "fresh", "sign_in", "api_update", "summary", "digest", "test")
SEVERITY = {"failure": "error", "sign_in": "error", "stale": "warning", "api_update": "warning", "recovery": "ok",
            "fresh": "ok",
            "success": "ok", "summary": "info", "digest": "info", "test": "info"}
ICON = {"error": "🔴", "warning": "🟠", "ok": "🟢", "info": "ℹ️"}
HOST = socket.gethostname()
SMS_LIMIT = 320  # two SMS segments

# Error classes of the engine and connectors, in words a marketer understands.
ERROR_WORDS = {
    "RateLimited": "the platform is limiting how many requests AutoSync may make",
    "Transient": "a temporary network or platform problem",
    "AuthExpired": "the sign-in expired",
    "ReauthRequired": "the platform no longer accepts AutoSync's sign-in",
    "Permanent": "the platform refused the request",
    "Timeout": "the sync took too long and was stopped",
    "Interrupted": "AutoSync stopped while the sync was running",
}


@dataclass(frozen=True, slots=True)
class Notification:
    kind: str  # one of KINDS
    subject: str  # what it is about ("schedule:NAME", "account:NAME", ...): the key for dedupe and intervals
    title: str  # one line: a mail's subject, a Slack header, an SMS's start
    summary: str  # one or two sentences
    at: datetime  # when it happened (aware)
    details: tuple[tuple[str, str], ...] = ()  # labelled lines: What failed, Error, Next try, What to do
    facts: Mapping[str, Any] = field(default_factory=dict)  # machine-readable, for the webhook
    items: tuple[Notification, ...] = ()  # the parts of a summary or a digest

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.kind, "info")

    def detail(self, label: str) -> str | None:
        return next((value for key, value in self.details if key == label), None)

    def map_text(self, fn: Callable[[str], str]) -> Notification:
        """A copy with `fn` applied to every text (used to redact right before delivery)."""
        return replace(self, title=fn(self.title), summary=fn(self.summary),
                       details=tuple((k, fn(v)) for k, v in self.details),
                       facts={k: fn(v) if isinstance(v, str) else v for k, v in self.facts.items()},
                       items=tuple(i.map_text(fn) for i in self.items))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "title": self.title, "summary": self.summary,
                "at": self.at.isoformat(), "details": [list(d) for d in self.details], "facts": dict(self.facts),
                "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notification:
        return cls(kind=data["kind"], subject=data["subject"], title=data["title"], summary=data["summary"],
                   at=datetime.fromisoformat(data["at"]), details=tuple((k, v) for k, v in data.get("details", ())),
                   facts=dict(data.get("facts", {})), items=tuple(cls.from_dict(i) for i in data.get("items", ())))


@dataclass(frozen=True, slots=True)
class RunFacts:
    """A finished run and what the notifier looked up about it (next run, how to sign in)."""

    run_id: int
    schedule: str | None
    account: str
    status: str
    trigger: str
    at: datetime
    error_class: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    next_run_at: datetime | None = None
    rows: int = 0
    sign_in_hint: str = ""
    writes_file: bool = False  # an export run: `account` names the accounts in the file, not one that synced

    @property
    def subject(self) -> str:
        return f"schedule:{self.schedule}" if self.schedule else f"account:{self.account}"

    @property
    def label(self) -> str:
        return f"{self.schedule} ({self.account})" if self.schedule else f"account {self.account}"


# --- words ------------------------------------------------------------------------------------------------

def when(moment: datetime | None, tz: tzinfo | None = None) -> str:
    """A moment in the user's local time (or `tz`), with the zone: '2026-11-29 06:00 CET'."""
    if moment is None:
        return "never"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z").strip()


def error_words(error_class: str | None) -> str:
    return ERROR_WORDS.get(error_class or "", "an unexpected error")


def sign_in_command(account: str) -> str:
    return f"autosync accounts connect {shlex.quote(account)}"


def what_to_do(facts: RunFacts) -> str:
    account, run = shlex.quote(facts.account), facts.run_id
    advice = {
        "ReauthRequired": f"Sign in again: {facts.sign_in_hint or sign_in_command(facts.account)}",
        "AuthExpired": f"Sign in again: {facts.sign_in_hint or sign_in_command(facts.account)}",
        "RateLimited": "Nothing to do now: AutoSync waits for the platform's limit to reset. If this keeps "
                       "happening, sync this account less often.",
        "Transient": "Usually this fixes itself. If it keeps failing, check this computer's internet connection "
                     f"and the platform's status page, then test the connection: autosync accounts test {account}",
        "Permanent": "Check the account id and that the signed-in user may read this account, then test the "
                     f"connection: autosync accounts test {account}",
        "Timeout": "Allow more time (autosync settings set sync.run_timeout_minutes 240) or sync a shorter "
                   "date range.",
        "Interrupted": "Nothing to do: the next run picks up where this one stopped. If it keeps happening, make "
                       "sure the computer does not sleep or shut down during syncs.",
    }.get(facts.error_class or "", f"Look at the run's log: autosync runs show {run}")
    return advice


def next_try(facts: RunFacts, tz: tzinfo | None) -> str:
    if facts.retry_at is not None:
        return f"AutoSync tries again automatically at {when(facts.retry_at, tz)}, when the platform's limit resets."
    if facts.next_run_at is not None:
        text = f"The next scheduled run is at {when(facts.next_run_at, tz)}."
        if facts.error_class in ("ReauthRequired", "AuthExpired"):
            text += " It will fail the same way until you sign in again."
        return text
    target = shlex.quote(facts.schedule or facts.account)
    return f"No automatic retry (manual or paused schedule). Run it again with: autosync sync {target}"


def _run_facts(facts: RunFacts) -> dict[str, Any]:
    return {"run_id": facts.run_id, "schedule": facts.schedule, "account": facts.account, "status": facts.status,
            "trigger": facts.trigger, "error_class": facts.error_class, "error": facts.error, "rows": facts.rows,
            "retry_at": facts.retry_at.isoformat() if facts.retry_at else None,
            "next_run_at": facts.next_run_at.isoformat() if facts.next_run_at else None}


# --- builders -----------------------------------------------------------------------------------------------

def failure(facts: RunFacts, tz: tzinfo | None = None, previous_error_class: str | None = None) -> Notification:
    summary = f"The {facts.trigger} sync of {facts.label} failed at {when(facts.at, tz)}."
    if previous_error_class:
        summary += f" It was already failing ({error_words(previous_error_class)}); now the error is a different one."
    what = f"schedule {facts.schedule!r} of account {facts.account!r}" if facts.schedule else \
        f"account {facts.account!r}"
    return Notification(
        kind="failure", subject=facts.subject, title=f"Sync failed: {facts.label}", summary=summary, at=facts.at,
        details=(("What failed", f"{what}, run {facts.run_id}"),
                 ("Error", f"{error_words(facts.error_class)}: {facts.error or 'no details'}"),
                 ("Next try", next_try(facts, tz)),
                 ("What to do", what_to_do(facts)),
                 ("Run log", f"autosync runs show {facts.run_id}")),
        facts=_run_facts(facts))


def recovery(facts: RunFacts, problem: Mapping[str, Any], tz: tzinfo | None = None) -> Notification:
    since = datetime.fromisoformat(problem["since"])
    count = int(problem.get("count", 1))
    return Notification(
        kind="recovery", subject=facts.subject, title=f"Sync recovered: {facts.label}",
        summary=(f"{facts.label} synced successfully at {when(facts.at, tz)} after {count} failed "
                 f"run{'s' if count != 1 else ''} since {when(since, tz)}."),
        at=facts.at,
        details=(("Rows written", str(facts.rows)),
                 ("Was failing with", f"{error_words(problem.get('error_class'))}: {problem.get('error') or '-'}"),
                 ("Next run", when(facts.next_run_at, tz) if facts.next_run_at else "manual")),
        facts=_run_facts(facts) | {"failing_since": since.isoformat(), "failed_runs": count})


def success(facts: RunFacts, tz: tzinfo | None = None) -> Notification:
    return Notification(
        kind="success", subject=facts.subject, title=f"Sync succeeded: {facts.label}",
        summary=f"{facts.label} synced successfully at {when(facts.at, tz)} ({facts.rows} rows).", at=facts.at,
        details=(("Rows written", str(facts.rows)),
                 ("Next run", when(facts.next_run_at, tz) if facts.next_run_at else "manual")),
        facts=_run_facts(facts))


def stale(account: str, reference: datetime, never_synced: bool, now: datetime, tz: tzinfo | None = None
          ) -> Notification:
    hours = int((now - reference).total_seconds() // 3600)
    since = (f"since it was added on {when(reference, tz)}" if never_synced
             else f"for {hours} hours (last success {when(reference, tz)})")
    name = shlex.quote(account)
    return Notification(
        kind="stale", subject=f"stale:{account}", title=f"No fresh data: {account}",
        summary=f"No successful sync of {account} {since}. The data on this computer is getting old.", at=now,
        details=(("Last successful sync", "never" if never_synced else when(reference, tz)),
                 ("What to do", f"Look at its recent runs (autosync runs --account {name}) and sync now: "
                                f"autosync sync {name}")),
        facts={"account": account, "last_success_at": None if never_synced else reference.isoformat(),
               "hours": hours})


def inputs_missing(schedule: str, missing: Sequence[str], ran: bool, waited: str, now: datetime,
                   tz: tzinfo | None = None) -> Notification:
    """A schedule's wait for the schedules it runs after ended with some missing (a stale-data alert)."""
    names = ", ".join(missing)
    them = "it" if len(missing) == 1 else "them"
    outcome = f"ran without {them}" if ran else "was skipped"
    return Notification(
        kind="stale", subject=f"waited:{schedule}", title=f"Waited for {names}; {schedule} {outcome}",
        summary=f"{schedule} waited {waited} for {names} to sync successfully, then {outcome} at {when(now, tz)}."
                + (" Its result may be missing their latest data." if ran else ""), at=now,
        details=(("Missing", names), ("What to do", f"Look at the recent runs of {names} in the History and sync "
                                                     f"{'it' if len(missing) == 1 else 'them'} again")),
        facts={"schedule": schedule, "missing": list(missing), "ran": ran})


def fresh(account: str, at: datetime, tz: tzinfo | None = None) -> Notification:
    return Notification(
        kind="fresh", subject=f"stale:{account}", title=f"Data fresh again: {account}",
        summary=f"{account} synced successfully at {when(at, tz)}; its data is up to date again.", at=at,
        facts={"account": account})


def api_update(account: str, api: ApiVersion, days_left: int, at: datetime) -> Notification:
    """The platform retires the API version AutoSync speaks for `account` in `days_left` days (60, then 14)."""
    until = api.until_words or ""
    left = f"in {days_left} day{'s' if days_left != 1 else ''}" if days_left > 0 else "now"
    return Notification(
        kind="api_update", subject=f"api_update:{account}", title=f"Update AutoSync: {api.words} ends {left}",
        summary=f"{account} syncs through {api.words}, which the platform supports {until}. Update AutoSync "
                "before then, or its syncs will fail.", at=at,
        details=(("Platform API", f"{api.words} ({until})"),
                 ("What to do", "Install the newest AutoSync version; it speaks a supported API version.")),
        facts={"account": account, "api_version": api.version,
               "api_sunset": api.sunset.isoformat() if api.sunset else None, "days_left": days_left})


def sign_in(account: str, detail: str, hint: str, at: datetime, tz: tzinfo | None = None) -> Notification:
    return Notification(
        kind="sign_in", subject=f"sign_in:{account}", title=f"Sign-in needed: {account}",
        summary=f"{account} cannot sync until you sign in again"
                + (f": {detail}" if detail else ".") + f" (noticed {when(at, tz)})",
        at=at, details=(("What to do", f"Sign in again: {hint or sign_in_command(account)}"),),
        facts={"account": account, "detail": detail})


def summary(title: str, intro: str, items: Sequence[Notification], still_failing: Iterable[str], at: datetime,
            subject: str = "summary") -> Notification:
    failing = sorted(set(still_failing))
    now = f"Still failing: {', '.join(failing)}" if failing else "Nothing is failing now."
    return Notification(kind="summary", subject=subject, title=title, summary=f"{intro} {now}", at=at,
                        details=(("Now", now),), items=tuple(items),
                        facts={"count": len(items), "still_failing": failing})


@dataclass(frozen=True, slots=True)
class DigestTotals:
    runs: int = 0
    succeeded: int = 0
    failed: int = 0
    rows: int = 0


def digest(day: date, since: datetime, until: datetime, entries: Sequence[Notification], totals: DigestTotals,
           still_failing: Iterable[str], stale_accounts: Iterable[str], sign_in_accounts: Iterable[str],
           tz: tzinfo | None = None) -> Notification:
    failures = sum(1 for e in entries if e.kind == "failure")
    recoveries = sum(1 for e in entries if e.kind in ("recovery", "fresh"))
    failing, stale_now = sorted(set(still_failing)), sorted(set(stale_accounts))
    sign_now = sorted(set(sign_in_accounts))
    verdict = ("all syncs OK" if not (failures or failing or stale_now or sign_now)
               else f"{failures} failure{'s' if failures != 1 else ''}, {recoveries} "
                    f"recover{'ies' if recoveries != 1 else 'y'}, {len(failing)} still failing")
    return Notification(
        kind="digest", subject="digest", title=f"AutoSync daily digest {day.isoformat()}: {verdict}",
        summary=(f"From {when(since, tz)} to {when(until, tz)}: {totals.runs} runs, {totals.succeeded} succeeded, "
                 f"{totals.failed} failed, {totals.rows} rows written."),
        at=until,
        details=(("Still failing", ", ".join(failing) or "nothing"),
                 ("No fresh data", ", ".join(stale_now) or "none"),
                 ("Needs sign-in", ", ".join(sign_now) or "none")),
        items=tuple(entries),
        facts={"day": day.isoformat(), "runs": totals.runs, "succeeded": totals.succeeded, "failed": totals.failed,
               "rows": totals.rows, "failures": failures, "recoveries": recoveries, "still_failing": failing,
               "stale": stale_now, "needs_sign_in": sign_now})


def channel_test(channel: str, at: datetime, tz: tzinfo | None = None) -> Notification:
    return Notification(
        kind="test", subject="test", title="AutoSync test message",
        summary=(f"This is a test message from AutoSync Desktop on {HOST}, sent at {when(at, tz)} by "
                 f"'autosync notify test {channel}'. If you can read it, {channel} notifications work."),
        at=at, facts={"channel": channel, "test": True})


# --- renderings ---------------------------------------------------------------------------------------------

def as_text(n: Notification, tz: tzinfo | None = None) -> str:
    """The full plain-text message (an email body)."""
    lines = [n.summary, ""]
    width = max((len(label) for label, _ in n.details), default=0)
    lines += [f"{label + ':':<{width + 1}} {value}" for label, value in n.details]
    if n.items:
        lines += ["", "What happened:" if n.kind != "digest" else "The day's events:"]
        for item in n.items:
            lines.append(f"- {when(item.at, tz)}  {item.title}")
            lines.append(f"  {item.summary}")
            error = item.detail("Error")
            if error:
                lines.append(f"  Error: {error}")
    lines += ["", f"— AutoSync Desktop on {HOST}"]
    return "\n".join(lines).strip() + "\n"


def as_short(n: Notification, limit: int = SMS_LIMIT) -> str:
    """A short text (an SMS): title, summary and the advice, cut at `limit` characters."""
    text = f"AutoSync: {n.title}. {n.summary}"
    advice = n.detail("What to do")
    if advice:
        text += f" {advice}"
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_slack(n: Notification, tz: tzinfo | None = None) -> dict[str, Any]:
    """Slack incoming-webhook JSON: a plain `text` fallback (notifications) and Block Kit `blocks`."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": n.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(n.summary)[:3000]}},
    ]
    if n.details:
        fields = [f"*{_mrkdwn(label)}*\n{_mrkdwn(value)}"[:2000] for label, value in n.details[:10]]
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]})
    if n.items:
        lines = [f"• {when(i.at, tz)} *{_mrkdwn(i.title)}*: {_mrkdwn(i.summary)}" for i in n.items[:30]]
        if len(n.items) > 30:
            lines.append(f"… and {len(n.items) - 30} more")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": _mrkdwn(f"AutoSync Desktop on {HOST} · {when(n.at, tz)}")}]})
    return {"text": f"{ICON[n.severity]} {n.title}: {n.summary}", "blocks": blocks}


def as_payload(n: Notification) -> dict[str, Any]:
    """The generic webhook's JSON document."""
    return {"app": "autosync-desktop", "host": HOST, "event": n.kind, "severity": n.severity,
            "subject": n.subject, "title": n.title, "summary": n.summary, "at": n.at.isoformat(),
            "details": dict(n.details), "facts": dict(n.facts), "items": [as_payload(i) for i in n.items],
            "test": n.kind == "test"}

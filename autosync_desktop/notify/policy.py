"""The notification policy: which events become which messages, for which channels, and when. Pure logic.

No I/O and no threads: the dispatcher feeds it events and the periodic tick, and delivers what it returns.
The clock and the local time zone are injected. Its state (`PolicyState`) is plain JSON, persisted by the
dispatcher after every change, so a restart neither repeats an alert nor forgets a problem.

Rules:
- A problem is a subject (a schedule, or an account's own runs) failing with an error class. Its first
  failure is announced; a retry or the next run failing the same way is not (only counted). A different
  error class is a new announcement. The first success after failures is a recovery.
- At most one message per subject per channel per `min_interval`; a message inside the interval is held and
  sent when it ends (several held ones about a subject become one summary).
- In quiet hours every message is held; when they end, each channel gets one summary of what it held.
- Stale data: an account expected to sync (it has an active schedule) without a successful sync for
  `stale_hours` is announced once per stale period; its next success says it is fresh again.
- Needs sign-in: announced once until the account works again; the failure of the same run is then not
  announced a second time on channels that got the sign-in message.
- API version retiring: an account whose platform API version has a known sunset is announced once when 60
  days or fewer are left and once more at 14 days or fewer (per version; the state survives restarts).
- Digest (email): when enabled, email gets one digest per local day at `digest_at` (the day's failures,
  recoveries, stale accounts and run totals) instead of single messages. It is not held by quiet hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from autosync_desktop import clock
from autosync_desktop.domain import ApiVersion
from autosync_desktop.notify import messages
from autosync_desktop.notify.config import NotifyConfig
from autosync_desktop.notify.messages import DigestTotals, Notification, RunFacts

FAILED_STATUSES = ("failed", "interrupted")
SIGN_IN_CLASSES = ("ReauthRequired",)
STARTUP_GRACE = timedelta(minutes=10)  # no stale alerts right after start: catch-up runs come first
JOURNAL_KEEP = timedelta(hours=48)
JOURNAL_MAX = 500
HELD_MAX = 100  # per channel; beyond it the oldest held messages are dropped (and counted in the summary)
STATE_VERSION = 1

Clock = Callable[[], datetime]
Totals = Callable[[datetime, datetime], DigestTotals]


def utc_now() -> datetime:
    return clock.now()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class AccountFreshness:
    """What the periodic check needs to know about one account (from the store, via the service layer)."""

    account: str
    last_success_at: datetime | None
    created_at: datetime
    expected: bool  # it has an active (unpaused, not manual) schedule and the scheduler is not paused
    schedules: tuple[str, ...] = ()
    running: bool = False
    needs_sign_in: bool = False
    sign_in_detail: str = ""
    sign_in_hint: str = ""
    api: ApiVersion | None = None  # the platform API version its connector speaks (and its sunset, if known)


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str
    notification: Notification


@dataclass
class PolicyState:
    problems: dict[str, dict[str, Any]] = field(default_factory=dict)  # subject -> open problem
    sign_in: dict[str, str] = field(default_factory=dict)  # account -> announced at
    api_update: dict[str, dict[str, Any]] = field(default_factory=dict)  # account -> {version, sunset, days}
    stale: dict[str, dict[str, Any]] = field(default_factory=dict)  # account -> {reference, alerted_at}
    last_sent: dict[str, str] = field(default_factory=dict)  # "channel|subject" -> sent at
    held: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> [{n, release_at|None}]
    journal: list[dict[str, Any]] = field(default_factory=list)  # notable notifications, for the digest
    dropped: dict[str, int] = field(default_factory=dict)  # channel -> held messages dropped over HELD_MAX
    last_digest_day: str | None = None
    last_digest_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "problems": self.problems, "sign_in": self.sign_in, "stale": self.stale,
                "api_update": self.api_update,
                "last_sent": self.last_sent, "held": self.held, "dropped": self.dropped, "journal": self.journal,
                "last_digest_day": self.last_digest_day, "last_digest_at": self.last_digest_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PolicyState:
        if not data or data.get("version") != STATE_VERSION:
            return cls()
        return cls(problems=dict(data.get("problems", {})), sign_in=dict(data.get("sign_in", {})),
                   api_update=dict(data.get("api_update", {})),
                   stale=dict(data.get("stale", {})), last_sent=dict(data.get("last_sent", {})),
                   held={k: list(v) for k, v in data.get("held", {}).items()}, dropped=dict(data.get("dropped", {})),
                   journal=list(data.get("journal", [])),
                   last_digest_day=data.get("last_digest_day"), last_digest_at=data.get("last_digest_at"))

    def held_count(self) -> int:
        return sum(len(items) for items in self.held.values())


class Policy:
    def __init__(self, clock: Clock = utc_now, tz: tzinfo | None = None, state: PolicyState | None = None,
                 startup_grace: timedelta = STARTUP_GRACE) -> None:
        self.clock = clock
        self.tz = tz  # None: the system's local time zone
        self.state = state or PolicyState()
        self.started_at = clock()
        self.startup_grace = startup_grace

    # --- events -----------------------------------------------------------------------------------------

    def run_finished(self, facts: RunFacts, config: NotifyConfig) -> list[Delivery]:
        now = self.clock()
        out = self._release(config, now)
        problems = self.state.problems
        if facts.status in FAILED_STATUSES:
            error_class = facts.error_class or "Error"
            problem = problems.get(facts.subject)
            if problem is not None and problem["error_class"] == error_class:
                problem.update(count=problem["count"] + 1, last_at=_iso(facts.at), error=facts.error)
                return out  # the same problem again (a retry, the next run): already announced
            n = messages.failure(facts, self.tz, previous_error_class=problem["error_class"] if problem else None)
            problems[facts.subject] = {
                "error_class": error_class, "error": facts.error, "label": facts.label, "account": facts.account,
                "since": problem["since"] if problem else _iso(facts.at), "last_at": _iso(facts.at),
                "count": problem["count"] + 1 if problem else 1}
            self._journal(n)
            skip: frozenset[str] = frozenset()
            if error_class in SIGN_IN_CLASSES and facts.account in self.state.sign_in:
                skip = frozenset(r.name for r in config.channels.values() if r.wants("sign_in"))
            return out + self._route(n, config, now, throttle=True, skip=skip)
        if facts.status != "succeeded":
            return out  # cancelled and skipped runs say nothing about whether syncing works
        problem = problems.pop(facts.subject, None)
        stale = None
        if not facts.writes_file:  # a file written says nothing about an account's sign-in or fresh data
            self.state.sign_in.pop(facts.account, None)
            stale = self.state.stale.pop(facts.account, None)
        if problem is not None:
            n = messages.recovery(facts, problem, self.tz)
        elif stale is not None:
            n = messages.fresh(facts.account, facts.at, self.tz)
        else:
            return out + self._route(messages.success(facts, self.tz), config, now, throttle=True)
        self._journal(n)
        return out + self._route(n, config, now, throttle=n.kind == "recovery")

    def sign_in_needed(self, account: str, detail: str, hint: str, config: NotifyConfig) -> list[Delivery]:
        now = self.clock()
        out = self._release(config, now)
        if account in self.state.sign_in:
            return out
        self.state.sign_in[account] = _iso(now)
        n = messages.sign_in(account, detail, hint, now, self.tz)
        self._journal(n)
        return out + self._route(n, config, now, throttle=False)

    def inputs_missing(self, schedule: str, missing: Sequence[str], ran: bool, waited: str,
                       config: NotifyConfig) -> list[Delivery]:
        """A schedule's wait for its upstreams ended with some missing: the stale-data alert, once per wait."""
        now = self.clock()
        out = self._release(config, now)
        n = messages.inputs_missing(schedule, missing, ran, waited, now, self.tz)
        self._journal(n)
        return out + self._route(n, config, now, throttle=False)

    def signed_in(self, account: str) -> None:
        self.state.sign_in.pop(account, None)

    def forget_account(self, account: str) -> None:
        """An account was removed: drop what is known about it (its open problems too)."""
        self.state.sign_in.pop(account, None)
        self.state.stale.pop(account, None)
        self.state.api_update.pop(account, None)
        for subject in [s for s, p in self.state.problems.items() if p.get("account") == account]:
            del self.state.problems[subject]

    # --- the periodic check -----------------------------------------------------------------------------

    def tick(self, config: NotifyConfig, accounts: Sequence[AccountFreshness], totals: Totals) -> list[Delivery]:
        """Release held messages, check stale data and sign-ins, send the digest when due."""
        now = self.clock()
        out = self._release(config, now)
        out += self._check_accounts(config, accounts, now)
        out += self._digest(config, totals, now)
        self._trim_journal(now)
        return out

    def _check_accounts(self, config: NotifyConfig, accounts: Sequence[AccountFreshness],
                        now: datetime) -> list[Delivery]:
        out: list[Delivery] = []
        live = {a.account for a in accounts}
        subjects = {f"account:{a.account}" for a in accounts} | {f"schedule:{s}" for a in accounts for s in a.schedules}
        for account in [a for a in (*self.state.stale, *self.state.sign_in, *self.state.api_update) if a not in live]:
            self.forget_account(account)
        for subject in [s for s in self.state.problems if s not in subjects]:
            del self.state.problems[subject]  # its schedule was removed
        checking_stale = config.stale_hours > 0 and now >= self.started_at + self.startup_grace
        for a in accounts:
            out += self._check_api(config, a, now)
            if a.needs_sign_in and a.expected:
                out += self.sign_in_needed(a.account, a.sign_in_detail, a.sign_in_hint, config)
            elif not a.needs_sign_in:
                self.state.sign_in.pop(a.account, None)
            reference = a.last_success_at or a.created_at
            entry = self.state.stale.get(a.account)
            if entry is not None and entry["reference"] != _iso(reference):  # a success since (another process)
                del self.state.stale[a.account]
                entry = None
                if a.last_success_at is not None:
                    n = messages.fresh(a.account, a.last_success_at, self.tz)
                    self._journal(n)
                    out += self._route(n, config, now, throttle=False)
            if entry is not None or not checking_stale or not a.expected or a.running or a.needs_sign_in:
                continue
            if now - reference >= timedelta(hours=config.stale_hours):
                self.state.stale[a.account] = {"reference": _iso(reference), "alerted_at": _iso(now)}
                n = messages.stale(a.account, reference, a.last_success_at is None, now, self.tz)
                self._journal(n)
                out += self._route(n, config, now, throttle=False)
        return out

    def _check_api(self, config: NotifyConfig, a: AccountFreshness, now: datetime) -> list[Delivery]:
        """Announce a retiring API version once at 60 days and once at 14 (the first tick inside 14: only that)."""
        api = a.api
        stage = api.notice_stage(now.date()) if api is not None else None
        if api is None or api.sunset is None or stage is None:
            self.state.api_update.pop(a.account, None)  # updated (another version), or no sunset known (any more)
            return []
        entry = self.state.api_update.get(a.account)
        same = entry is not None and (entry["version"], entry["sunset"]) == (api.version, api.sunset.isoformat())
        if same and entry is not None and entry["days"] <= stage:
            return []
        self.state.api_update[a.account] = {"version": api.version, "sunset": api.sunset.isoformat(), "days": stage,
                                            "at": _iso(now)}
        n = messages.api_update(a.account, api, api.days_left(now.date()) or 0, now)
        self._journal(n)
        return self._route(n, config, now, throttle=False)

    def _digest(self, config: NotifyConfig, totals: Totals, now: datetime) -> list[Delivery]:
        rules = config.channels.get("email")
        if rules is None or not rules.enabled or not config.email.digest:
            return []
        local = now.astimezone(self.tz)
        if self.state.last_digest_day == local.date().isoformat() or local.time() < config.email.digest_at:
            return []
        since = _at(self.state.last_digest_at) if self.state.last_digest_at else now - timedelta(hours=24)
        entries = [Notification.from_dict(j) for j in self.state.journal if _at(j["at"]) > since]
        n = messages.digest(local.date(), since, now, entries, totals(since, now), self._failing(),
                            self.state.stale, self.state.sign_in, self.tz)
        self.state.last_digest_day, self.state.last_digest_at = local.date().isoformat(), _iso(now)
        return [Delivery("email", n)]

    # --- routing, holding, releasing --------------------------------------------------------------------

    def quiet(self, config: NotifyConfig, now: datetime | None = None) -> bool:
        return config.quiet is not None and config.quiet.contains((now or self.clock()).astimezone(self.tz).time())

    def _route(self, n: Notification, config: NotifyConfig, now: datetime, *, throttle: bool,
               skip: Iterable[str] = ()) -> list[Delivery]:
        out = []
        quiet = self.quiet(config, now)
        for rules in config.channels.values():
            name = rules.name
            if not rules.enabled or name in skip or not rules.wants(n.kind):
                continue
            if name == "email" and config.email.digest:
                continue  # email gets the daily digest instead
            if quiet:
                self._hold(name, n, None)
                continue
            key = f"{name}|{n.subject}"
            if throttle and config.min_interval > timedelta(0):
                waiting = [h for h in self.state.held.get(name, ()) if h["n"]["subject"] == n.subject]
                last = self.state.last_sent.get(key)
                release = _at(last) + config.min_interval if last else None
                if waiting:
                    self._hold(name, n, _at(waiting[0]["release_at"]) if waiting[0]["release_at"] else None)
                    continue
                if release is not None and now < release:
                    self._hold(name, n, release)
                    continue
            self.state.last_sent[key] = _iso(now)
            out.append(Delivery(name, n))
        return out

    def _hold(self, channel: str, n: Notification, release_at: datetime | None) -> None:
        held = self.state.held.setdefault(channel, [])
        held.append({"n": n.to_dict(), "release_at": _iso(release_at) if release_at else None})
        if len(held) > HELD_MAX:
            del held[0]
            self.state.dropped[channel] = self.state.dropped.get(channel, 0) + 1

    def _release(self, config: NotifyConfig, now: datetime) -> list[Delivery]:
        if not self.state.held or self.quiet(config, now):
            return []
        out = []
        for channel in list(self.state.held):
            items = self.state.held.pop(channel)
            rules = config.channels.get(channel)
            if rules is None or not rules.enabled or (channel == "email" and config.email.digest):
                continue  # the channel was turned off meanwhile: what it held is dropped
            dropped = self.state.dropped.pop(channel, 0)
            if any(h["release_at"] is None for h in items):  # quiet hours ended: one summary of everything
                notes = [Notification.from_dict(h["n"]) for h in items]
                span = f" ({config.quiet.describe()})" if config.quiet else ""
                more = f" {dropped} older ones are not repeated here." if dropped else ""
                n = notes[0] if len(notes) == 1 and not dropped else messages.summary(
                    f"{len(notes) + dropped} updates from quiet hours",
                    f"AutoSync held these messages during quiet hours{span}.{more}", notes, self._failing(), now)
                out.append(Delivery(channel, n))
                for note in notes:
                    self.state.last_sent[f"{channel}|{note.subject}"] = _iso(now)
                continue
            due = [h for h in items if _at(h["release_at"]) <= now]
            keep = [h for h in items if _at(h["release_at"]) > now]
            if keep:
                self.state.held[channel] = keep
            by_subject: dict[str, list[Notification]] = {}
            for h in due:
                by_subject.setdefault(h["n"]["subject"], []).append(Notification.from_dict(h["n"]))
            for subject, notes in by_subject.items():
                latest = notes[-1]
                n = latest if len(notes) == 1 else messages.summary(
                    f"{latest.title} (+{len(notes) - 1} earlier update{'s' if len(notes) > 2 else ''})",
                    f"At most one message per {int(config.min_interval.total_seconds() // 60)} minutes about the "
                    "same sync; these came together.", notes, self._failing(), now, subject=subject)
                out.append(Delivery(channel, n))
                self.state.last_sent[f"{channel}|{subject}"] = _iso(now)
        return out

    # --- bookkeeping ------------------------------------------------------------------------------------

    def _failing(self) -> list[str]:
        return sorted(p["label"] for p in self.state.problems.values())

    def _journal(self, n: Notification) -> None:
        self.state.journal.append(n.to_dict())

    def _trim_journal(self, now: datetime) -> None:
        cutoff = now - JOURNAL_KEEP
        self.state.journal = [j for j in self.state.journal if _at(j["at"]) >= cutoff][-JOURNAL_MAX:]
        # the minimum interval is at most a day: older send times no longer matter
        self.state.last_sent = {k: v for k, v in self.state.last_sent.items() if _at(v) >= cutoff}

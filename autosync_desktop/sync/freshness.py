"""The freshness planner: which days of an account's range one incremental run fetches, and why (pure; no I/O).

Instead of re-fetching the whole lookback every run, days are fetched by age (days before today in the account's
zone), from each day's fetch history (store/day_fetches.py):

- today and yesterday: every run;
- days 2 to 7: once a day (when not fetched since the start of today);
- days 8 to the lookback: once a week (when not fetched in the last 7 days); when one of them is due, the others
  not fetched today come along, so the weekly check is one request, not one per day;
- the day that reaches the lookback: one last look (unless fetched at that age already), settled or not, so a
  restatement inside the lookback is never missed (the data then equals a whole-lookback sync's);
- older days: only on request (a backfill), or while catching up after a gap (never fetched);
- a day never fetched: always.

Adaptation:
- settled sooner: a day 2 or more days old whose numbers did not change over 3 re-fetches in a row (counting one
  per day of age, and only re-fetches of numbers stored after the day was over) is treated as weekly from then on;
- late restaters: a platform that restates late (PLATFORM_RESTATES_DAYS, e.g. Meta 28 days) keeps its days in the
  daily tier up to the oldest age at which its recorded re-fetches found changes in the last 28 days (never past
  the platform's window or the lookback). Other platforms keep 7.

`plan_days` decides; `Plan.windows` turns the chosen days into contiguous windows (in date order) and
`Plan.describe` says in plain words what was fetched and why. May touch: stdlib, store/day_fetches' DayHistory type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autosync_desktop.store.day_fetches import DayHistory
from autosync_desktop.sync.windows import Window, chunk

EVERY_RUN_DAYS = 1  # today and yesterday
DAILY_DAYS = 7  # days 2..7: once a day
WEEK = 7
SETTLED_AFTER = 3  # unchanged re-fetches in a row
EVIDENCE_DAYS = 28  # how far back recorded restatements count for a late restater

# How many days after a day each platform may still restate it (attribution windows; platform-apis.md). A platform
# whose window is longer than DAILY_DAYS keeps days in the daily tier as late as its recorded changes show.
PLATFORM_RESTATES_DAYS: dict[str, int] = {
    "meta_ads": 28, "google_ads": 30, "microsoft_ads": 30, "linkedin_ads": 7, "tiktok_ads": 7, "x_ads": 7,
    "ga4": 3, "demo": 3,
}

EVERY_RUN = "every run"
DAILY = "daily, first run today"
LATE = "daily, the platform restated days this old lately"
WEEKLY = "weekly check"
LAST_LOOK = "last look before it leaves the lookback"
NEW = "not fetched before"
FETCHED_TODAY = "fetched earlier today"
CHECKED_THIS_WEEK = "checked in the last 7 days"
SETTLED = "settled (unchanged over 3 re-fetches)"
FINAL = "older than the lookback; only on request"


@dataclass(frozen=True, slots=True)
class DayChoice:
    day: date
    fetch: bool
    reason: str
    next_check: date | None = None  # a skipped day: when it is due again


@dataclass(frozen=True, slots=True)
class Plan:
    days: tuple[DayChoice, ...]  # in date order
    daily_until: int  # the age up to which days are fetched once a day

    @property
    def fetched(self) -> list[date]:
        return [c.day for c in self.days if c.fetch]

    def windows(self, max_days: int = 30) -> list[Window]:
        """The fetched days as contiguous windows of at most `max_days`, in date order."""
        out: list[Window] = []
        for start, end in _runs(self.fetched):
            out.extend(chunk(Window(start, end), max_days))
        return out

    def describe(self) -> str:
        """"Fetched Dec 3–4 (every run), Nov 28–Dec 2 (daily, first run today); skipped Nov 5–27 (checked in the
        last 7 days), next weekly check on Dec 9"."""
        fetched = _by_reason([c for c in self.days if c.fetch])
        skipped = _by_reason([c for c in self.days if not c.fetch])
        text = "Fetched " + (fetched or "nothing")
        if skipped:
            text += "; skipped " + skipped
            upcoming = [c.next_check for c in self.days if not c.fetch and c.next_check is not None]
            weekly = [c.next_check for c in self.days if not c.fetch and c.next_check is not None
                      and c.reason in (CHECKED_THIS_WEEK, SETTLED)]
            if weekly:
                text += f", next weekly check on {_day(min(weekly))}"
            elif upcoming:
                text += f", next check on {_day(min(upcoming))}"
        return text


def plan_days(*, platform: str, lookback: int, today: date, zone: str, days: Window,
              history: Mapping[date, DayHistory], latest_change_age: int | None = None) -> Plan:
    """Which days of `days` (the run's range, ending `today` in `zone`) to fetch; `history` times are naive UTC."""
    tz = ZoneInfo(zone)
    start_of_today = _naive_utc(datetime.combine(today, time(), tzinfo=tz))
    week_ago = _naive_utc(datetime.combine(today - timedelta(days=WEEK - 1), time(), tzinfo=tz))
    daily_until = _daily_until(platform, lookback, latest_change_age)

    def fetched_day(h: DayHistory) -> date:
        return h.last_fetched_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).date()

    choices: list[DayChoice] = []
    weekly: list[int] = []  # indexes of days checked weekly (due or not)
    day = days.start
    while day <= days.end:
        age = (today - day).days
        past = history.get(day)
        if age <= EVERY_RUN_DAYS:
            choice = DayChoice(day, True, EVERY_RUN)
        elif past is None:
            choice = DayChoice(day, True, NEW)
        elif age > lookback:
            choice = DayChoice(day, False, FINAL)
        elif age == lookback and past.last_age_days < lookback:
            choice = DayChoice(day, True, LAST_LOOK)
        elif age <= daily_until and past.unchanged_streak < SETTLED_AFTER:
            if past.last_fetched_at < start_of_today:
                choice = DayChoice(day, True, DAILY if age <= DAILY_DAYS else LATE)
            else:
                choice = DayChoice(day, False, FETCHED_TODAY, today + timedelta(days=1))
        else:  # the weekly tier, or a settled day
            settled = age <= daily_until
            due = past.last_fetched_at < week_ago
            next_check = fetched_day(past) + timedelta(days=WEEK)
            why = SETTLED if settled else CHECKED_THIS_WEEK
            choice = DayChoice(day, due, WEEKLY if due else why, None if due else next_check)
            if past.last_fetched_at < start_of_today:
                weekly.append(len(choices))
        choices.append(choice)
        day += timedelta(days=1)
    if any(choices[i].fetch for i in weekly):  # one weekly check: the tier's other days not fetched today join it
        for i in weekly:
            choices[i] = DayChoice(choices[i].day, True, WEEKLY)
    return Plan(tuple(choices), daily_until)


def whole(days: Window, reason: str = "planner off: the whole lookback every run") -> Plan:
    """Every day of `days` fetched (the planner is off, or a backfill)."""
    out = []
    day = days.start
    while day <= days.end:
        out.append(DayChoice(day, True, reason))
        day += timedelta(days=1)
    return Plan(tuple(out), 0)


def restates_days(platform: str) -> int:
    """How many days after a day the platform may still restate it (PLATFORM_RESTATES_DAYS; 7 when unknown)."""
    return PLATFORM_RESTATES_DAYS.get(platform, DAILY_DAYS)


def _daily_until(platform: str, lookback: int, latest_change_age: int | None) -> int:
    window = restates_days(platform)
    if window > DAILY_DAYS and latest_change_age is not None and latest_change_age > DAILY_DAYS:
        return max(DAILY_DAYS, min(window, lookback, latest_change_age))
    return DAILY_DAYS


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for day in days:
        if out and out[-1][1] + timedelta(days=1) == day:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _grouped(choices: list[DayChoice]) -> list[tuple[date, date, str]]:
    """Consecutive days with the same reason, as (first, last, reason), in date order."""
    out: list[tuple[date, date, str]] = []
    for c in choices:
        if out and out[-1][2] == c.reason and out[-1][1] + timedelta(days=1) == c.day:
            out[-1] = (out[-1][0], c.day, c.reason)
        else:
            out.append((c.day, c.day, c.reason))
    return out


def _by_reason(choices: list[DayChoice]) -> str:
    """"Dec 8–9 (every run), Dec 7 and Dec 2–5 (daily, first run today)": newest first, one reason once."""
    spans: dict[str, list[str]] = {}
    for first, last, why in reversed(_grouped(choices)):
        spans.setdefault(why, []).append(_span(first, last))
    return ", ".join(f"{' and '.join(days)} ({why})" for why, days in spans.items())


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


def _span(first: date, last: date) -> str:
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{_day(first)}–{last.day}"
    return f"{_day(first)}–{_day(last)}"

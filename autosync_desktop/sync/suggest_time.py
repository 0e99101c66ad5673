"""A suggested time of day for a new daily schedule, with its reason in plain words (issue 13, smart scheduling).

Pure: the caller (services/time_suggestions.py) reads the evidence from the store and passes it in; nothing here reads
the store, the clock or the network.

The rule, explainable in one sentence each:

* **Settled by**: for each recent day D of the account (or the platform's accounts), the runs on the day after
  (D+1, in the account's zone) saw some share of D's final cost and clicks: the final values minus the
  restatements recorded after the run. D counts as "final by hour h" when a run at or before h saw at least
  ``FINAL_SHARE`` (99 %) of both. The suggested hour is the first hour by which at least ``DAYS_SHARE`` (90 %) of
  the days with evidence were final, given at least ``MIN_DAYS`` such days; the time is 30 minutes past it.
* **Away from failures**: an hour in which at least ``FAILED_MIN`` runs failed, and at least ``FAILED_SHARE`` of
  that hour's runs, is passed over for the next one (said in the reason).
* **No evidence yet**: ``DEFAULT_TIME`` (07:00), said as a default, never as a measurement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

FINAL_SHARE = 0.99
DAYS_SHARE = 0.9
MIN_DAYS = 7
FAILED_MIN = 3
FAILED_SHARE = 0.2
DEFAULT_TIME = time(7, 0)
MARGIN_MINUTES = 30


@dataclass(frozen=True)
class DayEvidence:
    """One settled day D of one account: its final totals and what each run on D+1 saw.

    `run_times`: local (account zone, naive) start times of the account's successful runs on D+1.
    `changes`: (local fetch time, cost change in micros, clicks change) of each restatement of D recorded at or
    after D+1's midnight, any age. A run at t saw final minus the changes fetched after t.
    """

    day: date
    final_cost_micros: int
    final_clicks: int
    run_times: tuple[datetime, ...]
    changes: tuple[tuple[datetime, int, int], ...]

    def final_by(self) -> datetime | None:
        """The first run on D+1 that saw at least FINAL_SHARE of the final cost and clicks, or None."""
        for run_at in sorted(self.run_times):
            later_cost = sum(d_cost for at, d_cost, _ in self.changes if at > run_at)
            later_clicks = sum(d_clicks for at, _, d_clicks in self.changes if at > run_at)
            if _share(self.final_cost_micros, later_cost) >= FINAL_SHARE and \
                    _share(self.final_clicks, later_clicks) >= FINAL_SHARE:
                return run_at
        return None


def _share(final: int, still_to_come: int) -> float:
    if final <= 0:
        return 1.0 if still_to_come == 0 else 0.0
    return max(0.0, 1.0 - abs(still_to_come) / final)


@dataclass(frozen=True)
class HourFailures:
    hour: int  # local hour of the run's start
    runs: int
    failed: int

    @property
    def avoid(self) -> bool:
        return self.failed >= FAILED_MIN and self.failed / max(self.runs, 1) >= FAILED_SHARE


@dataclass(frozen=True)
class Suggestion:
    at: time
    measured: bool  # False: the default, for want of evidence
    settled_hour: int | None  # the hour by which DAYS_SHARE of the days were final (measured only)
    final_share: float | None  # share of days final by settled_hour
    days: int  # days with evidence
    skipped_hours: tuple[int, ...]  # hours passed over for their failures
    reason: str


def suggest(days: Iterable[DayEvidence], failures: Sequence[HourFailures], *, platform_label: str,
            zone_label: str, period_days: int) -> Suggestion:
    """The suggested local time for a daily schedule, and why (`zone_label`: e.g. "Berlin")."""
    final_hours: list[int] = []
    evidence = 0
    for day in days:
        if not day.run_times:
            continue
        evidence += 1
        final_at = day.final_by()
        if final_at is not None:
            # hours are counted from D+1's midnight: a day final at 05:40 (or 06:00) is final by 06:00
            since_midnight = final_at - datetime.combine(day.day + timedelta(days=1), time())
            final_hours.append(min(24, max(0, math.ceil(since_midnight.total_seconds() / 3600))))
    avoid = {f.hour for f in failures if f.avoid}
    if evidence < MIN_DAYS:
        return _default(avoid, platform_label, evidence)
    settled: int | None = None
    for hour in range(0, 25):
        share = sum(1 for h in final_hours if h <= hour) / evidence
        if share >= DAYS_SHARE:
            settled = hour
            break
    if settled is None or settled >= 24:
        return _default(avoid, platform_label, evidence, late=True)
    share = sum(1 for h in final_hours if h <= settled) / evidence
    hour, skipped = _away_from(settled, avoid)
    at = time(hour, MARGIN_MINUTES)
    pct = int(share * 100)  # floored: "99 %" never rounds a 98.6 % up
    reason = (f"{at:%H:%M} {zone_label}: {platform_label} numbers for yesterday were {int(FINAL_SHARE * 100)} % "
              f"final by {settled:02d}:00 on {pct} % of the last {evidence} days (of {period_days})")
    if skipped:
        reason += "; " + _skipped_words(skipped)
    return Suggestion(at=at, measured=True, settled_hour=settled, final_share=share, days=evidence,
                      skipped_hours=skipped, reason=reason)


def _away_from(hour: int, avoid: set[int]) -> tuple[int, tuple[int, ...]]:
    skipped: list[int] = []
    while hour in avoid and len(skipped) < 23:
        skipped.append(hour)
        hour = (hour + 1) % 24
    return hour, tuple(skipped)


def _skipped_words(skipped: tuple[int, ...]) -> str:
    hours = ", ".join(f"{h:02d}:00" for h in skipped)
    return f"not {hours}: many past runs failed in that hour"


def _default(avoid: set[int], platform_label: str, evidence: int, late: bool = False) -> Suggestion:
    hour, skipped = _away_from(DEFAULT_TIME.hour, avoid)
    at = time(hour, DEFAULT_TIME.minute)
    if late:
        why = (f"{platform_label} numbers for yesterday were rarely {int(FINAL_SHARE * 100)} % final on the next "
               "day, so AutoSync suggests its usual morning time; the freshness planner fetches the day again later")
    elif evidence:
        why = (f"only {evidence} day{'s' if evidence != 1 else ''} of history for {platform_label} so far "
               f"(at least {MIN_DAYS} are needed to measure when its numbers settle); this is AutoSync's usual "
               "morning time")
    else:
        why = (f"no history for {platform_label} yet; this is AutoSync's usual morning time, after most "
               "platforms have closed yesterday")
    reason = f"{at:%H:%M}: {why}"
    if skipped:
        reason += "; " + _skipped_words(skipped)
    return Suggestion(at=at, measured=False, settled_hour=None, final_share=None, days=evidence,
                      skipped_hours=skipped, reason=reason)

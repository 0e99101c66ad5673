"""The Insights page's words (pure, no Qt): each figure as a cell text with its unit and a tooltip that explains
it, and unknown as "—" with a tooltip saying why ("No run finished in this period"), never as 0.
"""

from __future__ import annotations

from autosync_desktop.domain import AccountInsight, RunFigures
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.dashboard.text import day_label

UNKNOWN = "—"
Cell = tuple[str, str]  # (text, tooltip)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def runs_cell(f: RunFigures) -> Cell:
    parts = [f"{f.succeeded:,} succeeded", f"{f.failed:,} failed"]
    parts += [f"{count:,} {word}" for count, word in ((f.cancelled, "cancelled"), (f.skipped, "skipped")) if count]
    active = f.runs - f.succeeded - f.failed - f.cancelled - f.skipped
    if active:
        parts.append(f"{active:,} queued or running")
    return _plural(f.runs, "run"), ", ".join(parts) if f.runs else "No runs in this period"


def success_cell(f: RunFigures) -> Cell:
    if f.success_rate is None:
        return UNKNOWN, ("Unknown: no run finished in this period (cancelled and skipped runs say nothing either "
                         "way)")
    percent = round(f.success_rate * 100)
    return f"{percent} % succeeded", (f"{f.succeeded:,} of {f.succeeded + f.failed:,} finished runs succeeded "
                                      "(failed and interrupted runs count as not)")


def duration_cell(seconds: float | None, which: str) -> Cell:
    """`which`: "p50" or "p95"."""
    if seconds is None:
        return UNKNOWN, "Unknown: no run finished in this period"
    meaning = ("Half of the finished runs took at most this long" if which == "p50"
               else "95 % of the finished runs took at most this long")
    return f"{which} {fmt.duration(seconds)}", meaning


def rows_cell(f: RunFigures) -> Cell:
    return _plural(f.rows_written, "row"), "Daily-stat rows written by these runs"


def calls_cell(f: RunFigures, days: float) -> Cell:
    per_day = f.api_calls_per_day
    shown = f"{per_day:,.0f}" if per_day >= 10 or per_day == int(per_day) else f"{per_day:,.1f}"
    span = "day" if days == 1 else f"{days:g} days"
    errors = "none failed" if not f.api_errors else f"{f.api_errors:,} failed"
    return f"{shown} a day", f"{f.api_calls:,} API calls in the last {span} ({errors})"


def wait_cell(f: RunFigures) -> Cell:
    unmeasured = (f" {_plural(f.wait_unrecorded_runs, 'run')} from before AutoSync measured waits "
                  "not included." if f.wait_unrecorded_runs else "")
    if f.rate_limit_wait_s is None:
        if f.runs == 0:
            return UNKNOWN, "Unknown: no runs in this period"
        return UNKNOWN, "Unknown: these runs were stored before AutoSync measured the time spent on rate limits"
    return fmt.duration(f.rate_limit_wait_s), ("Time spent waiting because the platform (or AutoSync's own pacing) "
                                               "limited how fast it may be asked." + unmeasured)


def behind(seconds: float) -> str:
    """'25 min behind', '3 h behind', '2 d 4 h behind'."""
    if seconds < 3600:
        return f"{int(seconds // 60)} min behind"
    hours = int(seconds // 3600)
    if hours < 48:
        return f"{hours} h behind"
    return f"{hours // 24} d {hours % 24} h behind"


def behind_cell(a: AccountInsight) -> Cell:
    if a.zone is None:
        return UNKNOWN, "The account was removed: its past runs are still counted"
    if a.freshness_lag_s is None or a.complete_through is None:
        return UNKNOWN, "Unknown: no daily data synced yet"
    tip = (f"Complete through {day_label(a.complete_through)} ({fmt.zone_words(a.zone)}), which ended "
           f"{fmt.duration(a.freshness_lag_s)} ago")
    if a.data_through is not None and a.data_through > a.complete_through:
        tip += f"; {day_label(a.data_through)} is there too, but was not over when it was synced"
    return behind(a.freshness_lag_s), tip


def settling_cell(a: AccountInsight) -> Cell:
    if a.settling_days is None:
        return UNKNOWN, ("The account was removed" if a.zone is None else "Unknown: no daily data synced yet")
    if a.settling_days == 0:
        return "all final", "No synced day is inside the lookback any more: platforms no longer restate them"
    return _plural(a.settling_days, "day"), (f"The last {_plural(a.settling_days, 'day')} are fetched again by "
                                             "every run: platforms may still restate them (attribution)")


def summary(f: RunFigures, period_label: str) -> str:
    """One sentence over every run of the period."""
    if f.runs == 0:
        return f"{period_label}: no runs."
    rate = success_cell(f)[0]
    p95 = "" if f.p95_duration_s is None else f", 95 % done within {fmt.duration(f.p95_duration_s)}"
    wait = "" if f.rate_limit_wait_s is None else f", {fmt.duration(f.rate_limit_wait_s)} waiting on rate limits"
    return (f"{period_label}: {_plural(f.runs, 'run')}, {rate if rate != UNKNOWN else 'none finished'}{p95}, "
            f"{_plural(f.rows_written, 'row')} written, {calls_cell(f, 1)[0].replace(' a day', '')} API calls a day"
            f"{wait}.")

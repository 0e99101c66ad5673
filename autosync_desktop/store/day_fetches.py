"""Each account day's fetch history (`day_fetch`) and what re-fetches changed (`restatement`), schema v11.

The writer (sync/writer.py) calls `day_totals` before and after it replaces a window and then `record`, all inside
the transaction that writes the window: the history and the deltas are committed with the data or not at all.
The freshness planner (sync/freshness.py) reads `history` and `latest_change_age`; Insights reads the tables too.

A day's totals are sums over the account's campaigns of cost (micros), clicks and conversions on that date. A sum is
unknown (None) when one of the day's rows has the metric unknown (NULL); a day without rows sums to 0 (the
platform reported no activity). A re-fetch "changed" the day when one of the three totals differs (unknown vs.
known counts as a change; unknown vs. unknown does not). The unchanged streak counts re-fetches that agree with
numbers stored after the day was over, one per day of age. A restatement row is written for a change only when the
stored values were fetched after the day was over in the account's zone (previous age >= 1): changes of today's
numbers while the day runs are not restatements.
May touch: the store (peewee's database, the sqlite3 connection given), stdlib.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from autosync_desktop.store.models import database_proxy

Totals = tuple[int | None, int | None, float | None]  # cost_micros, clicks, conversions
NOTHING: Totals = (0, 0, 0.0)

_TOTALS_SQL = (
    "SELECT date, CASE WHEN COUNT(cost_micros) = COUNT(*) THEN SUM(cost_micros) END,"
    " CASE WHEN COUNT(clicks) = COUNT(*) THEN SUM(clicks) END,"
    " CASE WHEN COUNT(conversions) = COUNT(*) THEN ROUND(SUM(conversions), 6) END"
    " FROM daily_stat WHERE account_id = ? AND date >= ? AND date <= ? GROUP BY date"
)
_HISTORY_SQL = (
    "SELECT date, fetches, last_fetched_at, last_age_days, unchanged_streak, streak_age_days FROM day_fetch"
    " WHERE account_id = ? AND date >= ? AND date <= ?"
)
_UPSERT_SQL = (
    "INSERT INTO day_fetch (account_id, date, fetches, first_fetched_at, last_fetched_at, last_age_days,"
    " unchanged_streak, streak_age_days, last_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (account_id, date) DO UPDATE SET fetches = excluded.fetches, last_fetched_at ="
    " excluded.last_fetched_at, last_age_days = excluded.last_age_days, unchanged_streak = excluded.unchanged_streak,"
    " streak_age_days = excluded.streak_age_days, last_changed = excluded.last_changed"
)
_RESTATEMENT_SQL = (
    "INSERT INTO restatement (account_id, date, age_days, prev_age_days, fetched_at, run_id, before_cost_micros,"
    " before_clicks, before_conversions, d_cost_micros, d_clicks, d_conversions)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class DayHistory:
    """What the store knows about one account day's fetches (naive UTC times, as stored)."""

    fetches: int
    last_fetched_at: datetime
    last_age_days: int
    unchanged_streak: int
    streak_age_days: int | None


def _text(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def _datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def day_totals(con: sqlite3.Connection, account_id: int, start: date, end: date) -> dict[date, Totals]:
    """Per date in [start, end] that has rows: the account's totals (None: unknown)."""
    out: dict[date, Totals] = {}
    for day, cost, clicks, conversions in con.execute(_TOTALS_SQL, (account_id, start.isoformat(), end.isoformat())):
        out[date.fromisoformat(str(day))] = (None if cost is None else int(cost),
                                             None if clicks is None else int(clicks),
                                             None if conversions is None else float(conversions))
    return out


def read_history(con: sqlite3.Connection, account_id: int, start: date, end: date) -> dict[date, DayHistory]:
    """`history` on the writer's connection, inside its transaction."""
    out: dict[date, DayHistory] = {}
    for day, fetches, last, age, streak, streak_age in con.execute(
            _HISTORY_SQL, (account_id, start.isoformat(), end.isoformat())):
        out[date.fromisoformat(str(day))] = DayHistory(int(fetches), _datetime(last), int(age), int(streak),
                                                       None if streak_age is None else int(streak_age))
    return out


def history(account_id: int, start: date, end: date) -> dict[date, DayHistory]:
    """The fetch history of the account's days in [start, end] (days never fetched are absent)."""
    return read_history(database_proxy.connection(), account_id, start, end)


def latest_change_age(account_id: int, since: datetime) -> int | None:
    """The oldest age (days) at which a re-fetch since `since` (naive UTC) found the account's numbers changed."""
    row = database_proxy.execute_sql("SELECT MAX(age_days) FROM restatement WHERE account_id = ? AND fetched_at >= ?",
                                      (account_id, _text(since))).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _delta(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    change = after - before
    return round(change, 6) if isinstance(change, float) else change


def record(con: sqlite3.Connection, account_id: int, run_id: int | None, start: date, end: date,
           known: dict[date, DayHistory], before: dict[date, Totals], after: dict[date, Totals], fetched_at: datetime,
           today: date) -> int:
    """Record the fetch of every day in [start, end] (`fetched_at` naive UTC; `today` in the account's zone):
    bump its history (`known`: as read before the window was written), and write a restatement row where a
    re-fetch changed a stored, complete day. Returns the number of restatement rows written. Call it inside the
    transaction that wrote the window."""
    stamp = _text(fetched_at)
    upserts: list[tuple[object, ...]] = []
    changes: list[tuple[object, ...]] = []
    day = start
    while day <= end:
        age = (today - day).days
        past = known.get(day)
        if past is None:
            upserts.append((account_id, day.isoformat(), 1, stamp, stamp, age, 0, age, 0))
        else:
            old, new = before.get(day, NOTHING), after.get(day, NOTHING)
            changed = old != new
            streak, streak_age = past.unchanged_streak, past.streak_age_days
            if changed:
                streak, streak_age = 0, age
                if past.last_age_days >= 1:
                    changes.append((account_id, day.isoformat(), age, past.last_age_days, stamp, run_id, *old,
                                    *(_delta(b, a) for b, a in zip(old, new, strict=True))))
            elif past.last_age_days < 1:  # the stored numbers were of a day still running: agreeing proves nothing
                streak, streak_age = 0, age
            elif streak_age is None or age > streak_age:  # at most one unchanged re-fetch counted per day of age
                streak, streak_age = streak + 1, age
            upserts.append((account_id, day.isoformat(), past.fetches + 1, stamp, stamp, age, streak, streak_age,
                            int(changed)))
        day += timedelta(days=1)
    con.executemany(_UPSERT_SQL, upserts)
    if changes:
        con.executemany(_RESTATEMENT_SQL, changes)
    return len(changes)

"""Reads for the suggested time of a new daily schedule (services/time_suggestions.py, sync/suggest_time.py).

Three bulk reads over one platform's current accounts and a UTC range: the day totals (cost, clicks) per account
and day, the restatements recorded (schema v11), and the runs (start time, status). The service turns them into
each account's local days and hours; nothing here knows about zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from autosync_desktop.store.models import database_proxy
from autosync_desktop.store.queries import DAY_TZ_SQL

_ACCOUNTS_SQL = (f"SELECT a.id, a.name, {DAY_TZ_SQL} FROM account a WHERE a.platform = ? AND a.removed_at IS NULL"
                 " ORDER BY a.id")
# NULL when any campaign's figure is unknown that day (SUM would hide it)
_TOTALS_SQL = (
    "SELECT date, CASE WHEN COUNT(cost_micros) = COUNT(*) THEN SUM(cost_micros) END,"
    " CASE WHEN COUNT(clicks) = COUNT(*) THEN SUM(clicks) END FROM daily_stat"
    " WHERE account_id = ? AND date >= ? AND date <= ? GROUP BY date"
)
_RESTATED_SQL = ("SELECT date, fetched_at, d_cost_micros, d_clicks FROM restatement WHERE account_id = ?"
                 " AND date >= ? AND date <= ?")
# backfills fetch chosen days, not the recent ones, and campaigns-only runs fetch no days: neither says anything
# about when yesterday settles
_RUNS_SQL = (
    "SELECT COALESCE(started_at, queued_at), status FROM sync_run WHERE account_id = ? AND queued_at >= ?"
    " AND queued_at < ? AND trigger != 'backfill' AND sync_type IN ('both', 'performance')"
    " AND status IN ('succeeded', 'failed', 'interrupted')"
)


@dataclass(frozen=True, slots=True)
class AccountHistory:
    name: str
    zone: str
    totals: dict[date, tuple[int | None, int | None]]  # day -> (cost micros, clicks); None: unknown
    restated: list[tuple[date, datetime, int | None, int | None]]  # (day, fetched_at UTC, d_cost, d_clicks)
    runs: list[tuple[datetime, str]]  # (started_at UTC naive, status)


def _dt(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def platform_history(platform: str, first_day: date, last_day: date, since: datetime,
                     until: datetime) -> list[AccountHistory]:
    """Each current account of `platform`: day totals and restatements of [first_day, last_day], and runs queued in
    [since, until) (naive UTC)."""
    out: list[AccountHistory] = []
    days = (first_day.isoformat(), last_day.isoformat())
    for account_id, name, zone in database_proxy.execute_sql(_ACCOUNTS_SQL, (platform,)).fetchall():
        totals = {_day(d): (None if cost is None else int(cost), None if clicks is None else int(clicks))
                  for d, cost, clicks in database_proxy.execute_sql(_TOTALS_SQL, (account_id, *days))}
        restated = [(_day(d), _dt(at), None if dc is None else int(dc), None if dk is None else int(dk))
                    for d, at, dc, dk in database_proxy.execute_sql(_RESTATED_SQL, (account_id, *days))]
        runs = [(_dt(at), str(status)) for at, status in database_proxy.execute_sql(
            _RUNS_SQL, (account_id, since.isoformat(sep=" "), until.isoformat(sep=" ")))]
        out.append(AccountHistory(name=str(name), zone=str(zone), totals=totals, restated=restated, runs=runs))
    return out

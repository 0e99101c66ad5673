"""Read-side queries for sync analytics (the Insights page, `autosync insights`, `GET /sync/metrics`).

Runs are those queued in [since, until), like `queries.period_metrics`, grouped per platform, per account
(account_name, platform: names are copied into each run, so a removed account's runs still count) or per
schedule (schedule_name, account_name, platform; NULL schedule_name: runs started without a schedule).
Everything is aggregated by SQLite; Python only turns a handful of rows (one per group) into tuples.

Percentiles are nearest-rank: the p-th percentile of n sorted durations is the ceil(p * n / 100)-th one
(computed in integers as (p * n + 99) / 100), over finished runs that started (queries.TIMED_STATUSES) with a
duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from autosync_desktop.store.models import RUN_STATUSES, database_proxy
from autosync_desktop.store.queries import DAY_TZ_SQL, FAILED_STATUSES, TIMED_STATUSES, _in_list, _text

# group -> the columns of its key (empty: all runs together)
GROUPS: dict[str, tuple[str, ...]] = {
    "all": (),
    "platform": ("platform",),
    "account": ("account_name", "platform"),
    "schedule": ("schedule_name", "account_name", "platform"),
}

Key = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class GroupRow:
    """Sums over one group's runs (store units: seconds, counts)."""

    runs: int
    succeeded: int
    failed: int  # failed + interrupted
    cancelled: int
    skipped: int
    rows: int
    api_calls: int
    api_errors: int
    rate_limit_wait_s: float | None  # SUM over the runs that recorded it; NULL when none did
    wait_unrecorded: int  # runs whose rate_limit_wait_s is NULL (stored before schema v9)


def _columns(group: str) -> tuple[str, ...]:
    if group not in GROUPS:
        raise ValueError(f"group must be one of {tuple(GROUPS)}, not {group!r}")
    return GROUPS[group]


def run_sums(group: str, since: datetime, until: datetime) -> dict[Key, GroupRow]:
    """Per group key: counts by status, rows written, API calls and errors, rate-limit waits."""
    columns = _columns(group)
    key = ", ".join(columns)
    sql = (
        f"SELECT {key + ', ' if key else ''}COUNT(*), TOTAL(status = 'succeeded'),"
        f" TOTAL(status IN {_in_list(FAILED_STATUSES)}), TOTAL(status = 'cancelled'), TOTAL(status = 'skipped'),"
        " COALESCE(SUM(rows), 0), COALESCE(SUM(api_calls), 0), COALESCE(SUM(api_errors), 0),"
        " SUM(rate_limit_wait_s), COUNT(*) - COUNT(rate_limit_wait_s)"
        f" FROM sync_run WHERE status IN {_in_list(RUN_STATUSES)} AND queued_at >= ? AND queued_at < ?"
        f"{' GROUP BY ' + key if key else ''}"
    )
    out: dict[Key, GroupRow] = {}
    for row in database_proxy.execute_sql(sql, (_text(since), _text(until))):
        values = row[len(columns):]
        if not values[0]:  # all runs together, and there are none
            continue
        out[tuple(row[:len(columns)])] = GroupRow(
            runs=int(values[0]), succeeded=int(values[1]), failed=int(values[2]), cancelled=int(values[3]),
            skipped=int(values[4]), rows=int(values[5]), api_calls=int(values[6]), api_errors=int(values[7]),
            rate_limit_wait_s=None if values[8] is None else float(values[8]), wait_unrecorded=int(values[9]))
    return out


def duration_percentiles(group: str, since: datetime, until: datetime,
                         percents: tuple[int, ...] = (50, 95)) -> dict[Key, tuple[float, ...]]:
    """Per group key: the nearest-rank percentiles (seconds) of the finished runs' durations, in `percents`'
    order. Groups without a finished run that started are absent."""
    columns = _columns(group)
    key = ", ".join(columns)
    picks = ", ".join(f"MAX(CASE WHEN rn = ({int(p)} * n + 99) / 100 THEN duration_s END)" for p in percents)
    partition = f"PARTITION BY {key} " if key else ""
    sql = (
        f"SELECT {key + ', ' if key else ''}{picks} FROM (SELECT {key + ', ' if key else ''}duration_s,"
        f" ROW_NUMBER() OVER ({partition}ORDER BY duration_s) AS rn, COUNT(*) OVER ({partition.strip()}) AS n"
        f" FROM sync_run WHERE status IN {_in_list(TIMED_STATUSES)} AND duration_s IS NOT NULL"
        " AND queued_at >= ? AND queued_at < ?)"
        f"{' GROUP BY ' + key if key else ' WHERE n > 0'}"
    )
    out: dict[Key, tuple[float, ...]] = {}
    for row in database_proxy.execute_sql(sql, (_text(since), _text(until))):
        values = row[len(columns):]
        if values[0] is None:  # all runs together, and none finished
            continue
        out[tuple(row[:len(columns)])] = tuple(float(v) for v in values)
    return out


def account_zones() -> dict[str, str]:
    """Every current account's name -> the zone its days are in (queries.DAY_TZ_SQL: the rule the Data page and
    the exports use). Where its data stands comes from the Dashboard's account cards (sync_state)."""
    sql = f"SELECT a.name, {DAY_TZ_SQL} FROM account a WHERE a.removed_at IS NULL"
    return {name: zone or "UTC" for name, zone in database_proxy.execute_sql(sql)}

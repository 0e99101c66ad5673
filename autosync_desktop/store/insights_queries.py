"""Read-side queries for sync analytics (the Insights page, `autosync insights`, `GET /sync/metrics`).

Runs are those queued in [since, until), like `queries.period_metrics`, summed by SQLite per schedule
(schedule_name, account_name, platform; names are copied into each run, so a removed account's runs still count;
NULL schedule_name: runs started without a schedule). The service adds those sums up per account, per platform
and in total, so the period's runs are scanned once.

Percentiles are nearest-rank: the p-th percentile of n sorted durations is the ceil(p * n / 100)-th one
(computed in integers as (p * n + 99) / 100), over finished runs that started (queries.TIMED_STATUSES) with a
duration. The durations are read once, sorted by SQLite, and split by group in Python (in order, so each group's
list is sorted): exact. On a million runs over 180 days (benchmarks/history.py's store, 2 CPUs) the whole read
takes about 21 ms for 24h, 180 ms for 7d and 810 ms for 30d (167,000 runs); a sum and a window-function
percentile query per grouping took 93 ms, 770 ms and 3.9 s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from autosync_desktop.store.models import RUN_STATUSES, database_proxy
from autosync_desktop.store.queries import DAY_TZ_SQL, FAILED_STATUSES, TIMED_STATUSES, _in_list, _text

# The finest grouping; the service adds these up per account, per platform and in total (sums and counts
# compose; percentiles are taken from the durations, read in order).
Key = tuple[str | None, str, str]  # (schedule_name, account_name, platform)


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

    def __add__(self, other: GroupRow) -> GroupRow:
        waits = [w for w in (self.rate_limit_wait_s, other.rate_limit_wait_s) if w is not None]
        return GroupRow(
            runs=self.runs + other.runs, succeeded=self.succeeded + other.succeeded, failed=self.failed + other.failed,
            cancelled=self.cancelled + other.cancelled, skipped=self.skipped + other.skipped,
            rows=self.rows + other.rows, api_calls=self.api_calls + other.api_calls,
            api_errors=self.api_errors + other.api_errors, rate_limit_wait_s=sum(waits) if waits else None,
            wait_unrecorded=self.wait_unrecorded + other.wait_unrecorded)


_SUMS_SQL = (
    "SELECT schedule_name, account_name, platform, COUNT(*), TOTAL(status = 'succeeded'),"
    f" TOTAL(status IN {_in_list(FAILED_STATUSES)}), TOTAL(status = 'cancelled'), TOTAL(status = 'skipped'),"
    " COALESCE(SUM(rows), 0), COALESCE(SUM(api_calls), 0), COALESCE(SUM(api_errors), 0),"
    " SUM(rate_limit_wait_s), COUNT(*) - COUNT(rate_limit_wait_s)"
    f" FROM sync_run WHERE status IN {_in_list(RUN_STATUSES)} AND queued_at >= ? AND queued_at < ?"
    " GROUP BY schedule_name, account_name, platform"
)
_DURATIONS_SQL = (
    "SELECT schedule_name, account_name, platform, duration_s FROM sync_run"
    f" WHERE status IN {_in_list(TIMED_STATUSES)} AND duration_s IS NOT NULL AND queued_at >= ? AND queued_at < ?"
    " ORDER BY duration_s"
)


def run_sums(since: datetime, until: datetime) -> dict[Key, GroupRow]:
    """Per (schedule_name, account_name, platform): counts by status, rows, API calls and errors, rate-limit waits
    of the runs queued in [since, until)."""
    out: dict[Key, GroupRow] = {}
    for row in database_proxy.execute_sql(_SUMS_SQL, (_text(since), _text(until))):
        values = row[3:]
        out[(row[0], row[1], row[2])] = GroupRow(
            runs=int(values[0]), succeeded=int(values[1]), failed=int(values[2]), cancelled=int(values[3]),
            skipped=int(values[4]), rows=int(values[5]), api_calls=int(values[6]), api_errors=int(values[7]),
            rate_limit_wait_s=None if values[8] is None else float(values[8]), wait_unrecorded=int(values[9]))
    return out


def durations(since: datetime, until: datetime) -> Iterator[tuple[Key, float]]:
    """(key, duration_s) of the finished runs that started (queries.TIMED_STATUSES) queued in [since, until),
    shortest first: one sort by SQLite, so every group's durations come out sorted too."""
    for schedule, account, platform, seconds in database_proxy.execute_sql(_DURATIONS_SQL,
                                                                           (_text(since), _text(until))):
        yield (schedule, account, platform), float(seconds)


def nearest_rank(ordered: Sequence[float], percent: int) -> float | None:
    """The `percent`-th percentile of sorted values by nearest rank: the ceil(percent * n / 100)-th value."""
    if not ordered:
        return None
    return ordered[max(1, (percent * len(ordered) + 99) // 100) - 1]


def account_zones() -> dict[str, str]:
    """Every current account's name -> the zone its days are in (queries.DAY_TZ_SQL: the rule the Data page and
    the exports use). Where its data stands comes from the Dashboard's account cards (sync_state)."""
    sql = f"SELECT a.name, {DAY_TZ_SQL} FROM account a WHERE a.removed_at IS NULL"
    return {name: zone or "UTC" for name, zone in database_proxy.execute_sql(sql)}


# --- per-hour / per-day series (the Insights page's charts) ------------------------------------------------------
# A slot is the local hour ('YYYY-MM-DD HH') or local day ('YYYY-MM-DD') a run was queued in, local meaning UTC
# plus a fixed offset in minutes (the caller's current offset, as the Dashboard's charts use).
# Two reads, like the tables': sums GROUP BY slot, and the durations sorted once and split by slot (exact p95).
# On the 1,000,000-run store of benchmarks/history.py (2 CPUs, under load) both take 12 ms for 24h, 89 ms for 7d
# and 434 ms for 30d (the tables' read: 19, 140 and 717 ms).

@dataclass(frozen=True, slots=True)
class SlotRow:
    """Sums over the runs queued in one slot (store units: seconds, counts)."""

    runs: int
    succeeded: int
    failed: int  # failed + interrupted
    api_calls: int
    rate_limit_wait_s: float | None  # SUM over the runs that recorded it; NULL when none did
    wait_unrecorded: int  # runs whose rate_limit_wait_s is NULL (stored before schema v9)


SLOT_FORMATS = {"hour": "%Y-%m-%d %H", "day": "%Y-%m-%d"}
_SLOT_SUMS_SQL = (
    "SELECT strftime(?, queued_at, ?) AS slot, COUNT(*), TOTAL(status = 'succeeded'),"
    f" TOTAL(status IN {_in_list(FAILED_STATUSES)}), COALESCE(SUM(api_calls), 0), SUM(rate_limit_wait_s),"
    " COUNT(*) - COUNT(rate_limit_wait_s)"
    f" FROM sync_run WHERE status IN {_in_list(RUN_STATUSES)} AND queued_at >= ? AND queued_at < ?"
    " GROUP BY slot"
)
_SLOT_DURATIONS_SQL = (
    "SELECT strftime(?, queued_at, ?), duration_s FROM sync_run"
    f" WHERE status IN {_in_list(TIMED_STATUSES)} AND duration_s IS NOT NULL AND queued_at >= ? AND queued_at < ?"
    " ORDER BY duration_s"
)


def _slot_params(step: str, utc_offset_minutes: int, since: datetime, until: datetime) -> tuple[str, ...]:
    return SLOT_FORMATS[step], f"{int(utc_offset_minutes):+d} minutes", _text(since), _text(until)


def slot_sums(step: str, utc_offset_minutes: int, since: datetime, until: datetime) -> dict[str, SlotRow]:
    """Per local slot ("hour" or "day"): runs, succeeded, failed, API calls and rate-limit waits of the runs queued
    in [since, until). Slots without runs are left out."""
    out: dict[str, SlotRow] = {}
    for slot, runs_, ok, bad, calls, wait, unrecorded in database_proxy.execute_sql(
            _SLOT_SUMS_SQL, _slot_params(step, utc_offset_minutes, since, until)):
        out[str(slot)] = SlotRow(runs=int(runs_), succeeded=int(ok), failed=int(bad), api_calls=int(calls),
                                 rate_limit_wait_s=None if wait is None else float(wait),
                                 wait_unrecorded=int(unrecorded))
    return out


def slot_durations(step: str, utc_offset_minutes: int, since: datetime, until: datetime) -> dict[str, list[float]]:
    """Per local slot: the durations of its finished runs that started (queries.TIMED_STATUSES), shortest first."""
    out: dict[str, list[float]] = {}
    for slot, seconds in database_proxy.execute_sql(_SLOT_DURATIONS_SQL,
                                                    _slot_params(step, utc_offset_minutes, since, until)):
        out.setdefault(str(slot), []).append(float(seconds))
    return out


# --- restatements (schema v11: day_fetch, restatement; the freshness planner's records) ----------------------

_SETTLING_SQL = (
    "SELECT COUNT(*) FROM day_fetch f WHERE f.account_id = ? AND f.date >= ? AND f.date < ? AND f.last_changed = 1"
    " AND EXISTS (SELECT 1 FROM restatement r WHERE r.account_id = f.account_id AND r.date = f.date"
    " AND r.fetched_at = f.last_fetched_at)"
)
# Per account day restated in the period: the first value (the earliest row's before, at its prev_age_days),
# the total change over all its rows (NULL when one is unknown) and the latest row's age.
_SPANS_SQL = (
    "SELECT a.name, a.platform, a.currency, r.date, MIN(r.id), MAX(r.age_days),"
    " CASE WHEN COUNT(r.d_cost_micros) = COUNT(*) THEN SUM(r.d_cost_micros) END,"
    " CASE WHEN COUNT(r.d_clicks) = COUNT(*) THEN SUM(r.d_clicks) END,"
    " CASE WHEN COUNT(r.d_conversions) = COUNT(*) THEN ROUND(SUM(r.d_conversions), 6) END"
    " FROM restatement r JOIN account a ON a.id = r.account_id WHERE a.removed_at IS NULL"
    " AND r.date IN (SELECT p.date FROM restatement p WHERE p.account_id = r.account_id"
    " AND p.fetched_at >= ? AND p.fetched_at < ?) GROUP BY r.account_id, r.date"
)
_FIRST_SQL = "SELECT prev_age_days, before_cost_micros, before_clicks, before_conversions FROM restatement WHERE id = ?"


@dataclass(frozen=True, slots=True)
class RestatedDay:
    """One account day's restatements: values as first stored (at from_age) and the total change since."""

    account: str
    platform: str
    day: str  # ISO date
    from_age: int
    to_age: int
    before: tuple[float | None, float | None, float | None]  # cost micros, clicks, conversions
    change: tuple[float | None, float | None, float | None]
    currency: str | None = None  # the account's (cost is in micros of it); None: the platform gave none


def days_still_settling(account_id: int, first: str, before: str) -> int | None:
    """Days in [first, before) (ISO dates) whose last fetch changed them (it wrote a restatement row); None when
    no fetch of the account was recorded yet (unknown, not 0)."""
    if database_proxy.execute_sql("SELECT 1 FROM day_fetch WHERE account_id = ? LIMIT 1", (account_id,)).fetchone() \
            is None:
        return None
    return int(database_proxy.execute_sql(_SETTLING_SQL, (account_id, first, before)).fetchone()[0])


def account_ids() -> dict[str, tuple[int, str]]:
    """Every current account's name -> (id, platform)."""
    sql = "SELECT name, id, platform FROM account WHERE removed_at IS NULL"
    return {name: (int(account_id), platform) for name, account_id, platform in database_proxy.execute_sql(sql)}


def restated_days(since: datetime, until: datetime) -> list[RestatedDay]:
    """Every current account's days re-fetched with a change in [since, until), with their whole change so far."""
    out: list[RestatedDay] = []
    for name, platform, currency, day, first_id, to_age, cost, clicks, conversions in database_proxy.execute_sql(
            _SPANS_SQL, (_text(since), _text(until))).fetchall():
        prev_age, *before = database_proxy.execute_sql(_FIRST_SQL, (first_id,)).fetchone()
        out.append(RestatedDay(account=name, platform=platform, day=str(day), from_age=int(prev_age),
                               to_age=int(to_age), before=(before[0], before[1], before[2]),
                               change=(cost, clicks, conversions), currency=currency or None))
    return out

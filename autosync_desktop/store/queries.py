"""Read-side queries over the store: period metrics, filtered run history, per-day series, account health.

Every aggregate is computed by SQLite; Python only reshapes a handful of result rows (one per status, day or
account). Times are naive UTC like the rest of the store (an aware datetime is converted to UTC first).
Day buckets use a fixed `utc_offset_minutes` (the caller's current local offset), not a time-zone database.

Indexes these rely on (SyncRun.Meta.indexes): (status, queued_at, duration_s, rows) serves per-status
counts and sums straight from the index; (queued_at, ...) serves unfiltered time ranges; (account, status,
queued_at) and (schedule, queued_at) serve the per-account and per-schedule lookups.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from typing import Any, cast

from peewee import SQL, Expression, fn

from autosync_desktop.store.models import RUN_STATUSES, DailyStat, SyncRun, database_proxy, utcnow

FAILED_STATUSES = ("failed", "interrupted")
# Finished runs that actually started: the ones whose duration_s means something (skipped runs store 0.0).
TIMED_STATUSES = ("succeeded", "failed", "cancelled", "interrupted")
# Runs that say whether an account works: cancelled and skipped runs say nothing either way.
OUTCOME_STATUSES = ("succeeded", "failed", "interrupted")
HISTORY_ORDERS = ("newest", "oldest")
HEALTH_STATES = ("needs_sign_in", "paused", "never_synced", "failing", "degraded", "healthy")


def _utc(moment: datetime) -> datetime:
    """Naive UTC, as stored."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _text(moment: datetime) -> str:
    """The stored text form of a timestamp ('YYYY-MM-DD HH:MM:SS[.ffffff]'), for raw SQL parameters."""
    return _utc(moment).isoformat(sep=" ")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _in_list(values: Iterable[str]) -> str:
    """A literal SQL IN list for trusted constants (lets SQLite plan per value)."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# --- period metrics ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PeriodMetrics:
    total_runs: int
    succeeded: int
    failed: int  # failed + interrupted
    cancelled: int
    skipped: int
    success_rate: float | None  # succeeded / (succeeded + failed); None when both are 0
    avg_duration_s: float | None  # over finished runs that started (TIMED_STATUSES with a duration)
    rows_processed: int


# One contiguous slice of the (status, queued_at, duration_s, rows) index per status: nothing is read from
# the table and nothing is sorted. Runs with a status outside RUN_STATUSES are not counted.
_BY_STATUS_SQL = (
    "SELECT status, COUNT(*), COALESCE(SUM(rows), 0), COALESCE(SUM(duration_s), 0.0), COUNT(duration_s) "
    f"FROM sync_run WHERE status IN {_in_list(RUN_STATUSES)} AND queued_at >= ? AND queued_at < ? "
    "GROUP BY status"
)
_COUNT_BY_STATUS_SQL = (
    f"SELECT status, COUNT(*) FROM sync_run WHERE status IN {_in_list(RUN_STATUSES)} "
    "AND queued_at >= ? AND queued_at < ? GROUP BY status ORDER BY status"
)
_END_OF_TIME = "9999-12-31 23:59:59.999999"
# Rows an export run wrote to its file are not daily figures saved: taken out of rows_processed. Export runs have
# no account, so the (account, queued_at) index finds them.
_EXPORT_ROWS_SQL = ("SELECT COALESCE(SUM(rows), 0) FROM sync_run WHERE account_id IS NULL AND platform = 'export' "
                    f"AND status IN {_in_list(RUN_STATUSES)} AND queued_at >= ? AND queued_at < ?")


def _metrics(since: str, until: str) -> PeriodMetrics:
    """PeriodMetrics of the runs queued in [since, until), both stored-text timestamps."""
    counts: dict[str, int] = {}
    rows = timed_count = 0
    timed_sum = 0.0
    for status, count, status_rows, duration_sum, duration_count in database_proxy.execute_sql(
            _BY_STATUS_SQL, (since, until)):
        counts[status] = count
        rows += status_rows
        if status in TIMED_STATUSES:
            timed_sum += duration_sum
            timed_count += duration_count
    rows -= int(database_proxy.execute_sql(_EXPORT_ROWS_SQL, (since, until)).fetchone()[0])
    succeeded = counts.get("succeeded", 0)
    failed = sum(counts.get(s, 0) for s in FAILED_STATUSES)
    decided = succeeded + failed
    return PeriodMetrics(
        total_runs=sum(counts.values()),
        succeeded=succeeded,
        failed=failed,
        cancelled=counts.get("cancelled", 0),
        skipped=counts.get("skipped", 0),
        success_rate=succeeded / decided if decided else None,
        avg_duration_s=timed_sum / timed_count if timed_count else None,
        rows_processed=rows,
    )


def period_metrics(since: datetime, until: datetime | None = None) -> PeriodMetrics:
    """Counts and sums over the runs queued in [since, until) (no upper bound when `until` is None)."""
    return _metrics(_text(since), _text(until) if until is not None else _END_OF_TIME)


# --- filtered history ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HistoryFilter:
    statuses: tuple[str, ...] = ()  # empty: any status
    schedule_id: int | None = None
    account_id: int | None = None
    triggers: tuple[str, ...] = ()  # empty: any trigger
    since: datetime | None = None  # queued_at >= since
    until: datetime | None = None  # queued_at < until
    text: str | None = None  # case-insensitive substring of schedule/account name, error message or reason


def _history_where(flt: HistoryFilter) -> Expression | None:
    conditions: list[Expression] = []
    if flt.statuses:
        conditions.append(SyncRun.status.in_(flt.statuses))
    if flt.schedule_id is not None:
        conditions.append(SyncRun.schedule == flt.schedule_id)
    if flt.account_id is not None:
        conditions.append(SyncRun.account == flt.account_id)
    if flt.triggers:
        conditions.append(SyncRun.trigger.in_(flt.triggers))
    if flt.since is not None:
        conditions.append(SyncRun.queued_at >= _utc(flt.since))
    if flt.until is not None:
        conditions.append(SyncRun.queued_at < _utc(flt.until))
    if flt.text:
        # peewee's contains() is LIKE '%text%' with %, _ and \ escaped; LIKE ignores ASCII case.
        conditions.append(reduce(operator.or_, (field.contains(flt.text) for field in (
            SyncRun.schedule_name, SyncRun.account_name, SyncRun.error_message, SyncRun.reason))))
    return reduce(operator.and_, conditions) if conditions else None


def history_page(flt: HistoryFilter, limit: int = 50, offset: int = 0, order: str = "newest") -> list[SyncRun]:
    """One page of runs matching `flt`: newest first (queued_at desc, id desc) or oldest first."""
    if order not in HISTORY_ORDERS:
        raise ValueError(f"order must be one of {HISTORY_ORDERS}, not {order!r}")
    keys = (SyncRun.queued_at, SyncRun.id)
    query = SyncRun.select().order_by(*(k.desc() if order == "newest" else k.asc() for k in keys))
    where = _history_where(flt)
    if where is not None:
        query = query.where(where)
    return list(query.limit(limit).offset(offset))


def history_count(flt: HistoryFilter) -> int:
    query = SyncRun.select(fn.COUNT(SQL("*")))
    where = _history_where(flt)
    if where is not None:
        query = query.where(where)
    return int(query.scalar() or 0)


# --- per-day series ------------------------------------------------------------------------------------------

def _day_windows(days: int, utc_offset_minutes: int, now: datetime | None) -> list[tuple[str, str, str]]:
    """(local day 'YYYY-MM-DD', UTC start, UTC end) of the last `days` local days, today included, oldest first.

    Start and end are stored-text timestamps, so each day is a plain index range on queued_at.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    offset = timedelta(minutes=utc_offset_minutes)
    today = (_utc(now or utcnow()) + offset).date()
    windows = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime.combine(day, time()) - offset
        windows.append((day.isoformat(), _text(start), _text(start + timedelta(days=1))))
    return windows


def runs_per_day(days: int, utc_offset_minutes: int = 0,
                 now: datetime | None = None) -> list[tuple[str, str, int]]:
    """(local day, status, runs queued) for the last `days` local days, by day then status; zeros left out.

    One small aggregate per day (index-only counts), all in one read transaction so the days agree.
    """
    result: list[tuple[str, str, int]] = []
    with database_proxy.atomic():
        for day, start, end in _day_windows(days, utc_offset_minutes, now):
            result.extend((day, status, count)
                          for status, count in database_proxy.execute_sql(_COUNT_BY_STATUS_SQL, (start, end)))
    return result


def daily_series(days: int, utc_offset_minutes: int = 0,
                 now: datetime | None = None) -> list[tuple[str, int, int, float | None]]:
    """(local day, runs, rows written, average duration_s) for each of the last `days` local days.

    Each day is exactly PeriodMetrics over that day (total_runs, rows_processed, avg_duration_s). Every day is
    present (0, 0, None when nothing ran), so the series can be charted as is.
    """
    result: list[tuple[str, int, int, float | None]] = []
    with database_proxy.atomic():
        for day, start, end in _day_windows(days, utc_offset_minutes, now):
            metrics = _metrics(start, end)
            result.append((day, metrics.total_runs, metrics.rows_processed, metrics.avg_duration_s))
    return result


# --- latest runs and account health --------------------------------------------------------------------------

def last_runs_by_schedule() -> dict[int, SyncRun]:
    """The latest run of each schedule (by queued_at, then id), in one query.

    Skipped runs only repeat that another run was busy, so the latest non-skipped run is preferred; a
    schedule whose runs were all skipped gets its latest skipped run. Queued and running runs count.
    Schedules without runs are absent.
    """
    latest = ("(SELECT r.id FROM sync_run r WHERE r.schedule_id = s.id{} "
              "ORDER BY r.queued_at DESC, r.id DESC LIMIT 1)")
    not_skipped, any_run = latest.format(" AND r.status <> 'skipped'"), latest.format("")
    sql = f"SELECT * FROM sync_run WHERE id IN (SELECT COALESCE({not_skipped}, {any_run}) FROM schedule s)"
    return {run.schedule_id: run for run in SyncRun.raw(sql)}


@dataclass(frozen=True, slots=True)
class AccountHealth:
    account_id: int
    name: str
    platform: str
    auth_state: str
    health: str  # one of HEALTH_STATES
    last_success_at: datetime | None  # finished_at of the latest succeeded run
    last_run_status: str | None  # status of the latest run in OUTCOME_STATUSES
    errors_24h: int  # failed + interrupted runs queued in the last 24 h
    avg_latency_ms: float | None  # per API call, over runs queued and probes made in the last 24 h
    runs_24h: int
    uptime_24h: float | None = None  # share of successful API calls (runs + probes) in the last 24 h
    last_probe_ok: bool | None = None  # the latest connectivity probe, if any
    last_probe_at: datetime | None = None


def _health(auth_state: str, schedules: int, paused: int, last_status: str | None, errors_24h: int,
            probe_failing: bool = False) -> str:
    if auth_state == "needs_sign_in":
        return "needs_sign_in"
    if schedules and paused == schedules:
        return "paused"
    if last_status is None:
        return "never_synced"
    if last_status in FAILED_STATUSES:
        return "failing"
    return "degraded" if errors_24h or probe_failing else "healthy"


def account_health(now: datetime | None = None) -> list[AccountHealth]:
    """Health of every account, ordered by name; the states of HEALTH_STATES are checked in that order.

    "never_synced": no run with an outcome (succeeded, failed or interrupted); "failing": the latest such
    run failed or was interrupted; "degraded": it succeeded but runs failed in the last 24 h, or the latest
    connectivity probe (newer than the last success) failed. Each latest run
    per status is one seek in (account, status, queued_at); the 24 h figures read only the last day's runs.
    """
    latest = {status: f"(SELECT MAX(r.queued_at) FROM sync_run r WHERE r.account_id = a.id AND r.status = "
                      f"'{status}')" for status in OUTCOME_STATUSES}
    last_day = "FROM sync_run r WHERE r.account_id = a.id AND r.queued_at >= :since"
    last_probes = "FROM health_probe p WHERE p.account_id = a.id AND p.at >= :since"
    sql = (
        "SELECT a.id, a.name, a.platform, a.auth_state,"
        " (SELECT COUNT(*) FROM schedule s WHERE s.account_id = a.id),"
        " (SELECT COUNT(*) FROM schedule s WHERE s.account_id = a.id AND s.paused),"
        " (SELECT r.finished_at FROM sync_run r WHERE r.account_id = a.id AND r.status = 'succeeded'"
        "  ORDER BY r.queued_at DESC, r.id DESC LIMIT 1),"
        f" {', '.join(latest.values())},"
        f" (SELECT COUNT(*) {last_day}),"
        f" (SELECT COUNT(*) {last_day} AND r.status IN {_in_list(FAILED_STATUSES)}),"
        f" (SELECT SUM(r.api_calls) {last_day}), (SELECT SUM(r.api_errors) {last_day}),"
        f" (SELECT SUM(r.api_latency_ms) {last_day}),"
        f" (SELECT COUNT(*) {last_probes}), (SELECT TOTAL(NOT p.ok) {last_probes}),"
        f" (SELECT TOTAL(p.latency_ms) {last_probes}),"
        " (SELECT p.ok || ' ' || p.at FROM health_probe p WHERE p.account_id = a.id ORDER BY p.at DESC LIMIT 1) "
        "FROM account a WHERE a.removed_at IS NULL ORDER BY a.name"
    )
    since = _text((now or utcnow()) - timedelta(hours=24))
    result = []
    for row in database_proxy.execute_sql(sql, {"since": since}):
        account_id, name, platform, auth_state, schedules, paused, last_success = row[:7]
        latest_at = dict(zip(OUTCOME_STATUSES, row[7:7 + len(OUTCOME_STATUSES)], strict=True))
        runs, errors, calls, call_errors, latency_sum, probes, probe_errors, probe_latency, last_probe = row[
            7 + len(OUTCOME_STATUSES):]
        total_calls = (calls or 0) + probes
        latency = ((latency_sum or 0.0) + probe_latency) / total_calls if total_calls else None
        uptime = 1.0 - ((call_errors or 0) + probe_errors) / total_calls if total_calls else None
        probe_ok, probe_at = (last_probe.split(" ", 1) if last_probe else (None, None))
        probe_failing = probe_ok == "0" and (last_success is None or probe_at > last_success)
        reached = {status: at for status, at in latest_at.items() if at is not None}
        # the latest outcome; on an exact tie of queued_at the failure wins
        last_status = max(reached, key=lambda s: (reached[s], s in FAILED_STATUSES)) if reached else None
        result.append(AccountHealth(
            account_id=account_id, name=name, platform=platform, auth_state=auth_state,
            health=_health(auth_state, schedules, paused, last_status, errors, probe_failing),
            last_success_at=_parse(last_success), last_run_status=last_status, errors_24h=errors,
            avg_latency_ms=latency, runs_24h=runs, uptime_24h=uptime,
            last_probe_ok=None if probe_ok is None else probe_ok == "1", last_probe_at=_parse(probe_at),
        ))
    return result


# --- daily stats ---------------------------------------------------------------------------------------------

def stats_totals(account_id: int | None = None, since: date | None = None,
                 until: date | None = None) -> dict[str, int | float]:
    """Sums over daily_stat rows, optionally for one account and dates in [since, until] (both inclusive).

    Keys: rows (number of daily_stat rows), impressions, clicks, cost_micros, conversions,
    conversion_value_micros. Metrics a platform does not measure are NULL and add nothing.
    """
    query = DailyStat.select(
        fn.COUNT(SQL("*")),
        fn.COALESCE(fn.SUM(DailyStat.impressions), 0),
        fn.COALESCE(fn.SUM(DailyStat.clicks), 0),
        fn.COALESCE(fn.SUM(DailyStat.cost_micros), 0),
        fn.TOTAL(DailyStat.conversions),
        fn.COALESCE(fn.SUM(DailyStat.conversion_value_micros), 0),
    )
    conditions = []
    if account_id is not None:
        conditions.append(DailyStat.account == account_id)
    if since is not None:
        conditions.append(DailyStat.date >= since)
    if until is not None:
        conditions.append(DailyStat.date <= until)
    if conditions:
        query = query.where(reduce(operator.and_, conditions))
    keys = ("rows", "impressions", "clicks", "cost_micros", "conversions", "conversion_value_micros")
    totals = cast(tuple[Any, ...], query.tuples().get())  # .tuples() turns the row into a tuple
    return dict(zip(keys, totals, strict=True))


# --- for the window (GUI): keyset history paging, recent activity, data freshness, stats pages ------------------

def history_after(flt: HistoryFilter, after: tuple[datetime, int] | None = None, limit: int = 200,
                  order: str = "newest") -> list[SyncRun]:
    """Like history_page, but continues after the (queued_at, id) of the last row already shown (keyset
    paging): every page costs the same, however deep the user scrolls into a million runs."""
    if order not in HISTORY_ORDERS:
        raise ValueError(f"order must be one of {HISTORY_ORDERS}, not {order!r}")
    keys = (SyncRun.queued_at, SyncRun.id)
    query = SyncRun.select().order_by(*(k.desc() if order == "newest" else k.asc() for k in keys))
    conditions: list[Expression] = []
    where = _history_where(flt)
    if where is not None:
        conditions.append(where)
    if after is not None:
        at, run_id = _utc(after[0]), after[1]
        # a plain range on queued_at (index-friendly), then the tie-break on id for equal timestamps
        if order == "newest":
            conditions.append((SyncRun.queued_at <= at) & ((SyncRun.queued_at < at) | (SyncRun.id < run_id)))
        else:
            conditions.append((SyncRun.queued_at >= at) & ((SyncRun.queued_at > at) | (SyncRun.id > run_id)))
    if conditions:
        query = query.where(reduce(operator.and_, conditions))
    return list(query.limit(limit))


def history_iter(flt: HistoryFilter, order: str = "newest") -> Iterable[SyncRun]:
    """Every run matching `flt` in display order, streamed (constant memory) - for exports."""
    keys = (SyncRun.queued_at, SyncRun.id)
    query = SyncRun.select().order_by(*(k.desc() if order == "newest" else k.asc() for k in keys))
    where = _history_where(flt)
    if where is not None:
        query = query.where(where)
    return query.iterator()


@dataclass(frozen=True, slots=True)
class ActivityRow:
    event_id: int
    run_id: int
    at: datetime
    level: str
    message: str
    run_status: str
    schedule_name: str | None
    account_name: str
    trigger: str
    run_rows: int = 0
    run_duration_s: float | None = None
    run_finished_at: datetime | None = None
    run_error: str | None = None  # error message, else the reason (skipped, cancelled, interrupted)


def recent_run_events(limit: int = 50) -> list[ActivityRow]:
    """The newest run log lines (RunEvent joined to its run), newest first; one seek on the rowid."""
    sql = ("SELECT e.id, e.run_id, e.at, e.level, e.message, r.status, r.schedule_name, r.account_name, r.trigger,"
           " r.rows, r.duration_s, r.finished_at, COALESCE(r.error_message, r.reason)"
           " FROM run_event e JOIN sync_run r ON r.id = e.run_id ORDER BY e.id DESC LIMIT ?")
    return [ActivityRow(row[0], row[1], _parse(row[2]) or utcnow(), row[3], row[4], row[5], row[6], row[7], row[8],
                        row[9], row[10], _parse(row[11]), row[12])
            for row in database_proxy.execute_sql(sql, (limit,))]


def data_freshness() -> dict[int, tuple[date | None, datetime | None]]:
    """account id -> (last complete day of daily stats, when they were last written), from sync_state."""
    sql = "SELECT account_id, last_complete_date, last_synced_at FROM sync_state WHERE stream = 'daily_stats'"
    return {account_id: (date.fromisoformat(day) if day else None, _parse(synced))
            for account_id, day, synced in database_proxy.execute_sql(sql)}


@dataclass(frozen=True, slots=True)
class StatsFilter:
    account_id: int | None = None
    campaign_id: str | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive


def _stats_where(flt: StatsFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if flt.account_id is not None:
        clauses.append("s.account_id = ?")
        params.append(flt.account_id)
    if flt.campaign_id:
        clauses.append("s.campaign_id = ?")
        params.append(flt.campaign_id)
    if flt.since is not None:
        clauses.append("s.date >= ?")
        params.append(flt.since.isoformat())
    if flt.until is not None:
        clauses.append("s.date <= ?")
        params.append(flt.until.isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# The zone an account's days are in (account.timezone, which the engine sets from the connector at every sync:
# the account's zone for Google, Meta, Microsoft, TikTok and X, UTC for LinkedIn, the property's for GA4, the
# `timezone` option for Demo); before a first sync, the zone the engine would use. Days are never shifted.
DAY_TZ_SQL = "COALESCE(a.timezone, json_extract(a.options, '$.timezone'), 'UTC')"

STATS_PAGE_COLUMNS = ("account", "platform", "campaign_id", "campaign", "date", "date_tz", "impressions", "clicks",
                      "cost_micros", "currency", "conversions", "conversion_value_micros", "quality")

# The data-quality flags a platform attached to a day's numbers (GA4's report metadata, kept in `extra` by the
# connector): comma-separated names of those present, NULL when none.
QUALITY_FLAGS = ("sampled", "thresholded", "dataLossFromOtherRow")
QUALITY_SQL = ("CASE WHEN s.extra IS NULL THEN NULL ELSE NULLIF(" + " || ".join(
    f"CASE WHEN json_extract(s.extra, '$.{flag}') = 'true' THEN '{flag},' ELSE '' END" for flag in QUALITY_FLAGS)
    + ", '') END")


def stats_page(flt: StatsFilter, limit: int = 200, offset: int = 0) -> list[tuple[object, ...]]:
    """Daily stats rows (STATS_PAGE_COLUMNS), newest day first, then account and campaign."""
    where, params = _stats_where(flt)
    sql = (f"SELECT a.name, a.platform, s.campaign_id, c.name, s.date, {DAY_TZ_SQL}, s.impressions, s.clicks,"
           " s.cost_micros, COALESCE(s.currency, c.currency, a.currency), s.conversions, s.conversion_value_micros,"
           f" {QUALITY_SQL} FROM daily_stat s JOIN account a ON a.id = s.account_id LEFT JOIN campaign c"
           f" ON c.account_id = s.account_id AND c.campaign_id = s.campaign_id{where}"
           " ORDER BY s.date DESC, a.name, s.campaign_id LIMIT ? OFFSET ?")
    return [tuple(row) for row in database_proxy.execute_sql(sql, (*params, limit, offset))]


def stats_totals_by_currency(flt: StatsFilter) -> list[tuple[str | None, int, int | None, int | None, int | None,
                                                               float | None, int | None]]:
    """(currency, rows, impressions, clicks, cost_micros, conversions, conversion_value_micros) per currency:
    money of different currencies is never added together. A metric that no matching row knows (e.g. GA4's
    impressions) is None, not 0: unknown stays unknown."""
    where, params = _stats_where(flt)
    sql = ("SELECT COALESCE(s.currency, a.currency), COUNT(*), SUM(s.impressions), SUM(s.clicks),"
           " SUM(s.cost_micros), SUM(s.conversions), SUM(s.conversion_value_micros)"
           f" FROM daily_stat s JOIN account a ON a.id = s.account_id{where}"
           " GROUP BY 1 ORDER BY 1")
    return [tuple(row) for row in database_proxy.execute_sql(sql, params)]


def campaign_rows(account_id: int | None = None) -> list[tuple[object, ...]]:
    """(account, platform, campaign_id, name, status, currency, synced_at) ordered by account and name."""
    where = " WHERE c.account_id = ?" if account_id is not None else ""
    sql = ("SELECT a.name, a.platform, c.campaign_id, c.name, c.status, COALESCE(c.currency, a.currency),"
           f" c.synced_at FROM campaign c JOIN account a ON a.id = c.account_id{where} ORDER BY a.name, c.name")
    return [tuple(row) for row in database_proxy.execute_sql(sql, (account_id,) if account_id is not None else ())]


def stats_export_iter(flt: StatsFilter) -> Iterable[tuple[object, ...]]:
    """Raw rows for a filtered stats export, streamed: (platform, account external id, campaign_id, campaign name,
    date, date_tz, impressions, clicks, cost_micros, currency, conversions, conversion_value_micros)."""
    where, params = _stats_where(flt)
    sql = (f"SELECT a.platform, a.external_id, s.campaign_id, c.name, s.date, {DAY_TZ_SQL}, s.impressions, s.clicks,"
           " s.cost_micros, COALESCE(s.currency, a.currency), s.conversions, s.conversion_value_micros"
           " FROM daily_stat s JOIN account a ON a.id = s.account_id LEFT JOIN campaign c"
           f" ON c.account_id = s.account_id AND c.campaign_id = s.campaign_id{where}"
           " ORDER BY s.date DESC, a.name, s.campaign_id")
    cursor: Iterable[tuple[object, ...]] = database_proxy.execute_sql(sql, params)
    return cursor


CONVERSION_COLUMNS_SQL = (
    "a.platform, a.external_id, a.name, s.campaign_id, c.name, s.date, " + DAY_TZ_SQL + ", s.action, s.count,"
    " s.value_micros, COALESCE(d.currency, c.currency, a.currency)")
_CONVERSION_FROM = (
    " FROM daily_conversion s JOIN account a ON a.id = s.account_id LEFT JOIN campaign c ON c.account_id ="
    " s.account_id AND c.campaign_id = s.campaign_id LEFT JOIN daily_stat d ON d.account_id = s.account_id AND"
    " d.date = s.date AND d.campaign_id = s.campaign_id")
MAX_CONVERSION_KEYS = 500  # (account, campaign, day) keys per query (SQLite's bound-parameter limit is far above)


def conversion_iter(flt: StatsFilter, keys: Sequence[tuple[int, str, str]] | None = None,
                    newest_first: bool = False) -> Iterable[tuple[object, ...]]:
    """daily_conversion rows, streamed: (platform, account external id, account name, campaign_id, campaign name,
    date, date_tz, action, count, value_micros, currency); ordered by account, date, campaign and action (or newest
    day first). `keys`: only these (account id, campaign_id, ISO date) days (at most MAX_CONVERSION_KEYS)."""
    where, params = _stats_where(flt)
    if keys is not None:
        if len(keys) > MAX_CONVERSION_KEYS:
            raise ValueError(f"at most {MAX_CONVERSION_KEYS} (account, campaign, day) keys")
        if not keys:
            return []
        marks = ", ".join("(?, ?, ?)" for _ in keys)
        where += (" AND " if where else " WHERE ") + f"(s.account_id, s.campaign_id, s.date) IN (VALUES {marks})"
        params = [*params, *(value for key in keys for value in key)]
    order = "s.date DESC, a.name" if newest_first else "a.name, s.date"
    sql = f"SELECT {CONVERSION_COLUMNS_SQL}{_CONVERSION_FROM}{where} ORDER BY {order}, s.campaign_id, s.action"
    cursor: Iterable[tuple[object, ...]] = database_proxy.execute_sql(sql, params)
    return cursor

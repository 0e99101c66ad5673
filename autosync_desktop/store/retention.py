"""Retention: prune old run history (with its log lines and the restatements its runs recorded) and, if configured,
old daily stats (with their days' fetch history).

Never touches a queued or running run, and never the last successful run of a schedule or an account (so
"last success" stays answerable forever). Deletes in small batches, each its own short transaction, so a prune of a
million rows never holds the write lock for long. The result is recorded as `retention.last_prune`.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from peewee import SqliteDatabase

from autosync_desktop.clock import SYSTEM_CLOCK, Clock
from autosync_desktop.store import settings

BATCH = 5_000


@dataclass(frozen=True, slots=True)
class PruneResult:
    at: str
    runs_deleted: int
    stats_deleted: int
    runs_before: str
    stats_before: str | None


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def prune(db: SqliteDatabase, clock: Clock = SYSTEM_CLOCK) -> PruneResult:
    now = clock.now().replace(tzinfo=None)  # naive UTC, as the store keeps times
    runs_cutoff = now - timedelta(days=settings.get("retention.runs_days"))
    cutoff_text = runs_cutoff.isoformat(sep=" ")
    # the latest success of every schedule and of every account stays, however old (computed once: few ids)
    keep_sql = " UNION ".join(
        f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY queued_at DESC, id DESC) AS n"
        f" FROM sync_run WHERE status = 'succeeded' AND {key} IS NOT NULL) WHERE n = 1"
        for key in ("schedule_id", "account_id"))
    keep = [row[0] for row in db.execute_sql(keep_sql).fetchall()] or [0]
    marks = ", ".join("?" for _ in keep)
    runs_deleted = 0
    while True:
        with db.atomic():
            cursor = db.execute_sql(
                "DELETE FROM sync_run WHERE id IN (SELECT id FROM sync_run WHERE queued_at < ? "
                f"AND status NOT IN ('queued', 'running') AND id NOT IN ({marks}) LIMIT ?)",
                (cutoff_text, *keep, BATCH))
        runs_deleted += cursor.rowcount
        if cursor.rowcount < BATCH:
            break
    _delete_batches(db, "DELETE FROM restatement WHERE id IN (SELECT id FROM restatement WHERE fetched_at < ? LIMIT ?)",
                    cutoff_text)  # what re-fetches changed goes with the runs that fetched them
    stats_deleted = 0
    months = settings.get("retention.stats_months")
    stats_cutoff = months_before(now.date(), months).isoformat() if months else None
    if stats_cutoff is not None:
        while True:
            with db.atomic():
                cursor = db.execute_sql(
                    "DELETE FROM daily_stat WHERE (account_id, date, campaign_id) IN (SELECT account_id, date,"
                    " campaign_id FROM daily_stat WHERE date < ? LIMIT ?)", (stats_cutoff, BATCH))
            stats_deleted += cursor.rowcount
            if cursor.rowcount < BATCH:
                break
        while True:  # the per-action breakdown of those days goes with them (not counted in stats_deleted)
            with db.atomic():
                cursor = db.execute_sql(
                    "DELETE FROM daily_conversion WHERE (account_id, date, campaign_id, action) IN (SELECT"
                    " account_id, date, campaign_id, action FROM daily_conversion WHERE date < ? LIMIT ?)",
                    (stats_cutoff, BATCH))
            if cursor.rowcount < BATCH:
                break
        _delete_batches(db, "DELETE FROM day_fetch WHERE (account_id, date) IN (SELECT account_id, date FROM day_fetch"
                            " WHERE date < ? LIMIT ?)", stats_cutoff)  # the fetch history of days no longer kept
    result = PruneResult(at=now.isoformat(sep=" ", timespec="seconds"), runs_deleted=runs_deleted,
                         stats_deleted=stats_deleted, runs_before=cutoff_text[:19], stats_before=stats_cutoff)
    settings.set_state("retention.last_prune", asdict(result))
    return result


def _delete_batches(db: SqliteDatabase, sql: str, cutoff: str) -> None:
    """Run `sql` (a DELETE taking the cutoff and a LIMIT) in batches of BATCH, each its own transaction."""
    while True:
        with db.atomic():
            cursor = db.execute_sql(sql, (cutoff, BATCH))
        if cursor.rowcount < BATCH:
            return

"""Reading what the morning file holds: the accounts an export schedule covers, the extra metric names present in
their daily stats, and the rows themselves, streamed from SQL per account and date range (constant memory).

Rows are raw: money in integer micros, `extra` as stored JSON text; `sync/export_run.py` turns them into cells.
Peewee and stdlib only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from autosync_desktop.store.models import database_proxy
from autosync_desktop.store.queries import DAY_TZ_SQL


@dataclass(frozen=True, slots=True)
class ExportAccount:
    id: int
    name: str
    platform: str
    timezone: str  # the zone its days are in (the account's, else its options', else UTC)


@dataclass(frozen=True, slots=True)
class ExportSlice:
    """One account's days to write: `start`..`end` inclusive, in the account's own zone."""

    account: ExportAccount
    start: date
    end: date


# (campaign id, campaign name, date, day zone, currency, impressions, clicks, cost micros, conversions,
#  conversion value micros, extra JSON)
RawRow = tuple[str, str | None, date, str, str | None, int | None, int | None, int | None, float | None,
               int | None, str | None]


def export_accounts(names: Sequence[str] | None) -> tuple[list[ExportAccount], list[str]]:
    """The accounts to write (all that are not removed when `names` is None, by name), and the names asked for
    that are not there (removed or renamed since the schedule was saved)."""
    sql = (f"SELECT a.id, a.name, a.platform, {DAY_TZ_SQL} FROM account a WHERE a.removed_at IS NULL"
           " ORDER BY a.platform, a.name")
    found = [ExportAccount(int(i), str(n), str(p), str(tz)) for i, n, p, tz in database_proxy.execute_sql(sql)]
    if names is None:
        return found, []
    by_key = {a.name.casefold(): a for a in found}
    chosen = [by_key[n.casefold()] for n in names if n.casefold() in by_key]
    return chosen, [n for n in names if n.casefold() not in by_key]


def extra_keys(slices: Sequence[ExportSlice]) -> list[str]:
    """Every metric name in the `extra` JSON of the rows the slices cover, sorted."""
    keys: set[str] = set()
    for part in slices:
        cursor = database_proxy.execute_sql(
            "SELECT DISTINCT j.key FROM daily_stat s, json_each(s.extra) j WHERE s.account_id = ? AND"
            " s.date BETWEEN ? AND ? AND s.extra IS NOT NULL AND json_valid(s.extra) AND"
            " json_type(s.extra) = 'object'", (part.account.id, part.start, part.end))
        keys.update(str(key) for (key,) in cursor)
    return sorted(keys)


def export_rows(part: ExportSlice) -> Iterator[RawRow]:
    """One account's rows of its range, by date then campaign id."""
    sql = (f"SELECT s.campaign_id, c.name, s.date, {DAY_TZ_SQL}, COALESCE(s.currency, c.currency, a.currency),"
           " s.impressions, s.clicks, s.cost_micros, s.conversions, s.conversion_value_micros, s.extra"
           " FROM daily_stat s JOIN account a ON a.id = s.account_id LEFT JOIN campaign c"
           " ON c.account_id = s.account_id AND c.campaign_id = s.campaign_id"
           " WHERE s.account_id = ? AND s.date BETWEEN ? AND ? ORDER BY s.date, s.campaign_id")
    for row in database_proxy.execute_sql(sql, (part.account.id, part.start, part.end)):
        day = row[2] if isinstance(row[2], date) else date.fromisoformat(str(row[2]))
        yield (str(row[0]), row[1], day, str(row[3]), row[4], row[5], row[6], row[7], row[8], row[9], row[10])

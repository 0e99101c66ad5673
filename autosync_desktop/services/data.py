"""`services.data`: the synced data as the Data page shows it: daily stats (paged, newest day first), their totals
per currency, and campaigns, and
conversions by action (`conversions`, table daily_conversion).

`DataService` returns `StatsPage`, `StatsSummary` and `CampaignRow` (autosync_desktop/domain.py); money is
exact (`Money`: integer micros and the currency), never a float. Like every service these may block on the
database: the window calls them from its workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from autosync_desktop.domain import (
    CampaignRow,
    ConversionRow,
    CurrencyTotal,
    Money,
    StatRow,
    StatsFilter,
    StatsPage,
    StatsSummary,
)
from autosync_desktop.services.accounts import account_row
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import UserError
from autosync_desktop.store import queries


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _money(micros: object, currency: str | None) -> Money | None:
    return None if micros is None else Money(int(str(micros)), currency)


def _moment(text: object) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(str(text))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stats_filter(filters: StatsFilter | None) -> queries.StatsFilter:
    """`filters` in the store's terms (for the exports area too)."""
    f = filters or StatsFilter()
    # an account removed with its data kept is still a filter for that data
    return queries.StatsFilter(account_id=account_row(f.account, removed=True).id if f.account else None,
                               campaign_id=f.campaign_id or None, since=f.since, until=f.until)


class DataService(Area):
    """Daily stats and campaigns, read-only."""

    def stats(self, filters: StatsFilter | None = None, limit: int = 200, offset: int = 0) -> StatsPage:
        """A page of daily stats: newest day first, then account and campaign."""
        if not 1 <= limit <= 10_000:
            raise UserError("limit: must be between 1 and 10000")
        rows = []
        for (account, platform, campaign_id, campaign, day, day_tz, impressions, clicks, cost, currency, conversions,
             value, quality) in queries.stats_page(stats_filter(filters), limit, max(0, offset)):
            money = _text(currency)
            rows.append(StatRow(
                account=str(account), platform=str(platform), campaign_id=str(campaign_id), campaign=_text(campaign),
                day=date.fromisoformat(str(day)), date_tz=str(day_tz), impressions=_int(impressions),
                clicks=_int(clicks),
                cost=_money(cost, money), conversions=_float(conversions), conversion_value=_money(value, money),
                currency=money, quality=tuple(flag for flag in str(quality or "").split(",") if flag)))
        return StatsPage(rows=tuple(rows), done=len(rows) < limit)

    def summary(self, filters: StatsFilter | None = None) -> StatsSummary:
        """Row count and totals per currency (money of different currencies is never added together)."""
        totals = tuple(
            CurrencyTotal(currency=currency, rows=count, impressions=impressions, clicks=clicks,
                          cost=None if cost is None else Money(cost, currency),
                          conversions=None if conversions is None else round(conversions, 2),
                          conversion_value=None if value is None else Money(value, currency))
            for currency, count, impressions, clicks, cost, conversions, value
            in queries.stats_totals_by_currency(stats_filter(filters)))
        return StatsSummary(rows=sum(t.rows for t in totals), totals=totals)

    def conversions(self, filters: StatsFilter | None = None,
                    days: Sequence[tuple[str, str, date]] | None = None) -> list[ConversionRow]:
        """Conversions by action: of the daily stats matching `filters`, or (`days`) of those (account name,
        campaign id, day) rows only, e.g. the rows selected on the Data page (at most 500). Newest day first, then
        account, campaign and action. Platforms that do not report per action have no rows here."""
        keys = None
        if days is not None:
            if len(days) > queries.MAX_CONVERSION_KEYS:
                raise UserError(f"days: at most {queries.MAX_CONVERSION_KEYS} rows at once")
            ids = {name: account_row(name, removed=True).id for name in {d[0] for d in days}}
            keys = [(ids[name], str(campaign), day.isoformat()) for name, campaign, day in days]
        rows = []
        for (platform, _external, account, campaign_id, campaign, day, day_tz, action, count, value,
             currency) in queries.conversion_iter(stats_filter(filters), keys, newest_first=True):
            money = _text(currency)
            rows.append(ConversionRow(
                account=str(account), platform=str(platform), campaign_id=str(campaign_id), campaign=_text(campaign),
                day=date.fromisoformat(str(day)), date_tz=str(day_tz), action=str(action),
                count=float(str(count)), value=_money(value, money), currency=money))
        return rows

    def campaigns(self, account: str | None = None) -> tuple[CampaignRow, ...]:
        """Campaigns (of one account, or all), by account and name."""
        return tuple(
            CampaignRow(account=str(name), platform=str(platform), campaign_id=str(campaign_id),
                        name=_text(title), status=_text(status), currency=_text(currency), synced_at=_moment(synced))
            for name, platform, campaign_id, title, status, currency, synced
            in queries.campaign_rows(account_row(account, removed=True).id if account else None))

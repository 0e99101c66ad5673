"""`services.insights`: sync analytics for a period (24h, 7d, 30d) per platform, account and schedule.

Run figures (success rate, p50/p95 duration, rows written, API calls per day, API errors, time waited on rate
limits) come from store/insights_queries.py; each account's freshness (the last day of daily data, the days
still settling) from the Dashboard's account cards (`services.accounts.cards`), plus:

- complete_through: the last day that was over, in the account's zone, when its data was last written: the
  last day written (sync_state), or the day before the sync when that sync wrote the day it ran on;
- freshness lag: now minus the end of complete_through (midnight after it, in the account's zone).

The rate-limit wait is what the engine measured while sleeping on the platform's rate limits and on our own
request pacing (`ConnectorContext.sleep(..., rate_limit=True)`, saved in sync_run.rate_limit_wait_s since
schema v9); runs stored before were never measured and are counted in `wait_unrecorded_runs` instead.
Restatements (schema v11, recorded by the writer for the freshness planner): per account, the days still settling
(inside the platform's restatement window, sync/freshness.py's table, whose last fetch changed them), and per
account day re-fetched with a change in the period, how much each of cost, clicks and conversions changed from the
value first stored after the day was over to the latest one ("Meta Ads changed conversions of Nov 20 by +12 %
between day 1 and day 7"), largest change first, at most RESTATEMENTS_SHOWN.

`series()` is the same period per local hour (24h) or day (7d, 30d) for the Insights page's charts: runs
succeeded and failed, p95 duration, API calls and rate-limit waits per slot (store/insights_queries.py's slot
queries; local = UTC plus the caller's offset, like the Dashboard's charts). The first and last slots are clipped to
the period, so the slots add up to the period's figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from autosync_desktop.connectors import registry
from autosync_desktop.domain import (
    AccountCard,
    AccountInsight,
    Insights,
    InsightSeries,
    InsightSlot,
    Money,
    PlatformInsight,
    RestatementDelta,
    RunFigures,
    ScheduleInsight,
    minor_units,
)
from autosync_desktop.export_spec import EXPORT_PLATFORM
from autosync_desktop.services.area import Area
from autosync_desktop.services.core import iso
from autosync_desktop.services.metrics import _aware, _period
from autosync_desktop.store import insights_queries as iq
from autosync_desktop.store.models import utcnow
from autosync_desktop.sync.freshness import restates_days

RESTATEMENTS_SHOWN = 100
METRICS = ("cost", "clicks", "conversions")

NO_RUNS = RunFigures(runs=0, succeeded=0, failed=0, cancelled=0, skipped=0, success_rate=None,
                     p50_duration_s=None, p95_duration_s=None, rows_written=0, api_calls=0, api_calls_per_day=0.0,
                     api_errors=0, rate_limit_wait_s=None, wait_unrecorded_runs=0)


# the groupings shown, as functions of the finest key (schedule_name, account_name, platform)
GROUPINGS: dict[str, Callable[[iq.Key], tuple[str | None, ...]]] = {
    "all": lambda key: (),
    "platform": lambda key: (key[2],),
    "account": lambda key: (key[1], key[2]),
    "schedule": lambda key: key,
}
Figures = dict[str, dict[tuple[str | None, ...], RunFigures]]


def _figures(sums: iq.GroupRow, ordered: list[float], days: float) -> RunFigures:
    decided = sums.succeeded + sums.failed
    return RunFigures(
        runs=sums.runs, succeeded=sums.succeeded, failed=sums.failed, cancelled=sums.cancelled, skipped=sums.skipped,
        success_rate=sums.succeeded / decided if decided else None,
        p50_duration_s=iq.nearest_rank(ordered, 50), p95_duration_s=iq.nearest_rank(ordered, 95),
        rows_written=sums.rows, api_calls=sums.api_calls, api_calls_per_day=sums.api_calls / days,
        api_errors=sums.api_errors, rate_limit_wait_s=sums.rate_limit_wait_s,
        wait_unrecorded_runs=sums.wait_unrecorded)


def _grouped(since: datetime, until: datetime, days: float) -> Figures:
    """Every grouping's figures from one read of the sums and one of the durations."""
    finest = iq.run_sums(since, until)
    sums: dict[str, dict[tuple[str | None, ...], iq.GroupRow]] = {name: {} for name in GROUPINGS}
    for key, row in finest.items():
        for name, group_of in GROUPINGS.items():
            group = group_of(key)
            sums[name][group] = sums[name][group] + row if group in sums[name] else row
    ordered: dict[str, dict[tuple[str | None, ...], list[float]]] = {name: {} for name in GROUPINGS}
    for key, seconds in iq.durations(since, until):  # shortest first: each group's list stays sorted
        for name, group_of in GROUPINGS.items():
            ordered[name].setdefault(group_of(key), []).append(seconds)
    return {name: {group: _figures(row, ordered[name].get(group, []), days) for group, row in groups.items()}
            for name, groups in sums.items()}


def complete_through(data_through: date, synced_at: datetime | None, zone: str) -> date:
    """The last day that was over (in `zone`) when data through `data_through` was written at `synced_at`."""
    if synced_at is None:
        return data_through
    synced_day = _aware(synced_at).astimezone(ZoneInfo(zone)).date()
    return min(data_through, synced_day - timedelta(days=1))


def freshness_lag_s(complete: date, zone: str, now: datetime) -> float:
    """Seconds from the end of `complete` (midnight after it, in `zone`) to `now`; never negative."""
    end = datetime.combine(complete + timedelta(days=1), time(), tzinfo=ZoneInfo(zone))
    return max(0.0, (_aware(now) - end).total_seconds())


class InsightsService(Area):
    """Sync analytics: `services.insights.period("7d")`."""

    def period(self, period: str = "24h", now: datetime | None = None) -> Insights:
        """Figures of the runs queued in the last `period` (24h, 7d or 30d) up to `now` (default: the clock's)."""
        span = _period(period, "period")
        until = _aware(now or utcnow()).replace(tzinfo=None)  # naive UTC, as stored
        since = until - span.span
        days = span.span.total_seconds() / 86400
        with self.core.db.atomic():  # one read transaction: the figures and the freshness agree
            figures = _grouped(since, until, days)
            cards = {card.name: card for card in self.core.accounts.cards(until)}
            zones = iq.account_zones()
            settling = _settling(zones, until)
            restated = iq.restated_days(since, until)
        by_account = figures["account"]
        accounts = [self._account(card, zones.get(name, "UTC"), by_account.get((name, card.platform)), until,
                                  settling.get(name)) for name, card in cards.items()]
        accounts += [AccountInsight(account=str(name), platform=str(platform), figures=run_figures, zone=None,
                                    data_through=None, complete_through=None, freshness_lag_s=None,
                                    settling_days=None)
                     for (name, platform), run_figures in by_account.items()
                     if (name not in cards or cards[str(name)].platform != platform)  # gone; their runs are kept
                     and platform != EXPORT_PLATFORM]  # files written are not an account (platforms: "Files written")
        accounts.sort(key=lambda a: (a.account.casefold(), a.account, a.platform))
        return Insights(
            period=span, since=_aware(since), until=_aware(until), days=days,
            total=figures["all"].get((), NO_RUNS),
            platforms=tuple(PlatformInsight(platform=str(platform), platform_label=_label(str(platform)),
                                            figures=run_figures)
                            for (platform,), run_figures in sorted(figures["platform"].items(),
                                                                   key=lambda kv: str(kv[0][0]))),
            accounts=tuple(accounts),
            schedules=tuple(ScheduleInsight(schedule=schedule, account=str(account), platform=str(platform),
                                            figures=run_figures)
                            for (schedule, account, platform), run_figures in sorted(
                                figures["schedule"].items(),
                                key=lambda kv: (kv[0][0] is None, (kv[0][0] or "").casefold(), str(kv[0][1])))),
            restatements=_deltas(restated),
        )

    def series(self, period: str = "24h", utc_offset_minutes: int = 0, now: datetime | None = None) -> InsightSeries:
        """The runs queued in the last `period` up to `now`, per local hour (24h) or day (7d, 30d), oldest first."""
        span = _period(period, "period")
        until = _aware(now or utcnow()).replace(tzinfo=None)  # naive UTC, as stored
        since = until - span.span
        step = "hour" if span.span <= timedelta(days=1) else "day"
        with self.core.db.atomic():
            sums = iq.slot_sums(step, utc_offset_minutes, since, until)
            durations = iq.slot_durations(step, utc_offset_minutes, since, until)
        slots = []
        for start, slot_since, slot_until in slot_bounds(step, utc_offset_minutes, since, until):
            key = start.strftime(iq.SLOT_FORMATS[step])
            row = sums.get(key)
            slots.append(InsightSlot(
                start=start, since=_aware(slot_since), until=_aware(slot_until), runs=row.runs if row else 0,
                succeeded=row.succeeded if row else 0, failed=row.failed if row else 0,
                p95_duration_s=iq.nearest_rank(durations.get(key, []), 95), api_calls=row.api_calls if row else 0,
                rate_limit_wait_s=row.rate_limit_wait_s if row else None,
                wait_unrecorded_runs=row.wait_unrecorded if row else 0))
        return InsightSeries(period=span, step=step, utc_offset_minutes=utc_offset_minutes, since=_aware(since),
                             until=_aware(until), slots=tuple(slots))

    @staticmethod
    def _account(card: AccountCard, zone: str, run_figures: RunFigures | None, now: datetime,
                 still_settling: int | None) -> AccountInsight:
        complete = lag = None
        if card.data_through is not None:
            complete = complete_through(card.data_through, card.data_synced_at, zone)
            lag = freshness_lag_s(complete, zone, now)
        return AccountInsight(account=card.name, platform=card.platform, figures=run_figures or NO_RUNS, zone=zone,
                              data_through=card.data_through, complete_through=complete, freshness_lag_s=lag,
                              settling_days=card.settling_days, days_still_settling=still_settling)


def _settling(zones: dict[str, str], now: datetime) -> dict[str, int | None]:
    """Per current account: days of ages 1..the platform's restatement window whose last fetch changed them."""
    out: dict[str, int | None] = {}
    for name, (account_id, platform) in iq.account_ids().items():
        today = _aware(now).astimezone(ZoneInfo(zones.get(name, "UTC"))).date()
        first = today - timedelta(days=restates_days(platform))
        out[name] = iq.days_still_settling(account_id, first.isoformat(), today.isoformat())
    return out


def _deltas(days: list[iq.RestatedDay]) -> tuple[RestatementDelta, ...]:
    out: list[RestatementDelta] = []
    for d in days:
        day = date.fromisoformat(d.day)
        for metric, before, change in zip(METRICS, d.before, d.change, strict=True):
            if change == 0 or (change is None and before is None):
                continue  # unchanged, or never known
            percent = change / before * 100 if change is not None and before else None
            out.append(RestatementDelta(account=d.account, platform=d.platform, day=day, metric=metric,
                                        from_age_days=d.from_age, to_age_days=d.to_age, before=before, change=change,
                                        percent=percent, text=_delta_text(d, day, metric, before, change, percent),
                                        currency=d.currency))
    out.sort(key=lambda x: (x.percent is None, -abs(x.percent or 0), -abs(x.change or 0), x.account, x.day, x.metric))
    return tuple(out[:RESTATEMENTS_SHOWN])


def _amount(metric: str, value: float, currency: str | None) -> str:
    if metric == "cost":  # in the currency's units and decimals: "1,500 JPY", "4.10 EUR"
        places = minor_units(currency)  # rounded half up, as the window shows money (gui.formatting.money)
        amount = Money(int(value), currency).amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{amount:,.{places}f} {currency or ''}".rstrip()
    return f"{value:,.0f} clicks" if metric == "clicks" else f"{value:,.6g}"


def _delta_text(d: iq.RestatedDay, day: date, metric: str, before: float | None, change: float | None,
                percent: float | None) -> str:
    if change is None:
        how = "to an unknown value (a campaign's figure is not reported)"
    elif percent is not None:
        how = f"by {percent:+.0f} %" if abs(percent) >= 1 else f"by {percent:+.1f} %"
    else:
        how = f"from 0 to {_amount(metric, change, d.currency)}"
    return (f"{_label(d.platform)} changed {metric} of {day:%b} {day.day} {how} between day {d.from_age} and day "
            f"{d.to_age} ({d.account})")


def slot_bounds(step: str, utc_offset_minutes: int, since: datetime,
                until: datetime) -> list[tuple[datetime, datetime, datetime]]:
    """(local start, UTC since, UTC until) of every local hour or day touching [since, until) (naive datetimes),
    the first and last clipped to the period."""
    offset = timedelta(minutes=utc_offset_minutes)
    width = timedelta(hours=1) if step == "hour" else timedelta(days=1)
    local = since + offset
    start = local.replace(minute=0, second=0, microsecond=0)
    if step == "day":
        start = start.replace(hour=0)
    out = []
    while start < until + offset:
        out.append((start, max(start - offset, since), min(start + width - offset, until)))
        start += width
    return out


def _label(platform: str) -> str:
    spec = registry.PLATFORMS.get(platform)
    if spec is None and platform == "export":  # runs of export schedules: files written, not a platform
        return "Files written"
    return spec.label if spec else platform




def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def figures_dict(f: RunFigures) -> dict[str, Any]:
    """One group's figures as `autosync insights --json` and `GET /sync/metrics` write them (seconds, counts)."""
    return {
        "runs": f.runs, "succeeded": f.succeeded, "failed": f.failed, "cancelled": f.cancelled, "skipped": f.skipped,
        "success_rate": _round(f.success_rate, 4), "p50_duration_s": _round(f.p50_duration_s),
        "p95_duration_s": _round(f.p95_duration_s), "rows_written": f.rows_written, "api_calls": f.api_calls,
        "api_calls_per_day": _round(f.api_calls_per_day, 2), "api_errors": f.api_errors,
        "rate_limit_wait_s": _round(f.rate_limit_wait_s), "wait_unrecorded_runs": f.wait_unrecorded_runs,
    }


def series_dict(s: InsightSeries) -> dict[str, Any]:
    """The per-slot series as JSON (`autosync insights --json`'s `series`): the slot's start (UTC with Z at offset 0,
    else the local wall clock without a zone), its UTC bounds, its figures."""
    return {
        "step": s.step, "utc_offset_minutes": s.utc_offset_minutes,
        "slots": [{"start": iso(x.start) if not s.utc_offset_minutes else x.start.isoformat(),
                   "since": iso(x.since), "until": iso(x.until), "runs": x.runs,
                   "succeeded": x.succeeded, "failed": x.failed, "p95_duration_s": _round(x.p95_duration_s),
                   "api_calls": x.api_calls, "rate_limit_wait_s": _round(x.rate_limit_wait_s),
                   "wait_unrecorded_runs": x.wait_unrecorded_runs} for x in s.slots],
    }


def insights_dict(i: Insights) -> dict[str, Any]:
    """Insights as JSON: `autosync insights --json` and the `insights` object of `GET /sync/metrics`."""
    return {
        "period": i.period.value, "since": iso(i.since), "until": iso(i.until), "days": i.days,
        "total": figures_dict(i.total),
        "platforms": [{"platform": p.platform, "label": p.platform_label, **figures_dict(p.figures)}
                      for p in i.platforms],
        "accounts": [{"account": a.account, "platform": a.platform, **figures_dict(a.figures), "zone": a.zone,
                      "data_through": iso(a.data_through), "complete_through": iso(a.complete_through),
                      "freshness_lag_s": _round(a.freshness_lag_s, 0), "settling_days": a.settling_days,
                      "days_still_settling": a.days_still_settling}
                     for a in i.accounts],
        "schedules": [{"schedule": s.schedule, "account": s.account, "platform": s.platform,
                       **figures_dict(s.figures)} for s in i.schedules],
        "restatement_deltas": [{"account": r.account, "platform": r.platform, "date": iso(r.day), "metric": r.metric,
                                "from_age_days": r.from_age_days, "to_age_days": r.to_age_days, "before": r.before,
                                "change": r.change, "percent": _round(r.percent, 2), "text": r.text,
                                "currency": r.currency}
                               for r in i.restatements],
    }

"""`services.suggestions`: a suggested time of day for a new daily schedule of an account, with its reason.

Evidence (store/suggest_queries.py): the account's platform's current accounts over the last PERIOD_DAYS days, each
in its own time zone: when each day's cost and clicks were 99 % final on the next day (from the runs and the
restatements the freshness planner recorded), and which local hours had many failed runs. The rule and its words
are sync/suggest_time.py's. The time is in the chosen account's zone, which is what a new schedule defaults to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autosync_desktop.connectors import registry
from autosync_desktop.domain import TimeSuggestion, zone_words
from autosync_desktop.services.area import Area
from autosync_desktop.store import suggest_queries
from autosync_desktop.store.models import utcnow
from autosync_desktop.sync.suggest_time import DayEvidence, HourFailures, suggest

PERIOD_DAYS = 30
SETTLED_AGE_DAYS = 2  # a day's current totals count as final from this age on (cost and clicks settle in a day)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """Naive UTC -> naive local time in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


class TimeSuggestionsService(Area):
    def for_account(self, account: str, now: datetime | None = None) -> TimeSuggestion:
        """The suggested local time (account's zone) for a daily schedule of `account`, and why."""
        from autosync_desktop.services.accounts import account_row

        row = account_row(account)
        zone_name = row.day_zone()
        label = registry.platform(row.platform).label
        moment = now.astimezone(UTC).replace(tzinfo=None) if now is not None else utcnow()  # naive UTC
        today = _local(moment, ZoneInfo(zone_name)).date()
        first, last = today - timedelta(days=PERIOD_DAYS + 1), today - timedelta(days=SETTLED_AGE_DAYS)
        with self.core.db.atomic():
            history = suggest_queries.platform_history(row.platform, first, last,
                                                       moment - timedelta(days=PERIOD_DAYS + 2), moment)
        days: list[DayEvidence] = []
        hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for account_history in history:
            zone = ZoneInfo(account_history.zone)
            runs_by_day: dict[object, list[datetime]] = defaultdict(list)
            for started, status in account_history.runs:
                local = _local(started, zone)
                if local.date() > today - timedelta(days=PERIOD_DAYS):
                    hours[local.hour][0] += 1
                    hours[local.hour][1] += status != "succeeded"
                if status == "succeeded":
                    runs_by_day[local.date() - timedelta(days=1)].append(local)
            changes: dict[object, list[tuple[datetime, int, int]]] = defaultdict(list)
            unknown: set[object] = set()
            for day, fetched, d_cost, d_clicks in account_history.restated:
                if d_cost is None or d_clicks is None:
                    unknown.add(day)
                else:
                    changes[day].append((_local(fetched, zone), d_cost, d_clicks))
            for day, (cost, clicks) in account_history.totals.items():
                if cost is None or clicks is None or day in unknown or day < first + timedelta(days=1):
                    continue  # unknown figures say nothing about when they settled
                next_midnight = datetime.combine(day + timedelta(days=1), time())
                days.append(DayEvidence(day=day, final_cost_micros=cost, final_clicks=clicks,
                                        run_times=tuple(runs_by_day.get(day, ())),
                                        changes=tuple(c for c in changes.get(day, ()) if c[0] >= next_midnight)))
        failures = [HourFailures(hour=h, runs=n, failed=bad) for h, (n, bad) in sorted(hours.items())]
        found = suggest(days, failures, platform_label=label, zone_label=zone_words(zone_name),
                        period_days=PERIOD_DAYS)
        return TimeSuggestion(account=row.name, at=found.at.strftime("%H:%M"), timezone=zone_name,
                              measured=found.measured, days=found.days, reason=found.reason)

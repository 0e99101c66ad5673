"""A connector whose pages and failures a test scripts, registered as platform "scripted" for one test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from autosync_desktop.connectors.base import (
    AccountInfo,
    CampaignRecord,
    ConnectorContext,
    ConnectorError,
    DailyStatRecord,
    PlatformSpec,
)


class Script:
    """What the next connector built will do. `failures` are raised in order, one per fetch call."""

    def __init__(self) -> None:
        self.failures: list[ConnectorError] = []
        self.refreshes = 0
        self.fetches = 0
        self.clicks = 3
        self.block: Any = None  # a threading.Event the fetch waits on (to hold a run mid-window)
        self.repeat_rows = False  # each day's row comes three times: as is, exactly again, and with other numbers
        self.built = 0


SCRIPT = Script()


class ScriptedConnector:
    platform = "scripted"

    def __init__(self, *, account_id: str, options: dict[str, Any], credentials: dict[str, str] | None,
                 ctx: ConnectorContext) -> None:
        self.ctx = ctx
        SCRIPT.built += 1

    def account_info(self) -> AccountInfo:
        return AccountInfo(name="Scripted", currency="EUR", timezone="UTC")

    def fetch_campaigns(self) -> Iterator[list[CampaignRecord]]:
        yield [CampaignRecord("c1", "One", "ACTIVE"), CampaignRecord("c2", "Two", "PAUSED")]

    def fetch_daily_stats(self, start: date, end: date) -> Iterator[list[DailyStatRecord]]:
        SCRIPT.fetches += 1
        if SCRIPT.failures:
            raise SCRIPT.failures.pop(0)
        day = start
        while day <= end:
            self.ctx.stats.record(1.0)
            row = DailyStatRecord("c1", day, 100, SCRIPT.clicks, 2_500_000, 1.0, None, "EUR")
            other = DailyStatRecord("c1", day, 10, 1, 500_000, 0.5, None, "EUR")
            yield [row, row, other] if SCRIPT.repeat_rows else [row]
            if SCRIPT.block is not None:
                while not SCRIPT.block.wait(0.05):
                    self.ctx.check()
            day += timedelta(days=1)

    def refresh_auth(self) -> None:
        SCRIPT.refreshes += 1

    def test_connection(self) -> str:
        if SCRIPT.failures:
            raise SCRIPT.failures.pop(0)
        return "Scripted platform reachable"

    def close(self) -> None:
        pass


SPEC = PlatformSpec(name="scripted", label="Scripted", default_lookback_days=2, min_interval_minutes=1,
                    max_window_days=5, default_history_days=10, factory=ScriptedConnector, is_sandbox=True)

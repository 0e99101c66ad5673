"""SchedulerInfo says since when the scheduler runs and when it last woke up (the Dashboard's "running since
<time> (uptime 3 h 12 min)" and "Last wake-up 12 s ago"), from an injected clock or another process's lease."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from autosync_desktop.clock import TimeZone, zone
from autosync_desktop.services import Services
from autosync_desktop.store.models import ProcessLease, utcnow
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService

START = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)  # far from today: nothing may come from the wall clock


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.at

    def today(self, tz: TimeZone = None) -> date:
        return self.at.astimezone(zone(tz)).date()

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        self.mono += seconds


def test_this_process_scheduler_reports_its_start_and_last_wake_up(tmp_path: Path) -> None:
    services = Services.open(tmp_path / "data")
    clock = FakeClock(START)
    scheduler = SchedulerService(services.db, services.bus, Runner(services.db, services.bus, max_workers=1),
                                 clock=clock)
    try:
        assert (scheduler.started_at, scheduler.last_wake_at) == (None, None)
        scheduler.start("gui")
        services.scheduler = scheduler
        info = services.metrics.scheduler_info()
        assert info.owner == "this process"
        assert info.running_since == START and info.last_wake_at == START
        clock.advance(3 * 3600 + 12 * 60)
        scheduler._check_wake()  # the periodic wake-up (every WAKE_CHECK_S)
        info = services.metrics.scheduler_info()
        assert info.running_since == START
        assert info.last_wake_at == START + timedelta(hours=3, minutes=12)
    finally:
        services.scheduler = None
        scheduler.stop()
        services.close()


def test_another_process_scheduler_is_read_from_its_lease(tmp_path: Path) -> None:
    services = Services.open(tmp_path / "data")
    try:
        assert services.metrics.scheduler_info().running_since is None  # nobody runs one
        beat = utcnow()  # the store's clock: a lease is live while its heartbeat is recent
        started = beat - timedelta(hours=5)
        ProcessLease.create(pid=4242, host="another-host", kind="service", runs_scheduler=True,
                            started_at=started, heartbeat_at=beat)
        info = services.metrics.scheduler_info()
        assert info.owner == "service pid 4242"
        assert info.running_since == started.replace(tzinfo=UTC)
        assert info.last_wake_at == beat.replace(tzinfo=UTC)
    finally:
        services.close()

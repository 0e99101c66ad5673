"""The morning file after its syncs (issue 13's own example): an export schedule `--after` sync schedules is written
once they have all succeeded, through the real scheduler; at the end of a wait it is skipped with the missing
inputs recorded although it has no account."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

from autosync_desktop.export_spec import make_spec
from autosync_desktop.store import dependencies as deps
from autosync_desktop.store.models import Account, Schedule, SyncRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService
from autosync_desktop.sync.upstream_gate import UpstreamGate
from tests.test_dependencies import Fired, FixedClock


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_file_is_written_once_both_syncs_succeeded(store, bus, tmp_path: Path) -> None:
    account = Account.create(name="Shop", platform="demo", external_id="d", options='{"latency_ms": 0}',
                             currency="EUR", timezone="UTC")
    google = Schedule.create(name="Google daily", account=account, frequency="manual", timezone="UTC")
    meta = Schedule.create(name="Meta daily", account=account, frequency="manual", timezone="UTC")
    out = tmp_path / "ads.xlsx"
    spec = make_spec(str(out), "last_30_days")
    morning = Schedule.create(name="Morning file", account=None, sync_type="export", frequency="manual",
                              timezone="UTC", export_options=spec.to_json())
    deps.set_upstreams(morning.id, [google.id, meta.id])
    service = SchedulerService(store, bus, Runner(store, bus, max_workers=2))
    try:
        service.start()
        service.run_now(google.id)
        _wait_for(lambda: SyncRun.select().where(SyncRun.schedule_name == "Google daily",
                                                 SyncRun.status == "succeeded").exists())
        time.sleep(2.5)  # a scheduler poll later: one upstream is not enough
        assert not out.exists()
        assert not SyncRun.select().where(SyncRun.schedule_name == "Morning file").exists()
        service.run_now(meta.id)
        _wait_for(lambda: SyncRun.select().where(SyncRun.schedule_name == "Morning file",
                                                 SyncRun.status == "succeeded").exists())
    finally:
        service.stop()
    run = SyncRun.get(SyncRun.schedule_name == "Morning file")
    assert (run.platform, run.account_name, run.trigger, run.missing_inputs) == ("export", "All accounts",
                                                                                "scheduled", None)
    assert out.exists() and run.rows > 0


def test_a_wait_ending_with_skip_records_the_export_run_without_an_account(store, bus, tmp_path: Path) -> None:
    account = Account.create(name="a", platform="demo", external_id="a")
    t0 = datetime(2027, 3, 1, 5, 0)
    clock = FixedClock(t0)
    gate = UpstreamGate(store, bus, clock, Fired(clock), lambda run: None)
    upstream = Schedule.create(name="Google daily", account=account, frequency="daily", at_time="05:00",
                               timezone="UTC", created_at=t0 - timedelta(days=1))
    morning = Schedule.create(name="Morning file", account=None, sync_type="export", frequency="daily",
                              at_time="07:00", timezone="UTC", if_missing="skip", created_at=t0 - timedelta(days=1),
                              export_options=make_spec(str(tmp_path / "ads.csv"), "yesterday").to_json())
    deps.set_upstreams(morning.id, [upstream.id])
    clock.at = t0 + timedelta(hours=2)
    assert gate.tick(morning)
    clock.at += timedelta(hours=2)
    [run_id] = gate.check()
    run = SyncRun.get_by_id(run_id)
    assert (run.status, run.platform, run.account_id) == ("skipped", "export", None)
    assert json.loads(run.missing_inputs) == ["Google daily"]
    assert not (tmp_path / "ads.csv").exists()

"""A platform answer that repeats a (campaign, day) row is merged by the writer's rule, with a warning in the run
log, instead of failing the window's write with an IntegrityError; a metric the platform did not send stays NULL."""

from __future__ import annotations

from datetime import date

from peewee import SqliteDatabase

from autosync_desktop import events as ev
from autosync_desktop.connectors import linkedin_rest, meta_records
from autosync_desktop.connectors.base import DailyStatRecord
from autosync_desktop.store import runs, settings
from autosync_desktop.store.models import Account, DailyStat, RunEvent, SyncRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.writer import StatBuffer, Writer
from tests.scripted import Script

DAY = date(2026, 3, 2)


def _record(cid: str, impressions: int | None, clicks: int | None, cost: int | None, conversions: float,
            value: int | None = None) -> DailyStatRecord:
    return DailyStatRecord(cid, DAY, impressions, clicks, cost, conversions, value, "EUR")


def _write(store: SqliteDatabase, records: list[DailyStatRecord]) -> Writer:
    account = Account.create(name="a", platform="demo", external_id="a")
    buffer = StatBuffer()
    buffer.add(records)
    writer = Writer(store, account.id, run_id=1)
    assert writer.replace_window(DAY, DAY, buffer) == len({r.campaign_id for r in records})
    return writer


def _stored(cid: str) -> tuple[object, ...]:
    row = DailyStat.get(DailyStat.campaign_id == cid)
    return row.impressions, row.clicks, row.cost_micros, row.conversions, row.conversion_value_micros


def test_an_exact_repeat_counts_once_and_differing_rows_are_added_up(store: SqliteDatabase) -> None:
    writer = _write(store, [
        _record("same", 100, 5, 2_000_000, 1.0), _record("same", 100, 5, 2_000_000, 1.0),
        _record("split", 100, 5, 2_000_000, 1.0, None), _record("split", 40, None, 500_000, 0.5, None),
        _record("alone", None, None, None, 0.0),
    ])
    assert writer.merged == 2
    assert _stored("same") == (100, 5, 2_000_000, 1.0, None)
    assert _stored("split") == (140, 5, 2_500_000, 1.5, None)  # a metric missing from both rows stays NULL
    assert _stored("alone") == (None, None, None, 0.0, None)


def test_a_run_whose_platform_repeats_rows_succeeds_with_a_warning(store: SqliteDatabase, bus: ev.EventBus,
                                                                  scripted: Script) -> None:
    settings.set_value("retry.base_delay_s", 0)
    scripted.repeat_rows = True
    account = Account.create(name="Scripted", platform="scripted", external_id="s1")
    created = runs.create_run(store, account=account, schedule=None, trigger="backfill", sync_type="performance",
                              window_from=DAY, window_to=date(2026, 3, 4))
    runner = Runner(store, bus, max_workers=1)
    try:
        runner.submit(created.id).result(timeout=60)
    finally:
        runner.shutdown()
    run = SyncRun.get_by_id(created.id)
    assert (run.status, run.error_message, run.rows) == ("succeeded", None, 3)
    rows = list(DailyStat.select().order_by(DailyStat.date))
    assert [(r.impressions, r.clicks, r.cost_micros, r.conversions) for r in rows] == [(110, 4, 3_000_000, 1.5)] * 3
    warnings = [e.message for e in RunEvent.select().where((RunEvent.run == run.id) & (RunEvent.level == "warning"))]
    assert len(warnings) == 1 and "repeated 6 (campaign, day) row(s); merged" in warnings[0]


def test_metrics_a_platform_did_not_send_are_unknown_not_zero() -> None:
    meta = meta_records.stat_record({"campaign_id": "1", "date_start": DAY.isoformat(), "clicks": "3"},
                                    frozenset({"purchase"}), "EUR")
    assert (meta.impressions, meta.clicks, meta.cost_micros) == (None, 3, None)
    assert (meta.conversions, meta.conversion_value_micros) == (0.0, 0)  # Meta leaves empty action lists out
    linkedin = linkedin_rest.stat_record(
        {"pivotValues": ["urn:li:sponsoredCampaign:7"], "dateRange": {"start": {"year": 2026, "month": 3, "day": 2}},
         "impressions": 50, "externalWebsiteConversions": 2}, {}, "EUR")
    assert linkedin is not None
    assert (linkedin.impressions, linkedin.clicks, linkedin.cost_micros, linkedin.conversion_value_micros) == (
        50, None, None, None)

"""The runs, metrics, data and exports areas return domain read models (enums, aware datetimes, dates, exact
money), page the history by keyset, say what a cancel did, and write exports whose columns stay those of the CLI.
Also: the engine's outcome for a run that does not exist is None (no status outside RunStatus), and the pages
these areas feed import nothing below the services.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from autosync_desktop import clock
from autosync_desktop.domain import (
    ExportFormat,
    ExportKind,
    Health,
    Money,
    Period,
    RunFilter,
    RunRow,
    RunStatus,
    StatsFilter,
    Trigger,
)
from autosync_desktop.services import RUN_COLUMNS, STATS_COLUMNS, Services, UserError
from autosync_desktop.store import runs as store_runs
from autosync_desktop.store.models import Account, DailyStat, SyncRun
from autosync_desktop.sync.engine import Engine

DEMO = "Demo"


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    services.accounts.add("demo", DEMO, options={"latency_ms": "0", "campaigns": "2", "history_days": "3"})
    yield services
    services.close()


def _sync(svc: Services, name: str = DEMO, date_from: date | None = None, date_to: date | None = None) -> RunRow:
    request = svc.runs.request(name, date_from, date_to)
    assert request.status == RunStatus.QUEUED and request.handled_by == "this process"
    return svc.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)


def test_a_synced_run_reads_back_typed_with_its_windows_and_log(svc: Services) -> None:
    run = _sync(svc)
    assert run.status == RunStatus.SUCCEEDED and run.trigger == Trigger.MANUAL
    assert run.schedule is None and run.who == DEMO and run.rows > 0 and run.campaigns == 2
    assert run.queued_at.tzinfo is UTC and run.finished_at is not None and run.finished_at >= run.queued_at
    detail = svc.runs.detail(run.id)
    assert detail.run == run and detail.retries == 0 and detail.events
    assert all(line.at.tzinfo is UTC for line in detail.events)
    assert detail.windows is not None and not detail.windows.backfill and detail.windows.count
    assert detail.windows.first <= detail.windows.last
    end = clock.today("UTC") - timedelta(days=1)
    backfill = _sync(svc, DEMO, end - timedelta(days=2), end)
    assert backfill.trigger == Trigger.BACKFILL and (backfill.window_from, backfill.window_to) == (
        end - timedelta(days=2), end)
    windows = svc.runs.detail(backfill.id).windows
    assert windows is not None and windows.backfill and (windows.first, windows.last) == (end - timedelta(days=2), end)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.rows = 0  # type: ignore[misc]


def test_history_pages_continue_after_the_cursor_and_filters_count(svc: Services) -> None:
    for _ in range(5):
        _sync(svc)
    first = svc.runs.page(RunFilter(), limit=2)
    assert len(first.rows) == 2 and not first.done and first.cursor is not None
    assert first.cursor.id == first.rows[-1].id and first.cursor.queued_at == first.rows[-1].queued_at
    seen = [r.id for r in first.rows]
    page = first
    while not page.done:
        page = svc.runs.page(RunFilter(), after=page.cursor, limit=2)
        seen += [r.id for r in page.rows]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5 == svc.runs.total()
    oldest = svc.runs.page(RunFilter(), limit=10, order="oldest")
    assert [r.id for r in oldest.rows] == sorted(seen) and oldest.done
    assert svc.runs.total(RunFilter(statuses=(RunStatus.FAILED,))) == 0
    assert svc.runs.total(RunFilter(triggers=(Trigger.MANUAL,), account=DEMO)) == 5
    assert [r.id for r in svc.runs.list(limit=3)] == seen[:3]
    with pytest.raises(UserError, match="--status: must be one of queued, running"):
        svc.runs.list(status="done")
    with pytest.raises(UserError, match="status: done unknown"):
        svc.runs.total(RunFilter(statuses=("done",)))  # type: ignore[arg-type]  # what an untyped caller might pass
    lines = svc.runs.recent_activity(5)
    assert len(lines) == 5 and all(line.run_status == RunStatus.SUCCEEDED for line in lines)
    assert [line.event_id for line in lines] == sorted((line.event_id for line in lines), reverse=True)


def test_cancel_says_what_it_did(svc: Services) -> None:
    account = Account.get(Account.name == DEMO)
    queued = store_runs.create_run(svc.db, account=account, schedule=None, trigger="manual", sync_type="both")
    result = svc.runs.cancel(queued.id)  # nobody claimed it: cancelled at once
    assert (result.requested, result.status, result.word) == (False, RunStatus.CANCELLED, "cancelled")
    assert svc.runs.get(queued.id).status == RunStatus.CANCELLED
    done = _sync(svc)
    again = svc.runs.cancel(done.id)
    assert (again.requested, again.status, again.word) == (False, RunStatus.SUCCEEDED, "succeeded")
    with pytest.raises(UserError, match="No run with id 999"):
        svc.runs.cancel(999)
    assert svc.runs.active() == ()


def test_the_engine_says_none_for_a_run_that_does_not_exist(svc: Services) -> None:
    assert Engine(svc.db, svc.bus).execute(12345, threading.Event()) is None
    assert SyncRun.select().count() == 0


def test_status_dashboard_and_prune_are_typed(svc: Services) -> None:
    run = _sync(svc)
    status = svc.metrics.status("7d")
    assert status.period == Period.WEEK and status.metrics.total_runs == 1 and status.metrics.success_rate == 1.0
    assert status.metrics.rows_processed == run.rows
    (account,) = status.accounts
    assert account.name == DEMO and account.health == Health.HEALTHY and account.last_run_status == RunStatus.SUCCEEDED
    assert status.scheduler.running is False and status.scheduler.owner is None and status.scheduler.active_runs == 0
    assert status.database.path.endswith("autosync.db") and status.database.size_bytes > 0
    assert status.database.last_prune is None and status.database.schema_version >= 1
    with pytest.raises(UserError, match="--period: must be one of 24h, 7d, 30d"):
        svc.metrics.status("1y")
    snap = svc.metrics.dashboard("24h", chart_days=3)
    assert snap.metrics.period == Period.DAY and snap.metrics.current.total_runs == 1
    assert snap.metrics.previous.total_runs == 0 and snap.metrics.until - snap.metrics.since == timedelta(hours=24)
    assert [a.name for a in snap.accounts] == [DEMO]
    assert len(snap.charts.days) == 3 and snap.charts.days[-1].runs == 1
    assert snap.charts.days[-1].runs_by_status == {RunStatus.SUCCEEDED: 1} and snap.charts.days[0].runs == 0
    assert snap.charts.days[-1].day - snap.charts.days[0].day == timedelta(days=2)
    assert svc.metrics.integrity_check().ok and svc.metrics.integrity_check().text == "ok"
    pruned = svc.metrics.prune()
    assert pruned.runs_deleted == 0 and pruned.at.tzinfo is UTC and pruned.runs_before < pruned.at
    assert svc.metrics.database_info().last_prune == pruned


def test_data_pages_totals_and_campaigns_keep_money_exact(svc: Services) -> None:
    _sync(svc)
    stored = DailyStat.select().count()
    page = svc.data.stats(StatsFilter(), limit=stored + 10)
    assert page.done and len(page.rows) == stored
    assert [r.day for r in page.rows] == sorted((r.day for r in page.rows), reverse=True)
    first = page.rows[0]
    row = DailyStat.get((DailyStat.campaign_id == first.campaign_id) & (DailyStat.date == first.day))
    assert first.cost == Money(row.cost_micros, "USD") and first.account == DEMO and first.platform == "demo"
    assert Decimal(first.cost.text) == first.cost.amount == Decimal(row.cost_micros) / 1_000_000
    assert svc.data.stats(StatsFilter(), limit=2).done is False
    summary = svc.data.summary(StatsFilter(campaign_id=first.campaign_id))
    (total,) = summary.totals
    cost = sum(s.cost_micros for s in DailyStat.select().where(DailyStat.campaign_id == first.campaign_id))
    assert total.currency == "USD" and total.cost == Money(cost, "USD") and summary.rows == total.rows
    campaigns = svc.data.campaigns(DEMO)
    assert len(campaigns) == 2 and {c.account for c in campaigns} == {DEMO}
    assert all(c.synced_at is not None and c.synced_at.tzinfo is UTC for c in campaigns)
    assert Money(-1_500_000, None).text == "-1.50" and Money(1, "EUR").text == "0.000001"


def test_exports_keep_the_cli_columns_and_say_how_many_rows(svc: Services) -> None:
    run = _sync(svc)
    out = io.StringIO()
    result = svc.exports.write("runs", "json", out)
    assert (result.kind, result.format, result.rows) == (ExportKind.RUNS, ExportFormat.JSON, 1)
    (exported,) = json.loads(out.getvalue())
    assert list(exported) == RUN_COLUMNS and exported["id"] == run.id and exported["status"] == "succeeded"
    assert exported["queued_at"].endswith("Z") and exported["duration_s"] == run.duration_s
    out = io.StringIO()
    stats = svc.exports.stats(StatsFilter(account=DEMO), "csv", out)
    assert stats.rows == DailyStat.select().count() and out.getvalue().splitlines()[0] == ",".join(STATS_COLUMNS)
    history = svc.exports.history(RunFilter(statuses=(RunStatus.FAILED,)), "csv", io.StringIO())
    assert history.rows == 0
    with pytest.raises(UserError, match=r"^--format: choose csv or json$"):
        svc.exports.write("runs", "xml", io.StringIO())
    with pytest.raises(UserError, match=r"^export: choose runs, stats, campaigns or conversions$"):
        svc.exports.write("accounts", "csv", io.StringIO())


def test_the_pages_these_areas_feed_import_nothing_below_the_services() -> None:
    gui = Path(__file__).resolve().parents[1] / "autosync_desktop" / "gui"
    files = [*(gui / "history").glob("*.py"), *(gui / "data").glob("*.py"), *(gui / "dashboard").glob("*.py"),
             gui / "tray_model.py", gui / "self_test.py", gui / "scheduler" / "backfill.py"]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            found += [f"{path.name}: {n}" for n in names
                      if n.startswith(("autosync_desktop.store", "autosync_desktop.sync", "autosync_desktop.notify"))]
    assert found == []


def test_run_rows_round_trip_through_the_cli_json_unchanged(svc: Services) -> None:
    from autosync_desktop.services import run_dict

    run = _sync(svc)
    as_json = run_dict(run)
    assert list(as_json) == RUN_COLUMNS
    assert as_json["trigger"] == "manual" and as_json["window_from"] is None
    assert datetime.fromisoformat(as_json["queued_at"].replace("Z", "+00:00")) == run.queued_at.replace(microsecond=0)

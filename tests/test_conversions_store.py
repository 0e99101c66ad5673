"""daily_conversion (schema v8): the writer replaces a window's per-action rows with the stats, by the same rules."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from autosync_desktop.clock import ShiftedClock
from autosync_desktop.connectors.base import ActionConversions, DailyStatRecord
from autosync_desktop.store import migrations, retention, settings
from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Account, DailyConversion
from autosync_desktop.sync.writer import StatBuffer, Writer
from tests.test_store_migrations import _schema, make_v1_database


def _stat(cid: str, day: int, *actions: ActionConversions) -> DailyStatRecord:
    return DailyStatRecord(campaign_id=cid, date=date(2026, 1, day), impressions=10, clicks=1, cost_micros=1,
                           conversions=sum(a.count for a in actions), actions=tuple(actions))


def _write(db, account: Account, records: list[DailyStatRecord], start: int, end: int) -> Writer:
    buffer = StatBuffer()
    buffer.add(records)
    writer = Writer(db, account.id, run_id=3)
    writer.replace_window(date(2026, 1, start), date(2026, 1, end), buffer)
    return writer


def _rows() -> dict[tuple[str, int, str], tuple[float, int | None]]:
    return {(r.campaign_id, r.date.day, r.action): (r.count, r.value_micros) for r in DailyConversion.select()}


def test_window_rows_are_replaced_and_carry_the_platform(store) -> None:
    account = Account.create(name="m", platform="meta_ads", external_id="1")
    buy, lead = ActionConversions("purchase", 2, 5_000_000), ActionConversions("lead", 1.5, None)
    _write(store, account, [_stat("c1", 1, buy, lead), _stat("c1", 2, buy)], 1, 5)
    assert _rows() == {("c1", 1, "purchase"): (2, 5_000_000), ("c1", 1, "lead"): (1.5, None),
                       ("c1", 2, "purchase"): (2, 5_000_000)}
    assert {r.platform for r in DailyConversion.select()} == {"meta_ads"}
    assert {r.run_id for r in DailyConversion.select()} == {3}
    # day 2's purchases were restated away (no actions left) and day 1 lost its lead
    _write(store, account, [_stat("c1", 1, buy), _stat("c1", 2)], 1, 5)
    assert _rows() == {("c1", 1, "purchase"): (2, 5_000_000)}


def test_records_without_a_breakdown_store_none_and_other_days_stay(store) -> None:
    account = Account.create(name="g", platform="google_ads", external_id="1")
    _write(store, account, [_stat("c1", 9, ActionConversions("Sign-up", 1, 0))], 9, 9)
    plain = DailyStatRecord("c1", date(2026, 1, 2), 1, 1, 1)
    _write(store, account, [plain], 1, 5)
    assert _rows() == {("c1", 9, "Sign-up"): (1, 0)}


def test_repeated_actions_follow_the_stats_merge_rule(store) -> None:
    account = Account.create(name="d", platform="demo", external_id="1")
    buy = ActionConversions("purchase", 2, 1_000_000)
    # an exact repeat (a page served twice) counts once; a differing part of the day is added up
    _write(store, account, [_stat("c1", 1, buy), _stat("c1", 1, buy)], 1, 1)
    assert _rows() == {("c1", 1, "purchase"): (2, 1_000_000)}
    _write(store, account, [_stat("c1", 1, buy), _stat("c1", 1, ActionConversions("purchase", 1, None))], 1, 1)
    assert _rows() == {("c1", 1, "purchase"): (3, 1_000_000)}


def test_removing_the_account_deletes_its_breakdown(store) -> None:
    account = Account.create(name="d", platform="demo", external_id="1")
    _write(store, account, [_stat("c1", 1, ActionConversions("purchase", 1, 1))], 1, 1)
    account.delete_instance()
    assert DailyConversion.select().count() == 0


def test_v7_store_gains_the_table_like_a_fresh_one(tmp_path: Path) -> None:
    path = tmp_path / "autosync.db"
    make_v1_database(path)
    open_store(path).close()  # now at LATEST; take it back to a v7 store by hand
    con = sqlite3.connect(path)
    con.execute("DROP TABLE daily_conversion")
    con.execute('ALTER TABLE sync_run DROP COLUMN "rate_limit_wait_s"')  # version 9's column
    con.execute("DELETE FROM schema_version WHERE version >= 8")
    con.commit()
    con.close()
    db = open_store(path)
    assert (tmp_path / "autosync.db.v7.bak").exists()
    assert db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0] == migrations.LATEST >= 8
    assert db.execute_sql("SELECT COUNT(*) FROM daily_stat").fetchone()[0] == 6  # untouched
    sql = db.execute_sql("SELECT sql FROM sqlite_master WHERE name='daily_conversion'").fetchone()[0]
    assert "WITHOUT ROWID" in sql.upper()
    db.close()
    fresh = open_store(tmp_path / "fresh.db")
    assert _schema(fresh)["daily_conversion"] == _schema(open_store(path))["daily_conversion"]
    fresh.close()


def test_retention_prunes_the_breakdown_with_the_stats(store) -> None:
    account = Account.create(name="d", platform="demo", external_id="1")
    clock = ShiftedClock(datetime(2027, 2, 28, 23, 59, tzinfo=UTC), tick=False)
    today = clock.today()
    for days in (10, 800):
        DailyConversion.create(account=account, platform="demo", campaign_id="c", date=today - timedelta(days=days),
                               action="purchase", count=1.0)
    settings.set_value("retention.stats_months", 12)
    retention.prune(store, clock)
    assert [(today - r.date).days for r in DailyConversion.select()] == [10]

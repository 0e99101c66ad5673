"""The writer replaces a window's rows atomically: re-runs neither duplicate nor keep vanished days."""

from __future__ import annotations

from datetime import date

from autosync_desktop.connectors.base import CampaignRecord, DailyStatRecord
from autosync_desktop.store.models import Account, Campaign, DailyStat, SyncState
from autosync_desktop.sync.writer import StatBuffer, Writer


def _stat(cid: str, day: int, clicks: int) -> DailyStatRecord:
    return DailyStatRecord(campaign_id=cid, date=date(2026, 1, day), impressions=clicks * 10, clicks=clicks,
                           cost_micros=clicks * 1_000_000, conversions=1.5, currency="EUR", campaign_name=cid.upper())


def _write(db, account: Account, records: list[DailyStatRecord], start: int, end: int) -> int:
    buffer = StatBuffer()
    buffer.add(records)
    return Writer(db, account.id, run_id=1).replace_window(date(2026, 1, start), date(2026, 1, end), buffer)


def test_rewriting_a_window_is_idempotent_and_drops_vanished_days(store) -> None:
    account = Account.create(name="a", platform="demo", external_id="a")
    first = [_stat("c1", 1, 5), _stat("c1", 2, 6), _stat("c2", 2, 7), _stat("c2", 5, 1)]
    assert _write(store, account, first, 1, 5) == 4
    assert _write(store, account, first, 1, 5) == 4
    assert DailyStat.select().count() == 4
    # the platform restated day 2 and day 5 dropped to zero activity (omitted): both must show
    second = [_stat("c1", 1, 5), _stat("c1", 2, 9), _stat("c2", 2, 7)]
    _write(store, account, second, 1, 5)
    rows = {(r.campaign_id, r.date.day): r.clicks for r in DailyStat.select()}
    assert rows == {("c1", 1): 5, ("c1", 2): 9, ("c2", 2): 7}


def test_window_replace_touches_only_its_dates_and_account(store) -> None:
    a = Account.create(name="a", platform="demo", external_id="a")
    b = Account.create(name="b", platform="demo", external_id="b")
    _write(store, a, [_stat("c1", 1, 1), _stat("c1", 9, 2)], 1, 9)
    _write(store, b, [_stat("c1", 3, 3)], 1, 9)
    _write(store, a, [], 2, 8)  # an empty window in the middle removes only its own days
    assert sorted((r.account_id, r.date.day) for r in DailyStat.select()) == [(a.id, 1), (a.id, 9), (b.id, 3)]


def test_sync_state_never_moves_backwards_and_campaigns_seen_in_stats_exist(store) -> None:
    a = Account.create(name="a", platform="demo", external_id="a")
    _write(store, a, [_stat("c7", 20, 1)], 20, 25)
    _write(store, a, [_stat("c7", 2, 1)], 1, 5)  # a backfill of older dates
    state = SyncState.get((SyncState.account == a.id) & (SyncState.stream == "daily_stats"))
    assert state.last_complete_date == date(2026, 1, 25)
    assert Campaign.get(Campaign.campaign_id == "c7").name == "C7"


def test_campaign_upsert_updates_in_place(store) -> None:
    a = Account.create(name="a", platform="demo", external_id="a")
    w = Writer(store, a.id, None)
    w.write_campaigns([CampaignRecord("c1", "Old", "ACTIVE", "ENABLED")])
    w.write_campaigns([CampaignRecord("c1", "New", "REMOVED", "REMOVED"), CampaignRecord("c2", "Two")])
    got = {c.campaign_id: (c.name, c.status) for c in Campaign.select()}
    assert got == {"c1": ("New", "REMOVED"), "c2": ("Two", "OTHER")}


def test_a_failing_window_leaves_no_partial_rows(store) -> None:
    a = Account.create(name="a", platform="demo", external_id="a")
    _write(store, a, [_stat("c1", 1, 1)], 1, 3)
    bad = StatBuffer()
    broken = DailyStatRecord(campaign_id=None, date=date(2026, 1, 3), impressions=1,  # type: ignore[arg-type]
                             clicks=1, cost_micros=1)  # campaign_id is NOT NULL: the insert fails mid-window
    bad.add([_stat("c1", 2, 2), broken])
    try:
        Writer(store, a.id, 1).replace_window(date(2026, 1, 1), date(2026, 1, 3), bad)
    except Exception:
        pass
    else:
        raise AssertionError("a NULL campaign id should fail")
    assert [(r.date.day, r.clicks) for r in DailyStat.select()] == [(1, 1)]


def test_extra_metrics_are_stored_as_json_and_null_metrics_stay_null(store) -> None:
    a = Account.create(name="a", platform="demo", external_id="a")
    ga = DailyStatRecord(campaign_id="g", date=date(2026, 1, 4), impressions=None, clicks=None, cost_micros=None,
                         conversions=7.0, extra={"sessions": "412", "totalUsers": "380"})
    _write(store, a, [_stat("c1", 4, 1), ga], 4, 4)
    row = DailyStat.get(DailyStat.campaign_id == "g")
    assert (row.impressions, row.clicks, row.cost_micros) == (None, None, None)
    assert row.extra == '{"sessions": "412", "totalUsers": "380"}'
    assert DailyStat.get(DailyStat.campaign_id == "c1").extra is None
    assert row.date == date(2026, 1, 4) and row.run_id == 1

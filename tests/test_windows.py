from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from autosync_desktop.sync import windows as w


def test_first_sync_covers_initial_history() -> None:
    r = w.sync_range(date(2026, 3, 31), None, lookback_days=3, initial_days=90)
    assert (r.start, r.end) == (date(2025, 12, 31), date(2026, 3, 31))


def test_incremental_start_is_min_of_bookmark_and_lookback() -> None:
    today = date(2026, 3, 31)
    # bookmark recent: the lookback decides (re-fetch settling days)
    assert w.sync_range(today, date(2026, 3, 30), 7, 90).start == date(2026, 3, 24)
    # bookmark old (app not run for a while): resume from the day after it
    assert w.sync_range(today, date(2026, 1, 10), 7, 90).start == date(2026, 1, 11)
    # bookmark in the future (clock moved back): never a range ending before it starts
    r = w.sync_range(today, date(2026, 4, 5), 0, 90)
    assert r.start <= r.end == today


def test_chunking_covers_every_day_once_in_windows_of_at_most_n_days() -> None:
    whole = w.Window(date(2026, 1, 1), date(2026, 3, 31))
    parts = w.chunk(whole, 30)
    assert [p.days for p in parts] == [30, 30, 30]
    assert parts[0].start == whole.start and parts[-1].end == whole.end
    for a, b in pairwise(parts):
        assert (b.start - a.end).days == 1
    assert w.chunk(w.Window(date(2026, 1, 1), date(2026, 1, 1)), 30) == [w.Window(date(2026, 1, 1), date(2026, 1, 1))]
    with pytest.raises(w.WindowError):
        w.chunk(whole, 0)


def test_backfill_rejects_reversed_range_naming_the_fix() -> None:
    with pytest.raises(w.WindowError, match="--from 2026-02-01 is after --to 2026-01-01"):
        w.backfill_range(date(2026, 2, 1), date(2026, 1, 1))


def test_today_depends_on_the_account_time_zone() -> None:
    moment = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    assert w.today_in("UTC", moment) == date(2026, 6, 1)
    assert w.today_in("Asia/Tokyo", moment) == date(2026, 6, 2)
    assert w.today_in("America/Los_Angeles", moment) == date(2026, 6, 1)

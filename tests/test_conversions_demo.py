"""Demo conversions by action through the services: `services.data.conversions` (by filter and for selected rows),
adding up to the blended column; the filtered `exports.conversions`."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from autosync_desktop.domain import ExportKind, StatsFilter
from autosync_desktop.services import Services, UserError
from autosync_desktop.services.exports import CONVERSION_COLUMNS

DEMO = "Demo"


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    services.accounts.add("demo", DEMO, options={"latency_ms": "0", "campaigns": "4", "history_days": "20",
                                                 "timezone": "Asia/Tokyo"})
    request = services.runs.request(DEMO)  # its first sync: the whole history (dates from the store, not today)
    services.runs.wait(request.run_id, poll_s=0.02, timeout_s=30)
    yield services
    services.close()


def test_breakdown_adds_up_to_the_blended_conversions(svc: Services) -> None:
    stats = svc.data.stats(limit=10_000).rows
    assert stats and sum(1 for s in stats if s.conversions) > 10
    rows = svc.data.conversions()
    per_day: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0])
    for r in rows:
        per_day[(r.campaign_id, r.day)][0] += r.count
        per_day[(r.campaign_id, r.day)][1] += r.value.micros if r.value else 0
        assert (r.account, r.platform, r.date_tz, r.currency) == (DEMO, "demo", "Asia/Tokyo", "USD")
        assert r.campaign
    assert {r.action for r in rows} == {"purchase", "lead"}
    for s in stats:
        count, value = per_day.get((s.campaign_id, s.day), [0.0, 0])
        assert count == pytest.approx(s.conversions or 0, abs=1e-9)
        assert value == (s.conversion_value.micros if s.conversion_value else 0)
    assert [r.day for r in rows] == sorted((r.day for r in rows), reverse=True)  # newest day first


def test_selected_rows_and_filters(svc: Services) -> None:
    stats = [s for s in svc.data.stats(limit=10_000).rows if s.conversions and s.conversions >= 4][:3]
    assert len(stats) == 3
    picked = svc.data.conversions(days=[(s.account, s.campaign_id, s.day) for s in stats])
    assert {(r.campaign_id, r.day) for r in picked} == {(s.campaign_id, s.day) for s in stats}
    assert sum(r.count for r in picked) == pytest.approx(sum(s.conversions or 0 for s in stats))
    assert svc.data.conversions(days=[]) == []
    day = stats[0].day
    one_day = svc.data.conversions(StatsFilter(account=DEMO, since=day, until=day))
    assert one_day and {r.day for r in one_day} == {day}
    with pytest.raises(UserError, match=r"^days: at most 500"):
        svc.data.conversions(days=[(DEMO, "c", day)] * 501)
    with pytest.raises(UserError, match="Nope"):
        svc.data.conversions(days=[("Nope", "c", day)])

    out = io.StringIO()
    result = svc.exports.conversions(StatsFilter(since=day, until=day), "json", out)
    exported = json.loads(out.getvalue())
    assert result.kind == ExportKind.CONVERSIONS and result.rows == len(exported) == len(one_day)
    assert list(exported[0]) == CONVERSION_COLUMNS and {e["date"] for e in exported} == {day.isoformat()}
    assert {e["date_tz"] for e in exported} == {"Asia/Tokyo"}

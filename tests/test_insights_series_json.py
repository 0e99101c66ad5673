"""`autosync insights --json` and `GET /sync/metrics` carry the Insights charts' per-slot series
(`services.insights.series` in UTC): the same slots as the service, each against hand-written SQL, next to the
fields that were there before (only added, none renamed), and the restatement deltas' currency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autosync_desktop.api import models as api_models
from autosync_desktop.cli import main
from autosync_desktop.services import Services
from autosync_desktop.services.insights import series_dict
from tests.test_insights import NOW, seeded  # noqa: F401  (the fixture)
from tests.test_insights_series import _hand_slot

KEPT = {"period", "since", "until", "days", "total", "platforms", "accounts", "schedules", "restatement_deltas"}


def test_cli_json_has_the_services_series_slot_by_slot(seeded: Path,  # noqa: F811
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for period, slots in (("24h", 24), ("7d", 8), ("30d", 31)):
        assert main(["--data-dir", str(seeded), "insights", "--period", period, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert set(data) > KEPT and set(data) - KEPT == {"series"}  # only added
        svc = Services.open(seeded)
        try:
            series = svc.insights.series(period, 0, now=NOW)
            assert data["series"] == series_dict(series)
            got = data["series"]
            assert got["step"] == ("hour" if period == "24h" else "day") and got["utc_offset_minutes"] == 0
            assert len(got["slots"]) == slots
            assert got["slots"][0]["since"] == data["since"] and got["slots"][-1]["until"] == data["until"]
            by_hand = [_hand_slot(svc, s.since, s.until) for s in series.slots]
        finally:
            svc.close()
        assert [(s["runs"], s["succeeded"], s["failed"], s["p95_duration_s"], s["api_calls"], s["rate_limit_wait_s"],
                 s["wait_unrecorded_runs"]) for s in got["slots"]] == by_hand
        assert sum(s["runs"] for s in got["slots"]) == data["total"]["runs"]
        assert sum(s["api_calls"] for s in got["slots"]) == data["total"]["api_calls"]
    # a slot with runs, by hand: 20 h before NOW (12:00 UTC on Nov 20) acme's run of 6 calls waited 2.5 s
    assert main(["--data-dir", str(seeded), "insights", "--json"]) == 0
    twelve = json.loads(capsys.readouterr().out)["series"]["slots"][4]
    assert (twelve["start"], twelve["since"], twelve["runs"], twelve["api_calls"], twelve["rate_limit_wait_s"]) == (
        "2026-11-20T12:00:00Z", "2026-11-20T12:00:00Z", 1, 6, 2.5)


def test_the_api_model_carries_the_same_series(seeded: Path) -> None:  # noqa: F811
    svc = Services.open(seeded)
    try:
        found = svc.insights.period("7d", now=NOW)
        series = svc.insights.series("7d", 0, now=NOW)
        out = api_models.insights(found, series).model_dump(mode="json")
        without = api_models.insights(found).model_dump(mode="json")
    finally:
        svc.close()
    assert without["series"] is None and {k: v for k, v in out.items() if k != "series"} == {
        k: v for k, v in without.items() if k != "series"}
    expected = series_dict(series)
    assert out["series"]["step"] == "day" and out["series"]["utc_offset_minutes"] == 0
    for mine, theirs in zip(out["series"]["slots"], expected["slots"], strict=True):
        assert mine["start"] == theirs["start"] and mine["since"] == theirs["since"]
        assert (mine["runs"], mine["succeeded"], mine["failed"], mine["api_calls"], mine["wait_unrecorded_runs"]) == (
            theirs["runs"], theirs["succeeded"], theirs["failed"], theirs["api_calls"], theirs["wait_unrecorded_runs"])
        assert mine["p95_duration_s"] == theirs["p95_duration_s"]
        assert mine["rate_limit_wait_s"] == theirs["rate_limit_wait_s"]

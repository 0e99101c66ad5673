"""A run whose wait for its upstream schedules ended without some of them carries them (sync_run.missing_inputs) to
every run view: `RunRow.missing_inputs`, `runs show --json` (`missing_inputs`, [] when none), the plain `runs show`,
and the local API's job detail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop.api.models import job_detail
from autosync_desktop.cli import main
from autosync_desktop.services import Services
from autosync_desktop.store import runs
from autosync_desktop.store.models import Account, Schedule, SyncRun


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    data = tmp_path / "data"
    services = Services.open(data)
    account = Account.create(name="Google", platform="demo", external_id="g-1", timezone="Europe/Berlin")
    for name in ("Report", "Other", "Skipper"):
        Schedule.create(name=name, account=account, sync_type="performance", frequency="daily", at_time="07:00",
                        timezone="Europe/Berlin")
    db = services.db
    ids = {
        "without": runs.create_run(db, account=account, schedule=Schedule.get(Schedule.name == "Report"),
                                   trigger="scheduled", sync_type="performance",
                                   missing_inputs=("Meta daily", "TikTok daily")).id,
        "plain": runs.create_run(db, account=account, schedule=Schedule.get(Schedule.name == "Other"),
                                 trigger="manual", sync_type="performance").id,
    }
    skipped = runs.create_run(db, account=account, schedule=Schedule.get(Schedule.name == "Skipper"),
                              trigger="scheduled", sync_type="performance", missing_inputs=("Meta daily",))
    runs.finish_run(skipped.id, "skipped", reason="Skipped: waited 2 h for Meta daily")
    ids["skipped"] = skipped.id
    services.close()
    yield data, ids


def test_the_run_read_model_carries_them(seeded: tuple[Path, dict[str, int]]) -> None:
    data, ids = seeded
    services = Services.open(data)
    try:
        assert services.runs.detail(ids["without"]).run.missing_inputs == ("Meta daily", "TikTok daily")
        assert services.runs.detail(ids["plain"]).run.missing_inputs == ()
        assert services.runs.detail(ids["skipped"]).run.missing_inputs == ("Meta daily",)
        SyncRun.update(missing_inputs="not json").where(SyncRun.id == ids["plain"]).execute()
        assert services.runs.detail(ids["plain"]).run.missing_inputs == ()  # never a crash on a bad value
        detail = job_detail(services.runs.detail(ids["without"]))
        assert detail.missing_inputs == ["Meta daily", "TikTok daily"]
        assert json.loads(detail.model_dump_json())["missing_inputs"] == ["Meta daily", "TikTok daily"]
        assert job_detail(services.runs.detail(ids["skipped"])).missing_inputs == ["Meta daily"]
    finally:
        services.close()


def test_runs_show_gives_them(seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]) -> None:
    data, ids = seeded
    assert main(["--data-dir", str(data), "runs", "show", str(ids["without"]), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["missing_inputs"] == ["Meta daily", "TikTok daily"] and shown["schedule"] == "Report"
    assert main(["--data-dir", str(data), "runs", "show", str(ids["plain"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["missing_inputs"] == []
    assert main(["--data-dir", str(data), "runs", "show", str(ids["without"])]) == 0
    assert "ran without  Meta daily, TikTok daily" in capsys.readouterr().out.splitlines()
    assert main(["--data-dir", str(data), "runs", "show", str(ids["plain"])]) == 0
    assert "ran without" not in capsys.readouterr().out

"""`schedules add/edit --after`, `--wait-max`, `--if-missing`, `remove --yes` and the list's dependency fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from autosync_desktop.store.db import open_store
from autosync_desktop.store.models import Schedule
from tests.test_cli import Cli


@pytest.fixture
def cli(tmp_path, capsys) -> Cli:
    c = Cli(tmp_path / "data", capsys)
    c("accounts", "add", "--platform", "demo", "--name", "Demo", "--option", "latency_ms=0")
    for name in ("Google daily", "Meta daily"):
        c("schedules", "add", "--name", name, "--account", "Demo", "--type", "both", "--frequency", "daily",
          "--at", "06:00", "--timezone", "UTC")
    return c


def _list(cli: Cli) -> dict[str, dict]:
    return {s["name"]: s for s in json.loads(cli("schedules", "list", "--json"))}


def test_after_without_a_frequency_is_started_by_its_upstreams_only(cli: Cli) -> None:
    out = cli("schedules", "add", "--name", "Morning file", "--account", "Demo", "--type", "both",
              "--after", "Google daily,Meta daily")
    assert "after Google daily, Meta daily" in out
    item = _list(cli)["Morning file"]
    assert (item["frequency"], item["after"], item["waiting_for"]) == ("manual", ["Google daily", "Meta daily"], [])
    assert item["description"] == "after Google daily, Meta daily" and item["next_run_at"] is None
    assert (item["wait_max_minutes"], item["if_missing"], item["waiting_since"], item["wait_deadline"]) == (
        120, "run", None, None)
    assert "after Google daily, Meta daily" in cli("schedules", "list")
    assert _list(cli)["Google daily"]["after"] == []


def test_without_after_a_frequency_is_still_required(cli: Cli) -> None:
    cli("schedules", "add", "--name", "x", "--account", "Demo", "--type", "both", code=2)
    assert cli.err.startswith("autosync: --frequency: required unless --after is given")


def test_a_cycle_is_refused_with_its_path_and_nothing_changes(cli: Cli) -> None:
    cli("schedules", "add", "--name", "Morning file", "--account", "Demo", "--type", "both", "--after",
        "Google daily")
    cli("schedules", "edit", "Google daily", "--after", "Morning file", code=2)
    assert cli.err.strip() == ("autosync: --after: Google daily → Morning file → Google daily would wait for "
                               "itself")
    assert _list(cli)["Google daily"]["after"] == []


@pytest.mark.parametrize(("after", "message"), [
    ("Google daily", "--after: 'Google daily' cannot run after itself"),
    ("Nope", "--after: Unknown schedule 'Nope'"),
])
def test_itself_and_unknown_names_are_refused(cli: Cli, after: str, message: str) -> None:
    cli("schedules", "edit", "Google daily", "--after", after, code=2)
    assert message in cli.err


@pytest.mark.parametrize("wait", ["0m", "8d", "soon"])
def test_a_wait_out_of_bounds_is_refused(cli: Cli, wait: str) -> None:
    cli("schedules", "add", "--name", "x", "--account", "Demo", "--type", "both", "--frequency", "daily", "--at",
        "07:00", "--after", "Meta daily", "--wait-max", wait, code=2)
    assert "--wait-max" in cli.err and "x" not in _list(cli)


def test_edit_sets_the_wait_and_clears_after(cli: Cli) -> None:
    cli("schedules", "add", "--name", "Late", "--account", "Demo", "--type", "both", "--frequency", "daily",
        "--at", "07:00", "--timezone", "UTC", "--after", "Meta daily")
    out = cli("schedules", "edit", "Late", "--wait-max", "90m", "--if-missing", "skip")
    assert out.strip() == "Updated schedule 'Late': Daily at 07:00 (UTC), after Meta daily"
    item = _list(cli)["Late"]
    assert (item["wait_max_minutes"], item["if_missing"], item["after"]) == (90, "skip", ["Meta daily"])
    cli("schedules", "edit", "Late", "--after", "")
    assert _list(cli)["Late"]["after"] == [] and _list(cli)["Late"]["description"] == "Daily at 07:00 (UTC)"
    cli("schedules", "edit", "Late", "--frequency", "hourly", "--at", ":15")
    assert _list(cli)["Late"]["description"] == "Hourly at :15 (UTC)"


def test_remove_of_an_upstream_asks_then_removes_the_link_with_yes(cli: Cli) -> None:
    cli("schedules", "add", "--name", "Morning file", "--account", "Demo", "--type", "both", "--after",
        "Google daily,Meta daily")
    cli("schedules", "remove", "Meta daily", code=2)
    assert "Morning file runs after 'Meta daily'; add --yes" in cli.err
    assert "Meta daily" in _list(cli)
    cli("schedules", "remove", "Meta daily", "--yes")
    items = _list(cli)
    assert "Meta daily" not in items and items["Morning file"]["after"] == ["Google daily"]


def test_the_list_says_what_a_waiting_schedule_waits_for_and_until_when(cli: Cli) -> None:
    cli("schedules", "add", "--name", "Late", "--account", "Demo", "--type", "both", "--frequency", "daily",
        "--at", "07:00", "--timezone", "Europe/Berlin", "--after", "Google daily,Meta daily", "--wait-max", "1h")
    since = datetime(2027, 3, 1, 6, 0)  # 07:00 in Berlin (winter time)
    db = open_store(cli.data_dir / "autosync.db")
    Schedule.update(waiting_since=since).where(Schedule.name == "Late").execute()
    db.close()
    item = _list(cli)["Late"]
    assert item["waiting_for"] == ["Google daily", "Meta daily"]
    assert item["waiting_since"] == "2027-03-01T06:00:00Z" and item["wait_deadline"] == "2027-03-01T07:00:00Z"
    assert "waiting for Google daily, Meta daily until 08:00 (Europe/Berlin)" in cli("schedules", "list")
    assert datetime.fromisoformat(item["wait_deadline"]) - datetime.fromisoformat(item["waiting_since"]) == \
        timedelta(hours=1)
    assert datetime.fromisoformat(item["wait_deadline"]).tzinfo == UTC


def test_a_cycle_is_found_when_renaming_at_the_same_time(cli: Cli) -> None:
    cli("schedules", "add", "--name", "Morning file", "--account", "Demo", "--type", "both", "--after",
        "Google daily")
    cli("schedules", "edit", "Google daily", "--name", "Google early", "--after", "Morning file", code=2)
    assert "Google daily → Morning file → Google daily would wait for itself" in cli.err
    assert "Google daily" in _list(cli)


def test_edit_refuses_an_option_the_schedules_own_frequency_does_not_take(cli: Cli) -> None:
    before = _list(cli)["Google daily"]
    cli("schedules", "edit", "Google daily", "--cron", "0 6 * * 1-5", code=2)  # daily: --at, not --cron
    assert cli.err.strip() == "autosync: --cron: does not apply to --frequency daily (it takes --at); leave --cron out"
    assert _list(cli)["Google daily"] == before
    cli("schedules", "edit", "Google daily", "--at", "07:30")  # an option it takes
    assert _list(cli)["Google daily"]["description"] == "Daily at 07:30 (UTC)"

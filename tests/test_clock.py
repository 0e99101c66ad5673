"""The one clock (autosync_desktop/clock.py) and the suite's `--today` travel reaching child processes."""

from __future__ import annotations

import json
import re
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from autosync_desktop import clock
from autosync_desktop.clock import ShiftedClock
from autosync_desktop.sync import windows
from tests import travel_launch

ROOT = Path(__file__).resolve().parent.parent
NEW_YEAR = datetime(2026, 12, 31, 23, 40, tzinfo=UTC)  # already 2027 in Berlin, still 2026 in UTC and New York
SPRING_FORWARD = datetime(2027, 3, 28, 1, 5, tzinfo=UTC)  # Berlin jumped from 02:00 to 03:00 five minutes ago


def test_today_is_the_date_in_the_zone_asked_for() -> None:
    at = ShiftedClock(NEW_YEAR, tick=False)
    assert at.today() == at.today("UTC") == date(2026, 12, 31)
    assert at.today("Europe/Berlin") == at.today(ZoneInfo("Europe/Berlin")) == date(2027, 1, 1)
    assert at.today("America/New_York") == date(2026, 12, 31)
    assert at.now() == NEW_YEAR and at.now().tzinfo is UTC


def test_a_shifted_clock_moves_on_in_real_time_unless_told_not_to() -> None:
    ticking = ShiftedClock(SPRING_FORWARD)
    time.sleep(0.05)
    assert timedelta(seconds=0.04) <= ticking.now() - SPRING_FORWARD < timedelta(seconds=5)
    assert ShiftedClock(SPRING_FORWARD, tick=False).now() == SPRING_FORWARD
    with pytest.raises(ValueError, match="aware"):
        ShiftedClock(datetime(2027, 3, 28, 1, 5))


def test_module_functions_read_the_wall_clock() -> None:
    with time_machine.travel(SPRING_FORWARD, tick=False):
        assert clock.now() == SPRING_FORWARD
        assert clock.utcnow_naive() == datetime(2027, 3, 28, 1, 5)
        assert clock.today("Europe/Berlin") == date(2027, 3, 28)
        assert windows.today_in("Pacific/Pago_Pago") == date(2027, 3, 27)
        assert datetime.now(ZoneInfo("Europe/Berlin")).strftime("%H:%M %Z") == "03:05 CEST"


def test_a_child_process_starts_on_the_parents_clock(tmp_path: Path) -> None:
    """Under `--today` the parent travelled; the `autosync` child must agree on the moment (within seconds)."""
    data = str(tmp_path / "data")

    def autosync(*args: str) -> str:
        proc = subprocess.run(travel_launch.command("--data-dir", data, *args), capture_output=True, text=True,
                              timeout=60, cwd=ROOT, env=travel_launch.env())
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    before = clock.now()
    autosync("accounts", "add", "--platform", "demo", "--name", "Demo")
    autosync("schedules", "add", "--name", "Hourly", "--account", "Demo", "--type", "both", "--frequency",
             "interval", "--every-minutes", "60")
    after = clock.now()
    schedule = json.loads(autosync("schedules", "list", "--json"))[0]
    created = datetime.fromisoformat(schedule["next_run_at"].replace("Z", "+00:00")) - timedelta(minutes=60)
    assert before - timedelta(seconds=2) <= created <= after + timedelta(seconds=2)


def test_every_autosync_child_of_the_tests_starts_through_the_launcher() -> None:
    """A child started as `python -m autosync_desktop` would run at the real date under `--today`."""
    direct = re.compile(r'(subprocess\.\w+|Popen)\(\s*\[sys\.executable,\s*"-m",\s*"autosync_desktop"'
                        r'|"\$PY" -m autosync_desktop')
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "tests").rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if direct.search(line)]
    assert offenders == [], "start AutoSync children with tests/travel_launch.py (command() and env())"

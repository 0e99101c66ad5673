"""The day's time zone (issue 16) for the Demo account and in the window's Data page; each real platform's is
checked in its own test file against its fake (tests/day_zone.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autosync_desktop.cli import main
from tests.day_zone import assert_day_zone


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Argentina/Buenos_Aires"])
def test_demo_days_are_in_its_timezone_option(tmp_path: Path, zone: str) -> None:
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "accounts", "add", "--platform", "demo", "--name", "Demo",
                 "--option", "latency_ms=0", "--option", "campaigns=2", "--option", f"timezone={zone}"]) == 0
    assert main(["--data-dir", str(data), "sync", "Demo", "--wait"]) == 0
    assert_day_zone(data, "Demo", zone)

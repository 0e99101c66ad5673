"""The headless service ends "Pause all for 1 h" on time too (the window may be closed when the hour ends)."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from autosync_desktop.gui import tray_model as model
from autosync_desktop.services import Services
from tests import travel_launch

ROOT = Path(__file__).resolve().parents[2]


def test_the_service_resumes_a_pause_whose_end_has_passed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    services = Services.open(data)
    model.pause_all(services, hours=1, now=datetime.now(UTC) - timedelta(minutes=61))
    services.close()
    env = travel_launch.env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PYTHONPATH=str(ROOT))
    service = subprocess.Popen(travel_launch.command("--data-dir", str(data), "service"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("schedules resumed" in line for line in lines):
            line = service.stdout.readline() if service.stdout else ""
            if not line:
                break
            lines.append(line)
        assert any(line.rstrip().endswith("the pause of all schedules ended: schedules resumed")
                   for line in lines), lines
        service.send_signal(signal.SIGTERM)
        service.communicate(timeout=30)
        assert service.returncode == 0
    finally:
        if service.poll() is None:
            service.kill()
            service.communicate(timeout=10)
    services = Services.open(data)
    try:
        assert services.settings.get("scheduler.paused_all") is False
        assert services.settings.get("scheduler.paused_until") == ""
    finally:
        services.close()

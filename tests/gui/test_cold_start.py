"""The window's first frame comes before the heavy imports: a child process runs `autosync gui --screenshot`
on a Demo store and reports which modules were loaded when the first frame was painted and when the populated
Dashboard was saved. pyqtgraph and numpy (the charts) and the pages themselves arrive only after the frame;
keyring, APScheduler's scheduler, requests, the sign-in server and the notification channels only when first used.
Behaviour, not timing: benchmarks/cold_start.py measures how much sooner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import travel_launch
from tests.gui.conftest import seed_demo

ROOT = Path(__file__).resolve().parents[2]
# not loaded before the frame, all loaded once the Dashboard is drawn: the charts, the pages, and the services with
# the store below them (the CLI imports them inside its commands; the window needs only the data dir's path)
WATCHED = ("pyqtgraph", "numpy", "autosync_desktop.gui.main_window", "autosync_desktop.gui.dashboard.charts",
           "autosync_desktop.services", "autosync_desktop.services.core", "autosync_desktop.store.db",
           "autosync_desktop.connectors.registry", "autosync_desktop.sync.runner", "autosync_desktop.events", "peewee")
# loaded only when first needed (a keyring call, the scheduler's start, an HTTP request, a sign-in, a
# notification channel): never before the frame
LAZY = ("keyring", "apscheduler.schedulers.background", "requests", "requests_oauthlib", "http.server",
        "autosync_desktop.notify.email", "autosync_desktop.notify.webhook")

CHILD = """
import json, sys
from autosync_desktop import cli
from autosync_desktop.gui import startup

WATCHED = json.loads(sys.argv[3])
seen = {}
original = startup.show_first_frame

def probed(*args, **kwargs):
    frame = original(*args, **kwargs)
    seen["frame"] = [name for name in WATCHED if name in sys.modules]
    seen["frame_lazy"] = [name for name in json.loads(sys.argv[4]) if name in sys.modules]
    seen["frame_title"] = frame.windowTitle()
    return frame

startup.show_first_frame = probed
code = cli.main(["--data-dir", sys.argv[1], "gui", "--screenshot", sys.argv[2], "--tab", "dashboard"])
seen["end"] = [name for name in WATCHED if name in sys.modules]
print("SEEN " + json.dumps(seen), flush=True)
sys.exit(code)
"""


def test_the_first_frame_shows_before_the_pages_and_the_charts_are_imported(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    seed_demo(data_dir, runs=1)
    shot = tmp_path / "dashboard.png"
    frame_png = tmp_path / "frame.png"
    env = travel_launch.env(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                            PYTHONPATH=str(ROOT), AUTOSYNC_FIRST_FRAME=str(frame_png))
    command = [sys.executable, "-c", CHILD, str(data_dir), str(shot), json.dumps(WATCHED), json.dumps(LAZY)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("SEEN "))
    seen = json.loads(line.removeprefix("SEEN "))
    assert seen["frame_title"] == "AutoSync Desktop"
    assert seen["frame"] == []  # nothing heavy yet when the frame is painted
    assert seen["frame_lazy"] == []  # nor the keyring, APScheduler, requests or the channels
    assert set(seen["end"]) == set(WATCHED)  # the charts were drawn once the Dashboard had its data
    assert f"First frame saved to {frame_png}" in result.stdout
    assert frame_png.stat().st_size > 0 and shot.stat().st_size > 0

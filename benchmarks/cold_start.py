"""How fast does the window appear? Cold starts in child processes, offscreen, on a temporary Demo store.

    python benchmarks/cold_start.py [--repeat 7]

Three kinds of child process, each started fresh (interpreter start included) and run `--repeat` times,
interleaved so that machine noise hits all three alike; the medians are compared:

- bare: a bare PySide6 window (QMainWindow with a QTabWidget of five tabs, 1280x800) shown, grabbed and saved
  as a PNG - the baseline, measured in the same run;
- first frame: `python -m autosync_desktop gui --screenshot` until its first frame (the window's frame, shown
  before the heavy imports and the data) has been grabbed and saved the same way (`AUTOSYNC_FIRST_FRAME=PATH`
  makes the window save it there and say so on stdout);
- dashboard: the same command until the populated Dashboard is painted, grabbed and saved ("Saved …").

Modules are compiled once into a cache outside the tree (PYTHONPYCACHEPREFIX), as an installed or frozen app
has them. The time is taken in this process from starting the child until its line arrives on stdout (the child's exit
is not counted, for any of the three). Targets: first frame <= 2x bare, populated Dashboard <= 4x bare.
Prints PASS/FAIL per target and exits 1 if one fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_FRAME_TARGET = 2.0
DASHBOARD_TARGET = 4.0

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget
app = QApplication(sys.argv[:1])
window = QMainWindow()
tabs = QTabWidget()
for name in ("Dashboard", "Scheduler", "History", "Data", "Settings"):
    tabs.addTab(QLabel(name), name)
window.setCentralWidget(tabs)
window.resize(1280, 800)
window.show()
app.processEvents()
window.grab().save(sys.argv[1])
print("frame", flush=True)
"""


PYCACHE = Path(tempfile.gettempdir()) / "autosync-cold-start-pycache"


def env() -> dict[str, str]:
    """Offscreen, no keyring, and compiled modules cached (as in an installed or frozen app) outside the tree."""
    values = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
              "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    values.pop("PYTHONDONTWRITEBYTECODE", None)
    return values


def autosync(data_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "autosync_desktop", "--data-dir", str(data_dir), *args], check=True,
                   env=env(), cwd=ROOT, stdout=subprocess.DEVNULL)


def seed(data_dir: Path) -> None:
    """A Demo store as `gui --demo` leaves it after a few syncs: one account, its schedule every 5 minutes (as
    `gui --demo` makes it), synced runs."""
    autosync(data_dir, "accounts", "add", "--platform", "demo", "--name", "Demo account", "--option", "latency_ms=0")
    autosync(data_dir, "schedules", "add", "--name", "Demo sync", "--account", "Demo account", "--type", "both",
             "--frequency", "interval", "--every-minutes", "5")
    for _ in range(3):
        autosync(data_dir, "sync", "Demo sync", "--wait")


def timed(command: list[str], marker: str, extra_env: dict[str, str] | None = None) -> float:
    """Seconds from starting `command` until a stdout line starting with `marker` arrives."""
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, env={**env(), **(extra_env or {})}, cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=errors, text=True)
        assert child.stdout is not None
        elapsed: float | None = None
        for line in child.stdout:
            if line.startswith(marker) and elapsed is None:
                elapsed = time.perf_counter() - started
        child.wait()
        if elapsed is None:
            errors.seek(0)
            raise SystemExit(f"{command[:4]}… never printed {marker!r} (exit {child.returncode}):\n{errors.read()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, shots = Path(tmp) / "data", Path(tmp)
        seed(data_dir)
        gui = [sys.executable, "-m", "autosync_desktop", "--data-dir", str(data_dir), "gui",
               "--screenshot", str(shots / "dashboard.png"), "--tab", "dashboard", "--size", "1280x800"]
        timed(gui, "Saved")  # warm the OS file cache and the compiled-module cache once, for all three alike
        timed([sys.executable, "-c", BARE, str(shots / "bare.png")], "frame")
        bare: list[float] = []
        frame: list[float] = []
        dashboard: list[float] = []
        for _ in range(args.repeat):
            bare.append(timed([sys.executable, "-c", BARE, str(shots / "bare.png")], "frame"))
            frame.append(timed(gui, "First frame", {"AUTOSYNC_FIRST_FRAME": str(shots / "frame.png")}))
            dashboard.append(timed(gui, "Saved"))
    base = statistics.median(bare)
    failed = False
    print(f"bare PySide6 window, 5 tabs: median {base * 1000:.0f} ms "
          f"(min {min(bare) * 1000:.0f}, max {max(bare) * 1000:.0f}) over {args.repeat} runs")
    for name, values, target in (("first frame", frame, FIRST_FRAME_TARGET),
                                 ("populated Dashboard", dashboard, DASHBOARD_TARGET)):
        median = statistics.median(values)
        ratio = median / base
        ok = ratio <= target
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: median {median * 1000:.0f} ms (min {min(values) * 1000:.0f}, "
              f"max {max(values) * 1000:.0f}) = {ratio:.2f}x bare (target <= {target:g}x)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""One window per data dir: a second launch hands over and exits; stale sockets are cleaned up; the headless
service refuses to run the scheduler beside a window that runs it."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDir

from autosync_desktop.gui.single_instance import SingleInstance, server_name
from tests import travel_launch

ROOT = Path(__file__).resolve().parents[2]


def test_the_name_depends_on_the_resolved_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    assert server_name(Path("a")) == server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert len(server_name(tmp_path)) < 40  # short enough for a socket path on every OS


def second_launch(code: str) -> subprocess.Popen[str]:
    """A later launch as it really happens: another process (never Qt objects on a Python thread of this one,
    which once crashed the test worker), printing what `code` evaluates to. The first instance's event loop (this
    thread's) answers it while the test waits."""
    script = ("import sys; from pathlib import Path; from PySide6.QtCore import QCoreApplication; "
              "app = QCoreApplication(sys.argv[:1]); "
              "from autosync_desktop.gui import single_instance; "
              "from autosync_desktop.gui.single_instance import SingleInstance; "
              f"print(repr({code}))")
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=child_env())


def answer_of(child: subprocess.Popen[str], qtbot: Any) -> str:
    qtbot.waitUntil(lambda: child.poll() is not None, timeout=30000)
    out, err = child.communicate()
    assert child.returncode == 0, err
    return out.strip()


def test_a_second_launch_hands_over_to_the_first(tmp_path: Path, qtbot: Any) -> None:
    first = SingleInstance(tmp_path / "data")
    assert first.acquire(["gui"]) is True
    received: list[list[str]] = []
    first.activated.connect(received.append)
    try:
        # a second launch: connects, sends "activate" with its argv, gets the answer, and does not listen
        second = second_launch(f"SingleInstance(Path({str(tmp_path / 'data')!r})).acquire(['gui', '--demo'])")
        assert answer_of(second, qtbot) == "False"
        assert received == [["gui", "--demo"]]
        # the raw protocol: one JSON line in, "ok" out
        answer = second_launch(f"single_instance.send({first.name!r}, ['x'])")
        assert answer_of(answer, qtbot) == "'ok'" and received[-1] == ["x"]
        # another data dir is another instance
        other = SingleInstance(tmp_path / "other")
        assert other.acquire([]) is True
        other.release()
    finally:
        first.release()
    # once the first has gone, the next launch becomes the first
    again = SingleInstance(tmp_path / "data")
    assert again.acquire([]) is True
    again.release()


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file behind")
def test_a_stale_socket_from_a_crashed_window_is_replaced(tmp_path: Path) -> None:
    name = server_name(tmp_path / "data")
    path = Path(QDir.tempPath()) / name
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # bound and never listening, then closed without unlinking: what a crash leaves
    stale.close()
    assert path.exists()
    try:
        instance = SingleInstance(tmp_path / "data")
        assert instance.acquire([]) is True
        assert instance.server is not None and instance.server.isListening()
        instance.release()
    finally:
        path.unlink(missing_ok=True)


# --- real processes ---

def autosync(data: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(travel_launch.command("--data-dir", str(data), *args),
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=child_env())


def child_env() -> dict[str, str]:
    return travel_launch.env(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                             PYTHONPATH=str(ROOT))


def scheduler_owner(data: Path) -> str | None:
    result = autosync(data, "status", "--json")
    if result.returncode != 0:
        return None
    return json.loads(result.stdout)["scheduler"]["owner"]


def test_a_second_gui_process_hands_over_and_exits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = subprocess.Popen(travel_launch.command("--data-dir", str(data), "gui"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=child_env())
    try:
        deadline = time.monotonic() + 60
        owner = None
        while time.monotonic() < deadline and first.poll() is None:
            owner = scheduler_owner(data)
            if owner and owner.startswith("gui"):
                break
            time.sleep(0.3)
        assert first.poll() is None, first.communicate(timeout=10)
        assert owner == f"gui pid {first.pid}"
        started = time.monotonic()
        second = autosync(data, "gui", timeout=30)
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - started < 15
        assert f"AutoSync is already running for {data}: handed over to its window" in second.stdout
        assert first.poll() is None  # the first window is still there
        # the headless service refuses to run a second scheduler beside the window, and says why
        service = autosync(data, "service", timeout=30)
        assert service.returncode == 2
        assert f"Another AutoSync process (gui, pid {first.pid}) is already running the scheduler" in service.stderr
        assert "Traceback" not in service.stderr
        log = (data / "logs" / "autosync.log").read_text(encoding="utf-8")
        assert "another launch on this data dir handed over" in log
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
        assert first.returncode == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate(timeout=10)

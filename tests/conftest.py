"""Shared fixtures (a fresh store in a temp dir, an event bus that records, scripted connectors) and `--today`.

`pytest --today 2026-12-31T23:40` runs the whole suite as if the wall clock (UTC) read that moment when the
session started, moving on from there (time-machine, tick=True; monotonic time is untouched); AutoSync child
processes started with tests/travel_launch.py start at the parent's moment. See README "Development".
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real keyring unless a test sets up its own Secret Service.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from autosync_desktop import events as ev
from autosync_desktop.store.db import open_store
from tests import travel_launch

_TRAVELLER = pytest.StashKey[Any]()


class Recorder:
    def __init__(self, bus: ev.EventBus) -> None:
        self.events: list[ev.Event] = []
        bus.subscribe(self.events.append)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator:
    db = open_store(tmp_path / "autosync.db")
    yield db
    db.close()


@pytest.fixture
def bus() -> ev.EventBus:
    return ev.EventBus()


@pytest.fixture
def recorder(bus: ev.EventBus) -> Recorder:
    return Recorder(bus)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch):
    """Register the scripted platform and return its (fresh) script."""
    from autosync_desktop.connectors import registry
    from tests import scripted as mod

    mod.SCRIPT = mod.Script()
    monkeypatch.setitem(registry.PLATFORMS, "scripted", mod.SPEC)
    monkeypatch.setattr("tests.scripted.SCRIPT", mod.SCRIPT)
    return mod.SCRIPT


@pytest.fixture
def memory_keyring():
    """Credentials kept in memory for this test (the process-wide keyring backend is swapped back after)."""
    import keyring

    from tests.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    MemoryKeyring.store = {}
    keyring.set_keyring(backend)
    yield MemoryKeyring.store
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _no_leaked_log_handlers() -> Iterator[None]:
    """`cli.main()` installs the app's log handlers (file + stderr); a test never inherits another's."""
    yield
    logs = sys.modules.get("autosync_desktop.logs")
    if logs is not None:
        logs.shutdown_logging()


@pytest.fixture(autouse=True)
def _forget_remembered_secrets() -> Iterator[None]:
    """The secret values a test's process read (`redaction.remember`) are masked in that test only."""
    yield
    from autosync_desktop import redaction

    redaction.forget_all()


# --- --today: the whole suite at a chosen moment -------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--today", metavar="YYYY-MM-DDTHH:MM",
                     help="run the suite as if the wall clock read this moment (UTC) when it starts, moving on from "
                          "there; child processes started through tests/travel_launch.py follow")


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("--today")
    if not value:
        return
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
    except ValueError:
        raise pytest.UsageError(f"--today {value!r}: use YYYY-MM-DDTHH:MM (UTC), e.g. 2026-12-31T23:40") from None
    import time_machine

    traveller = time_machine.travel(moment, tick=True)  # wall clock and dates only: time.monotonic() stays real
    traveller.start()
    config.stash[_TRAVELLER] = traveller
    os.environ[travel_launch.NOW_ENV] = moment.isoformat()  # children start at the parent's moment (travel_launch)


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()
        os.environ.pop(travel_launch.NOW_ENV, None)


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--today")
    return f"--today: the wall clock started at {value} UTC" if value else None

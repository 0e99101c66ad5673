"""Shared fixtures: a fresh store in a temp dir, an event bus that records, and scripted connectors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real keyring unless a test sets up its own Secret Service.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from autosync_desktop import events as ev
from autosync_desktop.store.db import open_store


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

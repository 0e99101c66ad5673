"""The cycle collector runs in the GUI thread only while the window's QApplication lives (gui/gc_thread.py)."""

from __future__ import annotations

import gc
import threading
from typing import Any, ClassVar

from autosync_desktop.gui import gc_thread


class Cycle:
    """A reference cycle that records the thread that freed it."""

    freed_in: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.freed_in.append(threading.current_thread().name)


def test_the_app_runs_with_the_automatic_collector_off() -> None:
    collector = gc_thread.install()  # make_app (the autouse fixture) installed it already: the same one
    assert collector is gc_thread.install()
    assert not gc.isenabled()


def test_a_cycle_left_by_the_gui_thread_is_not_freed_by_a_busy_worker_thread(qtbot: Any) -> None:
    gc_thread.install()
    Cycle.freed_in.clear()
    Cycle()  # unreachable at once, but only the collector can free it

    kept: list[object] = []

    def allocate() -> None:  # containers that stay alive: generation 0's count passes its threshold many times
        kept.extend([] for _ in range(gc.get_threshold()[0] * 20))

    worker = threading.Thread(target=allocate, name="busy-worker")
    worker.start()
    worker.join()
    assert Cycle.freed_in == []  # with automatic collection on, the worker's allocations would have freed it
    qtbot.waitUntil(lambda: Cycle.freed_in != [], timeout=5000)  # the collector's timer, in this thread
    assert Cycle.freed_in == [threading.main_thread().name]


def test_collect_due_collects_the_generations_past_their_thresholds(monkeypatch: Any) -> None:
    collector = gc_thread.install()
    asked: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: asked.append(generation) or 0)
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    clock = [1000.0]
    monkeypatch.setattr(gc_thread.time, "monotonic", lambda: clock[0])
    collector._last_full = 0.0
    for counts, expected in (((10, 0, 0), []), ((701, 3, 0), [0]), ((701, 11, 2), [1]), ((701, 11, 11), [2]),
                             ((701, 11, 11), [1]), ((5, 11, 11), [])):  # a second full pass waits a minute
        asked.clear()
        monkeypatch.setattr(gc, "get_count", lambda c=counts: c)
        collector.collect_due()
        assert asked == expected, counts
    clock[0] += gc_thread.FULL_EVERY_S
    monkeypatch.setattr(gc, "get_count", lambda: (701, 11, 11))
    asked.clear()
    collector.collect_due()
    assert asked == [2]

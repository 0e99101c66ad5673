"""The scheduler lease: of processes starting at the same moment on one data dir, exactly one schedules."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from autosync_desktop.store import runs
from autosync_desktop.store.db import open_store

ROUNDS = 6
RACERS = 3


def _race(data_dir: str, start: Barrier, done: Barrier, results: multiprocessing.Queue) -> None:
    db = open_store(Path(data_dir) / "autosync.db")
    start.wait(timeout=30)
    other = runs.claim_scheduler(db, "service")
    results.put(other is None)
    done.wait(timeout=30)  # stay alive until everyone has claimed: a dead pid's lease does not count
    db.close()


def test_racing_processes_never_both_become_the_scheduler(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    for round_no in range(ROUNDS):
        data_dir = tmp_path / f"round{round_no}"
        open_store(data_dir / "autosync.db").close()
        start, done, results = ctx.Barrier(RACERS), ctx.Barrier(RACERS), ctx.Queue()
        procs = [ctx.Process(target=_race, args=(str(data_dir), start, done, results)) for _ in range(RACERS)]
        for proc in procs:
            proc.start()
        winners = [results.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
        assert winners.count(True) == 1, f"round {round_no}: {winners.count(True)} schedulers"


def test_a_second_claim_in_the_same_data_dir_names_the_first(tmp_path: Path) -> None:
    db = open_store(tmp_path / "autosync.db")
    try:
        assert runs.claim_scheduler(db, "gui") is None
        assert runs.claim_scheduler(db, "service") is None  # the same process may claim again (idempotent)
        lease = runs.live_scheduler()
        assert lease is None  # our own lease is not "another" scheduler
    finally:
        db.close()

"""The self-test's end-to-end sync: one Demo sync through the scheduler, in a throwaway data dir.

`autosync gui --self-test` runs `check()` last. It starts a child process of the same program (the frozen
executable itself, or this interpreter with `-m autosync_desktop`):

    <program> --data-dir <new temp dir> gui --self-test-sync

The child (`run_child`) opens a store in that empty dir, starts the scheduler (`Services.start_scheduler`), adds
a Demo account, queues one sync with `services.runs.request` (the scheduler hands it to its runner pool), waits for the
end and prints one line. The parent then reads the temp store back itself, read-only with plain sqlite3: the
run's status, its row count and the daily stats and campaigns actually stored. The temp dir is removed after a
pass and kept (its path printed) after a failure.

Why a child process and not a second `Services` inside the self-test: the store binding is process-wide
(`store.models.database_proxy`, re-initialised by every `open_store`), the process registers a lease in the
store it opened, and a started scheduler leaves threads (APScheduler, the runner pool, the notifier) behind
until it is stopped. A child keeps all of that away from the user's store and from the window the self-test
just closed, whatever happens, and it also shows that the frozen program starts a second time through its
command-line path. The cost is one more process start (about 0.5 s frozen). Nothing here imports Qt.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autosync_desktop import resources

ACCOUNT = "Self-test Demo"
FLAG = "--self-test-sync"
CHILD_TIMEOUT_S = 120.0
DB_NAME = "autosync.db"  # services.DB_NAME (not imported: the parent stays light)


@dataclass(frozen=True, slots=True)
class ReadBack:
    run_id: int
    status: str
    trigger: str
    rows: int  # the run's own count of daily-stat rows written
    stats: int  # daily-stat rows in the store
    campaigns: int  # campaigns in the store


def command(data_dir: Path) -> list[str]:
    """How to start this program again with `gui --self-test-sync` on `data_dir`."""
    program = [sys.executable] if resources.is_frozen() else [sys.executable, "-m", "autosync_desktop"]
    return [*program, "--data-dir", str(data_dir), "gui", FLAG]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AUTOSYNC_DATA_DIR", None)  # --data-dir decides; never the user's store
    if resources.is_frozen():
        # A frozen program started by itself: a fresh, independent instance (PyInstaller >= 6.9; in a one-file
        # build it unpacks on its own instead of reusing, and maybe outliving, this process's unpack dir).
        env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    else:
        package_root = str(Path(__file__).resolve().parents[1])  # works from a checkout that is not installed
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


def read_back(db_path: Path) -> ReadBack:
    """The last run and the stored row counts, read-only, without peewee (nothing process-wide is touched)."""
    if not db_path.exists():
        raise FileNotFoundError(f"no store at {db_path}")
    con = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT id, status, \"trigger\", rows FROM sync_run ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise LookupError(f"no run in {db_path}")
        stats = con.execute("SELECT COUNT(*) FROM daily_stat").fetchone()[0]
        campaigns = con.execute("SELECT COUNT(*) FROM campaign").fetchone()[0]
    finally:
        con.close()
    return ReadBack(run_id=row[0], status=row[1], trigger=row[2], rows=row[3], stats=stats, campaigns=campaigns)


def check(timeout_s: float = CHILD_TIMEOUT_S) -> tuple[str, str]:
    """Run the child on a new temp dir and read its store back: ("ok" | "FAIL", one line)."""
    tmp = Path(tempfile.mkdtemp(prefix="autosync-self-test-"))
    data_dir = tmp / "data"
    started = time.monotonic()
    passed = False
    try:
        try:
            proc = subprocess.run(command(data_dir), env=child_env(), stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return "FAIL", f"the Demo sync did not end within {timeout_s:.0f} s (temp store kept: {data_dir})"
        elapsed = time.monotonic() - started
        if proc.returncode != 0:
            said = " | ".join(line.strip() for line in (proc.stdout + proc.stderr).splitlines()[-6:] if line.strip())
            return "FAIL", f"the Demo sync child exited {proc.returncode}: {said or 'no output'} (kept: {data_dir})"
        got = read_back(data_dir / DB_NAME)
        if got.status != "succeeded" or got.rows <= 0 or got.stats <= 0:
            return "FAIL", (f"read back run {got.run_id}: {got.status}, {got.rows} rows, {got.stats} daily stats "
                            f"stored (kept: {data_dir})")
        passed = True
        return "ok", (f"1 Demo sync through the scheduler in a temp store, read back: run {got.status}, "
                      f"{got.rows} rows, {got.stats} daily stats, {got.campaigns} campaigns ({elapsed:.1f} s)")
    finally:
        if passed:
            shutil.rmtree(tmp, ignore_errors=True)


def run_child(data_dir: Path | None, timeout_s: float = CHILD_TIMEOUT_S) -> int:
    """`autosync --data-dir DIR gui --self-test-sync`: one Demo sync through the scheduler in DIR, which must not
    hold a store yet (this never writes into an existing one). Prints one line; exit 0 when the run succeeded."""
    from autosync_desktop.domain import RunStatus
    from autosync_desktop.services import Services

    if data_dir is None or (data_dir / DB_NAME).exists():
        print(f"autosync: {FLAG} needs --data-dir with a directory that holds no store yet (it writes a Demo "
              f"account and a run there)", file=sys.stderr)
        return 2
    started = time.monotonic()
    svc = Services.open(data_dir, kind="self-test")
    try:
        svc.start_scheduler()
        svc.accounts.add("demo", ACCOUNT, "self-test")
        request = svc.runs.request(ACCOUNT)
        run = svc.runs.wait(request.run_id, poll_s=0.05, timeout_s=timeout_s)
        ok = run.status == RunStatus.SUCCEEDED
        detail = f": {run.error_class}: {run.error}" if run.error else ""
        print(f"{'ok' if ok else 'FAIL':4} demo-sync run {run.id} {run.status} ({request.handled_by}, "
              f"{run.rows} rows, {run.campaigns} campaigns) in {time.monotonic() - started:.2f} s{detail}",
              flush=True)
        return 0 if ok else 1
    finally:
        svc.close()

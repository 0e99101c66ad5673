"""The core of the service layer: errors, constants, small helpers, and `ServicesCore`.

`ServicesCore` opens (creating or migrating) the store, reaps runs orphaned by a dead process, registers this
process, owns the runner and the scheduler, and closes it all again. Opened `reads_only` (a command that only
reads: `status`, `runs`, `export`, the lists), a store that is damaged where those two writes go still answers
whatever SQLite can read; every other opening refuses a damaged store with its one line. It sets the attributes
the mixins of the other modules use (`self.db`, `self.bus`, `self.scheduler`, ...).
"""

from __future__ import annotations

import logging
import shlex
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from autosync_desktop import events as ev
from autosync_desktop import notify, secrets
from autosync_desktop.connectors import oauth, registry
from autosync_desktop.data_dir import default_data_dir
from autosync_desktop.errors import StoreDamaged, StoreReadOnly, UserError, one_line
from autosync_desktop.store import runs, settings
from autosync_desktop.store.db import open_store, store_errors, translate_error, waiting_for_lock
from autosync_desktop.store.models import Account, SyncRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService

if TYPE_CHECKING:
    from autosync_desktop.services.notifications import NotificationsService

APP_NAME = "AutoSync Desktop"
DB_NAME = "autosync.db"
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
NOTIFY_STATE = "notify.state"  # the notifier's dedupe/held/digest state (JSON in the settings table)
START_AT_LOGIN = "general.start_at_login"

log = logging.getLogger("autosync_desktop.services")  # the name it always had

# What runs beside the scheduler in its process: each is called with the services once the scheduler has started
# and returns how to stop it (called by `close`). cli.py registers the local REST API here (services never
# import api/).
SCHEDULER_COMPANIONS: list[Callable[[Any], Callable[[], None]]] = []


def expected_error(exc: BaseException) -> BaseException:
    """`exc` as an `AutoSyncError` when it is an expected low-level failure (the store's SQLite errors: damaged,
    locked, read-only, disk full), else `exc` itself. The CLI and the window's workers call it once, at the top."""
    return translate_error(exc)


def sign_in_hint(platform: str, account: str) -> str:
    """What the user runs to (re)connect an account: browser sign-in where the platform has one."""
    name = shlex.quote(account)
    if platform in oauth.PROVIDERS or platform == "x_ads":  # X: the PIN sign-in
        return f"sign in with: autosync accounts connect {name}"
    return f"store a new token with: autosync accounts set-credentials {name} --credentials-stdin"


def iso(moment: datetime | date | None) -> str | None:
    """Store timestamps (naive UTC) as ISO 8601 with Z; dates as YYYY-MM-DD."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return moment.isoformat()


class ServicesCore:
    """Opening and closing, the runner and the scheduler; the state every mixin reads."""

    if TYPE_CHECKING:  # set by Services (services/__init__.py)
        notifications: NotificationsService

    def __init__(self, data_dir: Path, bus: ev.EventBus, kind: str, *, reads_only: bool = False,
                 notice: Callable[[str], None] | None = None) -> None:
        self.data_dir = data_dir
        self.db_path = data_dir / DB_NAME
        self.bus = bus
        self.kind = kind
        self.db = open_store(self.db_path)
        self.read_only = False  # a store SQLite opened read-only: reads work, every write says so in one line
        self.damaged: StoreDamaged | None = None  # opened `reads_only` although damaged: what SQLite said
        self.reaped: list[int] = []
        try:
            with store_errors(self.db_path):  # damaged, locked, read-only, full: one plain StoreError
                tell = notice or (lambda line: log.warning("%s", line))  # a lock held by another process, at once
                # runs a crashed process left behind, now `interrupted`
                self.reaped = waiting_for_lock(self.db, self.db_path, lambda: runs.reap_orphans(self.db), tell)
                waiting_for_lock(self.db, self.db_path, lambda: runs.register_process(kind, runs_scheduler=False),
                                 tell)
        except StoreReadOnly:
            self.read_only = True
        except StoreDamaged as exc:
            if not reads_only:  # a writer refuses a damaged store: each write could hit (or spread) the damage
                self.db.close()
                raise
            log.info("%s; answering reads only", one_line(exc), exc_info=exc)
            self.damaged = exc  # the CLI adds this line to what it could still show
            self.read_only = True  # registered nothing, so nothing to unregister at close
        except BaseException:
            self.db.close()
            raise
        self.scheduler: SchedulerService | None = None
        self.notifier: notify.Dispatcher | None = None  # runs where the scheduler runs (service or window)
        self._desktop_sink: Callable[[notify.Notification], None] | None = None
        self._runner: Runner | None = None
        self._lock = threading.Lock()
        self._companions: list[Callable[[], None]] = []  # stops SCHEDULER_COMPANIONS

    @classmethod
    def open(cls, data_dir: Path | None = None, bus: ev.EventBus | None = None, kind: str = "cli", *,
             reads_only: bool = False, notice: Callable[[str], None] | None = None) -> Self:
        """`notice` gets a line for the person waiting (the CLI prints it on stderr; default: a log warning)."""
        return cls(data_dir or default_data_dir(), bus or ev.EventBus(), kind, reads_only=reads_only, notice=notice)

    def close(self) -> None:
        for stop in reversed(self._companions):
            try:
                stop()
            except Exception:
                log.exception("stopping %r failed", stop)
        self._companions.clear()
        if self.scheduler is not None:
            self.scheduler.stop()
        elif self._runner is not None:
            self._runner.shutdown(cancel=True, wait=True)
        if self.notifier is not None:
            self.notifier.stop()
            self.notifier = None
        if not self.read_only:
            runs.unregister_process()
        self.db.close()

    # --- runner / scheduler -------------------------------------------------------------------------------

    @property
    def runner(self) -> Runner:
        with self._lock:
            if self._runner is None:
                self._runner = Runner(self.db, self.bus, settings.get("scheduler.max_concurrent_runs"),
                                      credentials_for=self._credentials_for,
                                      save_credentials=lambda account, creds: secrets.save_credentials(
                                          account.name, creds))
            return self._runner

    def start_scheduler(self) -> SchedulerService:
        other = runs.claim_scheduler(self.db, self.kind)
        if other is not None:
            raise UserError(f"Another AutoSync process ({other.kind}, pid {other.pid}) is already running the "
                            f"scheduler for {self.data_dir}; stop it first or use another --data-dir")
        self.scheduler = SchedulerService(self.db, self.bus, self.runner)
        self.notifications.start()  # first, so runs a crash left behind are announced too
        self.scheduler.start(self.kind)
        for run_id in self.reaped:
            self.scheduler.announce(SyncRun.get_by_id(run_id))
        for companion in SCHEDULER_COMPANIONS:
            try:
                self._companions.append(companion(self))
            except Exception:  # a companion (the local API) never keeps the scheduler from running
                log.exception("starting %r beside the scheduler failed", companion)
        return self.scheduler

    def _credentials_for(self, account: Account) -> dict[str, str] | None:
        if registry.platform(account.platform).is_sandbox:
            return None
        return secrets.load_credentials(account.name)


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            total += candidate.stat().st_size
    return total


def _int_in_range(field: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise UserError(f"{field}: expected a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise UserError(f"{field}: must be between {low} and {high} (got {number})")
    return number

"""Opening the SQLite store: pragmas, schema creation, versioned migrations with a file backup first.

`open_store(path)` is the one way in. It binds the models to the database, creates a fresh schema at the
current version or migrates an older one (copying the file to `<name>.v<old>.bak` before touching it). A file
without any write permission bit is opened read-only (also for root, whom the permission itself does not stop),
and a file that is not an AutoSync store is refused before anything in it changes.

The expected SQLite failures (damaged, locked, read-only, disk full) become `StoreError`s with one plain line
that says what to do: `open_store` raises them, `store_errors()` and `translate_error()` turn them so wherever
the store is used (the services, the CLI and the window's workers). `waiting_for_lock` runs a process's first
writes so that a database held by another process is said at once (who holds it) while the wait goes on.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

from peewee import SqliteDatabase

from autosync_desktop.errors import DiskFull, ForeignStore, StoreDamaged, StoreError, StoreLocked, StoreReadOnly
from autosync_desktop.store import migrations
from autosync_desktop.store.models import MODELS, SchemaVersion, Setting, database_proxy
from autosync_desktop.store.settings import KEYRING_INDEX

log = logging.getLogger(__name__)

# Dates bind as ISO 8601 text, exactly what peewee's DateField stores and compares against (explicit, because
# Python 3.12 deprecates sqlite3's implicit default adapters). datetime is not affected: adapters match on type.
sqlite3.register_adapter(date, date.isoformat)

BUSY_TIMEOUT_S = 30.0
LOCK_NOTICE_S = 0.8  # a first write still waiting for another process's lock after this long says so at once
T = TypeVar("T")
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -8_000,  # KiB per connection (each thread has one): 8 MB; the OS caches the file too
    "temp_store": "memory",
}
SQLITE_HEADER = b"SQLite format 3\x00"

__all__ = ["DiskFull", "ForeignStore", "StoreDamaged", "StoreError", "StoreLocked", "StoreReadOnly", "open_store",
           "store_errors", "translate_error"]


def make_database(path: Path, *, read_only: bool = False) -> SqliteDatabase:
    # peewee opens one connection per thread; each gets these pragmas and the busy timeout.
    if read_only:  # SQLite's own read-only mode: refuses every write, whoever the user is
        return SqliteDatabase(f"{path.resolve().as_uri()}?mode=ro", pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_S,
                              check_same_thread=False, uri=True)
    return SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_S, check_same_thread=False)


def is_read_only(path: Path) -> bool:
    """No write permission bit at all, or not writable by this user: open it read-only."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def current_version(db: SqliteDatabase) -> int | None:
    if not db.table_exists("schema_version"):
        return None
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] if row and row[0] is not None else None


def backup_file(path: Path, version: int) -> Path:
    """Copy the database (consistently, through SQLite's backup API) before a migration."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(target))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def open_store(path: Path) -> SqliteDatabase:
    """Open (creating or migrating) the store at `path` and bind the models to it."""
    if path.parent.exists() and not path.parent.is_dir():
        raise StoreError(f"The data directory {path.parent} is a file, not a directory", exit_code=2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the data directory {path.parent}: {exc.strerror or exc}",
                         exit_code=2) from None
    _refuse_foreign_file(path)
    with store_errors(path):
        return _open(path)


def _open(path: Path) -> SqliteDatabase:
    read_only = is_read_only(path)
    db = make_database(path, read_only=read_only)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:  # peewee wraps sqlite3 errors
        raise classify(exc, path) or StoreError(f"Cannot open the database {path}: {exc}") from exc
    database_proxy.initialize(db)
    version = current_version(db)
    if version is None:
        if _has_user_tables(db):
            raise ForeignStore(f"{path} is not an AutoSync database (no schema_version table). "
                               "Choose another --data-dir or move the file away.")
        with db.atomic():
            db.create_tables(MODELS)
            SchemaVersion.create(version=migrations.LATEST)
            Setting.create(key=KEYRING_INDEX, value="[]")  # a new store has nothing in the keyring (issue 14)
        log.info("created store %s at schema version %d", path, migrations.LATEST)
    elif version > migrations.LATEST:
        raise ForeignStore(f"{path} was written by a newer AutoSync (schema {version}, this build knows "
                           f"{migrations.LATEST}). Update the app, or use another --data-dir.")
    elif version < migrations.LATEST:
        if read_only:
            db.close()
            raise StoreReadOnly(f"The database file is read-only: {path}; this version of AutoSync must upgrade "
                                f"it (schema {version} to {migrations.LATEST}) before using it")
        backup = backup_file(path, version)
        log.info("migrating %s from schema %d to %d (backup: %s)", path, version, migrations.LATEST, backup)
        try:
            migrations.migrate(db, version)
        except Exception as exc:
            db.close()
            shutil.copyfile(backup, path)
            raise StoreError(f"Migrating {path} from schema {version} failed ({exc}); the original was "
                             f"restored from {backup}.") from exc
    return db


def _has_user_tables(db: SqliteDatabase) -> bool:
    return bool(db.get_tables())


def _refuse_foreign_file(path: Path) -> None:
    """Refuse a file that is not an AutoSync store before the pragmas (WAL) change anything in it."""
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise ForeignStore(f"{path} is a directory, not an AutoSync database; move it away or choose another "
                           "--data-dir") from None
    except OSError as exc:
        raise StoreError(f"Cannot read the database {path}: {exc.strerror or exc}") from None
    if not header:
        return  # an empty file: SQLite makes a fresh database of it
    if header != SQLITE_HEADER:
        raise ForeignStore(f"{path} is not an AutoSync database (not an SQLite file); move it away or choose "
                           "another --data-dir")
    with store_errors(path):
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            names = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            probe.close()
    if names and "schema_version" not in names:
        raise ForeignStore(f"{path} is not an AutoSync database (no schema_version table). "
                           "Choose another --data-dir or move the file away.")


# --- expected SQLite failures as StoreErrors -------------------------------------------------------------------

def _sqlite_errors(exc: BaseException) -> list[sqlite3.Error]:
    """The sqlite3 errors behind `exc`, outermost first: peewee wraps one as its first argument, and a failure
    while handling another (e.g. "cannot rollback" after "database or disk is full") keeps it as its context."""
    found: list[sqlite3.Error] = []
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            found.append(current)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return found


def newest_backup(path: Path) -> Path | None:
    backups = [p for p in path.parent.glob(f"{path.name}.v*.bak") if p.is_file()]
    return max(backups, key=lambda p: p.stat().st_mtime) if backups else None


def holders(path: Path) -> str:
    """Which other live AutoSync processes have the store open (read without waiting), e.g. "service pid 42"."""
    from autosync_desktop.store.models import ProcessLease
    from autosync_desktop.store.runs import HOST, pid_alive

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.05)
        try:
            rows = conn.execute(f"SELECT kind, pid, host FROM {ProcessLease._meta.table_name}").fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, OSError):
        return ""
    live = [f"{kind} pid {pid}" for kind, pid, host in rows if host == HOST and pid != os.getpid() and pid_alive(pid)]
    return ", ".join(live)


def classify(exc: BaseException, path: Path) -> StoreError | None:
    """The StoreError for an expected SQLite failure of the store at `path`; None for anything else."""
    if isinstance(exc, StoreError):
        return exc
    for error in _sqlite_errors(exc):
        found = _classify_one(error, path)
        if found is not None:
            return found
    return None


def _classify_one(error: sqlite3.Error, path: Path) -> StoreError | None:
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        backup = newest_backup(path)
        where = (f"The newest backup is {backup}" if backup else "There is no backup of it yet")
        return StoreDamaged(f"The database is damaged: {path}. {where}; check it with `sqlite3 {path} 'PRAGMA "
                            f"integrity_check'` or recover with `.recover`")
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return StoreDamaged(f"The database is damaged or not an SQLite file: {path}; restore a backup "
                            f"({path.name}.v<N>.bak) or move it away")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        who = holders(path)
        return StoreLocked(f"Another process holds the database {path}"
                           + (f" (AutoSync {who})" if who else "") + "; try again when it is done")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return StoreReadOnly(f"The database file is read-only: {path}")
    if name.startswith("SQLITE_FULL") or "database or disk is full" in text:
        return DiskFull(f"The disk is full: {path}")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return StoreError(f"Cannot open the database {path}: check that {path.parent} exists and can be written")
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return StoreError(f"Reading or writing the database {path} failed (disk I/O error); check the disk")
    return None


def _set_busy_timeout(db: SqliteDatabase, seconds: float) -> None:
    db.execute_sql(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")  # this thread's connection only


def waiting_for_lock(db: SqliteDatabase, path: Path, write: Callable[[], T], notice: Callable[[str], None]) -> T:
    """Run `write` (one short write transaction, safe to run again after a failure). When another process holds
    the database for longer than LOCK_NOTICE_S, `notice` gets one line at once saying so (and which AutoSync
    process, when it is one), and the wait goes on until BUSY_TIMEOUT_S in all; then the StoreLocked line."""
    first = min(LOCK_NOTICE_S, BUSY_TIMEOUT_S)
    _set_busy_timeout(db, first)
    try:
        try:
            return write()
        except Exception as exc:
            if first >= BUSY_TIMEOUT_S or not isinstance(classify(exc, path), StoreLocked):
                raise
        who = holders(path)
        notice(f"Another process holds the database {path}" + (f" (AutoSync {who})" if who else "")
               + f"; waiting up to {BUSY_TIMEOUT_S - first:.0f} s for it to finish…")
        _set_busy_timeout(db, BUSY_TIMEOUT_S - first)
        return write()
    finally:
        _set_busy_timeout(db, BUSY_TIMEOUT_S)


def bound_path() -> Path | None:
    """The file of the store the models are bound to (None before `open_store`)."""
    db = database_proxy.obj
    name = getattr(db, "database", None)
    if not isinstance(name, str):
        return None
    if name.startswith("file:"):
        name = unquote(name.removeprefix("file://").split("?", 1)[0])
    return Path(name)


def translate_error(exc: BaseException, path: Path | None = None) -> BaseException:
    """`exc` as a StoreError when it is an expected SQLite failure of the store, else `exc` itself."""
    where = path or bound_path()
    if where is None:
        return exc
    translated = classify(exc, where)
    if translated is None:
        return exc
    if translated is not exc and translated.__cause__ is None:
        translated.__cause__ = exc  # the log keeps the SQLite traceback
    return translated


@contextmanager
def store_errors(path: Path | None = None) -> Iterator[None]:
    """Raise expected SQLite failures inside the block as StoreErrors (one plain line each)."""
    try:
        yield
    except Exception as exc:
        translated = translate_error(exc, path)
        if translated is exc:
            raise
        raise translated from exc

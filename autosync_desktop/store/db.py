"""Opening the SQLite store: pragmas, schema creation, versioned migrations with a file backup first.

`open_store(path)` is the one way in. It binds the models to the database, creates a fresh schema at the
current version or migrates an older one (copying the file to `<name>.v<old>.bak` before touching it).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import date
from pathlib import Path

from peewee import SqliteDatabase

from autosync_desktop.store import migrations
from autosync_desktop.store.models import MODELS, SchemaVersion, database_proxy

log = logging.getLogger(__name__)

# Dates bind as ISO 8601 text, exactly what peewee's DateField stores and compares against (explicit, because
# Python 3.12 deprecates sqlite3's implicit default adapters). datetime is not affected: adapters match on type.
sqlite3.register_adapter(date, date.isoformat)

BUSY_TIMEOUT_S = 30.0
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -8_000,  # KiB per connection (each thread has one): 8 MB; the OS caches the file too
    "temp_store": "memory",
}


class StoreError(Exception):
    """The database cannot be opened or migrated; the message says why and what to do."""


def make_database(path: Path) -> SqliteDatabase:
    # peewee opens one connection per thread; each gets these pragmas and the busy timeout.
    return SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_S, check_same_thread=False)


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
    path.parent.mkdir(parents=True, exist_ok=True)
    db = make_database(path)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:  # peewee wraps sqlite3 errors
        raise StoreError(f"Cannot open the database {path}: {exc}") from exc
    database_proxy.initialize(db)
    version = current_version(db)
    if version is None:
        if _has_user_tables(db):
            raise StoreError(f"{path} is not an AutoSync database (no schema_version table). "
                             "Choose another --data-dir or move the file away.")
        with db.atomic():
            db.create_tables(MODELS)
            SchemaVersion.create(version=migrations.LATEST)
        log.info("created store %s at schema version %d", path, migrations.LATEST)
    elif version > migrations.LATEST:
        raise StoreError(f"{path} was written by a newer AutoSync (schema {version}, this build knows "
                         f"{migrations.LATEST}). Update the app, or use another --data-dir.")
    elif version < migrations.LATEST:
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

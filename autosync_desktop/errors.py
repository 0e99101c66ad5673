"""The one error root: everything AutoSync raises on purpose derives from `AutoSyncError`.

An `AutoSyncError` is an expected condition (bad input, a damaged store, no keyring, a platform that said no),
never a bug: it carries a plain one-line `message` for a person and the CLI's `exit_code` (2: bad input or a
request the user must change; 1: an operation that ran and failed). The CLI and the window each catch the root
once and show `one_line(exc)`; the traceback goes to the log file only. Anything else that escapes is a bug.

The classes live next to the code that raises them and only derive from this root (re-exported where moved):

    AutoSyncError                        here
      UserError (also ValueError)        here; re-exported by autosync_desktop.services
      StoreError                         here; re-exported by store/db.py
        StoreDamaged, StoreLocked, StoreReadOnly, DiskFull, ForeignStore
      SecretsUnavailable                 secrets.py
      SettingError                       store/settings.py
      ScheduleSpecError                  sync/triggers.py
      WindowError                        sync/windows.py
      RunTimeout, Deferred               sync/engine_types.py (re-exported by sync/engine.py)
      UnknownPlatform                    connectors/registry.py
      ConnectorError (+ RateLimited, Transient, AuthExpired, ReauthRequired, Permanent)   connectors/base.py
      UnknownChannel                     notify/registry.py
      DeliveryError, NotConfigured       notify/base.py
      AutostartError                     autostart.py
      CliError                           cli.py
      GuiError                           gui/app.py

Kept out of the root on purpose: `connectors.base.Cancelled` and `gui.workers.TaskCancelled`. They are control
flow (the user asked a run or a task to stop), not errors: nothing shows them, and a handler that catches the
root to show a message must not swallow a cancel by accident.
"""

from __future__ import annotations

from autosync_desktop import redaction

USER_ERROR_EXIT = 2  # bad input or an impossible request: the user changes something and tries again
FAILED_EXIT = 1  # the operation ran and failed


def one_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's text (its class name when it has none), secrets masked
    (`redaction.clean`): this is the line the CLI, the window and the log show, so it is a door out."""
    for line in str(exc).splitlines():
        if line.strip():
            return redaction.clean(line.strip())
    return type(exc).__name__


class AutoSyncError(Exception):
    """An expected condition, told in one plain line (`message`), with the CLI's exit code."""

    exit_code: int = FAILED_EXIT

    def __init__(self, message: str = "", *args: object, exit_code: int | None = None) -> None:
        super().__init__(message, *args)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UserError(AutoSyncError, ValueError):
    """Bad input or an impossible request, in words the user can act on (names the field and the fix)."""

    exit_code = USER_ERROR_EXIT


# --- the store ------------------------------------------------------------------------------------------------

class StoreError(AutoSyncError):
    """The database cannot be opened, read or written; the message says why and what to do."""


class StoreDamaged(StoreError):
    """SQLite says the file is malformed or not a database at all (corrupted pages or header)."""


class StoreLocked(StoreError):
    """Another process held the database for longer than the busy timeout."""


class StoreReadOnly(StoreError):
    """The database (or its folder) cannot be written."""


class DiskFull(StoreError):
    """SQLite could not grow the database or its journal: the disk (or a quota) is full."""


class ForeignStore(StoreError):
    """The file is not an AutoSync database, or one written by a newer AutoSync: choose another data dir."""

    exit_code = USER_ERROR_EXIT

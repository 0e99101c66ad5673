"""The app's log: `<data dir>/logs/autosync.log` (rotated) plus warnings on stderr, secrets masked in both.

The service, the CLI and the window all call `setup_logging` once they know the data dir, so one folder holds
what every AutoSync process did. Every record that reaches these handlers goes through `SecretsFilter`, which
applies the app's one redaction (`autosync_desktop.redaction`: token patterns plus every secret value this process
has read, and those registered with `register_secrets`) to the message with its arguments, to the traceback text
and to stack info.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from autosync_desktop import redaction
from autosync_desktop.redaction import MASK, Redactor

LOG_NAME = "autosync.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-8s [%(threadName)s] %(name)s: %(message)s"


def log_dir(data_dir: Path) -> Path:
    """The folder with the log files (for an "Open logs folder" button)."""
    return Path(data_dir) / "logs"


class SecretsFilter(logging.Filter):
    """Masks secrets in a record before any handler formats it; never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._extra: tuple[str, ...] = ()  # registered for the log only (`register_secrets`)
        self._built_from: Redactor | None = None
        self._redactor = Redactor()

    def register(self, values: Iterable[str]) -> None:
        """Also mask these exact values (keyring secrets) from now on; earlier ones stay masked."""
        with self._lock:
            self._extra = (*self._extra, *values)
            self._built_from = None

    def redactor(self) -> Redactor:
        """`redaction.known()` (every secret the process has read) plus the values registered here."""
        known = redaction.known()
        with self._lock:
            if self._built_from is not known:
                self._redactor = Redactor([*known.values, *self._extra]) if self._extra else known
                self._built_from = known
            return self._redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_autosync_redacted", False):  # the file and the console handler share the record
            return True
        redact = self.redactor()
        try:
            record.msg, record.args = redact(record.getMessage()), ()  # the args are inside the message now
        except Exception:  # a broken format string: keep what can be shown safely
            record.msg, record.args = f"{redact(str(record.msg))} (unformattable arguments: {MASK})", ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)  # cached: handlers reuse it
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._autosync_redacted = True
        return True


_FILTER = SecretsFilter()


def secrets_filter() -> SecretsFilter:
    """The filter every handler of the app's log has (its `redactor()` masks what the log masks)."""
    return _FILTER


def register_secrets(values: Iterable[str]) -> None:
    """Exact secret values that no log line may show (what the process reads from the keyring is masked in every
    text it stores or shows anyway: `redaction.remember`)."""
    _FILTER.register(values)


FILE_ONLY = {"file_only": True}  # `extra=` for a record (e.g. a traceback) that the log file gets, stderr not


class _Stderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (it may be replaced, e.g. by tests or a GUI launcher).
    Records logged with `extra=FILE_ONLY` are skipped: their one line was already shown."""

    @property
    def stream(self) -> TextIO | None:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO | None) -> None:
        pass

    def emit(self, record: logging.LogRecord) -> None:
        if sys.stderr is not None and not getattr(record, "file_only", False):  # pythonw on Windows has none
            super().emit(record)


class SharedRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler for a file that other AutoSync processes write too: when another process has
    rotated it, this one reopens the new file instead of writing on into the renamed one. A file that cannot
    be written (a full disk) costs one warning line on stderr per process, not a `--- Logging error ---` block
    per record."""

    _warned = False

    def handleError(self, record: logging.LogRecord) -> None:
        if self._warned:
            return
        self._warned = True
        error = sys.exc_info()[1]
        reason = (getattr(error, "strerror", None) or str(error)) if error is not None else "unknown error"
        if sys.stderr is not None:
            print(f"autosync: cannot write the log file {self.baseFilename} ({reason}); later lines are not logged",
                  file=sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not None:
            try:
                current = os.fstat(self.stream.fileno())
                on_disk = os.stat(self.baseFilename)
                moved = (current.st_dev, current.st_ino) != (on_disk.st_dev, on_disk.st_ino)
            except OSError:
                moved = True
            if moved:
                self.stream.close()
                self.stream = None  # reopened by RotatingFileHandler.emit
        super().emit(record)


_INSTALLED: list[logging.Handler] = []
_SETUP_LOCK = threading.Lock()


def setup_logging(data_dir: Path, *, verbose: bool = False, console: bool = True, max_bytes: int = MAX_BYTES,
                  backup_count: int = BACKUP_COUNT) -> Path:
    """Log INFO and above to `<data_dir>/logs/autosync.log` and WARNING (INFO if `verbose`) to stderr.

    Calling it again replaces the handlers it added before (never duplicates them). Returns the log folder.
    Raises OSError when the folder or file cannot be created; the console handler is installed either way.
    """
    with _SETUP_LOCK:
        shutdown_logging()
        root = logging.getLogger()
        root.setLevel(logging.INFO)
        formatter = logging.Formatter(FORMAT)
        if console:
            stderr = _Stderr()
            stderr.setLevel(logging.INFO if verbose else logging.WARNING)
            _add(root, stderr, formatter)
        folder = log_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        file = SharedRotatingFileHandler(folder / LOG_NAME, maxBytes=max_bytes, backupCount=backup_count,
                                         encoding="utf-8")
        file.setLevel(logging.INFO)
        _add(root, file, formatter)
        return folder


def _add(root: logging.Logger, handler: logging.Handler, formatter: logging.Formatter) -> None:
    handler.setFormatter(formatter)
    handler.addFilter(_FILTER)
    root.addHandler(handler)
    _INSTALLED.append(handler)


def shutdown_logging() -> None:
    """Remove and close the handlers `setup_logging` added (tests; an embedding application)."""
    root = logging.getLogger()
    for handler in _INSTALLED:
        root.removeHandler(handler)
        handler.close()
    _INSTALLED.clear()

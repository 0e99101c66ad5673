"""Uncaught exceptions (bugs): logged, shown in a dialog with the (redacted) traceback, and the app keeps running.

Only bugs open the dialog. An `AutoSyncError` (the error root: an expected condition such as a damaged or locked
store, no keyring, bad input) that reaches a hook is told in its one line on `message` (the window's status bar),
with the traceback in the log file only. `report(exc)` takes the bugs of background tasks (`Workers.crashed`).

`CrashHandler.install()` replaces `sys.excepthook` (exceptions in Qt slots and callbacks land there) and
`threading.excepthook` (a plain thread's exception is handed to the GUI thread through a signal of this
GUI-thread QObject). Secrets never reach the dialog or the clipboard: the text goes through the notify
package's redaction (token patterns, plus the keyring values registered for the log). While a dialog is open,
later errors are appended to it instead of opening more windows.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import logs
from autosync_desktop.errors import AutoSyncError, one_line
from autosync_desktop.logs import FILE_ONLY
from autosync_desktop.redaction import Redactor

log = logging.getLogger("autosync_desktop.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redactor() -> Redactor:
    """The log's redactor: token patterns, every keyring value this process has read, the values registered for
    the log."""
    return logs.secrets_filter().redactor()


def format_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
                     thread: str | None = None) -> str:
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    if thread:
        text = f"In thread {thread}:\n{text}"
    return redactor()(text)


class CrashDialog(QDialog):
    def __init__(self, text: str, log_hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("AutoSync: unexpected error")
        self.setAccessibleName("Unexpected error")
        self.setModal(False)
        self.count = 1
        layout = QVBoxLayout(self)
        self.heading = QLabel("<b>Something went wrong inside AutoSync.</b>")
        self.heading.setAccessibleName("Unexpected error heading")
        layout.addWidget(self.heading)
        self.intro = QLabel("AutoSync keeps running. If this happens again, copy the details below into a bug "
                            "report; tokens and passwords in them are masked.")
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName("What happened")
        layout.addWidget(self.intro)
        self.log_line = QLabel(log_hint)
        self.log_line.setWordWrap(True)
        self.log_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_line.setAccessibleName("Where the log is")
        layout.addWidget(self.log_line)
        self.details = QPlainTextEdit(text)
        self.details.setReadOnly(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setAccessibleName("Error details")
        self.details.setMinimumSize(640, 260)
        layout.addWidget(self.details, 1)
        row = QHBoxLayout()
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName("Copy the error details")
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.copy_button)
        self.copied = QLabel("")
        self.copied.setAccessibleName("Copy result")
        row.addWidget(self.copied, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        row.addWidget(buttons)
        layout.addLayout(row)
        self.resize(760, 460)

    def text(self) -> str:
        return self.details.toPlainText()

    def append(self, text: str) -> None:
        self.count += 1
        self.heading.setText(f"<b>Something went wrong inside AutoSync ({self.count} errors).</b>")
        self.details.appendPlainText(f"\n--- another error ---\n{text}")

    def copy(self) -> None:
        QApplication.clipboard().setText(self.text())
        self.copied.setText("Copied")


class CrashHandler(QObject):
    """Create in the GUI thread; `install()` / `uninstall()` the hooks."""

    shown = Signal(object)  # the CrashDialog, when one opens (tests)
    message = Signal(str)  # the one line of an expected error (AutoSyncError) that reached a hook
    _relay = Signal(str)
    _relay_message = Signal(str)

    def __init__(self, parent_widget: Callable[[], QWidget | None] = lambda: None,
                 log_file: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._parent_widget = parent_widget
        self.log_file = log_file
        self.dialog: CrashDialog | None = None
        self._previous: tuple[Any, Any] | None = None
        self._relay.connect(self._show)
        self._relay_message.connect(self._tell)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def log_hint(self) -> str:
        if self.log_file is None:
            return "The details were not saved to a log file."
        return f"The details are also in the log:\n{self.log_file}"

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            if self._previous is not None:
                self._previous[0](exc_type, exc, tb)
            return
        if isinstance(exc, AutoSyncError):
            self._expected(exc)
            return
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        text = format_exception(exc_type, exc, tb)
        if threading.current_thread() is threading.main_thread():
            self._show(text)
        else:
            self._relay.emit(text)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        if isinstance(args.exc_value, AutoSyncError):
            self._expected(args.exc_value)
            return
        name = args.thread.name if args.thread is not None else "?"
        log.error("uncaught exception in thread %s", name,
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        self._relay.emit(format_exception(args.exc_type, args.exc_value, args.exc_traceback, name))

    def report(self, exc: BaseException) -> None:  # GUI thread: a background task's exception (already logged)
        if isinstance(exc, AutoSyncError):
            self.message.emit(one_line(exc))
            return
        self._show(format_exception(type(exc), exc, exc.__traceback__))

    def _expected(self, exc: AutoSyncError) -> None:  # any thread: one line, never the dialog
        log.info("%s: %s", type(exc).__name__, one_line(exc), exc_info=exc, extra=FILE_ONLY)
        self._relay_message.emit(one_line(exc))

    def _tell(self, text: str) -> None:  # GUI thread
        self.message.emit(text)

    def _show(self, text: str) -> None:  # GUI thread
        try:
            if self.dialog is not None and self.dialog.isVisible():
                self.dialog.append(text)
                return
            self.dialog = CrashDialog(text, self.log_hint(), self._parent_widget())
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.destroyed.connect(self._forget)
            self.dialog.show()
            self.dialog.raise_()
            self.shown.emit(self.dialog)
        except Exception:  # never let the crash handler crash
            log.exception("could not show the error dialog")

    def _forget(self, *_: Any) -> None:
        self.dialog = None

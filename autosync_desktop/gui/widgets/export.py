"""Exports to CSV/JSON: a save dialog, the writing in the export worker, a progress dialog that can cancel.

The file is written through `open_output` (a temporary file renamed when complete), so a cancelled or failed
export never leaves a half-written file under the name the user chose, and a symlink, a pipe or a device at
that name is never replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from autosync_desktop.gui.workers import Task, Workers
from autosync_desktop.services import open_output

Writer = Callable[[str, IO[str], Callable[[int], None]], int]  # (fmt, out, progress) -> rows written


def ask_export_path(parent: QWidget, title: str, default_name: str) -> tuple[str, str] | None:
    """(path, "csv" | "json") from a save dialog, or None when cancelled."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, default_name, "CSV (*.csv);;JSON (*.json)")
    if not path:
        return None
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".json"):
        return path, suffix[1:]
    fmt = "json" if "json" in chosen.lower() else "csv"
    return f"{path}.{fmt}", fmt


def _write_file(path: str, fmt: str, write: Writer, task: Task) -> int:
    """Atomic for files (temp + rename), written through symlinks, never renamed over a pipe or a device."""
    with open_output(Path(path), field="Export") as out:
        return write(fmt, out, task.report)


class ExportJob(QObject):
    finished = Signal(str, int)  # path, rows
    failed = Signal(str)

    def __init__(self, workers: Workers, parent: QWidget, what: str, total: int | None = None) -> None:
        super().__init__(parent)
        self.workers = workers
        self.parent_widget = parent
        self.what = what
        self.total = total
        self.task: Task | None = None
        self.progress: QProgressDialog | None = None
        self.done = False

    def start(self, path: str, fmt: str, write: Writer, show_progress: bool = True) -> None:
        if show_progress:
            self.progress = QProgressDialog(f"Exporting {self.what}…", "Cancel", 0, self.total or 0,
                                            self.parent_widget)
            self.progress.setWindowTitle("Export")
            self.progress.setAccessibleName("Export progress")
            self.progress.setWindowModality(Qt.WindowModality.WindowModal)
            self.progress.setMinimumDuration(400)
            self.progress.canceled.connect(self.cancel)
        self.task = self.workers.run(_write_file, path, fmt, write, lane="export", with_task=True, owner=self,
                                     on_done=lambda count: self._done(path, count), on_error=self._error,
                                     on_progress=self._progress)

    def _progress(self, count: Any) -> None:
        if self.progress is not None:
            if self.total:
                self.progress.setValue(min(int(count), self.total))
            self.progress.setLabelText(f"Exporting {self.what}… {int(count):,} rows written")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self._close_progress()
        self.failed.emit("Export cancelled; no file was written")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress = None

    def _done(self, path: str, count: int) -> None:
        self.done = True
        self._close_progress()
        self.finished.emit(path, count)

    def _error(self, exc: Exception) -> None:
        self.done = True
        self._close_progress()
        message = f"The export failed: {exc}"
        self.failed.emit(message)
        QMessageBox.warning(self.parent_widget, "Export failed", message)

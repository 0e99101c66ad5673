"""Run history as a lazily paged table model: pages of 200 runs are read in a worker as the user scrolls.

Pages continue after the (queued_at, id) of the last loaded row (keyset paging, services.runs.page), so page
5,000 of a million runs costs what page 1 costs. Changing the filters or the order starts a new generation:
pages of an older generation that arrive late are dropped. The total for the filters is counted separately.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from autosync_desktop.domain import RunCursor, RunFilter, RunPage, RunRow, Trigger
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext

PAGE_SIZE = 200
COLUMNS = (("id", "Run"), ("queued_at", "Queued"), ("schedule", "Schedule"), ("account", "Account"),
           ("trigger", "Trigger"), ("status", "Status"), ("duration_s", "Duration"), ("rows", "Rows"),
           ("error", "Error / reason"))
SORTABLE = (0, 1)  # by time (the run id follows time)
Index = QModelIndex | QPersistentModelIndex


def trigger_words(trigger: Trigger) -> str:
    """'Scheduled', 'Manual', 'Catch-up', 'Backfill', 'Retry': the words of the trigger filter."""
    return trigger.value.capitalize()


def zone_words() -> str:
    """The display zone in few words: 'UTC' for Etc/UTC, 'Berlin' for Europe/Berlin (never an IANA key)."""
    return fmt.zone_words(fmt.zone_label())


class RunsModel(QAbstractTableModel):
    page_loaded = Signal()
    total_changed = Signal(object)  # int | None
    load_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[RunRow] = []
        self.filters = RunFilter()
        self.order = "newest"
        self.cursor: RunCursor | None = None
        self.done = True
        self.loading = False
        self.total: int | None = None
        self.generation = 0
        self.pages_loaded = 0
        self.refreshing = False  # a new load is under way; the rows shown are the previous load's

    # --- Qt model API ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            title = COLUMNS[section][1]
            return f"{title} ({zone_words()})" if COLUMNS[section][0] == "queued_at" else title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        run = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(run, key)
        if role == Qt.ItemDataRole.DecorationRole and key == "status":
            return theme.status_icon(run.status)
        if role == Qt.ItemDataRole.ForegroundRole and key == "status":
            return theme.status_color(run.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("id", "duration_s", "rows"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(run, key)
        if role == Qt.ItemDataRole.UserRole:
            return run.id
        return None

    @staticmethod
    def tooltip(run: RunRow, key: str) -> str | None:
        """The full text of a cell that may be elided: the whole (already redacted) error, wrapped; names."""
        if key == "error":
            recorded = run.error or run.reason
            return textwrap.fill(recorded, 90, break_long_words=True) if recorded else None
        if key == "schedule":
            return run.schedule or f"{run.account}'s own sync (no schedule)"
        if key == "account":
            return f"{run.account} ({'written to a file' if run.platform == 'export' else run.platform})"
        if key == "status":
            return f"{theme.label_of(run.status)}" + (f" ({run.error_class})" if run.error_class else "")
        return None

    @staticmethod
    def text(run: RunRow, key: str) -> str:
        if key == "id":
            return str(run.id)
        if key == "queued_at":
            return fmt.fmt_time(run.queued_at, seconds=True)
        if key == "schedule":
            return run.schedule or "— (account sync)"
        if key == "account":
            return run.account
        if key == "trigger":
            return trigger_words(run.trigger)
        if key == "status":
            return theme.label_of(run.status)
        if key == "duration_s":
            return fmt.fmt_duration(run.duration_s, empty="")
        if key == "rows":
            return f"{run.rows:,}"
        if key == "error":
            return (run.error or run.reason or "").replace("\n", " ")
        return ""

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.done and not self.loading and not self.refreshing

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self.fetch_page()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column in SORTABLE:
            self.load(self.filters, "newest" if order == Qt.SortOrder.DescendingOrder else "oldest")

    # --- loading ---

    def load(self, filters: RunFilter, order: str = "newest") -> None:
        """Start over with new filters / order: the first page and the total are read in workers.

        The rows on screen stay until the new first page arrives and replaces them in one step (`refreshing`
        meanwhile), so a refresh never blanks the table."""
        self.generation += 1
        self.filters, self.order = filters, order
        self.cursor, self.done, self.loading, self.total, self.pages_loaded = None, False, False, None, 0
        self.refreshing = True
        self.total_changed.emit(None)
        generation = self.generation
        self.ctx.workers.run(self.ctx.services.runs.total, self.filters, owner=self,
                             on_done=lambda total: self._total(generation, total),
                             on_error=lambda exc: self._failed(generation, exc))
        self.fetch_page()

    def fetch_page(self) -> None:
        if self.loading or self.done:
            return
        self.loading = True
        generation = self.generation
        self.ctx.workers.run(self.ctx.services.runs.page, self.filters, self.cursor, PAGE_SIZE, self.order,
                             owner=self, on_done=lambda page: self._page(generation, page),
                             on_error=lambda exc: self._failed(generation, exc))

    def _page(self, generation: int, page: RunPage) -> None:
        if generation != self.generation:
            return
        self.loading = False
        rows = page.rows
        if self.refreshing:  # the first page of a new load replaces what was shown
            self.refreshing = False
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
        elif rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.cursor = page.cursor
        self.done = page.done
        self.pages_loaded += 1
        self.page_loaded.emit()

    def _total(self, generation: int, total: int) -> None:
        if generation == self.generation:
            self.total = total
            self.total_changed.emit(total)

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation == self.generation:
            self.loading = False
            self.done = True
            self.refreshing = False
            self.load_failed.emit(one_line(exc))
            self.page_loaded.emit()

    # --- helpers ---

    def run_at(self, row: int) -> RunRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, run_id: int) -> int | None:
        return next((i for i, run in enumerate(self.rows) if run.id == run_id), None)

    def update_run(self, run_id: int, **changes: Any) -> bool:
        """Patch a loaded row in place (a run that finished while shown)."""
        row = self.row_of(run_id)
        if row is None:
            return False
        self.rows[row] = dataclasses.replace(self.rows[row], **changes)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    def ids(self) -> list[int]:
        return [run.id for run in self.rows]

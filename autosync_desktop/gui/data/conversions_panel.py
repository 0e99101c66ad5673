"""Data page: conversions by action for the selected daily-stats rows (table daily_conversion).

`ConversionsPanel(ctx, table, rows_of)` follows the selection of the daily-stats table: the selected rows' (account,
campaign, day) keys (at most MAX_ROWS) are read through `services.data.conversions` on a worker, and the panel shows
one line per action (platform, action, conversions, value per currency) added up over the selection. Platforms
that do not report per action say so instead of showing zeros. `summarise` is the pure part (tested without Qt).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from autosync_desktop.domain import ConversionRow, Money, StatRow
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.data.model import money_text, money_tooltip
from autosync_desktop.gui.widgets.card import muted

if TYPE_CHECKING:
    from autosync_desktop.services import Services

MAX_ROWS = 500  # selected rows read at once (services.data.conversions takes at most 500)
COLUMNS = ("Action", "Platform", "Conversions", "Value", "Days")


@dataclass(frozen=True, slots=True)
class ActionTotal:
    """One action's conversions over the selected rows, in one currency."""

    platform: str
    action: str
    count: float
    value: Money | None  # None: the platform reported no value for this action
    days: int  # (campaign, day) rows it appears in


def summarise(rows: Sequence[ConversionRow]) -> list[ActionTotal]:
    """Per (platform, action, currency): the counts and values added up; most conversions first, then name."""
    sums: dict[tuple[str, str, str | None], tuple[float, int | None, int]] = {}
    for row in rows:
        key = (row.platform, row.action, row.currency)
        count, micros, days = sums.get(key, (0.0, None, 0))
        if row.value is not None:
            micros = (micros or 0) + row.value.micros
        sums[key] = (count + row.count, micros, days + 1)
    totals = [ActionTotal(platform, action, round(count, 6), None if micros is None else Money(micros, currency), days)
              for (platform, action, currency), (count, micros, days) in sums.items()]
    return sorted(totals, key=lambda t: (-t.count, t.action.lower(), t.platform))


def read(services: Services, days: list[tuple[str, str, date]]) -> list[ConversionRow]:
    """Worker side: the conversions by action of those (account, campaign, day) rows."""
    return services.data.conversions(days=days)


class ConversionsPanel(QWidget):
    """The per-action breakdown of the rows selected in `table` (`rows_of(indexes)` -> their StatRows)."""

    def __init__(self, ctx: AppContext, table: QTableView, rows_of: Callable[[list[int]], list[StatRow]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table = table
        self.rows_of = rows_of
        self.totals: list[ActionTotal] = []
        self._generation = 0
        self.setAccessibleName("Conversions by action")
        self.title = QLabel("Conversions by action")
        self.title.setAccessibleName("Conversions by action title")
        self.note = muted("Select daily-stats rows to see their conversions by action.", "Conversions by action note")
        self.grid = QTableWidget(0, len(COLUMNS))
        self.grid.setAccessibleName("Conversions by action table")
        self.grid.setHorizontalHeaderLabels(list(COLUMNS))
        self.grid.verticalHeader().hide()
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.grid.setWordWrap(False)
        self.grid.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.grid, 1)
        self.grid.hide()
        model = table.model()
        if table.selectionModel() is not None:
            table.selectionModel().selectionChanged.connect(self.selection_changed)
        if model is not None:
            model.modelReset.connect(self.selection_changed)

    def selected(self) -> list[StatRow]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return self.rows_of(rows[:MAX_ROWS])

    def selection_changed(self, *_args: object) -> None:
        stats = self.selected()
        self._generation += 1
        generation = self._generation
        if not stats:
            self._show([], "Select daily-stats rows to see their conversions by action.")
            return
        days = [(s.account, s.campaign_id, s.day) for s in stats]
        self.note.setText(f"Reading the conversions by action of {len(days)} row(s)…")

        def done(rows: list[ConversionRow]) -> None:
            if generation == self._generation:
                self._loaded(stats, rows)

        def failed(exc: Exception) -> None:
            if generation == self._generation:
                self._show([], f"Could not read the conversions by action: {one_line(exc)}")

        self.ctx.workers.run(read, self.ctx.services, days, owner=self, on_done=done, on_error=failed)

    def _loaded(self, stats: list[StatRow], rows: list[ConversionRow]) -> None:
        totals = summarise(rows)
        selected = f"{len(stats)} selected row{'s' if len(stats) != 1 else ''}"
        capped = f" (the first {MAX_ROWS})" if len(stats) >= MAX_ROWS else ""
        if totals:
            note = f"{selected}{capped}: {len(totals)} action{'s' if len(totals) != 1 else ''}"
        elif any(s.conversions for s in stats):
            platforms = ", ".join(sorted({s.platform for s in stats}))
            note = (f"{selected}: no breakdown by action stored ({platforms} does not report one here, or these "
                    "days were synced before it was); the blended conversions are in the table above")
        else:
            note = f"{selected}: no conversions"
        self._show(totals, note)

    def _show(self, totals: list[ActionTotal], note: str) -> None:
        self.totals = totals
        self.note.setText(note)
        self.grid.setRowCount(len(totals))
        for i, total in enumerate(totals):
            cells = (total.action, total.platform, fmt.fmt_number(total.count, 2), money_text(total.value),
                     str(total.days))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (2, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 3:
                    item.setToolTip(money_tooltip(total.value))
                self.grid.setItem(i, column, item)
        self.grid.setVisible(bool(totals))

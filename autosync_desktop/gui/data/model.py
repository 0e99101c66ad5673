"""Synced data as table models: daily stats (paged as the user scrolls) and campaigns.

Money is shown rounded to its currency's minor units (formatting.money: 2 decimals for USD, 0 for JPY, 3 for
KWD; half up) with the code; the exact stored amount (`Money`: integer micros, never a float) is in the tooltip
and in exports. A metric the platform did not report is "—", never 0.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from autosync_desktop.domain import CampaignRow, Money, StatRow, StatsFilter, StatsPage
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.context import AppContext

PAGE_SIZE = 200
STAT_COLUMNS = (("date", "Date"), ("account", "Account"), ("campaign", "Campaign"), ("impressions", "Impressions"),
                ("clicks", "Clicks"), ("cost", "Cost"), ("conversions", "Conversions"),
                ("conversion_value", "Conversion value"))
NUMERIC = {"impressions", "clicks", "cost", "conversions", "conversion_value"}
CAMPAIGN_COLUMNS = (("account", "Account"), ("name", "Campaign"), ("campaign_id", "Campaign id"),
                    ("status", "Status"), ("currency", "Currency"), ("synced_at", "Synced"))
Index = QModelIndex | QPersistentModelIndex


def money_text(money: Money | None, empty: str = "—") -> str:
    """Money as shown: rounded to its currency's minor units, with thousands separators ("165,309.42 USD")."""
    return empty if money is None else fmt.money(money.text, money.currency, empty=empty)


def money_tooltip(money: Money | None) -> str:
    """The exact stored amount, for the tooltip: "Exact: 176.805165 USD"."""
    if money is None:
        return "Not reported by the platform"
    return f"Exact: {fmt.money_exact(money.text, money.currency)}"


def stat_text(row: StatRow, key: str) -> str:
    if key == "impressions":
        return fmt.fmt_int(row.impressions)
    if key == "clicks":
        return fmt.fmt_int(row.clicks)
    if key == "cost":
        return money_text(row.cost)
    if key == "conversion_value":
        return money_text(row.conversion_value)
    if key == "conversions":
        return fmt.fmt_number(row.conversions, 2)
    if key == "campaign":
        return row.campaign or row.campaign_id
    if key == "date":  # the platform's day in its own zone, never shifted: "2026-11-20 (Berlin)", "· sampled"
        marks = "".join(f" · {QUALITY_WORDS[flag][0]}" for flag in row.quality if flag in QUALITY_WORDS)
        return f"{row.day.isoformat()} ({fmt.zone_words(row.date_tz)}){marks}"
    if key == "account":
        return row.account
    return ""


# A platform's remarks on a day's numbers (StatRow.quality): (mark beside the date, the explanation on hover).
QUALITY_WORDS = {
    "sampled": ("sampled", "Sampled: the platform estimated these numbers from part of the data; they may differ "
                           "a little from its own reports."),
    "thresholded": ("thresholded", "Thresholded: the platform withheld some rows to protect users' privacy, so "
                                   "the numbers may be lower than the real ones."),
    "dataLossFromOtherRow": ("partly in “(other)”", "Some of this day's data was folded into the platform's "
                                                     "“(other)” row, so it is missing from the campaigns."),
}


class StatsModel(QAbstractTableModel):
    page_loaded = Signal()
    load_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[StatRow] = []
        self.filters = StatsFilter()
        self.done = True
        self.loading = False
        self.refreshing = False
        self.generation = 0

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(STAT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return STAT_COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        key = STAT_COLUMNS[index.column()][0]
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return stat_text(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and key in ("cost", "conversion_value"):
            return money_tooltip(row.cost if key == "cost" else row.conversion_value)
        if role == Qt.ItemDataRole.ToolTipRole and key == "account":
            return f"{row.account} ({row.platform})"
        if role == Qt.ItemDataRole.ToolTipRole and key == "campaign":
            return f"{row.campaign} ({row.campaign_id}) · {row.platform}"
        if role == Qt.ItemDataRole.ToolTipRole and key == "date":
            notes = "".join(f"\n{QUALITY_WORDS[flag][1]}" for flag in row.quality if flag in QUALITY_WORDS)
            return f"The {row.platform} day {row.day.isoformat()} in {row.date_tz} (as the platform reports it){notes}"
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.done and not self.loading and not self.refreshing

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self.fetch_page()

    def load(self, filters: StatsFilter) -> None:
        """Start over; the rows shown stay until the new first page replaces them (`refreshing`)."""
        self.generation += 1
        self.filters, self.done, self.loading, self.refreshing = filters, False, False, True
        self.fetch_page()

    def fetch_page(self) -> None:
        if self.loading or self.done:
            return
        self.loading = True
        generation = self.generation
        offset = 0 if self.refreshing else len(self.rows)
        self.ctx.workers.run(self.ctx.services.data.stats, self.filters, PAGE_SIZE, offset, owner=self,
                             on_done=lambda page: self._page(generation, page),
                             on_error=lambda exc: self._failed(generation, exc))

    def _page(self, generation: int, page: StatsPage) -> None:
        if generation != self.generation:
            return
        self.loading = False
        rows = page.rows
        if self.refreshing:
            self.refreshing = False
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
        elif rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.done = page.done
        self.page_loaded.emit()

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation == self.generation:
            self.loading, self.done, self.refreshing = False, True, False
            self.load_failed.emit(one_line(exc))
            self.page_loaded.emit()


class CampaignsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: tuple[CampaignRow, ...] = ()

    def set_rows(self, rows: tuple[CampaignRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CAMPAIGN_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return CAMPAIGN_COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = CAMPAIGN_COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.ToolTipRole and key in ("account", "name"):
            return f"{row.account} ({row.platform})" if key == "account" else row.name
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if key == "synced_at":
            return fmt.fmt_time(row.synced_at)
        if key == "status":
            return (row.status or "").capitalize()
        if key == "account":
            return row.account
        if key == "name":
            return row.name or "—"
        if key == "campaign_id":
            return row.campaign_id
        if key == "currency":
            return row.currency or "—"
        return ""

"""The Schedules list's model: one entry per schedule (its card, last runs and live progress), search, state
chips with counts and the sort; the delegate (delegate.py) paints the rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from autosync_desktop import domain
from autosync_desktop.gui import theme
from autosync_desktop.gui.scheduler import describe

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
STATES = ("failing", "running", "paused", "ok")  # the chips, after "All"
STATE_WORDS = {"all": "All", "failing": "Failing", "running": "Running", "paused": "Paused", "ok": "OK"}
SORTS = (("attention", "Failing and running first"), ("name", "Name"), ("next", "Next run"))
_FAILED = ("failed", "interrupted")
_Index = QModelIndex | QPersistentModelIndex


@dataclass
class Entry:
    """One schedule as the list shows it; `run_*` follow its active run live (bus events)."""

    item: domain.ScheduleCard
    recent: tuple[domain.ScheduleRun, ...] = ()
    run_id: int | None = None
    run_status: str | None = None  # "queued" / "running" while a run is active
    rows: int = 0
    done: int = 0
    total: int = 0
    search_text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        item = self.item
        self.search_text = " ".join((item.name, item.account, item.platform_label, item.platform,
                                     self.owner)).casefold()
        if item.active_run is not None and self.run_id is None:
            self.run_id = item.active_run.id
            self.run_status = item.active_run.status.value
            self.rows = item.active_run.rows

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def owner(self) -> str:
        """What the schedule works on: its account, or for an export "Writes ads.xlsx — last 30 days, all accounts"."""
        export = self.item.export
        return export.describe() if export is not None else self.item.account

    def state(self) -> str:
        """'running', 'paused', 'failing' or 'ok' (never run counts as ok)."""
        if self.run_id is not None:
            return "running"
        if self.item.paused:
            return "paused"
        last = self.item.last_run
        if last is not None and last.status.value in _FAILED:
            return "failing"
        return "ok"

    def status(self) -> tuple[str, str]:
        """(status key for theme colour/icon, its word)."""
        if self.run_id is not None:
            return ("running", "Running") if self.run_status != "queued" else ("queued", "Queued")
        item = self.item
        if item.paused:
            return "paused", "All paused" if item.paused_all and not item.own_paused else "Paused"
        if item.waiting_for:
            return "queued", "Waiting"
        last = item.last_run
        if last is None:
            return "idle", "Never run" if item.frequency != domain.Frequency.MANUAL or item.after else "Manual"
        return last.status.value, theme.label_of(last.status.value)

    # (older callers read `view.cards[name].badge.text()`)
    @property
    def badge(self) -> Entry:
        return self

    def text(self) -> str:
        return self.status()[1]

    def when(self) -> str:
        """'Daily at 06:00 (Berlin)', 'after Google daily, Meta daily', 'Hourly at :10, after Google daily'."""
        item = self.item
        after = describe.after_words(item.after)
        if after and item.frequency == domain.Frequency.MANUAL:
            return after
        words = describe.frequency_words(item.frequency.value, every_minutes=item.every_minutes, at=item.at,
                                         days=item.days, cron=item.cron,
                                         timezone=None if item.frequency.value == "interval" else item.timezone)
        return f"{words}, {after}" if after else words

    def zone(self) -> str:
        from autosync_desktop.gui import formatting as fmt

        item = self.item
        return item.timezone if item.timezone and item.frequency.value != "interval" else fmt.zone_label()

    def next_text(self, now: datetime) -> str:
        item = self.item
        if item.paused:
            return "Paused: no scheduled runs"
        waiting = describe.waiting_words(item.waiting_for, item.wait_deadline, item.timezone)
        if waiting:
            return waiting
        if item.frequency == domain.Frequency.MANUAL:
            return "Runs once they have all synced" if item.after else "Runs only when you start it"
        if item.next_run_at is None:
            return "Next run: —"
        return describe.next_run_text(item.next_run_at, self.zone(), now)

    def problem(self) -> tuple[str, str]:
        """(plain words, the full redacted message) of the last run's failure; ('', '') when it did not fail."""
        last = self.item.last_run
        if last is None or last.status.value not in _FAILED:
            return "", ""
        from autosync_desktop.gui.widgets.dialogs import plain

        raw = plain(last.error or last.reason or "")
        return describe.error_words(last.error, last.reason, last.status.value), raw

    def progress_text(self) -> str:
        if self.run_status == "queued":
            return "Waiting to start"
        window = f" · window {min(self.done + 1, self.total)} of {self.total}" if self.total else ""
        return f"{self.rows:,} rows so far{window}"

    def sort_key(self, key: str) -> tuple[object, ...]:
        name = self.name.casefold()
        if key == "name":
            return (name,)
        if key == "next":
            moment = None if self.item.paused else self.item.next_run_at
            return (moment is None, moment or datetime.max.replace(tzinfo=UTC), name)
        rank = {"failing": 0, "running": 1}.get(self.state(), 2)
        return (rank, name)


class ScheduleListModel(QAbstractListModel):
    """Every schedule's Entry; `shown` is the searched, filtered and sorted part the list displays."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: dict[str, Entry] = {}
        self.shown: list[Entry] = []
        self.search = ""
        self.chip = "all"
        self.order = "attention"
        self.now = datetime.now(UTC)

    # --- Qt ---

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.shown)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self.shown):
            return None
        entry = self.shown[index.row()]
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            words, _ = entry.problem()
            return ", ".join(x for x in (entry.name, entry.status()[1], entry.owner, entry.when(), words,
                                         entry.next_text(self.now)) if x)
        if role == Qt.ItemDataRole.ToolTipRole:
            words, raw = entry.problem()
            owner = entry.owner if entry.item.export else f"{entry.item.account} · {entry.item.platform_label}"
            lines = [entry.name, owner, entry.when()]
            if words:
                lines.append(f"{words}\n{raw}" if raw and raw != words else words)
            return "\n".join(lines)
        return None

    # --- contents ---

    def set_entries(self, entries: Iterable[Entry]) -> None:
        self.entries = {entry.name: entry for entry in entries}
        self._rebuild()

    def set_search(self, text: str) -> None:
        self.search = text.strip().casefold()
        self._rebuild()

    def set_chip(self, chip: str) -> None:
        self.chip = chip
        self._rebuild()

    def set_sort(self, key: str) -> None:
        self.order = key
        self._rebuild()

    def matches(self, entry: Entry) -> bool:
        return (not self.search or self.search in entry.search_text) and (
            self.chip == "all" or entry.state() == self.chip)

    def _rebuild(self) -> None:
        self.beginResetModel()
        self.shown = sorted((e for e in self.entries.values() if self.matches(e)), key=lambda e: e.sort_key(self.order))
        self.endResetModel()

    def counts(self) -> dict[str, int]:
        """Schedules per chip among those the search matches (the chips then add up to 'All')."""
        found = {key: 0 for key in ("all", *STATES)}
        for entry in self.entries.values():
            if self.search and self.search not in entry.search_text:
                continue
            found["all"] += 1
            found[entry.state()] += 1
        return found

    def row_of(self, name: str) -> int:
        return next((row for row, entry in enumerate(self.shown) if entry.name == name), -1)

    def names(self, rows: Sequence[int]) -> list[str]:
        return [self.shown[row].name for row in rows if 0 <= row < len(self.shown)]

    def changed(self, name: str) -> None:
        """Repaint one schedule's row (live progress)."""
        row = self.row_of(name)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index)

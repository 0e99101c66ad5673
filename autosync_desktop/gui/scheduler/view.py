"""The Schedules page: a dense searchable list (state chips with counts, sort, live progress, last runs) beside
the selected schedule's pane with every action in words; bulk actions on a multi-selection."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop import events as ev
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.scheduler.actions import ScheduleActions
from autosync_desktop.gui.scheduler.delegate import ScheduleList
from autosync_desktop.gui.scheduler.detail import ScheduleDetail
from autosync_desktop.gui.scheduler.model import SORTS, STATE_WORDS, STATES, Entry, ScheduleListModel
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.empty_state import EmptyState

NARROW = 720  # below this page width the detail pane goes under the list
RECENT = 10


def _read(services: Any) -> tuple[Sequence[domain.ScheduleCard], Mapping[str, tuple[domain.ScheduleRun, ...]]]:
    return services.schedules.cards(), services.schedules.recent_runs(RECENT)


class SchedulerView(ScheduleActions):
    title = "Schedules"
    key = "scheduler"
    subject = "the schedules"
    open_run = Signal(int)  # a run to show in History (a last-runs dot or a recent run was clicked)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Schedules view")
        self.model = ScheduleListModel(self)  # parented: deleted with the page, never before its list
        self.current: str | None = None
        self.dialog: Any = None
        self._pending_select: str | None = None
        self._run_schedule: dict[int, str] = {}
        self._build()
        self.clock = QTimer(self)  # the "in 14 h" of next runs moves on
        self.clock.setInterval(30_000)
        self.clock.timeout.connect(self._tick)
        bridge = ctx.bridge
        bridge.schedule_changed.connect(self._schedule_changed)
        bridge.account_changed.connect(self.schedule_refresh)
        bridge.setting_changed.connect(self._setting_changed)
        bridge.scheduler_state.connect(self._scheduler_state)  # Pause all / Resume all
        bridge.run_queued.connect(self._run_event)
        bridge.run_started.connect(self._run_event)
        bridge.run_progress.connect(self._run_event)
        bridge.run_finished.connect(self._run_event)

    # --- building ---

    def _build(self) -> None:
        heading = QLabel("Schedules")
        theme.set_role(heading, "page-title")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search schedules, accounts, platforms")
        self.search.setAccessibleName("Search schedules")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self.search.setMinimumWidth(120)
        self.search.textChanged.connect(self._search_changed)
        self.new_button = QPushButton(theme.icon("add"), "New schedule")
        self.new_button.setAccessibleName("New schedule")
        self.new_button.setToolTip("Create a schedule (Ctrl+N)")
        self.new_button.clicked.connect(self.new_schedule)
        theme.make_primary(self.new_button)
        self.refresh_button = QPushButton(theme.icon("sync"), "Refresh")
        self.refresh_button.setAccessibleName("Refresh schedules")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.setSpacing(theme.SPACE_S)
        top.addWidget(heading)
        top.addSpacing(theme.SPACE_L)
        top.addWidget(self.search, 1)
        top.addStretch(0)
        top.addWidget(self.busy)
        top.addWidget(self.refresh_button)
        top.addWidget(self.new_button)
        # chips with counts, and the sort
        self.chips: dict[str, QPushButton] = {}
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        chips = QHBoxLayout()
        chips.setSpacing(theme.SPACE_XS)
        for key in ("all", *STATES):
            chip = QPushButton(STATE_WORDS[key])
            chip.setCheckable(True)
            chip.setProperty("segment", True)
            chip.setAccessibleName(f"Show {STATE_WORDS[key].lower()} schedules")
            if key in ("failing", "running", "paused", "ok"):
                chip.setIcon(theme.status_icon({"failing": "failed", "running": "running", "paused": "paused",
                                                "ok": "succeeded"}[key]))
            chip.clicked.connect(lambda _=False, k=key: self.set_chip(k))
            self.chip_group.addButton(chip)
            self.chips[key] = chip
            chips.addWidget(chip)
        self.chips["all"].setChecked(True)
        chips.addStretch(1)
        sort_label = QLabel("Sort")
        self.sort = QComboBox()
        self.sort.setAccessibleName("Sort schedules")
        for key, words in SORTS:
            self.sort.addItem(words, key)
        self.sort.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sort.setMinimumContentsLength(12)
        self.sort.currentIndexChanged.connect(lambda _: self.model.set_sort(self.sort.currentData()))
        sort_label.setBuddy(self.sort)
        chips.addWidget(sort_label)
        chips.addWidget(self.sort)
        # bulk actions on the selection
        self.select_all = QCheckBox("Select all")
        self.select_all.setAccessibleName("Select all schedules")
        self.select_all.toggled.connect(self._select_all)
        self.selected_label = muted("", "Selection count")
        self.selected_label.setWordWrap(False)
        self.bulk: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.setSpacing(theme.SPACE_S)
        bar.addWidget(self.select_all)
        bar.addWidget(self.selected_label)
        for key, icon, text in (("sync", "sync", "Sync now"), ("pause", "pause", "Pause"), ("resume", "play", "Resume"),
                                ("delete", "delete", "Delete…")):
            button = QPushButton(theme.icon(icon), text)
            button.setAccessibleName(f"{text.rstrip('…')} selected schedules")
            button.setToolTip(f"{text.rstrip('…')} every selected schedule" + (" (Ctrl+R)" if key == "sync" else ""))
            button.clicked.connect(lambda _=False, k=key: self.bulk_action(k))
            self.bulk[key] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.zone_note = muted("", "Time zone note")
        # the list and the detail pane
        self.list = ScheduleList()
        self.list.setAccessibleName("Schedules")
        self.list.setModel(self.model)
        self.list.run_clicked.connect(self.open_run)
        selection = self.list.selectionModel()
        selection.currentChanged.connect(self._current_changed)
        selection.selectionChanged.connect(self._selection_changed)
        self.empty = EmptyState("No schedules yet. Create one with “New schedule” (Ctrl+N).", name="No schedules")
        self.no_match = muted("No schedule matches the search and filter.", "No matching schedules")
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.list, 1)
        left_column.addWidget(self.no_match)
        left_column.addWidget(self.empty, 1)
        left_column.addWidget(self.zone_note)
        self.detail = ScheduleDetail()
        self.detail.action.connect(self.action)
        self.detail.open_run.connect(self.open_run)
        self.detail.open_schedule.connect(self.select)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        left.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_L, theme.SPACE_M, theme.SPACE_L, theme.SPACE_S)
        layout.setSpacing(theme.SPACE_S)
        layout.addLayout(top)
        layout.addLayout(chips)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self.no_match.hide()
        self._show_counts()
        self._update_bulk()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wanted = Qt.Orientation.Vertical if event.size().width() < NARROW else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.clock.isActive():
            self.clock.start()

    # --- loading ---

    def load(self) -> None:
        self.ctx.workers.run(_read, self.ctx.services, owner=self, on_done=self._apply, on_error=self.load_failed)

    def _apply(self, found: tuple[Sequence[domain.ScheduleCard],
                                  Mapping[str, tuple[domain.ScheduleRun, ...]]]) -> None:
        from autosync_desktop.gui import formatting as fmt

        items, recent = found
        old = self.model.entries
        selected = set(self.selected_names()) if self.list.selectionModel().hasSelection() else set()
        entries = []
        for item in items:
            entry = Entry(item, recent.get(item.name, ()))
            before = old.get(item.name)
            if before is not None and entry.run_id is not None and before.run_id == entry.run_id:
                entry.run_status, entry.done, entry.total = before.run_status, before.done, before.total
                entry.rows = max(entry.rows, before.rows)
            if entry.run_id is not None:
                self._run_schedule[entry.run_id] = item.name
            entries.append(entry)
        self.model.now = datetime.now(UTC)
        self.model.set_entries(entries)
        self._restore_selection(selected)
        self.empty.setVisible(not items)
        self.zone_note.setText(f"Times in each schedule's own zone (yours: {fmt.zone_words(fmt.zone_label())})")
        if self.current is None and self.model.shown:  # open the first (a failing one, by default) in the pane
            self.current = self.model.shown[0].name
            self.list.selectionModel().setCurrentIndex(self.model.index(0), QItemSelectionModel.SelectionFlag.NoUpdate)
        self._after_change()
        if self._pending_select is not None:
            name, self._pending_select = self._pending_select, None
            self.select(name)
        self.load_finished()

    def _after_change(self) -> None:
        self._show_counts()
        has = bool(self.model.entries)
        self.list.setVisible(has)
        self.no_match.setVisible(has and not self.model.shown)
        current = self.model.entries.get(self.current or "")
        self.detail.show_entry(current, self.model.now)
        self._update_bulk()

    def _show_counts(self) -> None:
        counts = self.model.counts()
        for key, chip in self.chips.items():
            chip.setText(f"{STATE_WORDS[key]} {counts[key]}")
            chip.setAccessibleName(f"Show {STATE_WORDS[key].lower()} schedules ({counts[key]})")
        parts = [f"{counts[k]} {STATE_WORDS[k].lower() if k != 'ok' else 'ok'}" for k in STATES if counts[k]]
        self.chips["all"].setToolTip(" · ".join(parts))

    def counts_text(self) -> str:
        """'3 failing · 1 running · 2 paused · 20 ok' (the states with any)."""
        counts = self.model.counts()
        return " · ".join(f"{counts[k]} {'ok' if k == 'ok' else STATE_WORDS[k].lower()}" for k in STATES
                          if counts[k])

    def item(self, name: str) -> domain.ScheduleCard | None:
        entry = self.model.entries.get(name)
        return entry.item if entry else None

    @property
    def items(self) -> list[domain.ScheduleCard]:
        return [entry.item for entry in self.model.entries.values()]

    @property
    def cards(self) -> dict[str, Entry]:
        """Each schedule's entry by name (older callers: `cards[name].badge.text()` is its status word)."""
        return self.model.entries

    # --- search, chips, sort ---

    def _search_changed(self, text: str) -> None:
        selected = set(self.selected_names())
        self.model.set_search(text)
        self._restore_selection(selected)
        self._after_change()

    def set_chip(self, key: str) -> None:
        self.chips[key].setChecked(True)
        selected = set(self.selected_names())
        self.model.set_chip(key)
        self._restore_selection(selected)
        self._after_change()

    def set_sort(self, key: str) -> None:
        self.sort.setCurrentIndex(max(0, self.sort.findData(key)))

    def shown_names(self) -> list[str]:
        return [entry.name for entry in self.model.shown]

    # --- live events ---

    def _scheduler_state(self, _event: ev.SchedulerStateChanged) -> None:
        self.schedule_refresh()

    def _setting_changed(self, event: ev.SettingChanged) -> None:
        if event.key == "scheduler.paused_all":
            self.schedule_refresh()

    def _schedule_changed(self, event: ev.ScheduleChanged) -> None:
        if event.change == "next_run" and event.schedule in self.model.entries:
            entry = self.model.entries[event.schedule]
            if not entry.item.paused and entry.item.frequency != domain.Frequency.MANUAL:
                entry.item = dataclasses.replace(entry.item, next_run_at=event.next_run_at)
                self.model.changed(entry.name)
                if entry.name == self.current:
                    self.detail.show_entry(entry, self.model.now)
            return
        self.schedule_refresh()

    def _run_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunQueued | ev.RunStarted) and event.schedule:
            self._run_schedule[event.run_id] = event.schedule
        run_id = getattr(event, "run_id", -1)
        name = self._run_schedule.get(run_id)
        entry = self.model.entries.get(name) if name else None
        if isinstance(event, ev.RunFinished):
            self._run_schedule.pop(run_id, None)
            if entry is not None and entry.run_id == run_id:
                entry.run_id = entry.run_status = None
                self.model.changed(entry.name)
            self.schedule_refresh()
        elif entry is not None:
            state_before = entry.state()
            entry.run_id = run_id
            if isinstance(event, ev.RunQueued):
                entry.run_status, entry.rows, entry.done, entry.total = "queued", 0, 0, 0
            elif isinstance(event, ev.RunStarted):
                entry.run_status, entry.rows, entry.done, entry.total = "running", 0, 0, event.windows
            elif isinstance(event, ev.RunProgress):
                entry.run_status, entry.rows = "running", event.rows
                entry.done, entry.total = event.windows_done, event.windows_total
            self.model.changed(entry.name)
            if state_before != entry.state():
                self._show_counts()
        else:
            return
        if entry is not None and entry.name == self.current:
            self.detail.show_progress()
            if isinstance(event, ev.RunFinished):
                self.detail.show_entry(entry, self.model.now)

    def _tick(self) -> None:
        self.model.now = datetime.now(UTC)
        self.list.viewport().update()
        entry = self.model.entries.get(self.current or "")
        if entry is not None:
            self.detail.next_runs.setText(entry.next_text(self.model.now))

    # --- selection ---

    def _restore_selection(self, names: set[str]) -> None:
        selection = self.list.selectionModel()
        blocked = selection.blockSignals(True)
        try:
            selection.clearSelection()
            for name in names:
                row = self.model.row_of(name)
                if row >= 0:
                    selection.select(self.model.index(row), QItemSelectionModel.SelectionFlag.Select)
            row = self.model.row_of(self.current or "")
            if row >= 0:
                selection.setCurrentIndex(self.model.index(row), QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            selection.blockSignals(blocked)
        self.list.viewport().update()

    def _current_changed(self, current: QModelIndex, _: QModelIndex) -> None:
        if current.isValid():
            self.current = self.model.shown[current.row()].name
            self.detail.show_entry(self.model.entries.get(self.current), self.model.now)

    def _selection_changed(self, *_: QItemSelection) -> None:
        self._update_bulk()

    def _select_all(self, on: bool) -> None:
        if on:
            self.list.selectAll()
        else:
            self.list.clearSelection()
        self._update_bulk()

    def _update_bulk(self) -> None:
        count = len(self.list.selectionModel().selectedRows())
        for button in self.bulk.values():
            button.setEnabled(count > 0)
        self.selected_label.setText(f"{count} selected" if count else "")

    def select(self, name: str) -> None:
        """Show this schedule (clearing a search or filter that hides it) and open its pane."""
        if name not in self.model.entries:
            if not self.has_loaded or self.is_loading():
                self._pending_select = name
            return
        if self.model.row_of(name) < 0:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.chips["all"].setChecked(True)
            self.model.search, self.model.chip = "", "all"
            self.model.set_entries(self.model.entries.values())
        self.current = name
        index = self.model.index(self.model.row_of(name))
        self.list.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index)
        self._after_change()

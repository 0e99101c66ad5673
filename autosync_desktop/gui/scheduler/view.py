"""The Scheduler tab: a card per schedule with live status, countdown and progress; single and bulk actions."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from autosync_desktop import domain
from autosync_desktop import events as ev
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.scheduler.backfill import BackfillDialog
from autosync_desktop.gui.scheduler.card import ScheduleCard
from autosync_desktop.gui.scheduler.editor import ScheduleDialog
from autosync_desktop.gui.widgets import dialogs
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.empty_state import EmptyState


class SchedulerView(BaseView):
    title = "Scheduler"
    key = "scheduler"
    subject = "the schedules"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Scheduler view")
        self.items: list[domain.ScheduleCard] = []
        self.cards: dict[str, ScheduleCard] = {}
        self.checked: set[str] = set()
        self.current: str | None = None
        self.dialog: Any = None
        self._run_schedule: dict[int, str] = {}
        self._build()
        bridge = ctx.bridge
        bridge.schedule_changed.connect(self._schedule_changed)
        bridge.account_changed.connect(lambda _: self.schedule_refresh())
        bridge.setting_changed.connect(lambda e: self.schedule_refresh() if e.key == "scheduler.paused_all" else None)
        bridge.run_queued.connect(self._run_event)
        bridge.run_started.connect(self._run_event)
        bridge.run_progress.connect(self._run_event)
        bridge.run_finished.connect(self._run_event)

    def _build(self) -> None:
        self.new_button = QPushButton(theme.icon("add"), "New schedule")
        self.new_button.setAccessibleName("New schedule")
        self.new_button.setToolTip("Create a schedule (Ctrl+N)")
        self.new_button.clicked.connect(self.new_schedule)
        self.select_all = QCheckBox("Select all")
        self.select_all.setAccessibleName("Select all schedules")
        self.select_all.toggled.connect(self._select_all)
        self.selected_label = muted("", "Selection count")
        self.selected_label.setWordWrap(False)
        self.bulk: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addSpacing(16)
        bar.addWidget(self.select_all)
        bar.addWidget(self.selected_label)
        for key, icon, text in (("sync", "sync", "Sync now"), ("pause", "pause", "Pause"), ("resume", "play", "Resume"),
                                ("delete", "delete", "Delete")):
            button = QPushButton(theme.icon(icon), text)
            button.setAccessibleName(f"{text} selected schedules")
            button.setToolTip(f"{text} every selected schedule" + (" (Ctrl+R)" if key == "sync" else ""))
            button.clicked.connect(lambda _=False, k=key: self.bulk_action(k))
            self.bulk[key] = button
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.busy)
        self.refresh_button = QPushButton(theme.icon("sync"), "Refresh")
        self.refresh_button.setAccessibleName("Refresh schedules")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        self.empty = EmptyState("No schedules yet. Create one with “New schedule” (Ctrl+N).", name="No schedules")
        self.list = QWidget()
        self.list.setAccessibleName("Schedules")
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 4, 0)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.list)
        scroll.setAccessibleName("Schedules scroll area")
        self.list_scroll = scroll
        self.zone_note = muted("", "Time zone note")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(bar)
        layout.addWidget(self.zone_note)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        self._update_bulk()

    # --- loading ---

    def load(self) -> None:
        self.ctx.workers.run(self.ctx.services.schedules.cards, owner=self, on_done=self._apply,
                             on_error=self.load_failed)

    def _apply(self, items: Sequence[domain.ScheduleCard]) -> None:
        from autosync_desktop.gui import formatting as fmt

        self.items = list(items)
        names = [item.name for item in items]
        for name in list(self.cards):
            if name not in names:
                card = self.cards.pop(name)
                self.list_layout.removeWidget(card)
                card.deleteLater()
                self.checked.discard(name)
        for index, item in enumerate(items):
            found = self.cards.get(item.name)
            if found is None:
                card = self.cards[item.name] = ScheduleCard(item.name)
                card.action.connect(self.action)
                card.checked.connect(self._checked)
                card.clicked.connect(self.select)
            else:
                card = found
            self.list_layout.insertWidget(index, card)
            card.update_item(item)
            if item.active_run is not None:
                self._run_schedule[item.active_run.id] = item.name
        self.empty.setVisible(not items)
        self.list_scroll.setVisible(bool(items))
        self.zone_note.setText(f"Times are shown in {fmt.zone_label()}; each schedule runs in its own time zone.")
        self._update_bulk()
        self.load_finished()

    def item(self, name: str) -> domain.ScheduleCard | None:
        return next((i for i in self.items if i.name == name), None)

    # --- live events ---

    def _schedule_changed(self, event: ev.ScheduleChanged) -> None:
        if event.change == "next_run" and event.schedule in self.cards:
            card = self.cards[event.schedule]
            if card.item is not None and not card.item.paused and card.item.frequency != domain.Frequency.MANUAL:
                card.next.set_target(event.next_run_at, "Next run: —")
            return
        self.schedule_refresh()

    def _run_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunQueued | ev.RunStarted) and event.schedule:
            self._run_schedule[event.run_id] = event.schedule
        name = self._run_schedule.get(getattr(event, "run_id", -1))
        card = self.cards.get(name) if name else None
        if isinstance(event, ev.RunQueued) and card is not None:
            card.show_progress(event.run_id, 0, 0, 0, "queued")
        elif isinstance(event, ev.RunStarted) and card is not None:
            card.show_progress(event.run_id, 0, 0, event.windows)
        elif isinstance(event, ev.RunProgress) and card is not None:
            card.show_progress(event.run_id, event.rows, event.windows_done, event.windows_total)
        elif isinstance(event, ev.RunFinished):
            self._run_schedule.pop(event.run_id, None)
            if card is not None and card.run_id == event.run_id:
                card.clear_progress()
            self.schedule_refresh()

    # --- selection ---

    def _checked(self, name: str, on: bool) -> None:
        (self.checked.add if on else self.checked.discard)(name)
        self._update_bulk()

    def _select_all(self, on: bool) -> None:
        for card in self.cards.values():
            card.select.setChecked(on)

    def _update_bulk(self) -> None:
        count = len(self.checked)
        for button in self.bulk.values():
            button.setEnabled(count > 0)
        self.selected_label.setText(f"{count} selected" if count else "")

    def select(self, name: str) -> None:
        self.current = name
        for card_name, card in self.cards.items():
            card.set_selected(card_name == name)
        if name in self.cards:
            self.list_scroll.ensureWidgetVisible(self.cards[name])

    def selected_names(self) -> list[str]:
        if self.checked:
            return [i.name for i in self.items if i.name in self.checked]
        return [self.current] if self.current in self.cards else []

    # --- actions ---

    def sync_selected(self) -> None:
        names = self.selected_names()
        if not names:
            self.message.emit("Select a schedule first (click a card or tick its box), then press Ctrl+R")
            return
        for name in names:
            self.action(name, "sync")

    def bulk_action(self, key: str) -> None:
        names = self.selected_names()
        if not names:
            return
        if key == "delete":
            listed = ", ".join(names)
            if not dialogs.confirm(self, "Delete schedules", f"Delete {len(names)} schedule(s): {listed}?\n\n"
                                   "Their run history is kept."):
                return
            for name in names:
                self._write(self.ctx.services.schedules.remove, name, done=f"Deleted {name!r}; its history is kept")
        else:
            for name in names:
                self.action(name, key)

    def action(self, name: str, key: str) -> None:
        services = self.ctx.services
        self.select(name)
        if key == "sync":
            self.ctx.workers.run(services.runs.request, name, lane="write", owner=self,
                                 on_done=functools.partial(self._queued, name), on_error=self._error)
        elif key in ("pause", "resume", "toggle_pause"):
            item = self.item(name)
            paused = not (item is not None and item.own_paused) if key == "toggle_pause" else key == "pause"
            if item is not None:  # optimistic: a second click before the refresh toggles back
                self.items[self.items.index(item)] = dataclasses.replace(item, own_paused=paused)
            self._write(services.schedules.pause if paused else services.schedules.resume, name,
                        done=f"{name}: {'paused' if paused else 'resumed'}")
        elif key == "edit":
            self._open_editor(name, editing=True)
        elif key == "duplicate":
            self._open_editor(name, editing=False)
        elif key == "delete":
            if dialogs.confirm(self, "Delete schedule", f"Delete the schedule {name!r}?\n\nIts run history is kept; "
                               "the account and its data stay."):
                self._write(services.schedules.remove, name, done=f"Deleted {name!r}; its history is kept")
        elif key == "backfill":
            self.dialog = BackfillDialog(self.ctx, name, self)
            self.dialog.open()
        elif key == "cancel":
            card = self.cards.get(name)
            if card is not None and card.run_id is not None:
                run_id = card.run_id
                self.ctx.workers.run(services.runs.cancel, run_id, lane="write", owner=self, on_error=self._error,
                                     on_done=lambda result: self.message.emit(f"Run #{run_id}: " + (
                                         "stopping at its next page" if result.requested else result.word)))

    def _write(self, fn: Any, *args: Any, done: str = "") -> None:
        def written(_: object) -> None:
            if done:
                self.message.emit(done)
            self.refresh()

        self.ctx.workers.run(fn, *args, lane="write", owner=self, on_error=self._error, on_done=written)

    def _queued(self, name: str, request: domain.SyncRequest) -> None:
        if request.status == "skipped":
            self.message.emit(f"{name}: not started — a run of it is still active (recorded as skipped)")
        else:
            self.message.emit(f"{name}: run #{request.run_id} queued")
        self.schedule_refresh()

    def _error(self, exc: Exception) -> None:
        self.message.emit(dialogs.plain(str(exc)))
        self.refresh()

    def _saved(self, name: str) -> None:
        self.message.emit(f"Saved schedule {name!r}")
        self.refresh()

    def new_schedule(self) -> None:
        self._open_editor(None, editing=False)

    def _open_editor(self, name: str | None, editing: bool) -> None:
        """Open the editor on the schedule as stored now (the cards may be one refresh behind)."""
        def load(services: Any) -> tuple[Sequence[domain.AccountInfo], Sequence[domain.ScheduleCard]]:
            return services.accounts.list(), services.schedules.cards()

        def loaded(found: tuple[Sequence[domain.AccountInfo], Sequence[domain.ScheduleCard]]) -> None:
            self._show_editor(found[0], found[1], name, editing)

        self.ctx.workers.run(load, self.ctx.services, lane="write", owner=self, on_done=loaded)

    def _show_editor(self, accounts: Sequence[domain.AccountInfo], items: Sequence[domain.ScheduleCard],
                     name: str | None, editing: bool) -> None:
        item = next((i for i in items if i.name == name), None)
        if name is not None and item is None:
            self.message.emit(f"The schedule {name!r} no longer exists")
            self.refresh()
            return
        self.dialog = ScheduleDialog(self.ctx, accounts, {i.name for i in items}, item, editing, self)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()


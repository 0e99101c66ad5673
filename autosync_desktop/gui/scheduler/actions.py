"""The Schedules page's actions: Sync now, Pause / Resume, Edit, Duplicate, Backfill, Cancel and Delete on one
schedule or the selection, and opening the editor on the schedules as stored now. Every change goes through the
services on the write worker; the page refreshes when it is done. `ScheduleActions` is the page's base class
(gui/scheduler/view.py builds and loads the page).
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from autosync_desktop import domain
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.scheduler import describe
from autosync_desktop.gui.scheduler.backfill import BackfillDialog
from autosync_desktop.gui.scheduler.delegate import ScheduleList
from autosync_desktop.gui.scheduler.detail import ScheduleDetail
from autosync_desktop.gui.scheduler.editor import ScheduleDialog
from autosync_desktop.gui.scheduler.model import ScheduleListModel
from autosync_desktop.gui.widgets import dialogs
from autosync_desktop.gui.widgets.base_view import BaseView


class ScheduleActions(BaseView):
    """What the page's buttons, its pane and its shortcuts do (the page sets the attributes below)."""

    ctx: AppContext
    model: ScheduleListModel
    list: ScheduleList
    detail: ScheduleDetail
    current: str | None
    dialog: Any
    _pending_select: str | None

    def selected_names(self) -> builtins.list[str]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedRows())
        if rows:
            return self.model.names(rows)
        return [self.current] if self.current in self.model.entries else []

    def sync_selected(self) -> None:
        names = self.selected_names()
        if not names:
            self.message.emit("Select a schedule first (click it in the list), then press Ctrl+R")
            return
        for name in names:
            self.action(name, "sync")

    def bulk_action(self, key: str) -> None:
        names = self.selected_names()
        if not names:
            return
        if key == "delete":
            listed = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
            if not dialogs.confirm(self, "Delete schedules", f"Delete {len(names)} schedule(s): {listed}?\n\n"
                                   "Their run history is kept." + self._links_lost(names)):
                return
            for name in names:
                self._write(self.ctx.services.schedules.remove, name, True, done=f"Deleted {name!r}; its history "
                                                                                 "is kept")
        else:
            for name in names:
                self.action(name, key)

    def action(self, name: str, key: str) -> None:
        services = self.ctx.services
        if key == "sync":
            self.ctx.workers.run(services.runs.request, name, lane="write", owner=self,
                                 on_done=functools.partial(self._queued, name), on_error=self._error)
        elif key in ("pause", "resume", "toggle_pause"):
            entry = self.model.entries.get(name)
            own = entry is not None and entry.item.own_paused
            paused = not own if key == "toggle_pause" else key == "pause"
            if entry is not None:  # optimistic: a second click before the refresh toggles back
                entry.item = dataclasses.replace(entry.item, own_paused=paused)
                if name == self.current:
                    self.detail.show_entry(entry, self.model.now)
            self._write(services.schedules.pause if paused else services.schedules.resume, name,
                        done=f"{name}: {'paused' if paused else 'resumed'}")
        elif key == "edit":
            self._open_editor(name, editing=True)
        elif key == "duplicate":
            self._open_editor(name, editing=False)
        elif key == "delete":
            if dialogs.confirm(self, "Delete schedule", f"Delete the schedule {name!r}?\n\nIts run history is kept; "
                               "the account and its data stay." + self._links_lost([name])):
                self._write(services.schedules.remove, name, True, done=f"Deleted {name!r}; its history is kept")
        elif key == "backfill":
            self.dialog = BackfillDialog(self.ctx, name, self)
            self.dialog.open()
        elif key == "cancel":
            entry = self.model.entries.get(name)
            if entry is not None and entry.run_id is not None:
                run_id = entry.run_id
                self.ctx.workers.run(services.runs.cancel, run_id, lane="write", owner=self, on_error=self._error,
                                     on_done=functools.partial(self._cancelled, run_id))

    def _links_lost(self, names: Sequence[str]) -> str:
        downstream = {name: entry.item.downstream for name, entry in self.model.entries.items()}
        words = describe.links_lost_words(names, downstream)
        return f"\n\n{words}" if words else ""

    def _cancelled(self, run_id: int, result: domain.CancelResult) -> None:
        self.message.emit(f"Run #{run_id}: " + ("stopping at its next page" if result.requested else result.word))

    def _write(self, fn: Any, *args: Any, done: str = "") -> None:
        self.ctx.workers.run(fn, *args, lane="write", owner=self, on_error=self._error,
                             on_done=functools.partial(self._written, done))

    def _written(self, done: str, _: object) -> None:
        if done:
            self.message.emit(done)
        self.refresh()

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
        self._pending_select = name
        self.refresh()

    def new_schedule(self) -> None:
        self._open_editor(None, editing=False)

    def _open_editor(self, name: str | None, editing: bool) -> None:
        """Open the editor on the schedule as stored now (the list may be one refresh behind)."""
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
        self.dialog = ScheduleDialog(self.ctx, accounts, {i.name for i in items}, item, editing, self,
                                     schedules=items)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()

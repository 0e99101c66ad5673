"""The live activity feed: real run events, newest first; a click opens the run in History.

At start it shows the newest run log lines from the store (RunEvent joined to its run, via
services.runs.recent_activity), then it continues with the bus events as they happen: queued, started, progress
(one line per run, updated in place), log lines, and the end (succeeded / failed with the reason / cancelled /
skipped / interrupted). Catch-up and retry runs say so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from autosync_desktop import events as ev
from autosync_desktop.domain import ActivityLine
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import Card, muted

MAX_ITEMS = 500
RUN_ID_ROLE = Qt.ItemDataRole.UserRole
LEVEL_STATUS = {"info": None, "warning": "warning", "error": "failed"}


def _who(schedule: str | None, account: str) -> str:
    return schedule or account


def _trigger_note(trigger: str) -> str:
    return {"catch-up": " (catch-up for a missed run)", "retry": " (retry after a rate limit)",
            "backfill": " (backfill)", "manual": " (manual)"}.get(trigger, "")


class ActivityFeed(Card):
    open_run = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Activity", parent, accessible="Activity feed")
        self.hint = muted("Live: newest first. Click an entry to open its run in History.", "Activity hint")
        self.list = QListWidget()
        self.list.setAccessibleName("Activity feed entries")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.empty = muted("No runs yet. Activity appears here as syncs run.", "Activity empty state")
        layout = QVBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.outer.addLayout(layout, 1)
        self._progress_items: dict[int, QListWidgetItem] = {}
        self._seen_event_ids: set[int] = set()
        self._live_queued: set[int] = set()  # runs whose queue / end the live feed already showed
        self._live_finished: set[int] = set()
        self._update_empty()

    # --- history from the store ---

    def load_history(self, rows: tuple[ActivityLine, ...]) -> None:
        """Append the stored events (newest first, as the store orders them) below the live ones so far.

        Each finished run also gets its end line (from the run's row), above its newest log line, like the
        live feed shows it."""
        ended: set[int] = set()
        for row in rows:
            if row.event_id in self._seen_event_ids:
                continue
            self._seen_event_ids.add(row.event_id)
            who = _who(row.schedule, row.account)
            if row.run_id in self._live_finished:
                ended.add(row.run_id)  # its end line came live while the history was loading
            if row.run_id in self._live_queued and row.message.startswith("Queued"):
                continue  # said live already
            if row.run_id not in ended and row.run_finished_at and row.run_status.is_final:
                ended.add(row.run_id)
                self._add(row.run_id, row.run_finished_at, self._end_text(
                    row.run_id, who, row.run_status, row.run_rows, row.run_duration_s, row.run_error,
                    row.trigger), row.run_status, top=False, position=self.list.count())
            if row.level == "error" and row.message == row.run_error:
                continue  # already said by the run's end line
            text = f"#{row.run_id} {who}: {row.message}"
            self._add(row.run_id, row.at, text, LEVEL_STATUS.get(row.level) or "idle", top=False,
                      position=self.list.count())

    # --- live events ---

    def on_event(self, event: ev.Event) -> None:
        at = fmt.parse(event.at)
        if isinstance(event, ev.RunQueued):
            self._live_queued.add(event.run_id)
            self._add(event.run_id, at, f"#{event.run_id} {_who(event.schedule, event.account)}: queued"
                      f"{_trigger_note(event.trigger)}", "queued")
        elif isinstance(event, ev.RunStarted):
            self._add(event.run_id, at, f"#{event.run_id} {_who(event.schedule, event.account)}: started "
                      f"({event.windows} date window{'s' if event.windows != 1 else ''}, {event.platform})"
                      f"{_trigger_note(event.trigger)}", "running")
        elif isinstance(event, ev.RunProgress):
            text = (f"#{event.run_id} in progress: {event.rows:,} rows, {event.campaigns:,} campaigns, window "
                    f"{min(event.windows_done + 1, max(event.windows_total, 1))} of {max(event.windows_total, 1)}")
            item = self._progress_items.get(event.run_id)
            if item is None or self.list.row(item) < 0:
                self._progress_items[event.run_id] = self._add(event.run_id, at, text, "running")
            else:
                item.setText(f"{fmt.fmt_short(at)}  {text}")
        elif isinstance(event, ev.RunLog):
            if event.level != "info":
                self._add(event.run_id, at, f"#{event.run_id} {event.level}: {event.message}",
                          LEVEL_STATUS.get(event.level, "warning"))
        elif isinstance(event, ev.RunFinished):
            self._finished(event, at)

    @staticmethod
    def _end_text(run_id: int, who: str, status: str, rows: int, duration_s: float | None, error: str | None,
                  trigger: str, error_class: str | None = None) -> str:
        if status == "succeeded":
            text = f"#{run_id} {who}: succeeded, {rows:,} rows in {fmt.fmt_duration(duration_s)}"
        elif status == "skipped":
            text = f"#{run_id} {who}: skipped — {error or 'another run was still active'}"
        elif status == "failed":
            kind = f"{error_class}: " if error_class else ""
            text = f"#{run_id} {who}: failed — {kind}{error or 'no reason recorded'}"
        else:
            text = f"#{run_id} {who}: {status}" + (f" — {error}" if error else "")
        return text + (_trigger_note(trigger) if trigger in ("catch-up", "retry") else "")

    def _finished(self, event: ev.RunFinished, at: Any) -> None:
        self._live_finished.add(event.run_id)
        who = _who(event.schedule, event.account)
        text = self._end_text(event.run_id, who, event.status, event.rows, event.duration_s, event.error,
                              event.trigger, event.error_class)
        if event.status == "failed" and event.retry_at is not None:
            text += f" (retry scheduled {fmt.fmt_clock(event.retry_at)})"
        progress = self._progress_items.pop(event.run_id, None)
        if progress is not None and self.list.row(progress) >= 0:
            self.list.takeItem(self.list.row(progress))
        self._add(event.run_id, at, text, event.status)

    # --- items ---

    def _add(self, run_id: int, at: Any, text: str, status: str | None, top: bool = True,
             position: int = 0) -> QListWidgetItem:
        moment = fmt.parse(at)
        item = QListWidgetItem(theme.status_icon(status), f"{fmt.fmt_short(moment)}  {text}")
        item.setData(RUN_ID_ROLE, run_id)
        item.setData(Qt.ItemDataRole.UserRole + 1, moment.isoformat() if moment else "")
        item.setToolTip(f"{text}\nClick to open run #{run_id} in History")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        self.list.insertItem(0 if top else position, item)
        while self.list.count() > MAX_ITEMS:
            self.list.takeItem(self.list.count() - 1)
        self._update_empty()
        return item

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _update_empty(self) -> None:
        empty = self.list.count() == 0
        self.empty.setVisible(empty)
        self.list.setVisible(not empty)

    def _activated(self, item: QListWidgetItem) -> None:
        run_id = item.data(RUN_ID_ROLE)
        if run_id is not None:
            self.open_run.emit(int(run_id))

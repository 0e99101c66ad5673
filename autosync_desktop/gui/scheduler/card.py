"""One schedule as a card: what, when, its status, the last result, the next run, live progress and actions."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from autosync_desktop import domain
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.countdown import CountdownLabel
from autosync_desktop.gui.widgets.status_badge import StatusBadge

TYPE_WORDS = {"both": "campaigns + performance", "campaigns": "campaigns only", "performance": "performance only"}


def schedule_status(item: domain.ScheduleCard) -> tuple[str, str]:
    """(status word for colour/icon, text) of a schedule card."""
    active = item.active_run
    if active is not None:
        return active.status.value, "Running" if active.status == domain.RunStatus.RUNNING else "Queued"
    if item.paused:
        return "paused", "All paused" if item.paused_all and not item.own_paused else "Paused"
    last = item.last_run
    if last is None:
        return "idle", "Never run" if item.frequency != domain.Frequency.MANUAL else "Manual"
    return last.status.value, theme.label_of(last.status.value)


def last_run_text(last: domain.ScheduleRun | None) -> str:
    if last is None:
        return "Last run: none yet"
    when = fmt.fmt_ago(last.finished_at or last.queued_at)
    text = f"Last run: {theme.label_of(last.status.value).lower()} {when}"
    if last.status == domain.RunStatus.SUCCEEDED:
        text += f" — {last.rows:,} rows in {fmt.fmt_duration(last.duration_s)}"
    elif last.error or last.reason:
        text += f" — {last.error or last.reason}"
    return text


class ScheduleCard(Card):
    action = Signal(str, str)  # schedule name, action
    checked = Signal(str, bool)
    clicked = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent, accessible=f"Schedule {name}")
        self.name = name
        self.item: domain.ScheduleCard | None = None
        self.run_id: int | None = None
        self.select = QCheckBox()
        self.select.setAccessibleName(f"Select {name}")
        self.select.setToolTip("Select for bulk actions")
        self.select.toggled.connect(lambda on: self.checked.emit(self.name, on))
        self.name_label = QLabel(name)
        self.name_label.setProperty("role", "card-title")
        self.name_label.setAccessibleName(f"{name} name")
        self.badge = StatusBadge()
        top = QHBoxLayout()
        top.addWidget(self.select)
        top.addWidget(self.name_label)
        top.addSpacing(8)
        top.addWidget(self.badge)
        top.addStretch(1)
        self.sync_button = QPushButton(theme.icon("sync"), "Sync now")
        self.sync_button.setAccessibleName(f"Sync {name} now")
        self.sync_button.clicked.connect(lambda: self.action.emit(self.name, "sync"))
        top.addWidget(self.sync_button)
        self.pause_button = self._tool("pause", "Pause", "toggle_pause")
        self.buttons = {"pause": self.pause_button}
        top.addWidget(self.pause_button)
        for key, icon, text in (("edit", "edit", "Edit…"), ("duplicate", "duplicate", "Duplicate…"),
                                ("backfill", "backfill", "Backfill a date range…"), ("delete", "delete", "Delete…")):
            button = self._tool(icon, text, key)
            self.buttons[key] = button
            top.addWidget(button)
        self.outer.addLayout(top)
        self.what = muted("", f"{name} account and type")
        self.frequency = QLabel()
        self.frequency.setAccessibleName(f"{name} frequency")
        self.last = QLabel()
        self.last.setAccessibleName(f"{name} last run")
        self.last.setWordWrap(True)
        self.next = CountdownLabel("Next run: —", name=f"{name} next run", prefix="Next run: ")
        info = QHBoxLayout()
        info.addWidget(self.frequency)
        info.addSpacing(28)
        info.addWidget(self.next)
        info.addStretch(1)
        self.outer.addWidget(self.what)
        self.outer.addLayout(info)
        self.outer.addWidget(self.last)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(f"{name} progress")
        self.progress.setFormat("%p %")
        self.progress_text = QLabel()
        self.progress_text.setAccessibleName(f"{name} rows so far")
        self.cancel_button = QPushButton(theme.icon("cancel"), "Cancel")
        self.cancel_button.setAccessibleName(f"Cancel the running sync of {name}")
        self.cancel_button.clicked.connect(lambda: self.action.emit(self.name, "cancel"))
        running = QHBoxLayout()
        running.addWidget(self.progress, 2)
        running.addWidget(self.progress_text, 2)
        running.addWidget(self.cancel_button)
        self.running_row = QWidget()
        self.running_row.setLayout(running)
        running.setContentsMargins(0, 0, 0, 0)
        self.outer.addWidget(self.running_row)
        self.running_row.hide()

    def _tool(self, icon: str, text: str, key: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(theme.icon(icon))
        button.setIconSize(QSize(18, 18))
        button.setToolTip(text)
        button.setAccessibleName(f"{text.rstrip('…')} {self.name}")
        button.clicked.connect(lambda: self.action.emit(self.name, key))
        return button

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.name)
        super().mousePressEvent(event)

    def update_item(self, item: domain.ScheduleCard) -> None:
        self.item = item
        status, text = schedule_status(item)
        self.badge.set_status(status, text)
        lookback = f" · lookback {item.lookback_days} d" if item.lookback_days is not None else ""
        self.what.setText(f"{item.account} · {item.platform_label} · {TYPE_WORDS.get(item.type, item.type)}"
                          f"{lookback}")
        self.frequency.setText(item.description + (" · missed runs are skipped"
                                                   if item.missed == domain.MissedPolicy.SKIP else ""))
        self.last.setText(last_run_text(item.last_run))
        if item.paused:
            self.next.set_target(None, "Next run: paused")
        elif item.frequency == domain.Frequency.MANUAL:
            self.next.set_target(None, "Next run: only when you start it")
        else:
            self.next.set_target(item.next_run_at, "Next run: —")
        own = item.own_paused
        self.pause_button.setIcon(theme.icon("play" if own else "pause"))
        self.pause_button.setToolTip("Resume" if own else "Pause")
        self.pause_button.setAccessibleName(f"{'Resume' if own else 'Pause'} {self.name}")
        active = item.active_run
        if active is not None:
            self.show_progress(active.id, active.rows, 0, 0, active.status.value)
        else:
            self.clear_progress()

    def show_progress(self, run_id: int, rows: int, done: int, total: int, status: str = "running") -> None:
        """Show a run's progress; called for every (coalesced) progress event, so only changes touch Qt."""
        if self.run_id != run_id or self.badge.status != status:
            self.run_id = run_id
            self.running_row.show()
            self.badge.set_status(status, "Running" if status == "running" else "Queued")
            self.sync_button.setEnabled(False)
        if total:
            if self.progress.maximum() != total:
                self.progress.setRange(0, total)
                self.progress.setFormat(f"window %v of {total}")
            self.progress.setValue(min(done + 1, total) if done < total else total)
        elif self.progress.maximum() != 0:
            self.progress.setRange(0, 0)
        self.progress_text.setText(f"{rows:,} rows so far" if status == "running" else "waiting to start")

    def clear_progress(self) -> None:
        self.run_id = None
        self.progress.setRange(0, 1)
        self.running_row.hide()
        self.sync_button.setEnabled(True)

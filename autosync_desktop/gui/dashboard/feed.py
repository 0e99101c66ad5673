"""The live activity feed: one row per run, newest first.

A row says what ran (the schedule's name in bold, elided at its end so its beginning stays readable, then the
account in muted text; "schedule · account" in full in the tooltip), its status (icon and word,
never colour alone), when ("3 min ago", the exact time on hover), rows and duration; a running run shows its
live progress (window N of M, rows written so far) from the bridge's coalesced RunProgress events; a failed one its
reason in plain words. The arrow opens the run's window-level log (read on demand through the view) and an
"Open in History" button; a double-click opens the run in History too.

The rows come from the newest page of runs in the store (`services.runs.page`, re-read at every Dashboard
refresh, so runs started by the CLI or a service appear too) and are kept current between refreshes by the bus
events (queued, started, progress, finished).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import events as ev
from autosync_desktop.domain import RunLogLine, RunRow, RunStatus
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.dashboard import text as words
from autosync_desktop.gui.dashboard.elided import ElidedLabel
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.empty_state import EmptyState

MAX_ROWS = 60
PAGE = 40  # runs read from the store at each refresh
TRIGGER_WORDS = {"catch-up": "catch-up for a missed run", "retry": "retry after a rate limit",
                 "backfill": "backfill", "manual": "started by hand"}
_WINDOW = re.compile(r"^Window (\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d): (.*)$")


@dataclass
class Entry:
    """What the feed knows about one run (from the store's page, then from the bus)."""

    run_id: int
    schedule: str | None
    account: str
    trigger: str
    status: str
    at: datetime | None  # queued, then started, then finished
    rows: int = 0
    duration_s: float | None = None
    error_class: str | None = None
    error: str | None = None
    windows_done: int = 0
    windows_total: int = 0
    retry_at: datetime | None = None

    @property
    def who(self) -> str:
        return f"{self.schedule} · {self.account}" if self.schedule else self.account

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


def entry_of(run: RunRow) -> Entry:
    at = run.finished_at or run.started_at or run.queued_at
    return Entry(run_id=run.id, schedule=run.schedule, account=run.account, trigger=run.trigger.value,
                 status=run.status.value, at=at, rows=run.rows, duration_s=run.duration_s,
                 error_class=run.error_class, error=run.error or run.reason)


def log_line(line: RunLogLine) -> str:
    """A log line for the expander: "06:00:12  Nov 5 – Dec 3: 193 rows" (window lines get readable dates)."""
    message = line.message
    match = _WINDOW.match(message)
    if match:
        first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        span = words.day_label(first) if first == last else f"{words.day_label(first)} – {words.day_label(last)}"
        message = f"{span}: {match[3]}"
    local = fmt.local(line.at)
    return f"{local:%H:%M:%S}  {message}" if local else message


def status_line(entry: Entry) -> str:
    """ "Succeeded · 1,234 rows · 2.3 s", "Running · window 2 of 4 · 310 rows", "Queued · backfill"."""
    parts = [theme.label_of(entry.status)]
    if entry.trigger in TRIGGER_WORDS and entry.trigger != "manual":
        parts.append(TRIGGER_WORDS[entry.trigger])
    if entry.status == RunStatus.RUNNING:
        if entry.windows_total:
            parts.append(f"window {min(entry.windows_done + 1, entry.windows_total)} of {entry.windows_total}")
        parts.append(f"{entry.rows:,} rows")
    elif entry.status in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.INTERRUPTED):
        if entry.rows or entry.status == RunStatus.SUCCEEDED:
            parts.append(f"{entry.rows:,} row{'s' if entry.rows != 1 else ''}")
        if entry.duration_s is not None:
            parts.append(fmt.fmt_duration(entry.duration_s))
    return " · ".join(parts)


def reason_line(entry: Entry) -> str:
    """Why it did not succeed, in plain words ("" when it did, or is still going)."""
    if entry.status == RunStatus.FAILED:
        return words.plain_reason(entry.error_class, entry.error, entry.retry_at, fmt.fmt_clock)
    if entry.status == RunStatus.SKIPPED:
        return entry.error or "Another run of it was still going"
    if entry.status in (RunStatus.CANCELLED, RunStatus.INTERRUPTED) and entry.error:
        if entry.status == RunStatus.INTERRUPTED:
            return words.plain_reason("Interrupted", entry.error)
        return entry.error
    return ""


def _wrapping(text: str = "", name: str = "Detail") -> QLabel:
    label = muted(text, name)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens the feed
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FeedRow(QFrame):
    """One run in the feed."""

    open_run = Signal(int)
    log_requested = Signal(int)

    def __init__(self, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setProperty("feedrow", True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._log_loaded = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 5, 6, 5)
        outer.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(4)
        self.expand = QToolButton()
        self.expand.setArrowType(Qt.ArrowType.RightArrow)
        self.expand.setCheckable(True)
        self.expand.setAutoRaise(True)
        self.expand.setFixedSize(QSize(18, 18))
        self.expand.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.expand.toggled.connect(self._toggle_log)
        self.icon = QLabel()
        self.icon.setFixedSize(QSize(16, 16))
        self.title = ElidedLabel(name="Run")
        font = self.title.font()
        font.setWeight(font.Weight.DemiBold)
        self.title.setFont(font)
        self.account = ElidedLabel(name="Account", role="muted")
        self.account.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # what the schedule leaves
        self.when = QLabel()
        self.when.setProperty("role", "muted")
        top.addWidget(self.expand)
        top.addWidget(self.icon)
        top.addWidget(self.title)
        top.addWidget(self.account, 1)
        top.addWidget(self.when)
        outer.addLayout(top)
        self.status = ElidedLabel(name="Status")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.reason = _wrapping(name="Why")
        self.log = _wrapping("Loading the log…", "Run log")
        self.history_button = QPushButton("Open in History")
        self.history_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.history_button.clicked.connect(lambda: self.open_run.emit(self.entry.run_id))
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 2, 0, 2)
        details.setSpacing(4)
        details.addWidget(self.log)
        button_row = QHBoxLayout()
        button_row.addWidget(self.history_button)
        button_row.addStretch(1)
        details.addLayout(button_row)
        self.details.hide()
        for widget in (self.status, self.progress, self.reason, self.details):
            box = QHBoxLayout()
            box.setContentsMargins(42, 0, 0, 0)
            box.addWidget(widget, 1)
            outer.addLayout(box)
        self.update_entry(entry)

    @property
    def run_id(self) -> int:
        return self.entry.run_id

    def update_entry(self, entry: Entry) -> None:
        self.entry = entry
        run = f"run #{entry.run_id}"
        self.title.setText(entry.schedule or entry.account)
        self.title.setToolTip(entry.who)
        self.account.setText(entry.account if entry.schedule else "")
        self.account.setToolTip(entry.who)
        self.account.setVisible(bool(entry.schedule))
        self.icon.setPixmap(theme.status_icon(entry.status).pixmap(QSize(16, 16)))
        self.icon.setAccessibleName(f"{theme.label_of(entry.status)} icon")
        self.icon.setToolTip(theme.label_of(entry.status))
        self.status.setText(status_line(entry))
        palette = self.status.palette()
        palette.setColor(QPalette.ColorRole.WindowText, theme.status_color(entry.status))
        self.status.setPalette(palette)
        reason = reason_line(entry)
        self.reason.setText(reason)
        self.reason.setToolTip(entry.error or "")
        self.reason.setVisible(bool(reason))
        running = entry.status == RunStatus.RUNNING
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, max(entry.windows_total, 1))
            self.progress.setValue(min(entry.windows_done, max(entry.windows_total, 1)))
            self.progress.setAccessibleName(f"Progress of {run}: {status_line(entry)}")
        self.expand.setAccessibleName(f"Show the log of {run}")
        self.expand.setToolTip(f"Show the log of {run}")
        self.history_button.setAccessibleName(f"Open {run} in History")
        self.setAccessibleName(f"{entry.who}: {status_line(entry)}" + (f". {reason}" if reason else ""))
        if self._log_loaded and not entry.active:
            self._log_loaded = False  # re-read when opened again: the run wrote more
            if self.expand.isChecked():
                self.log_requested.emit(entry.run_id)
                self._log_loaded = True
        self.tick()

    def tick(self, now: datetime | None = None) -> None:
        at = self.entry.at
        text = words.ago(at, now or datetime.now(UTC))
        if text != self.when.text():
            self.when.setText(text)
        exact = fmt.fmt_time(at, seconds=True)
        if self.when.toolTip() != exact:
            self.when.setToolTip(f"{exact} ({fmt.zone_label()})")
            self.when.setAccessibleName(f"Time: {exact}")

    def _toggle_log(self, shown: bool) -> None:
        self.expand.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.details.setVisible(shown)
        if shown and not self._log_loaded:
            self._log_loaded = True
            self.log.setText("Loading the log…")
            self.log_requested.emit(self.entry.run_id)

    def set_log(self, lines: Sequence[RunLogLine] | None, error: str | None = None) -> None:
        if error is not None:
            self._log_loaded = False
            self.log.setText(f"Could not read the log: {error}")
        elif not lines:
            self.log.setText("Nothing logged yet")
        else:
            self.log.setText("\n".join(log_line(line) for line in lines))

    def text(self) -> str:
        """The row as one line of text (tests, accessibility)."""
        reason = self.reason.text() if self.reason.isVisibleTo(self) else ""
        account = self.account.text() if self.account.isVisibleTo(self) else ""
        return " | ".join(t for t in (self.title.text(), account, self.status.text(), self.when.text(), reason) if t)

    def mouseDoubleClickEvent(self, event: object) -> None:
        self.open_run.emit(self.entry.run_id)


class ActivityFeed(Card):
    open_run = Signal(int)
    log_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Activity", parent, accessible="Activity feed")
        self.hint = muted("Newest first, live", "Activity hint")
        self.hint.setWordWrap(False)
        self.header.addWidget(self.hint)
        self.rows: dict[int, FeedRow] = {}
        self.container = QWidget()
        self.container.setAccessibleName("Activity feed entries")
        self.column = QVBoxLayout(self.container)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(0)
        self.column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.container)
        self.scroll_area.setAccessibleName("Activity feed list")
        self.empty = EmptyState("Loading…", name="Activity empty state")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll_area)
        self.stack.addWidget(self.empty)
        self.outer.addWidget(self.stack, 1)
        self.setStyleSheet("QFrame[feedrow=\"true\"] { border: none; border-bottom: 1px solid palette(midlight); }")
        self.container.setAutoFillBackground(False)
        self.scroll_area.viewport().setAutoFillBackground(False)
        self._loaded = False
        self._update_empty()

    # --- from the store ---

    def load_runs(self, runs: Sequence[RunRow]) -> None:
        """Merge the newest page of runs (newest first); what the bus already said newer is kept."""
        self._loaded = True
        for run in runs:
            entry = entry_of(run)
            row = self.rows.get(run.id)
            if row is None:
                self._insert(entry)
                continue
            old = row.entry
            if not old.active and entry.active:
                continue  # the bus said it ended after this page was read
            if entry.active:  # keep the live progress the store does not hold
                entry.windows_done, entry.windows_total = old.windows_done, old.windows_total
                entry.rows = max(entry.rows, old.rows)
            entry.retry_at = old.retry_at
            row.update_entry(entry)
        self._trim()
        self._update_empty()

    # --- live events ---

    def on_event(self, event: ev.Event) -> None:
        at = fmt.parse(event.at)
        if isinstance(event, ev.RunQueued):
            row = self.rows.get(event.run_id)
            if row is None:
                self._insert(Entry(run_id=event.run_id, schedule=event.schedule, account=event.account,
                                   trigger=event.trigger, status=RunStatus.QUEUED.value, at=at))
                self._trim()
        elif isinstance(event, ev.RunStarted):
            entry = self._entry(event.run_id, event.schedule, event.account, event.trigger, at)
            entry.status, entry.at, entry.windows_total = RunStatus.RUNNING.value, at, event.windows
            self.rows[event.run_id].update_entry(entry)
        elif isinstance(event, ev.RunProgress):
            row = self.rows.get(event.run_id)
            if row is None or not row.entry.active:
                return
            entry = row.entry
            entry.status = RunStatus.RUNNING.value
            entry.rows, entry.windows_done, entry.windows_total = event.rows, event.windows_done, event.windows_total
            row.update_entry(entry)
        elif isinstance(event, ev.RunFinished):
            entry = self._entry(event.run_id, event.schedule, event.account, event.trigger, at)
            entry.status, entry.at, entry.rows, entry.duration_s = event.status, at, event.rows, event.duration_s
            entry.error_class, entry.error, entry.retry_at = event.error_class, event.error, event.retry_at
            self.rows[event.run_id].update_entry(entry)
        else:
            return
        self._update_empty()

    def _entry(self, run_id: int, schedule: str | None, account: str, trigger: str, at: datetime | None) -> Entry:
        row = self.rows.get(run_id)
        if row is None:
            row = self._insert(Entry(run_id=run_id, schedule=schedule, account=account, trigger=trigger,
                                     status=RunStatus.QUEUED.value, at=at))
            self._trim()
        return row.entry

    # --- rows ---

    def _insert(self, entry: Entry) -> FeedRow:
        row = FeedRow(entry)
        row.open_run.connect(self.open_run)
        row.log_requested.connect(self.log_requested)
        newer = sum(1 for run_id in self.rows if run_id > entry.run_id)
        self.rows[entry.run_id] = row
        self.column.insertWidget(newer, row)
        return row

    def _trim(self) -> None:
        for run_id in sorted(self.rows)[:-MAX_ROWS]:
            row = self.rows.pop(run_id)
            self.column.removeWidget(row)
            row.deleteLater()

    def set_log(self, run_id: int, lines: Sequence[RunLogLine] | None, error: str | None = None) -> None:
        row = self.rows.get(run_id)
        if row is not None:
            row.set_log(lines, error)

    def row(self, run_id: int) -> FeedRow | None:
        return self.rows.get(run_id)

    def ordered(self) -> list[FeedRow]:
        """The rows top to bottom (newest first)."""
        return [self.rows[run_id] for run_id in sorted(self.rows, reverse=True)]

    def texts(self) -> list[str]:
        return [row.text() for row in self.ordered()]

    def tick(self) -> None:
        now = datetime.now(UTC)
        for row in self.rows.values():
            row.tick(now)

    def _update_empty(self) -> None:
        if self.rows:
            self.stack.setCurrentWidget(self.scroll_area)
            return
        self.empty.setText("No runs yet. Each sync appears here as it runs." if self._loaded else "Loading…")
        self.stack.setCurrentWidget(self.empty)

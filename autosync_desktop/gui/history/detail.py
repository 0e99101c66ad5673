"""One run in detail: its timeline, date windows, counters, retries, the error in plain words, and its log.

The facts scroll (word-wrapped, long names elided in the middle with the full name in a tooltip) above the log,
so nothing is ever clipped at any window size; "Re-run" and "Open schedule" act on the shown run.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.history.model import trigger_words
from autosync_desktop.gui.scheduler.describe import platform_short
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.status_badge import StatusBadge

EXPLAIN = {
    "RateLimited": "The platform limited how many requests AutoSync may make. AutoSync waits for the reset time "
                   "the platform announces instead of retrying every minute; a long limit defers the run and one "
                   "retry run is scheduled for the reset.",
    "Transient": "A temporary problem on the network or at the platform (a server error or a timeout). AutoSync "
                 "retried with increasing waits; the next scheduled run will try again.",
    "AuthExpired": "The access token expired and could not be refreshed.",
    "ReauthRequired": "The platform no longer accepts this account's sign-in (it was revoked or expired). Sign in "
                      "again in Settings › Accounts; until then the account's syncs fail.",
    "Permanent": "The platform rejected the request (for example a missing permission or an unknown account). "
                 "Retrying will not help until the cause is fixed.",
    "Timeout": "The run took longer than its time limit (Settings › Sync & retries). The days it had "
               "already fetched are kept.",
    "Interrupted": "AutoSync stopped while this run was in progress (it was closed, crashed, or the computer lost "
                   "power). The days it had already fetched are kept; the next run continues from there.",
    "FileLocked": "Another program (often Excel) had the file open, so AutoSync could not replace it. Close the "
                  "file there, then run the schedule again; the file you had stays as it was.",
    "ExportFailed": "AutoSync could not write the file. The file you had stays as it was.",
}
STATUS_EXPLAIN = {
    "cancelled": "Cancelled on request. The days already fetched are kept and nothing re-runs it.",
    "skipped": "Not started, so it did not overlap another run (or a missed run its schedule is set to skip).",
    "queued": "Waiting for a free slot (how many syncs run at once: Settings › Sync & retries) or for AutoSync's "
              "scheduler to pick it up.",
    "running": "In progress.",
}
LEVEL_STATUS = {"info": "idle", "warning": "warning", "error": "failed"}
LEVEL_WORDS = {"warning": "Warning: ", "error": "Error: "}  # an info line is just its message


def plural(count: int, word: str) -> str:
    """'1 page', '4 pages', '1,070 rows'."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def counts_text(run: domain.RunRow) -> str:
    """'1,070 rows · 40 campaigns · 1 page · 2 API calls'; an export run: '362 rows in the file'."""
    if run.platform == "export":
        return f"{plural(run.rows, 'row')} in the file"
    return " · ".join((plural(run.rows, "row"), plural(run.campaigns, "campaign"), plural(run.pages, "page"),
                       plural(run.api_calls, "API call")))


def duration_text(run: domain.RunRow) -> str:
    """'12 min 34 s'; a run without a duration yet says why instead of a dash."""
    if run.duration_s is None and run.status == domain.RunStatus.RUNNING:
        return "Still running"
    if run.duration_s is None and run.status == domain.RunStatus.QUEUED:
        return "Not started yet"
    return fmt.duration(run.duration_s)


_PLAN = re.compile(r"^(\d+) window\(s\): (\S+) to (\S+) \((.+)\)$")
_WINDOW = re.compile(r"\b[Ww]indow (\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)")
_RETRY = re.compile(r"\b[A-Z][A-Za-z]+ \((.*)\); attempt (\d+) of (\d+), retrying in ([\d.]+) s$")


def plain_log(message: str) -> str:
    """The sync engine's log line in the window's words: its 'window(s)' are parts of the date range, an error
    class name gives way to its message ('4 window(s): 2026-09-06 to 2026-12-05 (UTC)' -> 'Fetching 2026-09-06
    to 2026-12-05 (UTC) in 4 parts'; 'Transient (…); attempt 1 of 2, retrying in 2.7 s' -> '…; try 1 of 2,
    trying again in 2.7 s'). Other lines are shown as recorded."""
    plan = _PLAN.match(message)
    if plan:
        count, first, last, zone = plan.groups()
        parts = "in one part" if count == "1" else f"in {count} parts"
        return f"Fetching {first} to {last} ({zone.rsplit('/', 1)[-1].replace('_', ' ')}) {parts}"
    message = _WINDOW.sub(lambda m: f"{m.group(1)} to {m.group(2)}", message)
    return _RETRY.sub(lambda m: f"{m.group(1)}; try {m.group(2)} of {m.group(3)}, trying again in {m.group(4)} s",
                      message)


def log_text(event: domain.RunLogLine) -> str:
    """'2026-12-05 07:12:09  Queued (manual)'; warnings and errors say so first."""
    return f"{fmt.fmt_time(event.at, seconds=True)}  {LEVEL_WORDS.get(event.level, '')}{plain_log(event.message)}"


def explain(run: domain.RunRow) -> str:
    """The error (or non-success) of a run in plain words, followed by the recorded message."""
    if run.status == domain.RunStatus.SUCCEEDED:
        return ""
    parts = []
    known = EXPLAIN.get(run.error_class or "")
    if known:
        parts.append(known)
    elif run.status in STATUS_EXPLAIN:
        parts.append(STATUS_EXPLAIN[run.status])
    recorded = run.error or run.reason
    if recorded:
        parts.append(f"Recorded message: {recorded}")
    return "\n\n".join(parts)


def windows_text(windows: domain.RunWindows | None) -> str:
    if windows is None:
        return "—"
    if windows.backfill:
        return f"{windows.first.isoformat()} to {windows.last.isoformat()} (backfill)"
    span = f"{windows.first.isoformat()} to {windows.last.isoformat()}"
    count = windows.count or 0
    return f"{span}, fetched in {count} parts" if count > 1 else span  # a 'window' is the engine's word


def missing_text(run: domain.RunRow) -> tuple[str, str] | None:
    """(label, value) for a run whose wait for its upstream schedules ended without some of them, else None:
    ("Ran without", "Meta daily (it had not synced)"); a skipped one: ("Waited for", "… (it did not sync in time)")."""
    if not run.missing_inputs:
        return None
    names = ", ".join(run.missing_inputs)
    one = len(run.missing_inputs) == 1
    if run.status == domain.RunStatus.SKIPPED:
        return "Waited for", f"{names} ({'it' if one else 'they'} did not sync in time)"
    return "Ran without", f"{names} ({'it' if one else 'they'} had not synced)"


NAME_LIMIT = 36  # columns of a schedule or account name before it is elided (the tooltip has it whole)


def _value(name: str) -> QLabel:
    label = QLabel("—")
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def what_text(run: domain.RunRow) -> tuple[str, str]:
    """(shown, tooltip) for the Run line: schedule, account (platform) and trigger, names elided."""
    schedule = fmt.elide(run.schedule, NAME_LIMIT) if run.schedule else "account's own sync"
    platform, trigger = platform_short(run.platform), trigger_words(run.trigger)
    if run.platform == "export":  # the morning file: it reads the stored figures of these accounts
        shown = f"{schedule}\nFile of {fmt.elide(run.account, NAME_LIMIT)} · {trigger}"
        return shown, f"Schedule: {schedule}\nA file of: {run.account}\nTrigger: {trigger}"
    shown = f"{schedule}\n{fmt.elide(run.account, NAME_LIMIT)} ({platform}) · {trigger}"
    schedule_full = run.schedule or "— (the account's own sync)"
    full = f"Schedule: {schedule_full}\nAccount: {run.account} ({platform})\nTrigger: {trigger}"
    return shown, full


def timeline_text(run: domain.RunRow) -> str:
    """One line per step: 'Queued   2026-11-28 06:00:00', 'Started …', 'Ended …'."""
    lines = [f"Queued {fmt.fmt_time(run.queued_at, seconds=True)}"]
    if run.started_at:
        lines.append(f"Started {fmt.fmt_time(run.started_at, seconds=True)}")
    if run.finished_at:
        lines.append(f"Ended {fmt.fmt_time(run.finished_at, seconds=True)}")
    return "\n".join(lines)


class RunDetail(Card):
    rerun_requested = Signal(object)  # the shown domain.RunRow
    open_schedule_requested = Signal(str)  # its schedule's name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run details", parent, accessible="Run details")
        self.run: domain.RunDetail | None = None
        self.badge = StatusBadge()
        self.badge.hide()
        self.header.addWidget(self.badge)
        self.placeholder = muted("Select a run to see its timeline, counts and log.", "No run selected")
        self.rerun_button = QPushButton(theme.icon("sync"), "Re-run")
        self.rerun_button.setAccessibleName("Run this run's schedule again")
        self.rerun_button.clicked.connect(self._rerun)
        self.schedule_button = QPushButton("Open schedule")
        self.schedule_button.setAccessibleName("Open this run's schedule")
        self.schedule_button.clicked.connect(self._open_schedule)
        self.action_row = QWidget()
        actions = QHBoxLayout(self.action_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.rerun_button)
        actions.addWidget(self.schedule_button)
        actions.addStretch(1)
        self.body = QWidget()
        # a grid, not a QFormLayout: the form gave a wrapped value less height than its lines (the third line of
        # the timeline was cut off at 1024x640); the grid asks each value its height for the width it gets
        form = QGridLayout(self.body)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(theme.SPACE_M)
        form.setColumnStretch(1, 1)
        self.fields: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        for row, (key, label) in enumerate((("what", "Run"), ("timeline", "Timeline"), ("duration", "Duration"),
                                            ("windows", "Dates"), ("counts", "Counts"), ("retries", "Retries"),
                                            ("missing", "Ran without"))):
            self.fields[key] = _value(f"Run {label.lower()}")
            name = self.names[key] = QLabel(label)
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            name.setBuddy(self.fields[key])
            form.addWidget(name, row, 0)
            form.addWidget(self.fields[key], row, 1)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAccessibleName("What went wrong")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts = QWidget()
        facts.setAccessibleName("Run facts")
        column = QVBoxLayout(facts)
        column.setContentsMargins(0, 0, 4, 0)
        column.addWidget(self.placeholder)
        column.addWidget(self.action_row)
        column.addWidget(self.body)
        column.addWidget(self.error)
        column.addStretch(1)
        self.facts_scroll = QScrollArea()
        self.facts_scroll.setAccessibleName("Run details, scrollable")
        self.facts_scroll.setWidget(facts)
        self.facts_scroll.setWidgetResizable(True)
        self.facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.facts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.facts_scroll.viewport().setAutoFillBackground(False)  # the card's background shows through
        facts.setAutoFillBackground(False)
        self.log_title = QLabel("Log")
        self.log_title.setProperty("role", "card-title")
        self.log = QListWidget()
        self.log.setAccessibleName("Run log lines")
        self.log.setWordWrap(True)
        self.log.setAlternatingRowColors(True)
        self.log.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.log.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.log.setMinimumHeight(80)
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 4, 0, 0)
        log_layout.addWidget(self.log_title)
        log_layout.addWidget(self.log, 1)
        self.log_box = log_box
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setAccessibleName("Run facts and log")
        self.split.addWidget(self.facts_scroll)
        self.split.addWidget(log_box)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([300, 200])  # the facts first: the log is for the curious
        self.outer.addWidget(self.split, 1)
        self.show_run(None)

    def show_loading(self, run_id: int) -> None:
        self.title.setText(f"Run #{run_id}")
        self.placeholder.setText("Loading…")
        self.placeholder.show()

    def show_run(self, detail: domain.RunDetail | None) -> None:
        self.run = detail
        has = detail is not None
        for widget in (self.body, self.log_box, self.badge, self.action_row):
            widget.setVisible(has)
        self.placeholder.setVisible(not has)
        self.error.setVisible(False)
        if detail is None:
            self.title.setText("Run details")
            self.placeholder.setText("Select a run to see its timeline, counts and log.")
            return
        run = detail.run
        self.title.setText(f"Run #{run.id}")
        self.badge.set_status(run.status)
        shown, full = what_text(run)
        self.fields["what"].setText(shown)
        self.fields["what"].setToolTip(full)
        self.fields["timeline"].setText(timeline_text(run))
        self.fields["duration"].setText(duration_text(run))
        self.fields["windows"].setText(windows_text(detail.windows))
        self.fields["counts"].setText(counts_text(run))
        retries = detail.retries
        self.fields["retries"].setText("none" if not retries else f"{retries} retr{'y' if retries == 1 else 'ies'}")
        missing = missing_text(run)
        if missing is not None:
            self.names["missing"].setText(missing[0])
            self.fields["missing"].setText(missing[1])
        self.names["missing"].setVisible(missing is not None)
        self.fields["missing"].setVisible(missing is not None)
        self.schedule_button.setEnabled(run.schedule is not None)
        self.schedule_button.setToolTip(f"Show the schedule {run.schedule} on the Schedules page" if run.schedule
                                        else "This run is the account's own sync: it has no schedule")
        again = "the same dates again" if run.trigger == domain.Trigger.BACKFILL else "now"
        self.rerun_button.setToolTip(f"Sync {run.who} {again}")
        active = domain.RunStatus(run.status).is_active  # a second run now would only be skipped
        self.rerun_button.setEnabled(not active)
        if active:
            self.rerun_button.setToolTip("This sync is still going: Re-run is available once it has ended")
        text = explain(run)
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.log.clear()
        for event in detail.events:
            item = QListWidgetItem(theme.status_icon(LEVEL_STATUS.get(event.level, "idle")),
                                   log_text(event))
            self.log.addItem(item)
        if not detail.events:
            self.log.addItem("No log lines recorded")

    def _rerun(self) -> None:
        if self.run is not None:
            self.rerun_requested.emit(self.run.run)

    def _open_schedule(self) -> None:
        if self.run is not None and self.run.run.schedule:
            self.open_schedule_requested.emit(self.run.run.schedule)

    def log_lines(self) -> list[str]:
        return [self.log.item(i).text() for i in range(self.log.count())]

"""One run in detail: its timeline, date windows, counters, retries, the error in plain words, and its log."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from autosync_desktop import domain
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
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
    "Timeout": "The run took longer than its time limit (setting sync.run_timeout_minutes). Data from the "
               "windows it finished is kept.",
    "Interrupted": "AutoSync stopped while this run was in progress (it was closed, crashed, or the computer lost "
                   "power). Data from its finished windows is kept; the next run continues from there.",
}
STATUS_EXPLAIN = {
    "cancelled": "Cancelled on request. Data from finished windows is kept and nothing re-runs it.",
    "skipped": "Not started, so it did not overlap another run (or a missed run under the 'skip' policy).",
    "queued": "Waiting for a free slot (setting scheduler.max_concurrent_runs) or for a scheduler to pick it up.",
    "running": "In progress.",
}
LEVEL_STATUS = {"info": "idle", "warning": "warning", "error": "failed"}


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
    count = windows.count or 0
    return f"{windows.first.isoformat()} to {windows.last.isoformat()} in {count} window{'s' if count != 1 else ''}"


def _value(name: str) -> QLabel:
    label = QLabel("—")
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class RunDetail(Card):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run details", parent, accessible="Run details")
        self.run: domain.RunDetail | None = None
        self.badge = StatusBadge()
        self.badge.hide()
        self.header.addWidget(self.badge)
        self.placeholder = muted("Select a run to see its timeline, counts and log.", "No run selected")
        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("what", "Run"), ("timeline", "Timeline"), ("duration", "Duration"),
                           ("windows", "Dates"), ("counts", "Counts"), ("retries", "Retries")):
            self.fields[key] = _value(f"Run {label.lower()}")
            form.addRow(label, self.fields[key])
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What went wrong")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_title = QLabel("Log")
        self.log_title.setProperty("role", "card-title")
        self.log = QListWidget()
        self.log.setAccessibleName("Run log lines")
        self.log.setWordWrap(True)
        self.log.setAlternatingRowColors(True)
        column = QVBoxLayout()
        column.addWidget(self.placeholder)
        column.addWidget(self.body)
        column.addWidget(self.error)
        column.addWidget(self.log_title)
        column.addWidget(self.log, 1)
        self.outer.addLayout(column, 1)
        self.show_run(None)

    def show_loading(self, run_id: int) -> None:
        self.title.setText(f"Run #{run_id}")
        self.placeholder.setText("Loading…")
        self.placeholder.show()

    def show_run(self, detail: domain.RunDetail | None) -> None:
        self.run = detail
        has = detail is not None
        for widget in (self.body, self.log_title, self.log, self.badge):
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
        self.fields["what"].setText(f"{run.schedule or 'account sync'} · {run.account} ({run.platform}) · "
                                    f"{run.trigger.value}")
        timeline = [f"queued {fmt.fmt_time(run.queued_at, seconds=True)}"]
        if run.started_at:
            timeline.append(f"started {fmt.fmt_time(run.started_at, seconds=True)}")
        if run.finished_at:
            timeline.append(f"ended {fmt.fmt_time(run.finished_at, seconds=True)}")
        self.fields["timeline"].setText(" → ".join(timeline))
        self.fields["duration"].setText(fmt.fmt_duration(run.duration_s))
        self.fields["windows"].setText(windows_text(detail.windows))
        self.fields["counts"].setText(f"{run.rows:,} rows · {run.campaigns:,} campaigns · {run.pages:,} "
                                      f"pages · {run.api_calls:,} API calls")
        retries = detail.retries
        self.fields["retries"].setText("none" if not retries else f"{retries} retr{'y' if retries == 1 else 'ies'}")
        text = explain(run)
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.log.clear()
        for event in detail.events:
            item = QListWidgetItem(theme.status_icon(LEVEL_STATUS.get(event.level, "idle")),
                                   f"{fmt.fmt_time(event.at, seconds=True)}  {event.level}: {event.message}")
            self.log.addItem(item)
        if not detail.events:
            self.log.addItem("No log lines recorded")

    def log_lines(self) -> list[str]:
        return [self.log.item(i).text() for i in range(self.log.count())]

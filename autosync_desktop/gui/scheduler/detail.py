"""The selected schedule's pane: what and when in words, its next runs, what went wrong, live progress, every
action as a labelled button, and its recent runs (each opens in History)."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.scheduler import describe
from autosync_desktop.gui.scheduler.model import Entry
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.gui.widgets.elided_label import ElidedLabel
from autosync_desktop.gui.widgets.status_badge import StatusBadge
from autosync_desktop.services.export_schedules import ExportSpec

TYPE_WORDS = {"both": "Campaigns and performance", "campaigns": "Campaigns only",
              "performance": "Performance (daily stats) only"}


def export_words(export: ExportSpec) -> str:
    """What an export schedule writes, and where: "ads.xlsx (Excel), last 30 days" and its full path."""
    return f"{export.file_name} ({export.format_text}), {export.range_text.lower()}\n{export.output}"


MISSED_WORDS = {"run_once": "Run once when AutoSync starts or the computer wakes", "skip": "Skipped"}
ACTIONS = (("sync", "sync", "Sync now"), ("pause", "pause", "Pause"), ("edit", "edit", "Edit…"),
           ("duplicate", "duplicate", "Duplicate…"), ("backfill", "backfill", "Backfill…"),
           ("delete", "delete", "Delete…"))


def _value(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(80)
    if name:
        label.setAccessibleName(name)
    return label


def _links(names: tuple[str, ...]) -> str:
    """Names as links (href: the position, so any name is safe) for a rich-text label."""
    return ", ".join(f'<a href="{i}">{html.escape(name)}</a>' for i, name in enumerate(names))


class ScheduleDetail(QScrollArea):
    action = Signal(str, str)  # schedule name, action key
    open_run = Signal(int)
    open_schedule = Signal(str)  # a schedule named under "Runs after" / "Starts next" was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: Entry | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Schedule details")
        self.setMinimumWidth(280)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(theme.SPACE_L, theme.SPACE_S, theme.SPACE_S, theme.SPACE_S)
        column.setSpacing(theme.SPACE_S)
        self.placeholder = muted("Select a schedule to see when it runs, what went wrong and its actions.",
                                 "No schedule selected")
        column.addWidget(self.placeholder)
        self.content = QWidget()
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(theme.SPACE_S)
        self.title = ElidedLabel()
        theme.set_role(self.title, "section")
        self.badge = StatusBadge()
        inner.addWidget(self.title)
        inner.addWidget(self.badge)
        self.problem = _value(name="What went wrong")
        palette = self.problem.palette()
        palette.setColor(self.problem.foregroundRole(), theme.status_color("failed"))
        self.problem.setPalette(palette)
        inner.addWidget(self.problem)
        # live progress
        self.running = QWidget()
        row = QHBoxLayout(self.running)
        row.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Sync progress")
        self.progress.setTextVisible(False)
        self.progress_text = _value(name="Rows so far")
        self.cancel_button = QPushButton(theme.icon("cancel"), "Cancel sync")
        self.cancel_button.setAccessibleName("Cancel the running sync")
        self.cancel_button.clicked.connect(lambda: self._emit("cancel"))
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        inner.addWidget(self.running)
        inner.addWidget(self.progress_text)
        # actions, all with words
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.SPACE_S)
        grid.setVerticalSpacing(theme.SPACE_S)
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, icon, text) in enumerate(ACTIONS):
            button = QPushButton(theme.icon(icon), text)
            button.setAccessibleName(text.rstrip("…"))
            button.setMinimumWidth(60)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, k=key: self._emit(k))
            self.buttons[key] = button
            grid.addWidget(button, i // 3, i % 3)
        self.buttons["backfill"].setToolTip("Sync a date range of the past (e.g. the last 90 days)")
        self.buttons["delete"].setToolTip("Delete this schedule (its run history is kept; asks first)")
        inner.addLayout(grid)
        # facts
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.account = _value(name="Account")
        self.what = _value(name="What it syncs")
        self.when = _value(name="When")
        self.next_runs = _value(name="Next runs")
        self.last = _value(name="Last run")
        self.missed = _value(name="Missed runs")
        # schedules that wait for each other: what this one runs after, and what starts after it
        self.after = self._link_value("Runs after")
        self.downstream = self._link_value("Starts next")
        self.link_rows: dict[QLabel, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for label, widget in (("Account", self.account), ("Syncs", self.what), ("When", self.when),
                              ("Next runs", self.next_runs), ("Runs after", self.after),
                              ("Starts next", self.downstream), ("Last run", self.last),
                              ("Missed runs", self.missed)):
            caption = self.captions[label] = QLabel(label)
            theme.set_role(caption, "caption")
            form.addRow(caption, widget)
            if widget in (self.after, self.downstream):
                self.link_rows[widget] = caption
        self.form = form
        inner.addLayout(form)
        heading = QLabel("Recent runs")
        theme.set_role(heading, "section")
        inner.addWidget(heading)
        self.runs_box = QVBoxLayout()
        self.runs_box.setSpacing(0)
        inner.addLayout(self.runs_box)
        self.no_runs = muted("No runs yet", "No runs yet")
        inner.addWidget(self.no_runs)
        self.run_buttons: list[QToolButton] = []
        column.addWidget(self.content)
        column.addStretch(1)
        self.setWidget(body)
        self.show_entry(None)

    def _link_value(self, name: str) -> QLabel:
        label = _value(name=name)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.linkActivated.connect(lambda href, lbl=label: self._link(lbl, href))
        label.setProperty("names", ())
        return label

    def _link(self, label: QLabel, href: str) -> None:
        names = label.property("names") or ()
        if href.isdigit() and int(href) < len(names):
            self.open_schedule.emit(names[int(href)])

    def _set_links(self, label: QLabel, names: tuple[str, ...], suffix: str = "") -> None:
        label.setProperty("names", list(names))
        label.setText(_links(names) + html.escape(suffix))
        label.setToolTip("Click a name to show that schedule" if names else "")
        self.form.setRowVisible(label, bool(names))

    def _emit(self, key: str) -> None:
        if self.entry is not None:
            if key == "pause" and self.entry.item.own_paused:
                key = "resume"
            self.action.emit(self.entry.name, key)

    def show_entry(self, entry: Entry | None, now: datetime | None = None) -> None:
        self.entry = entry
        self.placeholder.setVisible(entry is None)
        self.content.setVisible(entry is not None)
        if entry is None:
            return
        now = now or datetime.now(UTC)
        item = entry.item
        self.title.set_full_text(item.name)
        status, word = entry.status()
        self.badge.set_status(status, word)
        words, raw = entry.problem()
        self.problem.setText(words)
        self.problem.setToolTip(raw if raw and raw != words else "")
        self.problem.setVisible(bool(words))
        own = item.own_paused
        pause = self.buttons["pause"]
        pause.setText("Resume" if own else "Pause")
        pause.setIcon(theme.icon("play" if own else "pause"))
        pause.setAccessibleName("Resume" if own else "Pause")
        self.buttons["backfill"].setEnabled(item.export is None)  # a file has no history to fetch
        self.captions["Account"].setText("Accounts" if item.export else "Account")
        self.captions["Syncs"].setText("Writes" if item.export else "Syncs")
        self.account.setText(item.export.accounts_text if item.export else f"{item.account} · {item.platform_label}")
        lookback = f" · re-fetches the last {item.lookback_days} days" if item.lookback_days is not None else ""
        self.what.setText(export_words(item.export) if item.export else
                          TYPE_WORDS.get(item.type.value, item.type.value) + lookback)
        when = entry.when()
        if item.frequency == domain.Frequency.CRON:
            when += f"\n{item.cron}"
        self.when.setText(when[:1].upper() + when[1:])
        wait = (f" · waits up to {domain.wait_words(item.wait_max_minutes)} after its time, then "
                f"{'runs anyway' if item.if_missing.value == 'run' else 'skips'}"
                if item.frequency != domain.Frequency.MANUAL else "")
        self._set_links(self.after, item.after, wait if item.after else "")
        self._set_links(self.downstream, item.downstream)
        self.next_runs.setText(entry.next_text(now) if not (item.after and item.frequency == domain.Frequency.MANUAL
                                                            and not item.paused) else
                               describe.runs_once_words(item.after))
        self.missed.setText(MISSED_WORDS.get(item.missed.value, item.missed.value))
        self.last.setText(self._last_text(item.last_run, now))
        self._show_runs(entry.recent, now)
        self.show_progress()

    @staticmethod
    def _last_text(run: domain.ScheduleRun | None, now: datetime) -> str:
        if run is None:
            return "None yet"
        moment = run.finished_at or run.queued_at
        when = describe.ago_words(moment, now) if moment else "—"
        text = f"{theme.label_of(run.status.value)} {when}"
        if run.status == domain.RunStatus.SUCCEEDED:
            text += f" · {run.rows:,} rows in {fmt.duration(run.duration_s)}"
        return text

    def _show_runs(self, runs: tuple[domain.ScheduleRun, ...], now: datetime) -> None:
        for button in self.run_buttons:
            self.runs_box.removeWidget(button)
            button.hide()  # until deleted (a screenshot taken before the event loop deletes it never shows it)
            button.deleteLater()
        self.run_buttons = []
        for run in runs:
            moment = run.finished_at or run.queued_at
            when = describe.day_time(moment, fmt.zone_label(), now) if moment else "—"
            text = f"{theme.label_of(run.status.value)} · {when}"
            if run.status == domain.RunStatus.SUCCEEDED:
                text += f" · {run.rows:,} rows"
            button = QToolButton()
            button.setText(text)
            button.setIcon(theme.status_icon(run.status.value))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setAccessibleName(f"Open run {run.id}: {text}")
            words = describe.error_words(run.error, run.reason, run.status.value)
            button.setToolTip(f"Run #{run.id}" + (f"\n{words}" if words and run.status.value != "succeeded"
                                                   else "") + "\nClick to open it in History")
            button.clicked.connect(lambda _=False, run_id=run.id: self.open_run.emit(run_id))
            self.runs_box.addWidget(button)
            self.run_buttons.append(button)
        self.no_runs.setVisible(not runs)

    def show_progress(self) -> None:
        entry = self.entry
        active = entry is not None and entry.run_id is not None
        self.running.setVisible(active)
        self.progress_text.setVisible(active)
        self.buttons["sync"].setEnabled(not active)
        if entry is None or not active:
            return
        if entry.total:
            self.progress.setRange(0, entry.total)
            self.progress.setValue(min(entry.done, entry.total))
        else:
            self.progress.setRange(0, 0)
        self.progress_text.setText(entry.progress_text())
        status, word = entry.status()
        self.badge.set_status(status, word)

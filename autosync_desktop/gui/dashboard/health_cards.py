"""System health cards: one per account (the problem in plain words and the action right there: sign in
again, retry now, view log, open settings), the database, the scheduler (running since, uptime, last wake-up)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from autosync_desktop.domain import AccountCard, DatabaseInfo, Health, IntegrityCheck, RunRow, SchedulerInfo
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.dashboard import text as words
from autosync_desktop.gui.dashboard.elided import ElidedLabel
from autosync_desktop.gui.dashboard.flow import ReflowGrid
from autosync_desktop.gui.widgets.card import Card
from autosync_desktop.gui.widgets.countdown import CountdownLabel
from autosync_desktop.gui.widgets.status_badge import StatusBadge

HEALTH_ORDER = (Health.NEEDS_SIGN_IN, Health.FAILING, Health.NEEDS_UPDATE, Health.DEGRADED, Health.PAUSED,
                Health.NEVER_SYNCED, Health.HEALTHY)


def _line(text: str = "", name: str = "Detail", muted_role: bool = False) -> QLabel:
    """A wrapping line that never widens its card (a long unbroken word is cut, not scrolled to)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    if muted_role:
        label.setProperty("role", "muted")
    return label


def freshness_text(card: AccountCard) -> str:
    if card.data_through is None:
        return "No daily data synced yet"
    text = f"Data through {words.day_label(card.data_through)}"
    days = card.settling_days or 0
    if days:
        text += f", last {days} day{'s' if days != 1 else ''} still settling (fetched again as they settle)"
    else:
        text += ", all final"
    return text


class AccountHealthCard(Card):
    """An account's health: the reason in plain words when it is not healthy, and the action right there."""

    open_account = Signal(str)  # "Sign in again" / "Open settings": Settings › Accounts, this account
    retry_requested = Signal(str)  # "Retry now": the schedule (or account) whose run failed
    open_run = Signal(int)  # "View log": the failed run in History

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent, accessible=f"Account {name} health")
        self.name = name
        self.title.hide()
        self.name_label = ElidedLabel(name, Qt.TextElideMode.ElideMiddle, role="card-title")
        self.header.insertWidget(0, self.name_label, 1)
        self.badge = StatusBadge()
        self.header.addWidget(self.badge)
        self.platform = _line(name=f"{name} platform", muted_role=True)
        self.reason = _line(name=f"{name} problem")
        font = self.reason.font()
        font.setWeight(font.Weight.DemiBold)
        self.reason.setFont(font)
        self.last_success = _line(name=f"{name} last success")
        self.freshness = _line(name=f"{name} data freshness")
        self.errors = _line(name=f"{name} errors")
        self.auth = _line(name=f"{name} sign-in message")
        self.api = _line(name=f"{name} platform API version", muted_role=True)
        for widget in (self.platform, self.reason, self.api, self.last_success, self.freshness, self.errors,
                       self.auth):
            self.outer.addWidget(widget)
        self.action_row = ReflowGrid(90, (4, 2, 1), theme.SPACE_S, name=f"{name} actions")
        self.sign_in = self._button("Sign in again", f"Sign in to {name} again", lambda: self.open_account.emit(name))
        self.retry = self._button("Retry now", f"Retry the sync of {name} now", self._retry)
        self.view_log = self._button("View log", f"View the log of {name}'s failed run", self._view_log)
        self.settings = self._button("Open settings", f"Open the settings of {name}",
                                     lambda: self.open_account.emit(name))
        self.outer.addWidget(self.action_row)
        self.outer.addStretch(1)
        self.card: AccountCard | None = None
        self.failed_run: RunRow | None = None
        self.retry_at: datetime | None = None
        self._set_actions(())

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.clicked.connect(slot)
        button.setParent(self.action_row)
        button.hide()
        return button

    def _retry(self) -> None:
        target = self.failed_run.who if self.failed_run is not None else self.name
        self.retry.setEnabled(False)
        self.retry.setText("Retry requested")
        self.retry_requested.emit(target)

    def retry_done(self, error: str | None = None) -> None:
        """The retry was queued (the card refreshes when it ends), or it could not be: say why."""
        self.retry.setEnabled(True)
        self.retry.setText("Retry now")
        if error:
            self.reason.setText(f"Could not retry: {error}")
            self.reason.show()

    def _view_log(self) -> None:
        if self.failed_run is not None:
            self.open_run.emit(self.failed_run.id)

    def _set_actions(self, shown: Sequence[QPushButton]) -> None:
        """Show these buttons, in this order (they wrap to a second row in a narrow card)."""
        self.action_row.set_widgets(list(shown))
        self.action_row.setVisible(bool(shown))

    def update_card(self, card: AccountCard) -> None:
        self.card = card
        self.badge.set_status(card.health.value)
        platform = card.platform_label
        self.platform.setText(f"{platform} · labelled sample data" if card.sandbox else platform)
        self.api.setText(fmt.fmt_api(card.api))
        self.api.setVisible(card.api is not None)
        self.tick()
        self.freshness.setText(freshness_text(card))
        latency = card.avg_latency_ms
        self.errors.setText(f"Errors (24 h): {card.errors_24h} of {card.runs_24h} runs")
        self.errors.setToolTip("Average platform response time (24 h): "
                               + (f"{latency:,.0f} ms" if latency is not None else "unknown (no calls in 24 h)"))
        message = ""
        if card.health == Health.NEEDS_UPDATE and card.api is not None:
            message = f"{card.api.words} is supported {card.api.until_words}: update AutoSync before then."
        self.auth.setText(message)
        self.auth.setVisible(bool(message))
        self._show_problem()

    def tick(self, now: datetime | None = None) -> None:
        """"Last success: 3 min ago" (the exact time on hover) moves on between refreshes."""
        last = self.card.last_success_at if self.card is not None else None
        text = f"Last success: {words.ago(last, now or datetime.now(UTC))}" if last else "Last success: never"
        if text != self.last_success.text():
            self.last_success.setText(text)
            self.last_success.setToolTip(f"{fmt.fmt_time(last, seconds=True)} ({fmt.zone_label()})" if last else "")

    def set_failed_run(self, run: RunRow | None, retry_at: datetime | None = None) -> None:
        """The account's newest failed run (read by the view for an unhealthy account), for the reason and
        "View log"; `retry_at` when the platform announced when the retry runs."""
        self.failed_run = run
        self.retry_at = retry_at
        self._show_problem()

    def _show_problem(self) -> None:
        card, run = self.card, self.failed_run
        if card is None:
            return
        reason = ""
        actions: list[QPushButton] = []
        kind = words.error_kind(run.error_class, run.error) if run is not None else None
        if card.health == Health.NEEDS_SIGN_IN or (card.health == Health.FAILING and kind == "auth"):
            reason = words.plain_reason(run.error_class if run else "AuthExpired", run.error if run else None)
            if card.auth_message:
                self.reason.setToolTip(card.auth_message)
            actions = [self.sign_in, self.view_log] if run else [self.sign_in]
        elif card.health in (Health.FAILING, Health.DEGRADED):
            if run is not None:
                reason = words.plain_reason(run.error_class, run.error, self.retry_at, fmt.fmt_clock)
                self.reason.setToolTip(run.error or "")
                actions = [self.retry, self.view_log, self.settings]
            else:
                reason = "Recent syncs failed"
                actions = [self.retry, self.settings]
        elif card.health == Health.NEVER_SYNCED:
            reason = "Not synced yet"
            actions = [self.retry]
        elif card.health == Health.PAUSED:
            reason = "Paused: its schedules do not run"
            actions = [self.settings]
        self.retry.setText("Sync now" if card.health == Health.NEVER_SYNCED else "Retry now")
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        sheet = f"color: {theme.status_color(card.health.value).name()};"  # a sheet: the app's beats a palette
        if self.reason.styleSheet() != sheet:
            self.reason.setStyleSheet(sheet)
        self._set_actions(actions)
        self.setAccessibleDescription(f"{theme.label_of(card.health.value)}. {reason + '. ' if reason else ''}"
                                      f"{self.last_success.text()}. {self.freshness.text()}. {self.errors.text()}")

class DatabaseCard(Card):
    """The local database in plain words ("Healthy · 1.4 MB · last cleanup never"); the file, its schema version and
    the integrity check's own words are in the tooltip, for support."""

    check_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Database", parent, accessible="Database health")
        self.badge = StatusBadge("idle", "Checking…")
        self.header.addWidget(self.badge)
        self.summary = _line("Checking…", name="Database summary")
        self.integrity = _line("", "Database check result", muted_role=True)
        row = QHBoxLayout()
        self.check = QPushButton("Check now")
        self.check.setAccessibleName("Check the database for damage")
        self.check.setToolTip("Read the whole database file and look for damage (takes a moment)")
        self.check.clicked.connect(self.check_requested)
        row.addWidget(self.integrity, 1)
        row.addWidget(self.check)
        self.outer.addWidget(self.summary)
        self.outer.addLayout(row)
        self.outer.addStretch(1)
        self.info: DatabaseInfo | None = None
        self.state = "Checking"
        self.technical = ""  # the integrity check's own words (tooltip)

    def update_info(self, info: DatabaseInfo) -> None:
        self.info = info
        self._show()

    def set_integrity(self, result: IntegrityCheck | None, error: str | None = None) -> None:
        self.check.setEnabled(True)
        if error or result is None:
            self.badge.set_status("failed", "Check failed")
            self.state, self.technical = "Not checked", f"The check could not run: {error}"
            self.integrity.setText("Could not check the database")
        elif result.ok:
            self.badge.set_status("ok", "OK")
            self.state, self.technical = "Healthy", "Integrity check: ok"
            self.integrity.setText("Checked: no damage found")
        else:
            self.badge.set_status("failed", "Problems")
            self.state, self.technical = "Damaged", f"Integrity check: {result.text}"
            self.integrity.setText("The check found damage (details on hover)")
        self._show()

    def set_checking(self) -> None:
        self.check.setEnabled(False)
        self.badge.set_status("running", "Checking…")
        self.state, self.technical = "Checking", ""
        self.integrity.setText("Checking…")
        self._show()

    def _show(self) -> None:
        info = self.info
        if info is None:
            self.summary.setText(self.state)
            return
        prune = info.last_prune
        cleanup = f"last cleanup {since_text(prune.at, datetime.now(UTC))}" if prune else "last cleanup never"
        self.summary.setText(f"{self.state} · {fmt.fmt_bytes(info.size_bytes)} · {cleanup}")
        details = [f"File: {info.path}", f"Schema version {info.schema_version}"]
        if prune is not None:
            details.append(f"Last cleanup {fmt.fmt_time(prune.at)}: {prune.runs_deleted:,} runs and "
                           f"{prune.stats_deleted:,} daily stats removed")
        else:
            details.append("Never cleaned up yet (the scheduler removes old runs daily)")
        if self.technical:
            details.append(self.technical)
        tooltip = "\n".join(details)
        for widget in (self.summary, self.integrity):
            widget.setToolTip(tooltip)


def since_text(moment: datetime, now: datetime) -> str:
    """ "14:05" today, else "Dec 3 14:05" (display zone)."""
    local = fmt.local(moment)
    today = fmt.local(now)
    if local is None or today is None:
        return "—"
    return f"{local:%H:%M}" if local.date() == today.date() else f"{words.day_label(local.date())} {local:%H:%M}"


class SchedulerCard(Card):
    pause_all_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scheduler", parent, accessible="Scheduler health")
        self.badge = StatusBadge("idle", "Starting…")
        self.header.addWidget(self.badge)
        self.owner = _line(name="Scheduler owner")
        self.uptime = _line(name="Scheduler uptime")
        self.wake = _line(name="Scheduler last wake-up", muted_role=True)
        self.wake.setToolTip("The scheduler wakes every few seconds to start due runs and to notice that the "
                             "computer slept")
        self.active = _line(name="Active runs")
        self.next = CountdownLabel("Next run: none scheduled", name="Next scheduled run", prefix="Next run: ")
        self.next.setWordWrap(True)
        self.next.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.next_name = ElidedLabel(name="Next scheduled schedule", mode=Qt.TextElideMode.ElideMiddle)
        self.next_name.setProperty("role", "muted")
        self.pause_all = QPushButton("Pause all")
        self.pause_all.setAccessibleName("Pause or resume all schedules")
        self._paused_all = False
        self.pause_all.clicked.connect(lambda: self.pause_all_requested.emit(not self._paused_all))
        for widget in (self.owner, self.uptime, self.wake, self.active, self.next, self.next_name):
            self.outer.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.pause_all)
        self.outer.addLayout(row)
        self.outer.addStretch(1)
        self.info: SchedulerInfo | None = None

    def update_info(self, info: SchedulerInfo, start_error: str | None = None) -> None:
        self.info = info
        self._paused_all = info.paused_all
        if info.paused_all:
            self.badge.set_status("paused", "All paused")
        elif info.running:
            self.badge.set_status("ok", "Running")
        else:
            self.badge.set_status("warning", "Not running")
        if info.owner == "this process":
            self.owner.setText("Runs in this window")
        elif info.owner:
            self.owner.setText(f"Runs in another AutoSync process ({info.owner})")
        else:
            self.owner.setText(start_error or "Not running: scheduled syncs wait until it starts")
        self.active.setText(f"Active runs: {info.active_runs} · schedules: {info.schedules}")
        self.next.set_target(info.next_run_at, "Next run: none scheduled")
        self.next_name.setText(f"Next: {info.next_schedule}" if info.next_schedule else "")
        self.pause_all.setText("Resume all" if info.paused_all else "Pause all")
        self.tick()

    def tick(self, now: datetime | None = None) -> None:
        """Uptime and "last wake-up N s ago" move on every second between refreshes."""
        info = self.info
        now = now or datetime.now(UTC)
        since = info.running_since if info is not None and info.running else None
        if since is not None:
            uptime = f"Running since {since_text(since, now)} (uptime {words.uptime((now - since).total_seconds())})"
        else:
            uptime = ""
        wake = info.last_wake_at if info is not None and info.running else None
        wake_text = f"Last wake-up {words.ago(wake, now)}" if wake is not None else ""
        for label, text in ((self.uptime, uptime), (self.wake, wake_text)):
            if label.text() != text:
                label.setText(text)
            label.setVisible(bool(text))

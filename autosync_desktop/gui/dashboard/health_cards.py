"""System health cards: one per account, the database, the scheduler."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from autosync_desktop.domain import AccountCard, DatabaseInfo, Health, IntegrityCheck, SchedulerInfo
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import Card, muted
from autosync_desktop.gui.widgets.countdown import CountdownLabel
from autosync_desktop.gui.widgets.status_badge import StatusBadge

HEALTH_ORDER = (Health.NEEDS_SIGN_IN, Health.FAILING, Health.NEEDS_UPDATE, Health.DEGRADED, Health.PAUSED,
                Health.NEVER_SYNCED, Health.HEALTHY)


def _line(text: str = "", name: str = "Detail") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


def freshness_text(card: AccountCard) -> str:
    if card.data_through is None:
        return "No daily data synced yet"
    text = f"Data through {card.data_through.isoformat()}"
    days = card.settling_days or 0
    if days:
        text += (f", last {days} day{'s' if days != 1 else ''} still settling (re-fetched each run; "
                 f"lookback {card.lookback_days} d)")
    else:
        text += ", all final"
    return text


class AccountHealthCard(Card):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent, accessible=f"Account {name} health")
        self.name = name
        self.badge = StatusBadge()
        self.header.addWidget(self.badge)
        self.platform = muted("", f"{name} platform")
        self.last_success = _line(name=f"{name} last success")
        self.freshness = _line(name=f"{name} data freshness")
        self.errors = _line(name=f"{name} errors and latency")
        self.auth = _line(name=f"{name} sign-in message")
        self.api = muted("", f"{name} platform API version")
        for widget in (self.platform, self.api, self.last_success, self.freshness, self.errors, self.auth):
            self.outer.addWidget(widget)
        self.outer.addStretch(1)

    def update_card(self, card: AccountCard) -> None:
        self.badge.set_status(card.health.value)
        platform = card.platform_label
        self.platform.setText(f"{platform} · labelled sample data" if card.sandbox else platform)
        self.api.setText(fmt.fmt_api(card.api))
        self.api.setVisible(card.api is not None)
        last = card.last_success_at
        self.last_success.setText(f"Last success: {fmt.fmt_time(last)} ({fmt.fmt_ago(last)})" if last
                                  else "Last success: never")
        self.freshness.setText(freshness_text(card))
        latency = card.avg_latency_ms
        self.errors.setText(f"Errors (24 h): {card.errors_24h} of {card.runs_24h} runs · avg API latency "
                            + (f"{latency:,.0f} ms" if latency is not None else "— (no calls in 24 h)"))
        message = ""
        if card.health == Health.NEEDS_SIGN_IN:
            message = (card.auth_message or "The platform revoked access.") + \
                " Sign in again in Settings › Accounts."
        elif card.health == Health.NEEDS_UPDATE and card.api is not None:
            message = f"{card.api.words} is supported {card.api.until_words}: update AutoSync before then."
        self.auth.setText(message)
        self.auth.setVisible(bool(message))
        self.setAccessibleDescription(f"{theme.label_of(card.health.value)}. {self.last_success.text()}. "
                                      f"{self.freshness.text()}. {self.errors.text()}")


class DatabaseCard(Card):
    check_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Database", parent, accessible="Database health")
        self.badge = StatusBadge("idle", "Checking…")
        self.header.addWidget(self.badge)
        self.size_line = _line(name="Database size")
        self.prune = _line(name="Last prune")
        self.integrity = _line("Integrity check: running…", "Integrity check result")
        self.path = muted("", "Database path")
        self.path.setWordWrap(True)
        row = QHBoxLayout()
        self.check = QPushButton("Check now")
        self.check.setAccessibleName("Run the database integrity check")
        self.check.clicked.connect(self.check_requested)
        row.addWidget(self.integrity, 1)
        row.addWidget(self.check)
        for widget in (self.size_line, self.prune):
            self.outer.addWidget(widget)
        self.outer.addLayout(row)
        self.outer.addWidget(self.path)
        self.outer.addStretch(1)

    def update_info(self, info: DatabaseInfo) -> None:
        self.size_line.setText(f"Size: {fmt.fmt_bytes(info.size_bytes)} · schema v{info.schema_version}")
        prune = info.last_prune
        if prune is not None:
            self.prune.setText(f"Last prune: {fmt.fmt_time(prune.at)} — {prune.runs_deleted:,} runs, "
                               f"{prune.stats_deleted:,} daily stats removed")
        else:
            self.prune.setText("Last prune: never (the scheduler prunes daily)")
        self.path.setText(info.path)

    def set_integrity(self, result: IntegrityCheck | None, error: str | None = None) -> None:
        self.check.setEnabled(True)
        if error or result is None:
            self.badge.set_status("failed", "Check failed")
            self.integrity.setText(f"Integrity check failed to run: {error}")
        elif result.ok:
            self.badge.set_status("ok", "OK")
            self.integrity.setText("Integrity check: ok")
        else:
            self.badge.set_status("failed", "Problems")
            self.integrity.setText(f"Integrity check: {result.text}")

    def set_checking(self) -> None:
        self.check.setEnabled(False)
        self.badge.set_status("running", "Checking…")
        self.integrity.setText("Integrity check: running…")


class SchedulerCard(Card):
    pause_all_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scheduler", parent, accessible="Scheduler health")
        self.badge = StatusBadge("idle", "Starting…")
        self.header.addWidget(self.badge)
        self.owner = _line(name="Scheduler owner")
        self.active = _line(name="Active runs")
        self.next = CountdownLabel("Next run: none scheduled", name="Next scheduled run", prefix="Next run: ")
        self.next.setWordWrap(True)
        self.next_name = muted("", "Next scheduled schedule")
        self.pause_all = QPushButton("Pause all")
        self.pause_all.setAccessibleName("Pause or resume all schedules")
        self._paused_all = False
        self.pause_all.clicked.connect(lambda: self.pause_all_requested.emit(not self._paused_all))
        for widget in (self.owner, self.active, self.next, self.next_name):
            self.outer.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.pause_all)
        self.outer.addLayout(row)
        self.outer.addStretch(1)

    def update_info(self, info: SchedulerInfo, start_error: str | None = None) -> None:
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

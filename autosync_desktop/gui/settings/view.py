"""The Settings tab: accounts, general, retry, data retention, performance, desktop, and notifications."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings.accounts import AccountsPanel
from autosync_desktop.gui.settings.general_desktop import DesktopSettings
from autosync_desktop.gui.settings.notifications import NotificationsPanel
from autosync_desktop.gui.settings.spec_form import SettingsGroup
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.store.settings import SPECS
from autosync_desktop.sync.triggers import system_timezone

RETRY = ["retry.max_attempts", "retry.base_delay_s", "retry.max_delay_s", "retry.max_rate_limit_wait_s"]
RETENTION = ["retention.runs_days", "retention.stats_months"]
PERFORMANCE = ["scheduler.max_concurrent_runs", "http.timeout_s", "http.max_concurrent", "http.requests_per_minute",
               "sync.run_timeout_minutes", "sync.initial_history_days", "scheduler.wake_delay_s"]
GENERAL = ["scheduler.paused_all"]
OWN_SECTIONS = ("notify.", "general.")  # the Notifications and Desktop sections
HIDDEN = ["scheduler.paused_until"]  # set by "Pause all for 1 h" (tray); shown beside "Pause all schedules"


class SettingsView(BaseView):
    display_zone_changed = Signal()
    accounts_changed = Signal()
    title = "Settings"
    key = "settings"
    subject = "the settings"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Settings view")
        self.groups: dict[str, SettingsGroup] = {}
        self.desktop: DesktopSettings | None = None
        self.notifications: NotificationsPanel | None = None
        self.accounts = AccountsPanel(ctx)
        self.accounts.changed.connect(self.accounts_changed)
        self.content = QWidget()
        self.content.setAccessibleName("Settings")
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(0, 0, 6, 0)
        self.column.addWidget(self.busy)
        self.column.addWidget(self.accounts)
        self.grid = QHBoxLayout()
        self.left, self.right = QVBoxLayout(), QVBoxLayout()
        self.grid.addLayout(self.left, 1)
        self.grid.addLayout(self.right, 1)
        self.column.addLayout(self.grid)
        self.column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.content)
        scroll.setAccessibleName("Settings scroll area")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(scroll)
        ctx.bridge.setting_changed.connect(self._setting_changed)
        ctx.bridge.scheduler_state.connect(  # "Pause all" from the dashboard or the tray: set_paused_all
            lambda e: self._setting_changed(SimpleNamespace(key="scheduler.paused_all", value=e.paused_all)))
        ctx.bridge.retention_pruned.connect(lambda e: self.prune_result.setText(
            f"Pruned {e.runs_deleted:,} runs and {e.stats_deleted:,} daily stats") if hasattr(self, "prune_result")
            else None)

    def load(self) -> None:
        self.accounts.refresh()
        if self.notifications is not None:
            self.notifications.refresh()
            self.desktop.refresh()  # type: ignore[union-attr]
        self.ctx.workers.run(self.ctx.services.settings, owner=self, on_done=self._apply,
                             on_error=self.load_failed)

    def _apply(self, values: dict[str, Any]) -> None:
        if not self.groups:
            self._build(values)
        else:
            for group in self.groups.values():
                group.update_values(values)
            self.notifications.update_values(values)  # type: ignore[union-attr]
            self.desktop.update_values(values)  # type: ignore[union-attr]
        self._show_pause_end(values.get("scheduler.paused_until"), values.get("scheduler.paused_all"))
        self._show_last_prune(values.get("retention.last_prune"))
        self.load_finished()

    def _build(self, values: dict[str, Any]) -> None:
        platforms = [p for p in self.ctx.services.accounts.platforms() if not p.sandbox]
        self.groups["retry"] = SettingsGroup(self.ctx, "Retry", RETRY, values,
                                             "How failed requests are retried. Rate limits wait for the time the "
                                             "platform announces, up to the longest rate-limit wait.")
        self.groups["retention"] = SettingsGroup(self.ctx, "Data retention", RETENTION, values,
                                                 "The scheduler prunes once a day; the last success of every "
                                                 "schedule and account is always kept.")
        self.prune_button = QPushButton("Prune now")
        self.prune_button.setAccessibleName("Prune old history now")
        self.prune_button.clicked.connect(self.prune)
        self.prune_result = muted("", "Prune result")
        row = QHBoxLayout()
        row.addWidget(self.prune_button)
        row.addWidget(self.prune_result, 1)
        self.groups["retention"].outer.addLayout(row)
        performance = SettingsGroup(self.ctx, "Performance", PERFORMANCE, values,
                                    "Limits per platform apply to all its accounts together.")
        for platform in platforms:
            key = f"http.requests_per_minute.{platform.name}"
            performance.add_key(key, values.get(key, values.get("http.requests_per_minute", 0.0)),
                                label=f"Requests per minute — {platform.label}")
        self.groups["performance"] = performance
        placed = set(RETRY + RETENTION + PERFORMANCE + GENERAL + HIDDEN)
        # notify.* and general.* have their own sections below; everything else declared is shown here
        others = [s.key for s in SPECS if s.key not in placed and not s.key.startswith(OWN_SECTIONS)]
        self.groups["general"] = SettingsGroup(self.ctx, "General", GENERAL + others, values)
        self.pause_end = muted("", "Pause end")
        self.pause_end.hide()
        self.groups["general"].form.addRow("", self.pause_end)
        self._display_row(self.groups["general"])
        self.desktop = DesktopSettings(self.ctx, values)
        self.notifications = NotificationsPanel(self.ctx, values)
        self.left.addWidget(self.groups["general"])
        self.left.addWidget(self.desktop)
        self.left.addWidget(self.groups["retry"])
        self.right.addWidget(performance)
        self.right.addWidget(self.groups["retention"])
        self.left.addStretch(1)
        self.right.addStretch(1)
        self.column.insertWidget(self.column.count() - 1, self.notifications)  # full width, before the stretch
        self.notifications.refresh()
        self.desktop.refresh()

    def _display_row(self, group: SettingsGroup) -> None:
        self.zone = QComboBox()
        self.zone.setAccessibleName("Show times in")
        self.zone.addItem(f"Local time ({system_timezone()})", "local")
        self.zone.addItem("UTC", "UTC")
        self.zone.setCurrentIndex(1 if self.ctx.prefs.display_zone() == "UTC" else 0)
        self.zone.currentIndexChanged.connect(self._zone_changed)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.zone)
        note = muted("For this window only; schedules keep their own time zones.", "Show times in description")
        note.setWordWrap(False)
        column.addWidget(note)
        group.form.addRow("Show times in", box)

    def _zone_changed(self) -> None:
        value = self.zone.currentData()
        self.ctx.prefs.set_display_zone(value)
        fmt.set_display_zone(value)
        self.display_zone_changed.emit()

    def _show_pause_end(self, until: str | None, paused_all: bool | None) -> None:
        if not hasattr(self, "pause_end"):
            return
        text = f"Resumes by itself at {fmt.fmt_time(until)}" if until and paused_all else ""
        self.pause_end.setText(text)
        self.pause_end.setVisible(bool(text))

    # --- prune ---

    def prune(self) -> None:
        self.prune_button.setEnabled(False)
        self.prune_result.setText("Pruning…")
        self.ctx.workers.run(self.ctx.services.prune, lane="write", owner=self, on_done=self._pruned,
                             on_error=lambda exc: (self.prune_result.setText(f"Prune failed: {exc}"),
                                                   self.prune_button.setEnabled(True)))

    def _pruned(self, result: Any) -> None:
        self.prune_button.setEnabled(True)
        text = f"Pruned {result.runs_deleted:,} runs (queued before {result.runs_before})"
        text += f" and {result.stats_deleted:,} daily stats" + (f" (before {result.stats_before})"
                                                                if result.stats_before else "")
        self.prune_result.setText(text)

    def _show_last_prune(self, prune: dict[str, Any] | None) -> None:
        if not self.prune_result.text() or self.prune_result.text().startswith("Last prune"):
            self.prune_result.setText(f"Last prune {fmt.fmt_time(prune['at'])}: {prune['runs_deleted']:,} runs, "
                                      f"{prune['stats_deleted']:,} daily stats" if prune else "Last prune: never")

    def _setting_changed(self, event: Any) -> None:
        fields: list[Any] = [group.fields.get(event.key) for group in self.groups.values()]
        if self.notifications is not None and self.desktop is not None:
            fields += [self.notifications.fields().get(event.key), self.desktop.fields().get(event.key)]
        for field in fields:
            if field is not None and field.value() != event.value:
                field.set_value(event.value)
        if event.key in ("scheduler.paused_all", "scheduler.paused_until") and self.has_loaded:
            self.ctx.workers.run(self.ctx.services.settings, owner=self,
                                 on_done=lambda v: self._show_pause_end(v.get("scheduler.paused_until"),
                                                                        v.get("scheduler.paused_all")))

    def add_account(self) -> None:
        self.accounts.add_account()

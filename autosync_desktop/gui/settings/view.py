"""The Settings tab: accounts, general, retry, data retention, performance, desktop, and notifications."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from autosync_desktop.domain import PruneResult, SettingSpec
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings.accounts import AccountsPanel
from autosync_desktop.gui.settings.advanced import KEYS as ADVANCED
from autosync_desktop.gui.settings.advanced import AdvancedSettings
from autosync_desktop.gui.settings.general_desktop import DesktopSettings
from autosync_desktop.gui.settings.notifications import NotificationsPanel
from autosync_desktop.gui.settings.spec_form import SettingsGroup
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted

RETRY = ["retry.max_attempts", "retry.base_delay_s", "retry.max_delay_s", "retry.max_rate_limit_wait_s"]
RETENTION = ["retention.runs_days", "retention.stats_months"]
PERFORMANCE = ["scheduler.max_concurrent_runs", "http.timeout_s", "http.max_concurrent", "http.requests_per_minute",
               "sync.run_timeout_minutes", "sync.initial_history_days", "scheduler.wake_delay_s"]
GENERAL = ["scheduler.paused_all"]
OWN_SECTIONS = ("notify.", "general.", "api.")  # the Notifications, Desktop and Advanced sections
HIDDEN = ["scheduler.paused_until"]  # set by "Pause all for 1 h" (tray); shown beside "Pause all schedules"
PER_PLATFORM_SHOWN = ("http.requests_per_minute.",)  # per-platform limits shown under Performance


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
        self.advanced: AdvancedSettings | None = None
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
        ctx.bridge.scheduler_state.connect(  # "Pause all" from the dashboard or the tray
            lambda e: self._setting_changed(SimpleNamespace(key="scheduler.paused_all", value=e.paused_all)))
        ctx.bridge.retention_pruned.connect(lambda e: self.prune_result.setText(
            f"Pruned {e.runs_deleted:,} runs and {e.stats_deleted:,} daily stats") if hasattr(self, "prune_result")
            else None)

    def load(self) -> None:
        self.accounts.refresh()
        if self.notifications is not None:
            self.notifications.refresh()
            self.desktop.refresh()  # type: ignore[union-attr]
        def read(services: Any) -> tuple[tuple[SettingSpec, ...], datetime | None, object]:
            return (services.settings.list(), services.schedules.paused_until(),
                    services.settings.get("retention.last_prune"))

        self.ctx.workers.run(read, self.ctx.services, owner=self, on_done=lambda found: self._apply(*found),
                             on_error=self.load_failed)

    def _apply(self, listed: tuple[SettingSpec, ...], paused_until: datetime | None, last_prune: Any) -> None:
        specs = {spec.key: spec for spec in listed}
        if not self.groups:
            self._build(specs)
        else:
            for group in self.groups.values():
                group.update_values(specs)
            self.notifications.update_values(specs)  # type: ignore[union-attr]
            self.desktop.update_values(specs)  # type: ignore[union-attr]
        self._show_pause_end(paused_until)
        self._show_last_prune(last_prune)
        self.load_finished()

    def _build(self, specs: Mapping[str, SettingSpec]) -> None:
        def group(keys: list[str]) -> list[SettingSpec]:
            return [specs[key] for key in keys]

        self.groups["retry"] = SettingsGroup(self.ctx, "Retry", group(RETRY),
                                             "How failed requests are retried. Rate limits wait for the time the "
                                             "platform announces, up to the longest rate-limit wait.")
        self.groups["retention"] = SettingsGroup(self.ctx, "Data retention", group(RETENTION),
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
        performance = SettingsGroup(self.ctx, "Performance", group(PERFORMANCE),
                                    "Limits per platform apply to all its accounts together.")
        for spec in specs.values():
            if spec.platform is not None and spec.key.startswith(PER_PLATFORM_SHOWN):
                performance.add_spec(spec)
        self.groups["performance"] = performance
        placed = set(RETRY + RETENTION + PERFORMANCE + GENERAL + HIDDEN)
        # notify.* and general.* have their own sections below; everything else declared is shown here
        others = [s for s in specs.values()
                  if s.key not in placed and s.platform is None and not s.key.startswith(OWN_SECTIONS)]
        self.groups["general"] = SettingsGroup(self.ctx, "General", group(GENERAL) + others)
        self.pause_end = muted("", "Pause end")
        self.pause_end.hide()
        self.groups["general"].form.addRow("", self.pause_end)
        self._display_row(self.groups["general"])
        self.desktop = DesktopSettings(self.ctx, specs)
        self.notifications = NotificationsPanel(self.ctx, specs)
        self.left.addWidget(self.groups["general"])
        self.left.addWidget(self.desktop)
        self.left.addWidget(self.groups["retry"])
        self.right.addWidget(performance)
        self.right.addWidget(self.groups["retention"])
        self.advanced = AdvancedSettings(self.ctx, group(ADVANCED))
        self.groups["advanced"] = self.advanced
        self.right.addWidget(self.advanced)
        self.advanced.refresh()
        self.left.addStretch(1)
        self.right.addStretch(1)
        self.column.insertWidget(self.column.count() - 1, self.notifications)  # full width, before the stretch
        self.notifications.refresh()
        self.desktop.refresh()

    def _display_row(self, group: SettingsGroup) -> None:
        self.zone = QComboBox()
        self.zone.setAccessibleName("Show times in")
        self.zone.addItem(f"Local time ({self.ctx.services.schedules.default_timezone()})", "local")
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

    def _show_pause_end(self, until: datetime | None) -> None:
        if not hasattr(self, "pause_end"):
            return
        text = f"Resumes by itself at {fmt.fmt_time(until)}" if until else ""
        self.pause_end.setText(text)
        self.pause_end.setVisible(bool(text))

    # --- prune ---

    def prune(self) -> None:
        self.prune_button.setEnabled(False)
        self.prune_result.setText("Pruning…")
        self.ctx.workers.run(self.ctx.services.metrics.prune, lane="write", owner=self, on_done=self._pruned,
                             on_error=self._prune_failed)

    def _prune_failed(self, exc: Exception) -> None:
        self.prune_result.setText(f"Prune failed: {one_line(exc)}")
        self.prune_button.setEnabled(True)

    def _pruned(self, result: PruneResult) -> None:
        self.prune_button.setEnabled(True)
        text = f"Pruned {result.runs_deleted:,} runs (queued before {fmt.fmt_time(result.runs_before)})"
        text += f" and {result.stats_deleted:,} daily stats" + (f" (before {result.stats_before.isoformat()})"
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
        if event.key.startswith("api.") and self.advanced is not None:
            self.advanced.refresh()
        if event.key in ("scheduler.paused_all", "scheduler.paused_until") and self.has_loaded:
            self.ctx.workers.run(self.ctx.services.schedules.paused_until, owner=self, on_done=self._show_pause_end)

    def add_account(self) -> None:
        self.accounts.add_account()

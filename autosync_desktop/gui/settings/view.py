"""The Settings tab: a sidebar of pages (Accounts, Sync & retries, Limits, Data retention, Notifications, Desktop,
Advanced), each a scrolling column with one title and, where it has a form, one primary Save.

Labels, help and units come from the declared settings (`services.settings.list()` through `labels`); setting
keys are never shown except in the Advanced page's list of setting names. Pages never scroll sideways: their
content follows the width, form rows grow with their text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop.domain import PruneResult, SettingSpec
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings import labels
from autosync_desktop.gui.settings.accounts import AccountsPanel
from autosync_desktop.gui.settings.advanced import KEYS as ADVANCED
from autosync_desktop.gui.settings.advanced import AdvancedSettings, SettingNames
from autosync_desktop.gui.settings.general_desktop import DesktopSettings
from autosync_desktop.gui.settings.notifications import NotificationsPanel
from autosync_desktop.gui.settings.spec_form import SettingsGroup, SpecField
from autosync_desktop.gui.widgets.base_view import BaseView
from autosync_desktop.gui.widgets.card import muted

RETRY = ["retry.max_attempts", "retry.base_delay_s", "retry.max_delay_s", "retry.max_rate_limit_wait_s"]
SYNC = ["sync.initial_history_days", "sync.run_timeout_minutes", "scheduler.max_concurrent_runs",
        "scheduler.wake_delay_s"]
RETENTION = ["retention.runs_days", "retention.stats_months"]
PERFORMANCE = ["http.timeout_s", "http.max_concurrent", "http.requests_per_minute"]
GENERAL = ["scheduler.paused_all"]
OWN_SECTIONS = ("notify.", "general.", "api.")  # the Notifications, Desktop and Advanced pages
HIDDEN = ["scheduler.paused_until"]  # set by "Pause all for 1 h" (tray); shown beside "Pause all schedules"
PER_PLATFORM_SHOWN = ("http.requests_per_minute.",)  # per-platform limits shown on Limits
PAGES = (("accounts", "Accounts"), ("sync", "Sync & retries"), ("limits", "Limits"), ("retention", "Data retention"),
         ("notifications", "Notifications"), ("desktop", "Desktop"), ("advanced", "Advanced"))
SIDEBAR_WIDTH = 176  # at most
SIDEBAR_PADDING = 40  # px around the widest page name


class SettingsPage(QWidget):
    """One page: its title, a scrolling column of cards and, when it holds fields, Save (the primary action)."""

    def __init__(self, title: str, intro: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{title} page")
        self.title = QLabel(title)
        theme.set_role(self.title, "page-title")
        self.title.setAccessibleName(f"{title} title")
        self.content = QWidget()
        self.content.setAccessibleName(title)
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(0, 0, theme.SPACE_S, 0)
        self.column.setSpacing(theme.SPACE_L)
        if intro:
            self.column.addWidget(muted(intro, f"{title} introduction"))
        self.column.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setWidget(self.content)
        self.scroller.setAccessibleName(f"{title} scroll area")
        self.save_button: QPushButton | None = None
        self.save_note = muted("", f"{title} save state")
        self.save_note.setWordWrap(False)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(theme.SPACE_S)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.SPACE_M)
        layout.addWidget(self.title)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(self.footer)

    def add(self, widget: QWidget) -> None:
        self.column.insertWidget(self.column.count() - 1, widget)

    def with_save(self) -> None:
        """Save (the page's primary action) for every changed field on the page; enabled while one is changed."""
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName(f"Save the {self.title.text()} settings")
        theme.make_primary(self.save_button)
        self.save_button.clicked.connect(self.save)
        self.footer.addStretch(1)
        self.footer.addWidget(self.save_note)
        self.footer.addWidget(self.save_button)
        for field in self.fields():
            field.dirty_changed.connect(self._dirty_changed)
        self._dirty_changed()

    def fields(self) -> list[SpecField]:
        return self.content.findChildren(SpecField)

    def changed(self) -> list[SpecField]:
        return [field for field in self.fields() if field.dirty]

    def _dirty_changed(self, *_: object) -> None:
        count = len(self.changed())
        if self.save_button is not None:
            self.save_button.setEnabled(bool(count))
        self.save_note.setText("" if not count else "1 change not saved yet" if count == 1
                               else f"{count} changes not saved yet")

    def save(self) -> None:
        for field in self.changed():
            field.save()


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
        self.names: SettingNames | None = None
        self.accounts = AccountsPanel(ctx)
        self.accounts.changed.connect(self.accounts_changed)
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Settings pages")
        widest = max(self.sidebar.fontMetrics().horizontalAdvance(title) for _, title in PAGES)
        sidebar_width = min(SIDEBAR_WIDTH, widest + SIDEBAR_PADDING)  # its words, not more: room for the page
        self.sidebar.setFixedWidth(sidebar_width)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Settings page")
        self.pages: dict[str, SettingsPage] = {}
        for key, title in PAGES:
            page = SettingsPage(title)
            self.pages[key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(sidebar_width - 8, 36))
            self.sidebar.addItem(item)
        self.pages["accounts"].add(self.accounts)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.sidebar.setCurrentRow(0)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.busy)
        right.addWidget(self.stack, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_M, theme.SPACE_M, theme.SPACE_M, theme.SPACE_M)
        layout.setSpacing(theme.SPACE_L)
        layout.addWidget(self.sidebar)
        layout.addLayout(right, 1)
        ctx.bridge.setting_changed.connect(self._setting_changed)
        ctx.bridge.scheduler_state.connect(self._scheduler_state)  # "Pause all" from the dashboard or the tray
        ctx.bridge.retention_pruned.connect(self._retention_pruned)

    # --- pages ---

    def show_page(self, key: str) -> SettingsPage:
        self.sidebar.setCurrentRow(list(self.pages).index(key))
        return self.pages[key]

    def current_page(self) -> str:
        return list(self.pages)[self.stack.currentIndex()]

    def open_account(self, name: str) -> None:
        """Settings › Accounts with `name` selected (e.g. "Sign in again" on a Dashboard card)."""
        self.show_page("accounts")
        self.accounts.select(name)

    def add_account(self) -> None:
        self.show_page("accounts")
        self.accounts.add_account()

    # --- loading ---

    def load(self) -> None:
        self.accounts.refresh()
        if self.notifications is not None and self.desktop is not None:
            self.notifications.refresh()
            self.desktop.refresh()

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
            if self.notifications is not None and self.desktop is not None:
                self.notifications.update_values(specs)
                self.desktop.update_values(specs)
        if self.names is not None:
            self.names.fill(listed)
        self._show_pause_end(paused_until)
        self._show_last_prune(last_prune)
        self.load_finished()

    def _build(self, specs: Mapping[str, SettingSpec]) -> None:
        def group(keys: list[str]) -> list[SettingSpec]:
            return [specs[key] for key in keys if key in specs]

        placed = set(RETRY + SYNC + RETENTION + PERFORMANCE + GENERAL + HIDDEN)
        # everything else declared (not per platform, not of its own page) is shown under General
        others = [s for s in specs.values()
                  if s.key not in placed and s.platform is None and not s.key.startswith(OWN_SECTIONS)]
        self.groups["general"] = SettingsGroup(self.ctx, "Schedules", group(GENERAL) + others)
        self.pause_end = muted("", "Pause end")
        self.pause_end.hide()
        self.groups["general"].form.insertRow(1, "", self.pause_end)
        self._display_row(self.groups["general"])
        self.groups["sync"] = SettingsGroup(self.ctx, "Syncs", group(SYNC))
        self.groups["retry"] = SettingsGroup(self.ctx, "Retries", group(RETRY),
                                             "How failed requests are retried. Rate limits wait for the time the "
                                             "platform announces, up to the longest rate-limit wait.")
        sync = self.pages["sync"]
        for key in ("general", "sync", "retry"):
            sync.add(self.groups[key])

        performance = SettingsGroup(self.ctx, "All platforms", group(PERFORMANCE),
                                    "Limits per platform apply to all its accounts together.")
        self.groups["performance"] = performance
        self.pages["limits"].add(performance)
        per_platform = SettingsGroup(self.ctx, "Requests per minute, per platform", [],
                                     "Overrides the limit above for one platform, all its accounts together. "
                                     "Unlimited: only the platform's own limits apply.", compact=True)
        for spec in specs.values():
            if spec.platform is not None and spec.key.startswith(PER_PLATFORM_SHOWN):
                per_platform.add_spec(spec, labels.badge(spec.platform, spec.label.rpartition(" — ")[2]).label)
        self.groups["per_platform"] = per_platform
        self.pages["limits"].add(per_platform)

        self.groups["retention"] = SettingsGroup(self.ctx, "Keep", group(RETENTION),
                                                 "The scheduler prunes once a day; the last success of every "
                                                 "schedule and account is always kept.")
        self.prune_button = QPushButton("Prune now")
        self.prune_button.setAccessibleName("Prune old history now")
        self.prune_button.clicked.connect(self.prune)
        self.prune_result = muted("", "Prune result")
        row = QHBoxLayout()
        row.setSpacing(theme.SPACE_S)
        row.addWidget(self.prune_button)
        row.addWidget(self.prune_result, 1)
        self.groups["retention"].outer.addLayout(row)
        self.pages["retention"].add(self.groups["retention"])

        self.notifications = NotificationsPanel(self.ctx, specs)
        self.pages["notifications"].add(self.notifications)
        self.desktop = DesktopSettings(self.ctx, specs)
        self.pages["desktop"].add(self.desktop)
        self.advanced = AdvancedSettings(self.ctx, group(ADVANCED))
        self.groups["advanced"] = self.advanced
        self.names = SettingNames()
        self.pages["advanced"].add(self.advanced)
        self.pages["advanced"].add(self.names)
        for key in ("sync", "limits", "retention", "notifications", "desktop", "advanced"):
            self.pages[key].with_save()
        self.advanced.refresh()
        self.notifications.refresh()
        self.desktop.refresh()

    def _display_row(self, group: SettingsGroup) -> None:
        self.zone = QComboBox()
        self.zone.setAccessibleName("Show times in")
        self.zone.setMaximumWidth(320)
        local = self.ctx.services.schedules.default_timezone()  # 'Europe/Berlin' reads 'Berlin', 'Etc/UTC' 'UTC'
        self.zone.addItem(f"Local time ({local.rsplit('/', 1)[-1].replace('_', ' ')})", "local")
        self.zone.setItemData(0, f"This computer's time zone ({local})", Qt.ItemDataRole.ToolTipRole)
        self.zone.addItem("UTC", "UTC")
        self.zone.setCurrentIndex(1 if self.ctx.prefs.display_zone() == "UTC" else 0)
        self.zone.currentIndexChanged.connect(self._zone_changed)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.zone)
        column.addWidget(muted("For this window only, applied at once; schedules keep their own time zones.",
                               "Show times in description"))
        caption = QLabel("Show times in")
        caption.setBuddy(self.zone)
        group.form.addRow(caption, box)

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
        text += f" and {result.stats_deleted:,} daily stats" + (
            f" (before {fmt.fmt_date(result.stats_before)})" if result.stats_before else "")
        self.prune_result.setText(text)

    def _retention_pruned(self, event: Any) -> None:
        if hasattr(self, "prune_result"):
            self.prune_result.setText(f"Pruned {event.runs_deleted:,} runs and {event.stats_deleted:,} daily stats")

    def _show_last_prune(self, prune: dict[str, Any] | None) -> None:
        if not self.prune_result.text() or self.prune_result.text().startswith("Last prune"):
            self.prune_result.setText(f"Last prune {fmt.fmt_time(prune['at'])}: {prune['runs_deleted']:,} runs, "
                                      f"{prune['stats_deleted']:,} daily stats" if prune else "Last prune: never")

    def _scheduler_state(self, event: Any) -> None:
        self._setting_changed(SimpleNamespace(key="scheduler.paused_all", value=event.paused_all))

    def _setting_changed(self, event: Any) -> None:
        fields: list[Any] = [group.fields.get(event.key) for group in self.groups.values()]
        if self.notifications is not None and self.desktop is not None:
            fields += [self.notifications.fields().get(event.key), self.desktop.fields().get(event.key)]
        for field in fields:
            if field is not None and not getattr(field, "dirty", False) and field.value() != event.value:
                field.set_value(event.value)
        if event.key.startswith("api.") and self.advanced is not None:
            self.advanced.refresh()
        if event.key in ("scheduler.paused_all", "scheduler.paused_until") and self.has_loaded:
            self.ctx.workers.run(self.ctx.services.schedules.paused_until, owner=self, on_done=self._show_pause_end)

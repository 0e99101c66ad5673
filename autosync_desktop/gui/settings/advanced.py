"""Settings › Advanced: the local REST API — on/off and port (api.enabled, api.port), whether and where it is
served, and its bearer token with Show and Copy (read off the GUI thread: the workers' keyring lane; the status
through the read lane); and, for power users and the CLI, every setting's name with its label and value (the only
place in the window that shows setting keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QWidget,
)

from autosync_desktop.domain import ApiStatus, SettingSpec
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings.spec_form import SettingsGroup
from autosync_desktop.gui.widgets.card import Card, muted

KEYS = ["api.enabled", "api.port"]
STATUS_RECHECKS = 5  # the serving process follows a change within about a second: look again a few times


class AdvancedSettings(SettingsGroup):
    """The Advanced card: the API's settings, its status and URL, and the token."""

    def __init__(self, ctx: AppContext, specs: Sequence[SettingSpec]) -> None:
        super().__init__(ctx, "Local REST API", specs,
                         "The local REST API lets scripts and dashboards on this machine read and drive AutoSync "
                         "(see README, Local API). Every request needs the token below.", show_keys=True)
        self.status = muted("", "Local API status")
        self.url = QLineEdit()
        self.url.setReadOnly(True)
        self.url.setAccessibleName("Local API URL")
        self.token = QLineEdit()
        self.token.setReadOnly(True)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName("Local API token")
        self.token.setPlaceholderText("Reading the keyring…")
        self.show_token = QCheckBox("Show")
        self.show_token.setAccessibleName("Show the API token")
        self.show_token.toggled.connect(lambda on: self.token.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        self.copy = QPushButton("Copy")
        self.copy.setAccessibleName("Copy the API token")
        self.copy.setEnabled(False)
        self.copy.clicked.connect(self.copy_token)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.token, 1)
        line.addWidget(self.show_token)
        line.addWidget(self.copy)
        self.form.addRow("Status", self.status)
        self.form.addRow("URL", self.url)
        self.form.addRow("Token", row)
        self._rechecks = 0

    def refresh(self) -> None:
        """Read the API's status (read lane) and its token (keyring lane: it may block or prompt)."""
        self._rechecks = 0
        self._read_status()
        self.ctx.workers.run(self.ctx.services.api_access.shown_token, lane="keyring", owner=self,
                             on_done=self._show_token, on_error=self._token_failed)

    def _read_status(self) -> None:
        self.ctx.workers.run(self.ctx.services.api_access.status, owner=self, on_done=self._show_status,
                             on_error=lambda exc: self.status.setText(f"Could not read the API's status: {exc}"))

    def update_values(self, specs: Mapping[str, SettingSpec]) -> None:
        super().update_values(specs)
        self.refresh()

    def _show_status(self, status: ApiStatus) -> None:
        self.url.setText(status.url)
        if not status.enabled:
            self.status.setText("Off")
        elif status.served_by_pid is not None:
            self.status.setText(f"On — served by pid {status.served_by_pid}")
        else:
            self.status.setText(f"On, not served: {status.problem}")
            if self._rechecks < STATUS_RECHECKS:
                self._rechecks += 1
                QTimer.singleShot(1000, self, self._read_status)

    def _show_token(self, token: str | None) -> None:
        self.token.setText(token or "")
        self.token.setPlaceholderText("" if token else "None yet: created when the API is turned on")
        self.copy.setEnabled(bool(token))

    def _token_failed(self, exc: Exception) -> None:
        self.token.clear()
        self.token.setPlaceholderText(f"No token: {exc}")
        self.copy.setEnabled(False)

    def copy_token(self) -> None:
        QApplication.clipboard().setText(self.token.text())


class SettingNames(Card):
    """Every setting's name (as `autosync settings set NAME VALUE` takes it), its label and its value; folded."""

    def __init__(self) -> None:
        super().__init__("Setting names", accessible="Setting names")
        self.toggle = QToolButton()
        self.toggle.setText("Show setting names")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("Show setting names")
        self.toggle.toggled.connect(self._toggled)
        self.outer.addWidget(muted("For scripts and the command line (autosync settings set NAME VALUE).",
                                   "Setting names introduction"))
        self.outer.addWidget(self.toggle)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Setting names table")
        self.table.setHorizontalHeaderLabels(("Name", "Label", "Value"))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(260)
        self.table.hide()
        self.outer.addWidget(self.table)

    def _toggled(self, on: bool) -> None:
        self.table.setVisible(on)
        self.toggle.setText("Hide setting names" if on else "Show setting names")

    def fill(self, specs: Sequence[SettingSpec]) -> None:
        self.table.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            for column, text in enumerate((spec.key, spec.label, "" if spec.value is None else str(spec.value))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)

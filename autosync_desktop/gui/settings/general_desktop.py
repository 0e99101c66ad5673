"""Settings › Desktop: start at login, close to tray, and the logs folder (checkboxes laid out like every form's).

Start at login is the OS's own entry (autostart.py), read and written through the services in workers (it is
file or registry I/O); "close to tray" is the `general.close_to_tray` setting; the logs folder is
`logs.log_dir(data dir)`, opened with the desktop's file manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from autosync_desktop.domain import SettingSpec
from autosync_desktop.errors import one_line
from autosync_desktop.gui.context import AppContext
from autosync_desktop.gui.settings.spec_form import SpecField, add_field_row, make_form
from autosync_desktop.gui.widgets.card import Card, muted

CLOSE_TO_TRAY = "general.close_to_tray"

try:
    from autosync_desktop import logs as _logs
except ImportError:  # an older build without logs.py
    _logs = None  # type: ignore[assignment]


def logs_folder(data_dir: Path) -> Path | None:
    return _logs.log_dir(data_dir) if _logs is not None else None


class DesktopSettings(Card):
    def __init__(self, ctx: AppContext, specs: Mapping[str, SettingSpec], tray: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Desktop", parent, accessible="Desktop settings")
        self.ctx = ctx
        self.tray = QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray
        self.login_available = hasattr(ctx.services.settings, "set_start_at_login")
        self.login = QCheckBox("Start AutoSync when I log in")
        self.login.setAccessibleName("Start AutoSync when I log in")
        self.login.setEnabled(False)  # until the OS entry has been read
        self.login.toggled.connect(self._login_toggled)
        self.login_status = muted("Checking…" if self.login_available else
                                  "Not available in this build.", "Start at login status")
        self.login_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = make_form()
        login_box = QWidget()
        login_column = QVBoxLayout(login_box)
        login_column.setContentsMargins(0, 0, 0, 0)
        login_column.setSpacing(2)
        login_column.addWidget(self.login)
        login_column.addWidget(self.login_status)
        form.addRow("", login_box)
        self.close_to_tray = SpecField(ctx, specs[CLOSE_TO_TRAY], "Keep running in the tray when the window is closed")
        self.close_to_tray.input.setAccessibleName("Keep running in the tray when the window is closed")
        add_field_row(form, self.close_to_tray)
        self.tray_note = muted("" if self.tray else "This desktop has no system tray: closing the window quits "
                               "AutoSync (after asking, when schedules would stop).", "Tray availability")
        self.tray_note.setVisible(not self.tray)
        form.addRow("", self.tray_note)
        self.outer.addLayout(form)

        self.folder = logs_folder(ctx.services.data_dir)
        self.logs_button = QPushButton("Open logs folder")
        self.logs_button.setAccessibleName("Open the logs folder")
        self.logs_button.clicked.connect(self.open_logs)
        self.logs_button.setEnabled(self.folder is not None)
        self.logs_note = muted(str(self.folder) if self.folder else "Logs are not written to a file in this build.",
                               "Logs folder")
        self.logs_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        logs_row = QHBoxLayout()
        logs_row.addWidget(self.logs_button)
        logs_row.addWidget(self.logs_note, 1)
        self.outer.addLayout(logs_row)

    # --- start at login ---

    def refresh(self) -> None:
        if self.login_available:
            self.ctx.workers.run(self.ctx.services.settings.start_at_login, owner=self, on_done=self._login_loaded,
                                 on_error=lambda exc: self._login_loaded(None, one_line(exc)))

    def _login_loaded(self, enabled: bool | None, error: str | None = None) -> None:
        self.login.blockSignals(True)
        self.login.setChecked(bool(enabled))
        self.login.blockSignals(False)
        self.login.setEnabled(error is None)
        if error:
            self.login_status.setText(f"Could not read the login entry: {error}")
        else:
            self.login_status.setText("Starts minimized to the tray." if enabled else
                                      "AutoSync starts only when you open it.")

    def _login_toggled(self, checked: bool) -> None:
        self.login.setEnabled(False)
        self.login_status.setText("Saving…")
        self.ctx.workers.run(self.ctx.services.settings.set_start_at_login, checked, lane="write", owner=self,
                             on_done=self._login_saved, on_error=self._login_refused)

    def _login_saved(self, text: str) -> None:
        self.login.setEnabled(True)
        self.login_status.setText(f"✓ {text}")

    def _login_refused(self, exc: Exception) -> None:
        self.login.blockSignals(True)
        self.login.setChecked(not self.login.isChecked())
        self.login.blockSignals(False)
        self.login.setEnabled(True)
        self.login_status.setText(f"✗ {one_line(exc)}")

    # --- the rest ---

    def update_values(self, specs: Mapping[str, SettingSpec]) -> None:
        if CLOSE_TO_TRAY in specs:
            self.close_to_tray.set_value(specs[CLOSE_TO_TRAY].value)

    def fields(self) -> dict[str, Any]:
        return {CLOSE_TO_TRAY: self.close_to_tray}

    def open_logs(self) -> None:
        folder = self.folder
        if folder is None:
            return
        self.ctx.workers.run(folder.mkdir, parents=True, exist_ok=True, owner=self,
                             on_done=lambda _: self._open(folder),
                             on_error=lambda exc: self.logs_note.setText(f"Could not create {folder}: {exc}"))

    def _open(self, folder: Path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.logs_note.setText(f"No file manager opened it; the logs are in {folder}")

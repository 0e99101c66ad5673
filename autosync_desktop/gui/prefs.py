"""Window preferences (geometry, last tab, dashboard period, display time zone) in `<data dir>/window.ini`.

They live next to the database rather than in the user's global Qt settings, so every data dir (and every
test's temp dir) has its own, and they are not sync settings (those are in the store, see store/settings.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

FILE_NAME = "window.ini"


class Prefs:
    def __init__(self, data_dir: Path) -> None:
        self._qs = QSettings(str(data_dir / FILE_NAME), QSettings.Format.IniFormat)

    @property
    def path(self) -> str:
        return self._qs.fileName()

    def _get(self, key: str, default: Any) -> Any:
        value = self._qs.value(key, default)
        return default if value is None else value

    def geometry(self) -> QByteArray | None:
        value = self._qs.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    def last_tab(self) -> str:
        return str(self._get("window/tab", "dashboard"))

    def set_last_tab(self, key: str) -> None:
        self._qs.setValue("window/tab", key)

    def period(self) -> str:
        value = str(self._get("dashboard/period", "24h"))
        return value if value in ("24h", "7d", "30d") else "24h"

    def set_period(self, value: str) -> None:
        self._qs.setValue("dashboard/period", value)

    def display_zone(self) -> str:
        return "UTC" if str(self._get("display/timezone", "local")) == "UTC" else "local"

    def set_display_zone(self, value: str) -> None:
        self._qs.setValue("display/timezone", value)

    def sync(self) -> None:
        self._qs.sync()

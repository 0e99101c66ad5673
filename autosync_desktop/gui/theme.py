"""Icons, status colours and card styling that follow the system palette (light and dark).

Icons are SVG files in `resources/icons/` (the repository's, or PyInstaller's bundle dir when frozen). Action
icons draw with `currentColor`, which is replaced by the palette's text colour when loaded, so they stay
visible in dark mode; status dots have fixed mid-tone colours with white glyphs that read on both. Status
*text* colours come in a darker (light theme) and a lighter (dark theme) shade. Nothing here sets a
background colour: cards use palette roles through style sheets (`palette(base)`, `palette(mid)`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from autosync_desktop import resources

ICON_SIZES = (16, 20, 24, 32, 48, 64)

# status word (run, schedule or health) -> visual kind
_KIND = {
    "succeeded": "ok", "healthy": "ok", "ok": "ok", "available": "ok",
    "running": "running", "queued": "running", "cancelling": "running",
    "failed": "failed", "failing": "failed", "interrupted": "failed", "needs_sign_in": "failed",
    "missing": "failed", "locked": "warning", "error": "failed",
    "degraded": "warning", "warning": "warning", "skipped": "warning", "needs_update": "warning",
    "paused": "paused", "cancelled": "paused",
    "never_synced": "idle", "idle": "idle", "not_needed": "idle", None: "idle",
}
# kind -> (shade on a light window, shade on a dark window); both meet ~4.5:1 on their background
_TEXT = {
    "ok": ("#17703b", "#5bd68d"),
    "running": ("#1c5fb8", "#79b2f7"),
    "failed": ("#b3261e", "#ff8a80"),
    "warning": ("#8a5a00", "#f2bf4f"),
    "paused": ("#545b64", "#b2bac4"),
    "idle": ("#545b64", "#b2bac4"),
}
# chart series colours (mid tones, visible on light and dark plot backgrounds)
CHART = {"succeeded": "#2ea65a", "failed": "#e0473f", "interrupted": "#b8322b", "cancelled": "#8a939e",
         "skipped": "#e39b1a", "running": "#3b86e3", "queued": "#7aaef0", "line": "#3b86e3", "rows": "#7a5ae0"}

STATUS_LABEL = {
    "healthy": "Healthy", "degraded": "Degraded", "failing": "Failing", "needs_sign_in": "Needs sign-in",
    "paused": "Paused", "never_synced": "Never synced", "succeeded": "Succeeded", "failed": "Failed",
    "cancelled": "Cancelled", "interrupted": "Interrupted", "skipped": "Skipped", "queued": "Queued",
    "running": "Running", "idle": "Idle", "available": "Available", "missing": "Missing", "locked": "Locked",
    "error": "Error", "needs_update": "Needs update", "not_needed": "Not needed yet",
}


def kind_of(status: str | None) -> str:
    return _KIND.get(status, "idle")


def label_of(status: str | None) -> str:
    if status is None:
        return "—"
    return STATUS_LABEL.get(status, status.replace("_", " ").capitalize())


def resources_dir() -> Path:
    return resources.resources_dir()  # the one helper that knows checkouts and frozen builds (sys._MEIPASS)


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def status_color(status: str | None, palette: QPalette | None = None) -> QColor:
    light, dark = _TEXT[kind_of(status)]
    return QColor(dark if is_dark(palette) else light)


def status_icon(status: str | None) -> QIcon:
    return icon(f"status-{kind_of(status)}")


def icon(name: str) -> QIcon:
    """An SVG icon rendered at several sizes (sharp on high-DPI screens), tinted for the current palette."""
    palette = QApplication.palette()
    tint = palette.color(QPalette.ColorRole.ButtonText).name()
    app = QApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QApplication) else 1.0
    return _icon(name, tint, max(1.0, float(ratio)))


@functools.lru_cache(maxsize=256)
def _icon(name: str, tint: str, ratio: float) -> QIcon:
    path = icon_path(name)
    result = QIcon()
    if not path.exists():
        return result
    data = path.read_text(encoding="utf-8").replace("currentColor", tint)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    for size in ICON_SIZES:
        for scale in {1.0, ratio, 2.0}:
            pixels = round(size * scale)
            pixmap = QPixmap(QSize(pixels, pixels))
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, pixels, pixels))
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    path = icon_path("app")
    return QIcon(str(path)) if path.exists() else QIcon()


# Cards: a frame drawn with the palette's base colour and a mid-tone border (works in light and dark themes).
CARD_STYLE = """
QFrame[card="true"] {
    background: palette(base);
    border: 1px solid palette(midlight);
    border-radius: 8px;
}
QFrame[card="true"][selected="true"] {
    border: 2px solid palette(highlight);
}
QLabel[role="card-title"] { font-weight: 600; }
QLabel[role="muted"] { color: palette(placeholder-text); }
QLabel[role="big-number"] { font-size: 19pt; font-weight: 600; }
QLabel[role="heading"] { font-size: 13pt; font-weight: 600; }
QLabel[role="field-error"] { font-weight: 500; }
QPushButton[segment="true"] { padding: 3px 14px; }
QPushButton[segment="true"]:checked {
    background: palette(highlight);
    color: palette(highlighted-text);
    border: 1px solid palette(highlight);
    border-radius: 4px;
}
"""


def muted_color(palette: QPalette | None = None) -> QColor:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)

"""Icons, status colours, the light/dark palettes and the app-wide visual language (type, spacing, primary action).

Icons are SVG files in `resources/icons/` (the repository's, or PyInstaller's bundle dir when frozen). Action
icons draw with `currentColor`, which is replaced by the palette's text colour when loaded, so they stay
visible in dark mode; status dots have fixed mid-tone colours with white glyphs that read on both. Status
*text* colours come in a darker (light theme) and a lighter (dark theme) shade, each >= 4.5:1 on the card
background of its palette (tests/gui/test_accessibility.py computes it).

The visual language (documented in gui/README.md, "Visual language") is one style sheet, `APP_STYLE`, applied
once to the application (`qt_app.make_app`): a type scale set through the `role` property of a QLabel
(`page-title`, `section`, `body`, `caption`; older roles `heading`, `card-title`, `muted`, `big-number` stay),
one spacing scale (`SPACE_*`, in pixels, for layouts), and one emphasised primary action per page
(`make_primary(button)`, i.e. the property `primary="true"`). `apply_theme(app, "light"|"dark"|"system")` sets
Fusion with AutoSync's light or dark palette (`--theme`); "system" keeps the platform's style and palette and only
raises the caption colour's contrast when it is too low. Colours use palette roles (`palette(base)`, ...), so
the same sheet serves both palettes.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

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
    from PySide6.QtSvg import QSvgRenderer  # QtSvg loads when the first icon is drawn

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


# --- spacing and type scale -------------------------------------------------------------------------------
# One spacing scale (pixels) for layout margins and spacings: use these, not ad-hoc numbers.
SPACE_XS = 4  # inside a control group (icon and its word)
SPACE_S = 8  # between related controls in a row
SPACE_M = 12  # inside a card (its margins), between rows of a form
SPACE_L = 16  # between cards
SPACE_XL = 24  # page margins at the top and sides
SPACE_XXL = 32  # between a page's big sections
SPACING = (SPACE_XS, SPACE_S, SPACE_M, SPACE_L, SPACE_XL, SPACE_XXL)

# The type scale: QLabel property `role` -> (point size or None for the app font's, weight). See APP_STYLE.
TYPE_SCALE: dict[str, tuple[float | None, int]] = {
    "page-title": (17.0, 600),  # one per page, top left: "Schedules"
    "section": (12.5, 600),  # a group on a page: "Accounts", "Recent activity"
    "body": (None, 400),  # everything else (the application font)
    "caption": (None, 400),  # secondary facts under a value: muted colour, never smaller than the body
}


def set_role(label: QWidget, role: str) -> QWidget:
    """Give a label a place in the type scale ("page-title", "section", "body", "caption"); returns it."""
    label.setProperty("role", role)
    _repolish(label)
    return label


def make_primary(button: QAbstractButton, primary: bool = True) -> QAbstractButton:
    """The page's one emphasised action ("New schedule", "Add account", "Save"): filled with the accent colour."""
    button.setProperty("primary", primary)
    _repolish(button)
    return button


def _repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


# The app-wide style sheet: cards, the type scale, the primary action, segments, chips, the navigation rail.
# Colours come from palette roles so one sheet serves the light and the dark palette.
APP_STYLE = """
QFrame[card="true"] {
    background: palette(base);
    border: 1px solid palette(midlight);
    border-radius: 8px;
}
QFrame[card="true"][selected="true"] {
    border: 2px solid palette(highlight);
}
QLabel[role="page-title"] { font-size: 17pt; font-weight: 600; }
QLabel[role="section"], QLabel[role="heading"] { font-size: 12.5pt; font-weight: 600; }
QLabel[role="card-title"] { font-weight: 600; }
QLabel[role="caption"], QLabel[role="muted"] { color: palette(placeholder-text); }
QLabel[role="big-number"] { font-size: 19pt; font-weight: 600; }
QLabel[role="field-error"] { font-weight: 500; }
QPushButton[primary="true"], QToolButton[primary="true"] {
    background: palette(highlight);
    color: palette(highlighted-text);
    border: 1px solid palette(highlight);
    border-radius: 6px;
    padding: 5px 16px;
    font-weight: 600;
}
QPushButton[primary="true"]:hover, QToolButton[primary="true"]:hover { border: 1px solid palette(text); }
QPushButton[primary="true"]:focus, QToolButton[primary="true"]:focus { border: 2px solid palette(text); }
QPushButton[primary="true"]:pressed, QToolButton[primary="true"]:pressed { background: palette(dark); }
QPushButton[primary="true"]:disabled, QToolButton[primary="true"]:disabled {
    background: palette(midlight);
    color: palette(placeholder-text);
    border: 1px solid palette(midlight);
}
QPushButton[segment="true"] { padding: 3px 14px; }
QPushButton[segment="true"]:checked {
    background: palette(highlight);
    color: palette(highlighted-text);
    border: 1px solid palette(highlight);
    border-radius: 4px;
}
QLabel[chip="true"] {
    border: 1px solid palette(mid);
    border-radius: 9px;
    padding: 1px 8px;
}
QFrame[navrail="true"] {
    background: palette(window);
    border: none;
    border-right: 1px solid palette(midlight);
}
QToolButton[navitem="true"] {
    border: none;
    border-radius: 8px;
    padding: 6px 8px;
    text-align: left;
}
QToolButton[navitem="true"]:hover { background: palette(midlight); }
QToolButton[navitem="true"]:checked { font-weight: 600; }
QToolButton[navitem="true"]:focus { border: 2px solid palette(highlight); }
"""
CARD_STYLE = APP_STYLE  # the name qt_app.make_app() applies (kept for it and for older callers)


# --- palettes ---------------------------------------------------------------------------------------------
THEMES = ("system", "light", "dark")
# role -> (light, dark). Text on window/base/alternate-base and white on highlight are >= 4.5:1 (WCAG AA).
_PALETTE: dict[str, tuple[str, str]] = {
    "Window": ("#f4f5f7", "#1d2026"),
    "WindowText": ("#1b1f24", "#e6e8eb"),
    "Base": ("#ffffff", "#262a31"),
    "AlternateBase": ("#f2f5fa", "#2c3139"),
    "Text": ("#1b1f24", "#e6e8eb"),
    "Button": ("#fbfbfc", "#2f343c"),
    "ButtonText": ("#1b1f24", "#e6e8eb"),
    "BrightText": ("#ffffff", "#ffffff"),
    "Light": ("#ffffff", "#3a404a"),
    "Midlight": ("#dfe2e7", "#383d46"),
    "Mid": ("#b9bec6", "#4a505b"),
    "Dark": ("#1a47b0", "#1a3f8f"),
    "Shadow": ("#8a9099", "#0c0d10"),
    "Highlight": ("#2458d6", "#2a63d4"),
    "HighlightedText": ("#ffffff", "#ffffff"),
    "Link": ("#1a55c4", "#8ab4ff"),
    "LinkVisited": ("#6a3fc0", "#c1a6ff"),
    "ToolTipBase": ("#1b1f24", "#e6e8eb"),
    "ToolTipText": ("#ffffff", "#1b1f24"),
    "PlaceholderText": ("#59616c", "#a3abb6"),
}
_DISABLED_TEXT = ("#8a9099", "#7b828d")


def palette_for(mode: str) -> QPalette:
    """AutoSync's light or dark palette (Fusion): every role set, disabled text greyed."""
    index = 1 if mode == "dark" else 0
    palette = QPalette()
    for role_name, shades in _PALETTE.items():
        palette.setColor(getattr(QPalette.ColorRole, role_name), QColor(shades[index]))
    disabled = QColor(_DISABLED_TEXT[index])
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_theme(app: QApplication, mode: str = "system") -> None:
    """Light or dark: Fusion with AutoSync's palette. System: the platform's, with readable captions."""
    if mode not in THEMES:
        raise ValueError(f"theme: choose one of {', '.join(THEMES)}")
    if mode == "system":
        palette = app.palette()
        base = palette.color(QPalette.ColorRole.Base)
        caption = palette.color(QPalette.ColorRole.PlaceholderText)
        if contrast(caption, base) < 4.5:
            palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(_PALETTE["PlaceholderText"][
                1 if base.lightness() < 128 else 0]))
            app.setPalette(palette)
    else:
        app.setStyle("Fusion")
        app.setPalette(palette_for(mode))
    _icon.cache_clear()  # icons are tinted with the palette's text colour
    sheet = app.styleSheet()  # re-applied so palette() references in it resolve against the new palette
    app.setStyleSheet("")
    app.setStyleSheet(sheet if APP_STYLE in sheet else sheet + APP_STYLE)


def blend(color: QColor, over: QColor, amount: float) -> QColor:
    """`color` laid over `over` at `amount` (0..1) opacity: a tint for a selected or status background."""
    return QColor(round(over.red() + (color.red() - over.red()) * amount),
                  round(over.green() + (color.green() - over.green()) * amount),
                  round(over.blue() + (color.blue() - over.blue()) * amount))


def relative_luminance(color: QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio (1 .. 21); text needs >= 4.5."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)

def muted_color(palette: QPalette | None = None) -> QColor:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)

"""Platform badges: the platform's letters in white on its colour in a circle (`labels.BADGES`), as an icon."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from autosync_desktop.gui.settings import labels


def pixmap(platform: str, size: int = 24, label: str | None = None) -> QPixmap:
    """The badge drawn at `size` logical pixels (sharp on high-DPI screens)."""
    badge = labels.badge(platform, label)
    app = QApplication.instance()
    ratio = max(1.0, float(app.devicePixelRatio())) if isinstance(app, QApplication) else 1.0
    image = QPixmap(int(size * ratio), int(size * ratio))
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(badge.color))
        painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
        font = QFont(QApplication.font())
        font.setBold(True)
        font.setPixelSize(max(7, int(size * (0.5 if len(badge.letters) == 1 else 0.38 if len(badge.letters) == 2
                                                 else 0.3))))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, size, size), int(Qt.AlignmentFlag.AlignCenter), badge.letters)
    finally:
        painter.end()
    return image


def icon(platform: str, label: str | None = None) -> QIcon:
    result = QIcon()
    for size in (16, 20, 24, 32, 40):
        result.addPixmap(pixmap(platform, size, label))
    return result

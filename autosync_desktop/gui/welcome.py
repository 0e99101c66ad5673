"""The first-run panel (no accounts yet): try the Demo account, or connect a real one."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from autosync_desktop.gui import theme
from autosync_desktop.gui.widgets.card import muted
from autosync_desktop.services import Services

DEMO_ACCOUNT = "Demo account"
DEMO_SCHEDULE = "Demo sync"


def ensure_demo(services: Services) -> bool:
    """Create the Demo account and its every-5-minutes schedule if there are none. True if anything was created.

    Runs in a worker (it writes to the store)."""
    created = False
    if not any(a.platform == "demo" for a in services.accounts.list()):
        services.accounts.add("demo", DEMO_ACCOUNT, "demo-1")
        created = True
    if not services.schedules.list():
        account = next(a.name for a in services.accounts.list() if a.platform == "demo")
        services.schedules.add(DEMO_SCHEDULE, account, "both", "interval", every_minutes=5)
        created = True
    return created


class WelcomePanel(QWidget):
    try_demo = Signal()
    connect_account = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        icon = QLabel()
        icon.setPixmap(theme.app_icon().pixmap(QSize(72, 72)))
        icon.setAccessibleName("AutoSync Desktop logo")
        title = QLabel("Welcome to AutoSync Desktop")
        title.setProperty("role", "heading")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        title.setFont(font)
        title.setAccessibleName("Welcome title")
        text = muted("Keep your advertising data — campaigns and daily performance — synced to this computer on "
                     "a schedule you choose. Nothing is connected yet.", "Welcome text")
        text.setFixedWidth(560)  # a wrapped label needs a definite width to get its height right
        text.setMinimumHeight(text.heightForWidth(560))
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_button = QPushButton(theme.icon("play"), "Try with demo data")
        self.demo_button.setAccessibleName("Try with demo data")
        self.demo_button.setToolTip("Adds the Demo account (labelled sample data, nothing leaves this computer) "
                                    "and a schedule that syncs it every 5 minutes, then runs a first sync")
        self.demo_button.setMinimumHeight(40)
        self.demo_button.clicked.connect(self.try_demo)
        self.connect_button = QPushButton(theme.icon("add"), "Connect an account")
        self.connect_button.setAccessibleName("Connect an account")
        self.connect_button.setToolTip("Add a Google Ads, Meta Ads or LinkedIn Ads account in Settings")
        self.connect_button.setMinimumHeight(40)
        self.connect_button.clicked.connect(self.connect_account)
        self.status = muted("", "Welcome status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.connect_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for widget in (icon, title, text):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addWidget(self.status, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def set_busy(self, text: str) -> None:
        self.status.setText(text)
        self.demo_button.setEnabled(not text)
        self.connect_button.setEnabled(not text)

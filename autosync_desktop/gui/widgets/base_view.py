"""`BaseView`: what every page of the window shares about loading its data, kept in one place.

A page subclasses it and implements `load()`, which starts its reads in workers and ends with exactly one call
of `load_finished()` (the data is shown) or `load_failed(exc)`. The base owns the bookkeeping around it:

- `refresh()` starts a load now. A refresh asked for while one is in flight is not started beside it and not
  lost: it runs once, right after the current load ends (however many were asked for meanwhile).
- `schedule_refresh()` is for bursts of events (runs finishing, settings changing): it restarts a single-shot
  timer, so N requests within the debounce interval become one refresh.
- `is_loading()`, `has_loaded` (set by the first `load_finished()`, the `loaded` signal on every one),
  `updated_at` and `updated_text()` ("Updated 12 s ago", "Refreshing…", "Refresh failed: …").
- `busy`, a BusyIndicator shown while a load is in flight (the page puts it into its layout), and the
  `loading_changed(loading)` hook for anything else (e.g. disabling a Refresh button).
- A failed load leaves the page usable: nothing stays in flight or busy, the page keeps what it showed, and
  `show_error(text)` tells the user (by default through the `message` signal, which the window puts in its
  status bar).

Loads a page starts itself outside `refresh()` (a changed filter that reloads a table) may end with
`load_finished()` too: it then only records the time and emits `loaded`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget

from autosync_desktop import redaction
from autosync_desktop.errors import one_line
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.widgets.busy import BusyIndicator

DEFAULT_DEBOUNCE_MS = 300


class BaseView(QWidget):
    """A page of the main window that loads its data in workers; see the module docstring."""

    loaded = Signal()
    message = Signal(str)

    title: ClassVar[str] = ""  # the tab's text
    key: ClassVar[str] = ""  # the tab's name in prefs and on the command line (--tab)
    subject: ClassVar[str] = "this page"  # for "Could not load <subject>: …"

    def __init__(self, parent: QWidget | None = None, *, debounce_ms: int = DEFAULT_DEBOUNCE_MS,
                 busy_text: str = "Loading…") -> None:
        super().__init__(parent)
        self.has_loaded = False
        self.updated_at: datetime | None = None
        self.last_error: str | None = None
        self.busy = BusyIndicator(busy_text)
        self._inflight = False
        self._again = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.refresh)

    # --- for the window and for event handlers ---

    def is_loading(self) -> bool:
        return self._inflight

    def schedule_refresh(self, *_: object) -> None:
        """Refresh after a quiet interval (restarted by every call): a burst of events makes one refresh."""
        self._debounce.start()

    def refresh(self) -> None:
        """Load now, or once right after the load in flight ends."""
        self._debounce.stop()
        if self._inflight:
            self._again = True
            return
        self._inflight = True
        self.busy.start()
        self.loading_changed(True)
        try:
            self.load()
        except Exception as exc:  # could not even start (e.g. the window is closing): stay usable
            self.load_failed(exc)

    def updated_text(self, now: datetime | None = None) -> str:
        """How fresh the page is, for a label: "Updated 12 s ago", "Refreshing… (last 2 min ago)", …"""
        if self._inflight:
            if self.updated_at is None:
                return "Refreshing…"
            return f"Refreshing… (last {fmt.fmt_ago(self.updated_at, now)})"
        if self.last_error is not None:
            return f"Refresh failed: {self.last_error}"
        if self.updated_at is None:
            return "Not loaded yet"
        return f"Updated {fmt.fmt_ago(self.updated_at, now)}"

    # --- for the page ---

    def load(self) -> None:
        """Start reading the page's data (in workers); end with `load_finished()` or `load_failed(exc)`."""
        raise NotImplementedError

    def loading_changed(self, loading: bool) -> None:
        """Called when a load starts (True) and ends (False); `busy` is already taken care of."""

    def load_finished(self) -> None:
        """The page shows fresh data."""
        self.updated_at = datetime.now(UTC)
        self.last_error = None
        self._end_load()
        self.has_loaded = True
        self.loaded.emit()
        self._run_again_if_asked()

    def load_failed(self, error: Exception | str) -> None:
        """The load did not work: the page keeps what it showed and says why."""
        self.last_error = redaction.clean(error) if isinstance(error, str) else one_line(error)
        self._end_load()
        self.show_error(self.last_error)
        self._run_again_if_asked()

    def show_error(self, text: str) -> None:
        self.message.emit(f"Could not load {self.subject}: {text}")

    def _end_load(self) -> None:
        if self._inflight:
            self._inflight = False
            self.busy.stop()
            self.loading_changed(False)

    def _run_again_if_asked(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

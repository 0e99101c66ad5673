"""Desktop notifications: delivered by the AutoSync window (tray icon), which registers a sink.

The window calls `notifications.set_desktop_sink(sink)`; the sink is called on a notifier thread and must return
quickly (emit a Qt signal, never touch widgets). Without a window in this process the channel says so.
"""

from __future__ import annotations

from collections.abc import Callable

from autosync_desktop.notify.base import NotConfigured
from autosync_desktop.notify.messages import Notification

DesktopSink = Callable[[Notification], None]


class DesktopChannel:
    name = "desktop"

    def __init__(self, sink: DesktopSink | None) -> None:
        self._sink = sink

    def target(self) -> str:
        return "the AutoSync window's tray icon"

    def missing(self) -> str | None:
        if self._sink is None:
            return ("Desktop notifications are shown by the AutoSync window, and it is not running in this "
                    "process; open the window (or use email, Slack, webhook or SMS for a headless service)")
        return None

    def send(self, message: Notification) -> str:
        problem = self.missing()
        if problem or self._sink is None:
            raise NotConfigured(problem or "no desktop sink")
        self._sink(message)
        return "Shown on the desktop"

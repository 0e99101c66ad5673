"""The command line's stop signals: Ctrl-C, SIGTERM and SIGHUP (a closed terminal or SSH session) all stop cleanly.
Running syncs are cancelled at their next page and recorded as `cancelled`, never left for the orphan reaper as a
crash; a sign-in or a discovery waiting on the network is cancelled the same way. No imports of the data model.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def on_interrupt(action: Callable[[], Any]) -> Callable[[], None]:
    """First Ctrl-C / SIGTERM cancels (the run ends at its next page, recorded); returns an undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        print("cancelling…", file=sys.stderr)
        action()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore

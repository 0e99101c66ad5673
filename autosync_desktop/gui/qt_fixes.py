"""Work-arounds for bugs in the Qt binding that the window would otherwise hit.

PySide6 6.12.0 on CPython 3.11: `SignalInstance.emit()` returns `True` without taking a reference to it, so
every signal emitted from Python (ours, pyqtgraph's, pytest-qt's) permanently drops one reference to `True`.
After a few thousand emissions `True`'s count reaches zero and the interpreter aborts with "Fatal Python
error: bool_dealloc: deallocating True or False" (seen in our tests at exit; a long session or a big sync
would crash mid-run). CPython 3.12+ makes True/False immortal, which hides the bug. `apply()` detects the
defect with one probe emission and, only if present, gives True and False the same protection CPython 3.12
gives them: a reference count so large that no realistic number of emissions can exhaust it.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_IMMORTAL_MARGIN = 1 << 40  # ~1e12 emissions
_applied = False


def emit_drops_true_reference() -> bool:
    """True when this binding's emit() loses a reference to True (probed with one emission)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    return sys.getrefcount(True) < before


def apply() -> bool:
    """Protect True/False if needed; returns whether the protection was applied (idempotent)."""
    global _applied
    if _applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # bools are immortal there
    if not emit_drops_true_reference():
        return False
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += _IMMORTAL_MARGIN  # ob_refcnt is PyObject's first field
    _applied = True
    log.info("PySide6 emit() reference bug detected: True/False protected")
    return True

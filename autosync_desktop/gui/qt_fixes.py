"""Work-arounds for bugs in the Qt binding that the window would otherwise hit.

PySide6 6.12.0 on CPython 3.11: `SignalInstance.emit()` returns `True` without taking a reference to it, so
every signal emitted from Python (ours, pyqtgraph's, pytest-qt's) permanently drops one reference to `True`.
After a few thousand emissions `True`'s count reaches zero and the interpreter aborts with "Fatal Python
error: bool_dealloc: deallocating True or False" (seen in our tests at exit; a long session or a big sync
would crash mid-run). CPython 3.12+ makes True/False immortal, which hides the bug. `apply()` detects the
defect with one probe emission and, only if present, gives True and False the same protection CPython 3.12
gives them: a reference count so large that no realistic number of emissions can exhaust it.

PySide6's `__feature__` import hook reads the source of every module imported after PySide6 (`inspect.getsource`,
looking for "PySide6") to know which modules `from __feature__ import snake_case, true_property` may apply to. AutoSync
imports no `__feature__`, so the scan only costs time: ~45 ms of CPU for the services, the store and the pages,
all imported after the first frame. `skip_feature_scan()` marks every module as not using them, as a frozen app
(no sources to read) already does.
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


def skip_feature_scan() -> bool:
    """Stop PySide6 reading each newly imported module's source (see above); False if this binding has no such
    scan (then nothing is changed)."""
    try:
        import shibokensupport.feature as feature  # type: ignore[import-not-found]  # PySide6's embedded support
    except ImportError:
        return False
    if not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_no_feature
    return True


def _uses_no_feature(module: object) -> bool:
    return False


def apply() -> bool:
    """Skip the `__feature__` source scan; protect True/False if needed. Returns whether the protection was
    applied (idempotent)."""
    global _applied
    skip_feature_scan()
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

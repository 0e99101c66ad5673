"""`Area`: the base of the service layer's per-area objects (`services.accounts`, `services.schedules`, ...).

An area holds no state of its own: it reaches the store, the bus, the scheduler and the other areas through
the `Services` façade it was created by (`self.core`). Areas take plain values and return only the types in
`autosync_desktop/domain.py` (never peewee rows, never dicts); bad input raises `UserError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autosync_desktop.services import Services


class Area:
    """One area of the service layer; `core` is the façade, shared by all areas."""

    def __init__(self, core: Services) -> None:
        self.core = core

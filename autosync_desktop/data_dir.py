"""Where AutoSync keeps its store by default: `AUTOSYNC_DATA_DIR`, else the user data dir.

A module of its own (re-exported by `services`) so that the command line and the window's first frame can find
the data dir without importing the services and everything below them.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    override = os.environ.get("AUTOSYNC_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("autosync-desktop", appauthor=False))

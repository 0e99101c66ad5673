"""Where the app's data files (`resources/`: icons, the desktop entry) are, from a checkout and when frozen.

The one place that knows the layout: a source checkout (or editable install) has `resources/` beside the
package; a PyInstaller build bundles it as `resources/` under `sys._MEIPASS` (the `_internal` folder of a
one-folder build, the unpack dir of a one-file build; in a macOS .app `Contents/Frameworks`, where PyInstaller
links data to `Contents/Resources`). AUTOSYNC_RESOURCES overrides both (tests, and trying icons without
rebuilding).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_OVERRIDE = "AUTOSYNC_RESOURCES"
ICON_NAME = "autosync-desktop"  # the freedesktop icon name (hicolor theme) and the desktop entry's file name
TRAY_ICONS = ("tray-ok", "tray-running", "tray-attention")  # icons/<name>.svg
# What a build must carry (the frozen self-test and tests/test_packaging.py check them).
REQUIRED_FILES = (
    ("icons", "app.svg"),
    *(("icons", f"{name}.svg") for name in TRAY_ICONS),
    ("icons", f"{ICON_NAME}.ico"),
    ("icons", f"{ICON_NAME}.icns"),
    *(("icons", "hicolor", f"{n}x{n}", "apps", f"{ICON_NAME}.png") for n in (16, 24, 32, 48, 64, 128, 256, 512)),
    (f"{ICON_NAME}.desktop",),
)


def is_frozen() -> bool:
    """Whether this process is a bundled app (PyInstaller sets `sys.frozen` and `sys._MEIPASS`)."""
    return bool(getattr(sys, "frozen", False)) and getattr(sys, "_MEIPASS", None) is not None


def resources_dir() -> Path:
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, e.g. `resource_path("icons", "app.svg")` (it may not exist)."""
    return resources_dir().joinpath(*parts)


def missing_files() -> list[str]:
    """The REQUIRED_FILES that are not there, as relative paths (empty when the bundle is complete)."""
    return ["/".join(parts) for parts in REQUIRED_FILES if not resource_path(*parts).is_file()]

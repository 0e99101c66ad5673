"""PyInstaller's entry script (build_installer.spec): the frozen `autosync` executable is the `autosync` command.

It lives outside the package on purpose: PyInstaller puts the entry script's folder on the module path, and
`autosync_desktop/` holds modules (`secrets`, `logs`, `events`) that would shadow top-level names from there.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    # A windowed build (Windows) has no console: sys.stdout/stderr are None and any print() would raise.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (lives as long as the app)
    from autosync_desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())

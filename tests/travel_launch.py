"""AutoSync as a child process of a test, on the suite's clock: `command(*args)` and `env()` for every child.

Tests start `autosync` processes (CLI commands, `service`, `gui`) with `command(...)` instead of
`[sys.executable, "-m", "autosync_desktop", ...]` and pass `env()` (or `env(base)`). The command runs this file,
which runs the real entry point (`python -m autosync_desktop`, argv and exit code unchanged) in the same process.
When the suite runs with `--today` (tests/conftest.py), `env()` hands the child the parent's current (travelled)
moment in AUTOSYNC_TEST_NOW and this file first travels there with time-machine, ticking on from it like the
parent, so parent and child agree on the date. Without `--today` nothing travels. The product has no test hook.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

NOW_ENV = "AUTOSYNC_TEST_NOW"  # set in the test process by conftest while travelling; per child: its start moment
LAUNCHER = str(Path(__file__).resolve())


def command(*args: str) -> list[str]:
    """The argv of an `autosync ARGS...` child process."""
    return [sys.executable, LAUNCHER, *args]


def env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a child: `base` (default: this process's) plus `extra`, and the moment to start at."""
    out = dict(os.environ if base is None else base)
    out.update(extra)
    if os.environ.get(NOW_ENV):
        out[NOW_ENV] = datetime.now(UTC).isoformat()
    else:
        out.pop(NOW_ENV, None)
    return out


def main() -> None:
    moment = os.environ.get(NOW_ENV)
    if moment:
        import time_machine

        time_machine.travel(datetime.fromisoformat(moment), tick=True).start()  # until the process ends
    sys.path[0] = os.getcwd()  # as `python -m` has it, instead of this file's directory (tests/)
    runpy.run_module("autosync_desktop", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

"""`autosync api token [--rotate]` and `autosync api status` in-process (the token lives in a memory keyring, which
a child process could not share). A module of its own: `cli.main` opens another store in this process, which would
pull the models away from a live API's store (tests/test_api.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autosync_desktop import cli


def test_api_token_command_creates_and_rotates(tmp_path: Path, memory_keyring: dict[Any, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--data-dir", str(tmp_path), "api", "token"]) == 0
    first = capsys.readouterr().out.strip()
    assert cli.main(["--data-dir", str(tmp_path), "api", "token"]) == 0
    assert capsys.readouterr().out.strip() == first and len(first) >= 40
    assert cli.main(["--data-dir", str(tmp_path), "api", "token", "--rotate"]) == 0
    rotated = capsys.readouterr().out.strip()
    assert rotated != first and ("autosync-desktop", "api:token") in memory_keyring
    assert memory_keyring[("autosync-desktop", "api:token")] == rotated
    assert cli.main(["--data-dir", str(tmp_path), "api", "status"]) == 0
    assert "Local API: off" in capsys.readouterr().out
    log = (tmp_path / "logs" / "autosync.log").read_text()
    assert first not in log and rotated not in log

"""The type checker bites: with the project's mypy configuration, a wrong field name on a frozen read model of
autosync_desktop/domain.py (or a write to one) is an error, and the right one passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mypy(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    snippet = tmp_path / "snippet.py"
    snippet.write_text("from autosync_desktop.domain import ScheduleRun\n\n\n" + body, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), str(snippet)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.timeout(300)
def test_reading_a_field_that_does_not_exist_fails(tmp_path: Path) -> None:
    result = _mypy(tmp_path, "def rows(run: ScheduleRun) -> int:\n    return run.row_count\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert '"ScheduleRun" has no attribute "row_count"' in result.stdout


@pytest.mark.timeout(300)
def test_writing_a_frozen_field_fails(tmp_path: Path) -> None:
    result = _mypy(tmp_path, "def clear(run: ScheduleRun) -> None:\n    run.rows = 0\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "rows" in result.stdout and "read-only" in result.stdout


@pytest.mark.timeout(300)
def test_the_right_field_passes(tmp_path: Path) -> None:
    result = _mypy(tmp_path, "def rows(run: ScheduleRun) -> int:\n    return run.rows\n")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(300)
def test_an_unannotated_function_fails(tmp_path: Path) -> None:
    result = _mypy(tmp_path, "def rows(run):\n    return run.rows\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "missing a type annotation" in result.stdout

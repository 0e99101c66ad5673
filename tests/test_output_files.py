"""`open_output`: exports never replace a symlink, a pipe or a device; files are replaced atomically."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from autosync_desktop.errors import UserError
from autosync_desktop.output_files import open_output


def test_a_new_file_is_written_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "stats.csv"
    with open_output(target) as out:
        out.write("a,b\n")
    assert target.read_text() == "a,b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stats.csv"]


def test_an_existing_file_keeps_its_permissions_and_a_failed_write_keeps_its_content(tmp_path: Path) -> None:
    target = tmp_path / "stats.csv"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError), open_output(target) as out:
        out.write("half")
        raise RuntimeError("the export failed midway")
    assert target.read_text() == "old\n"
    with open_output(target) as out:
        out.write("new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stats.csv"]


def test_a_symlink_is_written_through_and_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with open_output(link) as out:
        out.write("new\n")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"


def test_a_fifo_is_written_directly_and_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    with open_output(fifo) as out:
        out.write("rows\n")
    reader.join(timeout=10)
    assert received == ["rows\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_character_device_is_written_directly_and_not_replaced() -> None:
    before = os.lstat("/dev/null")
    with open_output(Path("/dev/null")) as out:
        out.write("discarded\n")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: None, "does not exist"),
])
def test_folders_and_missing_folders_are_refused_with_one_line(tmp_path: Path, make, words: str) -> None:
    target = tmp_path / "out"
    make(target)
    path = target if target.exists() else target / "sub" / "x.csv"
    with pytest.raises(UserError, match=words) as info, open_output(path) as out:
        out.write("never")
    assert "\n" not in str(info.value) and str(info.value).startswith("--output:")


def test_an_empty_path_is_bad_input() -> None:
    with pytest.raises(UserError, match="is a folder"), open_output(Path("")):  # Path("") is "."
        pass


def test_cli_export_through_a_symlink_to_stdout_and_into_a_folder(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from autosync_desktop.cli import main

    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "accounts", "add", "--platform", "demo", "--name", "Demo", "--option", "latency_ms=0"]) == 0
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    capsys.readouterr()
    assert main([*data, "export", "campaigns", "--format", "json", "--output", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("[")
    capsys.readouterr()
    assert main([*data, "export", "campaigns", "--format", "json", "--output", "-"]) == 0
    assert capsys.readouterr().out.startswith("[")
    assert main([*data, "export", "campaigns", "--format", "json", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1

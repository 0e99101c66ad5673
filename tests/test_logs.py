"""The app log: file under the data dir, rotation, stderr level, secrets masked everywhere, CLI wiring."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop import logs
from autosync_desktop.cli import main
from autosync_desktop.notify.redact import MASK

TOKEN = "EAAB1234567890abcdefghijKLMNOP"  # looks like a Meta token: masked by pattern
SECRET = "correct-horse-battery-staple"  # looks like nothing: masked only because it is registered


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    logs.shutdown_logging()
    root.setLevel(level)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h in logs._INSTALLED]


def _text(data_dir: Path) -> str:
    for handler in _ours():
        handler.flush()
    return (logs.log_dir(data_dir) / logs.LOG_NAME).read_text(encoding="utf-8")


def test_records_land_in_the_file_with_time_level_thread_and_logger(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = logs.setup_logging(tmp_path)

    logging.getLogger("autosync_desktop.test").info("synced %d rows, ünïcode", 42)
    logging.getLogger("autosync_desktop.test").debug("not at INFO")

    assert folder == logs.log_dir(tmp_path) == tmp_path / "logs"
    lines = _text(tmp_path).splitlines()
    assert len(lines) == 1
    assert lines[0][:4].isdigit() and " INFO " in lines[0] and "[MainThread]" in lines[0]
    assert lines[0].endswith("autosync_desktop.test: synced 42 rows, ünïcode")
    assert capsys.readouterr().err == ""  # INFO is not for the console


def test_console_shows_warnings_or_with_verbose_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging(tmp_path)
    logging.getLogger("x").info("quiet")
    logging.getLogger("x").warning("loud")
    err = capsys.readouterr().err
    assert "loud" in err and "quiet" not in err

    logs.setup_logging(tmp_path, verbose=True)
    logging.getLogger("x").info("now shown")
    assert "now shown" in capsys.readouterr().err

    logs.setup_logging(tmp_path, console=False)
    logging.getLogger("x").error("file only")
    assert capsys.readouterr().err == "" and "file only" in _text(tmp_path)


def test_rotation_at_the_size_limit(tmp_path: Path) -> None:
    logs.setup_logging(tmp_path, max_bytes=1000, backup_count=2)
    for i in range(100):
        logging.getLogger("rot").info("line %03d %s", i, "x" * 40)
    _text(tmp_path)

    names = sorted(p.name for p in logs.log_dir(tmp_path).iterdir())
    assert names == ["autosync.log", "autosync.log.1", "autosync.log.2"]  # backup_count kept, older dropped
    for path in logs.log_dir(tmp_path).iterdir():
        assert path.stat().st_size <= 1000
    assert "line 099" in (logs.log_dir(tmp_path) / "autosync.log").read_text()


def test_a_rotation_by_another_process_is_followed(tmp_path: Path) -> None:
    path = tmp_path / "shared.log"
    fmt = logging.Formatter("%(message)s")
    a = logs.SharedRotatingFileHandler(path, maxBytes=200, backupCount=3, encoding="utf-8")
    b = logs.SharedRotatingFileHandler(path, maxBytes=200, backupCount=3, encoding="utf-8")
    a.setFormatter(fmt)
    b.setFormatter(fmt)
    try:
        b.handle(logging.makeLogRecord({"msg": "b before"}))
        for i in range(10):
            a.handle(logging.makeLogRecord({"msg": f"a {i} " + "y" * 30}))  # `a` rotates the file
        b.handle(logging.makeLogRecord({"msg": "b after"}))
        b.flush()
        a.flush()
        assert "b after" in path.read_text()  # not into the renamed autosync.log.N
    finally:
        a.close()
        b.close()


def test_secrets_are_masked_in_message_args_and_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging(tmp_path)
    logs.register_secrets([SECRET, "short"])
    log = logging.getLogger("autosync_desktop.connectors.http")

    log.warning(f"GET /act_1/insights?access_token={TOKEN} failed")  # in the message itself
    log.warning("credentials %s and %r", SECRET, {"token": TOKEN})  # in the arguments
    try:
        raise ConnectionError(f"https://graph.example.com/v19.0/me?access_token={TOKEN}&secret={SECRET}")
    except ConnectionError:
        log.exception("request failed")  # in the traceback text
    log.info("stack of %s", SECRET, stack_info=True)

    text = _text(tmp_path)
    err = capsys.readouterr().err
    for shown in (text, err):
        assert TOKEN not in shown and SECRET not in shown
    assert text.count(MASK) >= 6
    assert "credentials [redacted] and {'token': '[redacted]'}" in text
    assert "Traceback (most recent call last)" in text and "ConnectionError: https://graph.example.com" in text
    assert "Stack (most recent call last)" in text


def test_a_broken_format_neither_raises_nor_leaks() -> None:
    record = logging.makeLogRecord({"msg": f"id %d of {TOKEN}", "args": (SECRET,)})
    assert logs.SecretsFilter().filter(record) is True
    assert record.getMessage() == f"id %d of {MASK} (unformattable arguments: {MASK})"


def test_registered_secrets_accumulate_and_survive_a_new_setup(tmp_path: Path) -> None:
    logs.register_secrets(["first-secret-value"])
    logs.register_secrets(["second-secret-value"])
    logs.setup_logging(tmp_path)
    logging.getLogger("x").info("first-secret-value second-secret-value")
    assert _text(tmp_path).rstrip().endswith(f": {MASK} {MASK}")


def test_setup_is_idempotent(tmp_path: Path) -> None:
    logs.setup_logging(tmp_path)
    logs.setup_logging(tmp_path)
    assert len(_ours()) == 2  # one console, one file
    logging.getLogger("x").info("once")
    assert _text(tmp_path).count("once") == 1

    logs.setup_logging(tmp_path / "other")  # a new data dir replaces the file handler
    assert len(_ours()) == 2
    logging.getLogger("x").info("elsewhere")
    assert "elsewhere" in _text(tmp_path / "other")
    assert "elsewhere" not in (tmp_path / "logs" / "autosync.log").read_text()


def test_cli_logs_into_the_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"

    assert main(["--data-dir", str(data), "accounts", "list"]) == 0

    log_file = data / "logs" / "autosync.log"
    assert log_file.exists()
    assert "autosync_desktop.cli: autosync" in _text(data) and "accounts" in _text(data)
    assert capsys.readouterr().err == ""  # CLI users still see warnings only


def test_cli_verbose_shows_info_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "data"), "-v", "accounts", "list"]) == 0
    assert "INFO" in capsys.readouterr().err

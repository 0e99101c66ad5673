"""Secrets that a platform (or a proxy in front of it) echoes in its error text are masked at every door.

The Google fake answers an error that repeats the request's `Authorization` and `developer-token` headers and the
client secret. None of them may reach the store (run error, run events, probes, the -wal file), the log, an export
or anything the CLI prints (`sync`, `runs`, `runs show`, `export runs`, `accounts test`, `set-credentials`), and
nothing of them stays after `accounts remove`. The developer token is deliberately not token-shaped: only the values
the process read from the keyring (or was given) can catch it, not the patterns.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from autosync_desktop import redaction
from autosync_desktop.cli import main
from tests.fakes.google_ads import CREDENTIALS, SECRETS, FakeGoogleAds

NAME = "Acme Google"
NEW_DEVELOPER_TOKEN = "new-dev-token-Kq71x"  # short and plain: no pattern would mask it


class Cli:
    """`autosync --data-dir D ...` in-process, with everything it printed kept in `transcript`."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript = ""

    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> str:
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        rc = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        self.transcript += out + err
        assert rc == code, f"exit {rc}, stdout: {out}, stderr: {err}"
        return out + err


@pytest.fixture
def fake() -> Iterator[FakeGoogleAds]:
    with FakeGoogleAds() as api:
        yield api


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: dict[tuple[str, str], str], fake: FakeGoogleAds) -> Cli:
    runner = Cli(tmp_path / "data", capsys, monkeypatch)
    runner("settings", "set", "retry.base_delay_s", "0")
    runner("accounts", "add", "--platform", "google_ads", "--name", NAME, "--account-id", "123-456-7890",
           "--option", f"api_base_url={fake.base_url}", "--option", f"token_url={fake.base_url}/token",
           "--credentials-stdin", stdin=json.dumps(CREDENTIALS))
    return runner


def echoed_failure(cli: Cli, fake: FakeGoogleAds) -> int:
    """A sync whose first API call is answered with the echo; returns its run id."""
    fake.echo_secrets(1)
    end = fake.today - timedelta(days=3)
    line = cli("sync", NAME, "--from", (end - timedelta(days=2)).isoformat(), "--to", end.isoformat(), "--wait",
               code=1)
    assert "failed" in line and "invalid argument" in line  # the platform's words are kept, its secrets not
    return int(json.loads(cli("runs", "--json"))[0]["id"])


def test_an_echoed_secret_reaches_no_file_and_no_output(cli: Cli, fake: FakeGoogleAds, tmp_path: Path,
                                                       memory_keyring: dict[tuple[str, str], str]) -> None:
    reader = sqlite3.connect(cli.data_dir / "autosync.db")  # a reader keeps the -wal file after the CLI closes
    try:
        reader.execute("SELECT COUNT(*) FROM account").fetchone()
        run_id = echoed_failure(cli, fake)
        shown = [cli("runs"), cli("runs", "--json"), cli("runs", "show", str(run_id)),
                 cli("runs", "show", str(run_id), "--json"), cli("export", "runs", "--format", "csv", "--output", "-")]
        assert any(redaction.MASK in text for text in shown)
        cli("export", "runs", "--format", "json", "--output", str(tmp_path / "runs.json"))
        fake.echo_secrets(1)
        assert "invalid argument" in cli("accounts", "test", NAME, code=2)
        fake.echo_secrets(1)
        new = {**CREDENTIALS, "developer_token": NEW_DEVELOPER_TOKEN}
        assert "did not work" in cli("accounts", "set-credentials", NAME, "--credentials-stdin",
                                     stdin=json.dumps(new), code=2)
        with sqlite3.connect(cli.data_dir / "autosync.db") as con:
            stored = [str(v) for row in con.execute("SELECT error_message, reason FROM sync_run UNION ALL "
                                                    "SELECT message, NULL FROM run_event UNION ALL "
                                                    "SELECT message, error_class FROM health_probe") for v in row]
        assert any("invalid argument" in text for text in stored)
        cli("accounts", "remove", NAME)
        files = [p for p in cli.data_dir.rglob("*") if p.is_file()]
        assert any(p.name.endswith("-wal") for p in files) and any(p.name == "autosync.log" for p in files)
        blobs = {str(p): p.read_bytes() for p in [*files, tmp_path / "runs.json"]}
        blobs["output"] = cli.transcript.encode()
    finally:
        reader.close()
    assert fake.issued_tokens
    for secret in (*SECRETS, NEW_DEVELOPER_TOKEN, *fake.issued_tokens):
        for where, blob in blobs.items():
            assert secret.encode() not in blob, f"{secret!r} in {where}"

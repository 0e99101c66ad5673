"""Credentials through a real Secret Service (gnome-keyring under its own D-Bus session, isolated HOME).

The CLI runs in a child process inside `dbus-run-session`, so nothing touches the user's real keyring. Also:
without any keyring, adding credentials fails with a message that says what to install — no plaintext.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import travel_launch

ROOT = Path(__file__).resolve().parent.parent
needs_secret_service = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="gnome-keyring and dbus-run-session are installed by scripts/test")

SCRIPT = r"""
set -e
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
sleep 0.3
run() { "$PY" "$LAUNCHER" --data-dir "$DATA" "$@"; }
echo "$CREDS" | run accounts add --platform meta_ads --name "Meta EU" --account-id act_123 --credentials-stdin
"$PY" -c 'import keyring, json; print("BACKEND", type(keyring.get_keyring()).__module__);
print("STORED", keyring.get_password("autosync-desktop", "account:Meta EU"))'
run accounts remove "Meta EU"
"$PY" -c 'import keyring; print("AFTER", keyring.get_password("autosync-desktop", "account:Meta EU"))'
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = travel_launch.env({k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "PYTHON_KEYRING"))})
    home = tmp_path / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), XDG_RUNTIME_DIR=str(home / "run"),
               PY=sys.executable, LAUNCHER=travel_launch.LAUNCHER, DATA=str(tmp_path / "data"))
    (home / "run").mkdir(mode=0o700)
    return env


@needs_secret_service
def test_credentials_live_in_the_secret_service_and_never_in_the_data_dir(tmp_path: Path) -> None:
    secret = "EAAB-very-secret-token-value-42"
    env = _env(tmp_path) | {"CREDS": json.dumps({"access_token": secret})}
    proc = subprocess.run(["dbus-run-session", "--", "sh", "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=90, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if line.split(" ", 1)[0] in (
        "BACKEND", "STORED", "AFTER"))
    assert lines["BACKEND"] == "keyring.backends.SecretService"
    assert json.loads(lines["STORED"]) == {"access_token": secret}
    assert lines["AFTER"] == "None"  # removing the account removed its secret
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_without_a_keyring_credentials_are_refused_with_what_to_do(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = subprocess.run(
        travel_launch.command("--data-dir", env["DATA"], "accounts", "add", "--platform", "meta_ads", "--name", "M",
                              "--account-id", "act_1", "--credentials-stdin"),
        input='{"access_token": "tok-should-not-persist"}', env=env, capture_output=True, text=True, timeout=60,
        cwd=ROOT)
    assert proc.returncode == 2
    assert "No system keyring" in proc.stderr and "never stores secrets in plain text" in proc.stderr
    listed = subprocess.run(travel_launch.command("--data-dir", env["DATA"], "accounts", "list", "--json"),
                            env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert json.loads(listed.stdout) == []  # nothing half-added
    for path in Path(env["DATA"]).rglob("*"):
        if path.is_file():
            assert b"tok-should-not-persist" not in path.read_bytes()

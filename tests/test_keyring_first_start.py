"""First start on a desktop whose Secret Service has no keyring yet (issue 14).

gnome-keyring started by D-Bus activation in a fresh HOME has no default collection: the first read through the
default alias makes it ask "Choose password for new keyring". Under `dbus-run-session`, with only the Demo account,
`autosync service` and the window (`autosync gui --demo`, offscreen) run for a few seconds and must not call the
Secret Service at all (a D-Bus monitor records every method call to it), create no collection and start no
prompter; the Settings page (rendered by `gui --screenshot --tab settings`) reads the keyring's state without
creating or unlocking anything. Then the keyring is created non-interactively (the daemon restarted with
`--unlock`, as a desktop login does) and adding a Google Ads account stores its credentials in it as always.
The state checks themselves (NOT_NEEDED from the store, a cancelled prompt remembered) are tested without D-Bus
below, with keyring backends that count what is asked of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from autosync_desktop import secrets
from autosync_desktop.domain import KeyringStatus
from autosync_desktop.services import Services, keyring_use
from tests import travel_launch

ROOT = Path(__file__).resolve().parent.parent
needs_secret_service = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("dbus-run-session", "gnome-keyring-daemon", "dbus-monitor")),
    reason="gnome-keyring, dbus-run-session and dbus-monitor are installed by scripts/test")

COLLECTIONS = r"""
import secretstorage
from secretstorage.exceptions import ItemNotFoundException
c = secretstorage.dbus_init()
paths = sorted(x.collection_path for x in secretstorage.get_all_collections(c))
try:
    default = secretstorage.get_collection_by_alias(c, "default").collection_path
except ItemNotFoundException:
    default = None
print("COLLECTIONS", __import__("json").dumps({"paths": paths, "default": default}))
"""

STORED = r"""
import keyring
print("BACKEND", type(keyring.get_keyring()).__module__)
print("STORED", keyring.get_password("autosync-desktop", "account:Acme Google"))
"""

SCRIPT = r"""
set -u
run() { "$PY" "$LAUNCHER" --data-dir "$DATA" "$@"; }
keyrings() { echo "KEYRINGS $(ls -A "$XDG_DATA_HOME/keyrings" 2>/dev/null | tr '\n' ' ')"; }
watch() { dbus-monitor --session "type='method_call',destination='org.freedesktop.secrets'" > "$1" 2>&1 & }

run accounts add --platform demo --name Demo --option latency_ms=0 >/dev/null || exit 10
run schedules add --name "Demo sync" --account Demo --type both --frequency interval --every-minutes 5 \
    >/dev/null || exit 11
"$PY" -c "$COLLECTIONS"; keyrings
watch "$HOME/calls-start.txt"; MONITOR=$!
sleep 0.5
"$PY" "$LAUNCHER" --data-dir "$DATA" service > "$HOME/service.out" 2>&1 & SERVICE=$!
sleep 4; kill -TERM $SERVICE; wait $SERVICE; echo "SERVICE_RC $?"
"$PY" "$LAUNCHER" --data-dir "$DATA" gui --demo > "$HOME/gui.out" 2>&1 & GUI=$!
sleep 6; kill -TERM $GUI; wait $GUI; echo "GUI_RC $?"
sleep 0.5; kill $MONITOR
"$PY" -c "$COLLECTIONS"; keyrings
watch "$HOME/calls-settings.txt"; MONITOR=$!
sleep 0.5
run gui --screenshot "$HOME/settings.png" --tab settings --size 1100x900 > "$HOME/shot.out" 2>&1
echo "SHOT_RC $?"
sleep 0.5; kill $MONITOR
"$PY" -c "$COLLECTIONS"; keyrings
# the desktop's login now creates and unlocks a keyring: restart the daemon unlocked (no prompt)
DAEMON=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
kill "$DAEMON"; sleep 0.5
printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
sleep 0.5
echo "$CREDS" | run accounts add --platform google_ads --name "Acme Google" --account-id 123-456-7890 \
    --credentials-stdin; echo "ADD_RC $?"
"$PY" -c "$STORED"
"$PY" -c "$COLLECTIONS"; keyrings
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = travel_launch.env({k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "PYTHON_KEYRING"))})
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True, mode=0o700)
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), XDG_RUNTIME_DIR=str(home / "run"),
               XDG_CONFIG_HOME=str(home / ".config"), PY=sys.executable, LAUNCHER=travel_launch.LAUNCHER,
               DATA=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen", COLLECTIONS=COLLECTIONS, STORED=STORED,
               CREDS=json.dumps({"developer_token": "dev-token-for-the-first-secret-42"}))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _calls(path: Path) -> list[str]:
    """The Secret Service methods called while the monitor ran ("member=ReadAlias" …)."""
    return [part.removeprefix("member=") for line in path.read_text().splitlines() if "method call" in line
            for part in line.split() if part.startswith("member=")]


@needs_secret_service
def test_first_start_with_only_the_demo_account_never_opens_the_keyring(tmp_path: Path) -> None:
    env = _env(tmp_path)
    home = Path(env["HOME"])
    proc = subprocess.run(["dbus-run-session", "--", "sh", "-c", SCRIPT], env=env, capture_output=True, text=True,
                          timeout=180, cwd=ROOT)
    out = proc.stdout.splitlines()
    logs = "".join(f"\n{name}:\n{(home / name).read_text()[-2000:]}" for name in ("service.out", "gui.out")
                   if (home / name).exists())
    where = f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-3000:]}{logs}"
    assert proc.returncode == 0, where
    collections = [json.loads(line.split(" ", 1)[1]) for line in out if line.startswith("COLLECTIONS ")]
    keyrings = [line.split(" ", 1)[1].split() if " " in line else [] for line in out if line.startswith("KEYRINGS")]
    assert len(collections) == 4 and len(keyrings) == 4, where
    fresh = {"paths": ["/org/freedesktop/secrets/collection/session"], "default": None}
    assert collections[0] == fresh, where  # a keyring daemon without any keyring, as on a new account
    # the service and the window ran with the Demo account: the Secret Service was not even called
    assert "SERVICE_RC 0" in out and "GUI_RC 0" in out, where
    assert _calls(home / "calls-start.txt") == [], (home / "calls-start.txt").read_text()
    assert collections[1] == fresh and keyrings[1] == [], where
    # opening Settings (the accounts' keyring state) looks without creating or unlocking anything
    assert "SHOT_RC 0" in out, where + (home / "shot.out").read_text()
    settings_calls = set(_calls(home / "calls-settings.txt"))
    assert not settings_calls & {"CreateCollection", "Unlock", "CreateItem", "SearchItems", "GetSecrets",
                                 "Prompt"}, settings_calls
    assert collections[2] == fresh and keyrings[2] == [], where
    assert "SystemPrompter" not in proc.stderr, proc.stderr[-3000:]  # no password prompt was ever started
    # a keyring created at login (here non-interactively): a Google Ads account stores its credentials as always
    assert "ADD_RC 0" in out, where
    stored = dict(line.split(" ", 1) for line in out if line.split(" ", 1)[0] in ("BACKEND", "STORED"))
    assert stored["BACKEND"] == "keyring.backends.SecretService", where
    assert json.loads(stored["STORED"]) == {"developer_token": "dev-token-for-the-first-secret-42"}
    assert collections[3]["default"] is not None and keyrings[3], where
    assert all("dev-token-for-the-first-secret-42" not in p.read_text(errors="replace")
               for p in (home / "service.out", home / "gui.out"))


# --- the decisions, without D-Bus --------------------------------------------------------------------------------


class CountingKeyring(KeyringBackend):
    """A keyring that counts every call; `locked` makes every call fail as a dismissed unlock prompt would."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.locked = False
        self.store: dict[tuple[str, str], str] = {}

    def _touch(self) -> None:
        self.calls += 1
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._touch()
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._touch()
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._touch()
        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


@pytest.fixture
def counting() -> Iterator[CountingKeyring]:
    previous = keyring.get_keyring()
    backend = CountingKeyring()
    keyring.set_keyring(backend)
    secrets.ask_again()
    yield backend
    secrets.ask_again()
    keyring.set_keyring(previous)


def test_nothing_stored_means_not_needed_and_no_keyring_call(svc: Services, counting: CountingKeyring) -> None:
    svc.accounts.add("demo", "Demo", options={"latency_ms": "0"})
    assert svc.accounts.keyring_state().status == KeyringStatus.NOT_NEEDED
    assert svc.notifications._secret_values() == []
    svc.notifications.channels()
    assert svc.api_access.existing_token() is None
    assert counting.calls == 0  # the state, redaction, the channels' readiness, the API token: none opened it
    assert svc.accounts.keyring_state(check=True).status == KeyringStatus.AVAILABLE  # the user looks: checked


def test_stored_secrets_are_recorded_by_name_and_redaction_reads_only_those(svc: Services,
                                                                            counting: CountingKeyring) -> None:
    svc.notifications.set_secret("slack", "https://hooks.slack.com/services/T000/B000/secret-url-value-123")
    assert keyring_use.entries() == {"notify:slack:url"}
    assert svc.accounts.keyring_state().status == KeyringStatus.AVAILABLE
    counting.calls = 0
    values = svc.notifications._secret_values()
    assert "https://hooks.slack.com/services/T000/B000/secret-url-value-123" in values
    assert counting.calls == 2  # the state check and the one stored entry, nothing else
    svc.notifications.set_secret("slack", None)
    assert keyring_use.entries() == frozenset()
    assert svc.accounts.keyring_state().status == KeyringStatus.NOT_NEEDED


def test_a_store_from_before_the_index_assumes_credentials_without_asking(svc: Services,
                                                                           counting: CountingKeyring) -> None:
    svc.accounts.add("demo", "Demo", options={"latency_ms": "0"})
    svc.accounts.add("google_ads", "Acme", account_id="123-456-7890")  # no credentials: nothing stored
    assert keyring_use.entries() == frozenset()
    from autosync_desktop.store.models import Setting

    Setting.delete().where(Setting.key == keyring_use.STATE_KEY).execute()  # as written before the index
    svc.settings.set("notify.email.host", "smtp.example.com")
    assert keyring_use.entries() == {"account:Acme", "oauth-client:google_ads", "notify:email:password"}
    assert counting.calls == 0


def test_a_cancelled_prompt_is_not_reopened_until_the_user_asks(svc: Services, counting: CountingKeyring) -> None:
    svc.notifications.set_secret("sms", "twilio-auth-token-value-0123456789")
    counting.locked = True  # the keyring got locked and the user cancels its unlock prompt
    counting.calls = 0
    state = svc.accounts.unlock_keyring()
    assert state.status == KeyringStatus.LOCKED and counting.calls == 1 and secrets.declined()
    with pytest.raises(secrets.SecretsUnavailable, match="will not open it again by itself"):
        secrets.load_channel_secret("sms", "auth_token")
    svc.notifications._secret_values()  # redaction: keeps what it read before, asks nothing
    sms = next(c for c in svc.notifications.channels().channels if c.name == "sms")
    assert not sms.ready
    state = svc.accounts.keyring_state(check=True)
    assert state.status == KeyringStatus.LOCKED and "Unlock" in state.message
    assert counting.calls == 1  # nothing asked again by itself
    counting.locked = False
    assert svc.accounts.unlock_keyring().status == KeyringStatus.AVAILABLE  # the Unlock button asks again
    assert not secrets.declined()
    assert secrets.load_channel_secret("sms", "auth_token") == "twilio-auth-token-value-0123456789"

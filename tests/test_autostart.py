"""Start at login: the XDG entry for real in a temp HOME, the Run key through a fake winreg, the LaunchAgent plist."""

from __future__ import annotations

import configparser
import plistlib
import sys
from pathlib import Path
from typing import Any

import pytest

from autosync_desktop import autostart
from autosync_desktop.cli import main

SPACED = ["/opt/Auto Sync/bin/autosync", "gui", "--minimized"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp HOME with no XDG_CONFIG_HOME (so the default ~/.config applies)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


# --- the command -----------------------------------------------------------------------------------------

def test_command_line_starts_the_window_minimized(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autostart.shutil, "which", lambda name: None)
    assert autostart.command_line() == [sys.executable, "-m", "autosync_desktop", "gui", "--minimized"]

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.command_line() == [sys.executable, "gui", "--minimized"]


def test_command_line_uses_the_console_script_of_this_environment_only(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    scripts = tmp_path / "venv bin"
    scripts.mkdir()
    (scripts / "autosync").touch()
    monkeypatch.setattr(autostart.sysconfig, "get_path", lambda name, scheme=None: str(scripts))
    monkeypatch.setattr(autostart.shutil, "which", lambda name: str(scripts / "autosync"))
    assert autostart.command_line() == [str(scripts / "autosync"), "gui", "--minimized"]

    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(autostart.shutil, "which", lambda name: str(other / "autosync"))
    assert autostart.command_line()[1:3] == ["-m", "autosync_desktop"]


# --- Linux / XDG -----------------------------------------------------------------------------------------

def test_xdg_entry_is_written_per_the_desktop_entry_spec(home: Path) -> None:
    assert autostart.is_enabled("linux") is False

    where = autostart.enable("linux", command=SPACED)

    assert where == home / ".config" / "autostart" / "autosync-desktop.desktop"
    entry = _entry(where)
    assert {k: entry[k] for k in ("Type", "Name", "Icon", "Terminal", "X-GNOME-Autostart-enabled")} == {
        "Type": "Application", "Name": "AutoSync Desktop", "Icon": "autosync-desktop", "Terminal": "false",
        "X-GNOME-Autostart-enabled": "true"}
    assert entry["Comment"]
    assert entry["Exec"] == '"/opt/Auto Sync/bin/autosync" gui --minimized'
    assert autostart.exec_split(entry["Exec"]) == SPACED
    assert autostart.is_enabled("linux") is True


def test_xdg_config_home_is_honoured_and_a_relative_one_ignored(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "xdg config"
    where = autostart.enable("linux", command=SPACED, env={"XDG_CONFIG_HOME": str(config)})
    assert where == config / "autostart" / "autosync-desktop.desktop" and where.exists()
    assert autostart.is_enabled("linux", env={"XDG_CONFIG_HOME": str(config)})
    assert not autostart.is_enabled("linux")  # ~/.config has none

    relative = autostart.location("linux", home=home, env={"XDG_CONFIG_HOME": "relative/dir"})
    assert relative == home / ".config" / "autostart" / "autosync-desktop.desktop"


def test_disable_removes_the_entry_and_both_are_idempotent(home: Path) -> None:
    first = autostart.enable("linux", command=SPACED)
    again = autostart.enable("linux", command=["/usr/bin/autosync", "gui", "--minimized"])  # replaces it
    assert first == again and _entry(again)["Exec"] == "/usr/bin/autosync gui --minimized"
    assert [p.name for p in again.parent.iterdir()] == ["autosync-desktop.desktop"]  # no temp file left

    autostart.disable("linux")
    assert not first.exists() and autostart.is_enabled("linux") is False
    autostart.disable("linux")  # nothing to remove: no error


def test_a_desktops_own_switch_counts_as_off(home: Path) -> None:
    where = autostart.enable("linux", command=SPACED)
    where.write_text(where.read_text().replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"))
    assert autostart.is_enabled("linux") is False
    autostart.enable("linux", command=SPACED)
    where.write_text(where.read_text() + "Hidden=true\n")
    assert autostart.is_enabled("linux") is False


@pytest.mark.parametrize("command", [
    ["/usr/bin/autosync", "gui", "--minimized"],
    ["/home/maya/My Apps/venv/bin/python3", "-m", "autosync_desktop", "gui", "--minimized"],
    ['/tmp/we"ird $HOME `x` \\path', "100%", "tab\there", "new\nline", "", "it's", "a;b|c&d<e>f*g?h#i~j(k)"],
])
def test_exec_quoting_round_trips(command: list[str]) -> None:
    value = autostart.exec_quote(command)
    assert "\n" not in value and "\t" not in value
    assert autostart.exec_split(value) == command


def test_exec_quoting_follows_the_spec_examples() -> None:
    # A literal backslash in a quoted argument is four backslashes in the file; a dollar sign \\$; % is %%.
    assert autostart.exec_quote(["/a b/x", "c\\d"]) == '"/a b/x" "c\\\\\\\\d"'
    assert autostart.exec_quote(["echo", "$5"]) == 'echo "\\\\$5"'
    assert autostart.exec_quote(["echo", "50%"]) == "echo 50%%"


# --- Windows ---------------------------------------------------------------------------------------------

class FakeWinreg:
    """The parts of `winreg` the Run key uses, over a dict {key path: {value name: value}}, recording calls."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_QUERY_VALUE, KEY_SET_VALUE = 1, 2
    REG_SZ, REG_BINARY = 1, 3

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[Any, ...]] = []

    class _Handle:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeWinreg._Handle:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def OpenKey(self, root: str, path: str, reserved: int, access: int) -> _Handle:
        assert root == self.HKEY_CURRENT_USER
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self._Handle(path)

    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> _Handle:
        assert root == self.HKEY_CURRENT_USER and access == self.KEY_SET_VALUE
        self.keys.setdefault(path, {})
        return self._Handle(path)

    def QueryValueEx(self, handle: _Handle, name: str) -> tuple[Any, int]:
        if name not in self.keys[handle.path]:
            raise FileNotFoundError(name)
        return self.keys[handle.path][name], self.REG_SZ

    def SetValueEx(self, handle: _Handle, name: str, reserved: int, kind: int, value: Any) -> None:
        self.calls.append(("SetValueEx", handle.path, name, kind, value))
        self.keys[handle.path][name] = value

    def DeleteValue(self, handle: _Handle, name: str) -> None:
        self.calls.append(("DeleteValue", handle.path, name))
        if name not in self.keys[handle.path]:
            raise FileNotFoundError(name)
        del self.keys[handle.path][name]


RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
WIN_COMMAND = [r"C:\Program Files\AutoSync\AutoSync.exe", "gui", "--minimized"]


def test_windows_run_key_value_is_the_quoted_command() -> None:
    reg = FakeWinreg()
    assert autostart.is_enabled("win32", registry=reg) is False

    where = autostart.enable("win32", command=WIN_COMMAND, registry=reg)

    assert where == rf"HKCU\{RUN}\AutoSync Desktop"
    assert reg.calls[0] == ("SetValueEx", RUN, "AutoSync Desktop", reg.REG_SZ,
                            r'"C:\Program Files\AutoSync\AutoSync.exe" gui --minimized')
    assert autostart.is_enabled("win32", registry=reg) is True
    assert autostart.windows_command([r"C:\Py\pythonw.exe", "-m", "autosync_desktop", "a b"]) == (
        r'"C:\Py\pythonw.exe" -m autosync_desktop "a b"')


def test_windows_disable_is_idempotent_and_task_manager_off_counts() -> None:
    reg = FakeWinreg()
    autostart.enable("win32", command=WIN_COMMAND, registry=reg)
    reg.keys[APPROVED] = {"AutoSync Desktop": bytes([3]) + bytes(11)}  # "Disabled" in Task Manager
    assert autostart.is_enabled("win32", registry=reg) is False
    reg.keys[APPROVED]["AutoSync Desktop"] = bytes([2]) + bytes(11)
    assert autostart.is_enabled("win32", registry=reg) is True

    reg.keys[APPROVED]["AutoSync Desktop"] = bytes([3]) + bytes(11)
    autostart.enable("win32", command=WIN_COMMAND, registry=reg)  # asking again clears Task Manager's marker
    assert "AutoSync Desktop" not in reg.keys[APPROVED] and autostart.is_enabled("win32", registry=reg)

    autostart.disable("win32", registry=reg)
    assert reg.keys[RUN] == {} and autostart.is_enabled("win32", registry=reg) is False
    autostart.disable("win32", registry=reg)  # nothing left: no error
    autostart.disable("win32", registry=FakeWinreg())  # no Run key at all: no error


# --- macOS -----------------------------------------------------------------------------------------------

def test_macos_launch_agent_plist(tmp_path: Path) -> None:
    assert autostart.is_enabled("darwin", home=tmp_path) is False

    where = autostart.enable("darwin", command=SPACED, home=tmp_path)

    assert where == tmp_path / "Library" / "LaunchAgents" / "com.autosync.desktop.plist"
    with where.open("rb") as f:
        agent = plistlib.load(f)
    assert agent == {"Label": "com.autosync.desktop", "ProgramArguments": SPACED, "RunAtLoad": True,
                     "ProcessType": "Interactive"}
    assert autostart.is_enabled("darwin", home=tmp_path) is True

    autostart.disable("darwin", home=tmp_path)
    autostart.disable("darwin", home=tmp_path)
    assert not where.exists() and autostart.is_enabled("darwin", home=tmp_path) is False


def test_a_write_that_fails_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "Library"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(autostart.AutostartError, match="LaunchAgents"):
        autostart.enable("darwin", command=SPACED, home=tmp_path)


# --- through the service layer and the CLI ----------------------------------------------------------------

@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="checks the XDG entry")
def test_cli_autostart_end_to_end(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    entry = home / ".config" / "autostart" / "autosync-desktop.desktop"

    def cli(*args: str, code: int = 0) -> str:
        rc = main([*data, *args])
        out, err = capsys.readouterr()
        assert rc == code, err
        return out + err

    assert cli("autostart", "status") == "Start at login: off\n"
    assert str(entry) in cli("autostart", "enable")
    assert entry.exists() and autostart.exec_split(_entry(entry)["Exec"]) == autostart.command_line()
    assert cli("autostart", "status") == "Start at login: on\n"
    assert cli("settings", "get", "general.start_at_login") == "true\n"

    cli("autostart", "disable")
    cli("autostart", "disable")
    assert not entry.exists() and cli("autostart", "status") == "Start at login: off\n"
    assert cli("settings", "get", "general.start_at_login") == "false\n"

    # the generic setting (what a settings form writes) changes the OS entry too
    cli("settings", "set", "general.start_at_login", "on")
    assert entry.exists()
    cli("settings", "set", "general.start_at_login", "off")
    assert not entry.exists()
    assert "invalid choice" in cli("autostart", "sideways", code=2)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="checks the XDG entry")
def test_the_os_entry_is_the_truth_and_a_refused_write_changes_nothing(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from autosync_desktop.services import Services, UserError

    svc = Services.open(tmp_path / "data")
    try:
        svc.settings.set_start_at_login(True)
        autostart.disable()  # removed outside AutoSync (e.g. the desktop's startup-apps tool)
        assert svc.settings.start_at_login() is False and svc.settings.get("general.start_at_login") is True

        (home / ".config" / "autostart").rmdir()
        (home / ".config" / "autostart").write_text("not a folder")
        with pytest.raises(UserError, match="Start at login: cannot write"):
            svc.settings.set_start_at_login(True)
        svc.settings.set("general.start_at_login", False)  # disabling a missing entry works
        with pytest.raises(UserError, match="Start at login"):
            svc.settings.set("general.start_at_login", True)
        assert svc.settings.get("general.start_at_login") is False  # not claimed when the OS refused
    finally:
        svc.close()

"""Start at login, for the current user only: one small class per OS with the same interface.

- Linux and other XDG desktops: `$XDG_CONFIG_HOME/autostart/autosync-desktop.desktop` (freedesktop Desktop Entry
  and Autostart specs). A desktop's own switch (`X-GNOME-Autostart-enabled=false`, `Hidden=true`) counts as off.
- Windows: the value "AutoSync Desktop" under `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`. Task
  Manager's "Disable" (a marker under `...\\Explorer\\StartupApproved\\Run`) counts as off; enabling clears it.
- macOS: the LaunchAgent `~/Library/LaunchAgents/com.autosync.desktop.plist` with RunAtLoad.

The entry in the OS is the truth (`is_enabled` reads it); the `general.start_at_login` setting only mirrors it.
Headless and Qt-free: `home`, `env` and `registry` (a `winreg`-like module) are injectable for tests.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import plistlib
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from autosync_desktop.errors import AutoSyncError

APP_NAME = "AutoSync Desktop"
APP_ID = "autosync-desktop"
GUI_ARGS = ("gui", "--minimized")  # the window starts hidden, in the tray


class AutostartError(AutoSyncError):
    """The login entry could not be read or written; the message says where and why."""


def command_line() -> list[str]:
    """The command that starts the window minimized to the tray, as an argument list."""
    if getattr(sys, "frozen", False):  # a bundled app (PyInstaller and the like): the executable is the app
        return [sys.executable, *GUI_ARGS]
    if sys.platform == "win32":
        # The `autosync.exe` console script would open a console window at every login; pythonw.exe does not.
        pythonw = Path(sys.executable).with_name("pythonw.exe")
        return [str(pythonw if pythonw.exists() else sys.executable), "-m", "autosync_desktop", *GUI_ARGS]
    script = shutil.which("autosync")
    if script and _in_this_environment(Path(script)):
        return [script, *GUI_ARGS]
    return [sys.executable, "-m", "autosync_desktop", *GUI_ARGS]


def _in_this_environment(script: Path) -> bool:
    """Whether an `autosync` found on PATH is this interpreter's own (venv, user or pipx install)."""
    dirs = {Path(d).resolve() for d in (sysconfig.get_path("scripts"),
                                        sysconfig.get_path("scripts", f"{os.name}_user")) if d}
    return script.parent.resolve() in dirs or script.resolve().parent in dirs


class Autostart(Protocol):
    def location(self) -> Path | str: ...
    def is_enabled(self) -> bool: ...
    def enable(self, command: Sequence[str]) -> Path | str: ...
    def disable(self) -> None: ...


# --- Linux / XDG ------------------------------------------------------------------------------------------

_RESERVED = frozenset(' \t\n"\'\\><~|&;$*?#`()')  # Desktop Entry spec: an argument with one of these is quoted


def exec_quote(command: Sequence[str]) -> str:
    """An `Exec=` value for `command`: arguments quoted and escaped as the Desktop Entry spec requires."""
    parts = []
    for arg in command:
        arg = arg.replace("%", "%%")  # a literal % is written %% (field codes)
        if not arg or _RESERVED.intersection(arg):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        parts.append(arg)
    text = " ".join(parts)
    # The general string escapes apply on top of the quoting (so a backslash in a quoted argument becomes 4).
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def exec_split(value: str) -> list[str]:
    """The argument list of an `Exec=` value (the inverse of `exec_quote`; field codes other than %% kept)."""
    text, i = [], 0
    while i < len(value):  # undo the string escapes first
        if value[i] == "\\" and i + 1 < len(value):
            text.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(value[i + 1], value[i:i + 2]))
            i += 2
        else:
            text.append(value[i])
            i += 1
    args: list[str] = []
    current: list[str] | None = None
    quoted = escaped = False
    for c in "".join(text):
        if escaped:
            current = [*(current or []), c]
            escaped = False
        elif quoted and c == "\\":
            escaped = True
        elif c == '"':
            quoted, current = not quoted, current or []
        elif c == " " and not quoted:
            if current is not None:
                args.append("".join(current))
            current = None
        else:
            current = [*(current or []), c]
    if quoted:
        raise ValueError(f"unterminated quote in Exec value {value!r}")
    if current is not None:
        args.append("".join(current))
    return [a.replace("%%", "%") for a in args]


class XdgAutostart:
    """An XDG autostart desktop entry (GNOME, KDE, Xfce, Cinnamon, MATE, LXQt...)."""

    def __init__(self, home: Path | None = None, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        config = env.get("XDG_CONFIG_HOME", "")
        # The Base Directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
        base = Path(config) if os.path.isabs(config) else (home or Path.home()) / ".config"
        self.path = base / "autostart" / f"{APP_ID}.desktop"

    def location(self) -> Path:
        return self.path

    def is_enabled(self) -> bool:
        try:
            entry = _desktop_entry(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return False
        except (OSError, UnicodeDecodeError) as exc:
            raise AutostartError(f"cannot read {self.path}: {exc}") from None
        return (entry.get("Hidden", "false") != "true"
                and entry.get("X-GNOME-Autostart-enabled", "true") != "false")

    def enable(self, command: Sequence[str]) -> Path:
        lines = [
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_NAME}",
            "Comment=Keep your advertising data synced on your schedule",
            f"Exec={exec_quote(command)}",
            f"Icon={APP_ID}",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
        ]
        _write_atomic(self.path, ("\n".join(lines) + "\n").encode("utf-8"))
        return self.path

    def disable(self) -> None:
        _unlink(self.path)


def _desktop_entry(text: str) -> dict[str, str]:
    """The keys of the [Desktop Entry] group (enough for the switches we read; no localised keys)."""
    entry: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
        elif group == "Desktop Entry" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entry[key.strip()] = value.strip()
    return entry


# --- macOS -----------------------------------------------------------------------------------------------

LAUNCH_AGENT_LABEL = "com.autosync.desktop"


class MacLaunchAgent:
    """A per-user LaunchAgent. Nothing is loaded with launchctl when it is written: RunAtLoad starts it at the
    next login, and the app that writes it is already running. Removing the file likewise takes effect at the
    next login (the job has no KeepAlive, so nothing restarts the running app)."""

    def __init__(self, home: Path | None = None) -> None:
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"

    def location(self) -> Path:
        return self.path

    def is_enabled(self) -> bool:
        try:
            agent = plistlib.loads(self.path.read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            return False
        except (OSError, plistlib.InvalidFileException, ValueError) as exc:
            raise AutostartError(f"cannot read {self.path}: {exc}") from None
        return isinstance(agent, dict) and agent.get("RunAtLoad") is True and agent.get("Disabled") is not True

    def enable(self, command: Sequence[str]) -> Path:
        agent = {"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": list(command), "RunAtLoad": True,
                 "ProcessType": "Interactive"}
        _write_atomic(self.path, plistlib.dumps(agent, fmt=plistlib.FMT_XML))
        return self.path

    def disable(self) -> None:
        _unlink(self.path)


# --- Windows ---------------------------------------------------------------------------------------------

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


def windows_command(command: Sequence[str]) -> str:
    """One command line: the executable always quoted (the Run key convention), arguments as the C runtime
    parses them."""
    exe, *args = command
    return f'"{exe}"' + (" " + subprocess.list2cmdline(args) if args else "")


class WindowsRunKey:
    """The per-user Run key, through `registry`: the `winreg` module, or a fake with its API in tests."""

    def __init__(self, registry: Any = None) -> None:
        self.reg = registry if registry is not None else importlib.import_module("winreg")

    def location(self) -> str:
        return f"HKCU\\{RUN_KEY}\\{APP_NAME}"

    def _value(self, key: str) -> Any:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, key, 0, self.reg.KEY_QUERY_VALUE) as handle:
                return self.reg.QueryValueEx(handle, APP_NAME)[0]
        except FileNotFoundError:
            return None

    def _delete(self, key: str) -> None:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, key, 0, self.reg.KEY_SET_VALUE) as handle:
                self.reg.DeleteValue(handle, APP_NAME)
        except FileNotFoundError:
            pass

    def is_enabled(self) -> bool:
        try:
            if not self._value(RUN_KEY):
                return False
            approved = self._value(APPROVED_KEY)  # Task Manager: first byte 2 = enabled, 3 = disabled
        except OSError as exc:
            raise AutostartError(f"cannot read {self.location()}: {exc}") from None
        return not (isinstance(approved, bytes) and len(approved) > 0 and approved[0] & 1 == 1)

    def enable(self, command: Sequence[str]) -> str:
        try:
            with self.reg.CreateKeyEx(self.reg.HKEY_CURRENT_USER, RUN_KEY, 0, self.reg.KEY_SET_VALUE) as handle:
                self.reg.SetValueEx(handle, APP_NAME, 0, self.reg.REG_SZ, windows_command(command))
            self._delete(APPROVED_KEY)  # clear a "disabled in Task Manager" marker: the user asked for it again
        except OSError as exc:
            raise AutostartError(f"cannot write {self.location()}: {exc}") from None
        return self.location()

    def disable(self) -> None:
        try:
            self._delete(RUN_KEY)
            self._delete(APPROVED_KEY)
        except OSError as exc:
            raise AutostartError(f"cannot remove {self.location()}: {exc}") from None


# --- shared ----------------------------------------------------------------------------------------------

def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise AutostartError(f"cannot write {path}: {exc.strerror or exc}") from None


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except NotADirectoryError:
        pass  # a file where a parent folder should be: there is no entry to remove
    except OSError as exc:
        raise AutostartError(f"cannot remove {path}: {exc.strerror or exc}") from None


def backend(platform: str | None = None, *, home: Path | None = None, env: Mapping[str, str] | None = None,
            registry: Any = None) -> Autostart:
    """The implementation for `platform` (a `sys.platform` value; default: this machine's)."""
    platform = platform or sys.platform
    if platform == "win32":
        return WindowsRunKey(registry)
    if platform == "darwin":
        return MacLaunchAgent(home)
    return XdgAutostart(home, env)


def location(platform: str | None = None, *, home: Path | None = None, env: Mapping[str, str] | None = None,
             registry: Any = None) -> Path | str:
    return backend(platform, home=home, env=env, registry=registry).location()


def is_enabled(platform: str | None = None, *, home: Path | None = None, env: Mapping[str, str] | None = None,
               registry: Any = None) -> bool:
    return backend(platform, home=home, env=env, registry=registry).is_enabled()


def enable(platform: str | None = None, *, command: Sequence[str] | None = None, home: Path | None = None,
           env: Mapping[str, str] | None = None, registry: Any = None) -> Path | str:
    """Write the login entry (replacing an older one, e.g. after a move); returns where it was written."""
    return backend(platform, home=home, env=env, registry=registry).enable(command or command_line())


def disable(platform: str | None = None, *, home: Path | None = None, env: Mapping[str, str] | None = None,
            registry: Any = None) -> None:
    """Remove the login entry; nothing happens when there is none."""
    backend(platform, home=home, env=env, registry=registry).disable()

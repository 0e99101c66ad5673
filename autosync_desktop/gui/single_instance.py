"""One window per data dir: a second launch hands over to the first and exits.

The first window listens on a QLocalServer whose name comes from a hash of the user and the resolved data dir,
so two different data dirs may run side by side. A second launch on the same data dir connects, sends one
JSON line `{"command": "activate", "argv": [...]}` and waits for "ok" (the first window answers after raising
itself). A socket left behind by a crashed window refuses connections: it is removed and the new window
listens in its place.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1500
ANSWER_TIMEOUT_MS = 5000
MAX_MESSAGE = 64 * 1024


def server_name(data_dir: Path) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (some containers): the data dir alone still separates instances
        user = ""
    key = f"{user}\0{Path(data_dir).expanduser().resolve()}"
    return f"autosync-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}"


class HandOverFailed(Exception):
    """Another window holds this data dir but did not answer."""


def send(name: str, argv: list[str]) -> str | None:
    """Hand `argv` to the window listening on `name`; its answer ("ok"), or None when nobody listens.
    Blocking: the answer comes from another process (or, in tests, another thread's event loop)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return None
    payload = json.dumps({"command": "activate", "argv": list(argv)}).encode("utf-8") + b"\n"
    socket.write(payload)
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    answer = b""
    deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
    while b"\n" not in answer and time.monotonic() < deadline:
        # short waits: PySide keeps the GIL inside waitFor*, and a caller in the same process (tests) must let
        # the GUI thread answer between them
        if socket.waitForReadyRead(20):
            answer += bytes(socket.readAll().data())
        elif socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            answer += bytes(socket.readAll().data())
            break
    socket.disconnectFromServer()
    if b"\n" not in answer:
        raise HandOverFailed("Another AutoSync window is running for this data dir but did not answer; "
                             "close it (or end its process) and start AutoSync again")
    return answer.decode("utf-8", "replace").strip()


class SingleInstance(QObject):
    """`acquire()` -> True: this process is the first (and now listens); False: the first one took over."""

    activated = Signal(list)  # argv of the later launch

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    def acquire(self, argv: list[str] | None = None) -> bool:
        """Listen, or hand `argv` to a running window. Raises HandOverFailed when one holds the name but does
        not answer (hung), rather than starting a second window beside it."""
        for _attempt in range(2):
            answer = send(self.name, argv or [])
            if answer is not None:
                return False
            QLocalServer.removeServer(self.name)  # nobody answered: a stale socket of a crashed window
            server = QLocalServer(self)
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if server.listen(self.name):
                server.newConnection.connect(self._accept)
                self.server = server
                return True
            log.info("single instance: could not listen on %s (%s); trying again", self.name, server.errorString())
            server.deleteLater()
        raise HandOverFailed("Another AutoSync window seems to be starting for this data dir; try again in a "
                             "moment")

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if socket.bytesAvailable():  # the line may have arrived before readyRead was connected
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[socket] = b""
        message = self._parse(line)
        if message is not None and message.get("command") == "activate":
            argv = [str(a) for a in message.get("argv", []) if isinstance(a, str)]
            log.info("another launch on this data dir handed over (argv %s)", argv)
            self.activated.emit(argv)
            socket.write(b"ok\n")
        else:
            socket.write(b"unknown\n")
        socket.flush()
        socket.disconnectFromServer()

    @staticmethod
    def _parse(line: bytes) -> dict[str, Any] | None:
        try:
            message = json.loads(line.decode("utf-8"))
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None

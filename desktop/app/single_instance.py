"""One tray app per user session: a second start asks the first to come forward, then exits."""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 1000


def instance_name(scope: str = "") -> str:
    """The local socket name for this user (and `scope`, e.g. a data dir, so tests do not collide)."""
    digest = hashlib.sha256(f"{getpass.getuser()}\0{scope}".encode()).hexdigest()[:16]
    return f"lan-notify-tray-{digest}"


class SingleInstance(QObject):
    #: Another start asked this instance to show itself.
    activation_requested = Signal()
    #: Another start passed a command (`notify-tray --compose bob` -> "compose bob").
    command_received = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    def notify_running(self, command: str = "show") -> bool:
        """If an instance already runs, hand it `command` (default: come forward) and return True."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(command.replace("\n", " ").encode() + b"\n")
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Become the running instance (cleaning up a socket a crashed instance left behind)."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def _accept(self) -> None:
        assert self._server is not None
        while (client := self._server.nextPendingConnection()) is not None:
            self._clients.append(client)
            client.readyRead.connect(self._read)
            client.disconnected.connect(self._forget)

    def _read(self) -> None:
        for client in list(self._clients):
            if not client.bytesAvailable():
                continue
            for line in bytes(client.readAll().data()).decode(errors="replace").splitlines():
                command = line.strip()
                if command == "show":
                    self.activation_requested.emit()
                elif command:
                    self.command_received.emit(command)

    def _forget(self) -> None:
        self._clients = [c for c in self._clients if c.state() == QLocalSocket.LocalSocketState.ConnectedState]

    def close(self) -> None:
        for client in self._clients:
            client.abort()
        self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server = None

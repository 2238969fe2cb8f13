"""Run the official Socket.IO JavaScript client (npm `socket.io-client`) from a test.

`NodeClient` starts `node tests/js/client.mjs` as a subprocess, feeds it steps (JSON lines on its
stdin) and collects what it prints (one JSON object per line: events, acks, connect errors...).
Tests wait on those lines with a timeout; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.waiting import WAIT, Changes

JS_DIR = Path(__file__).resolve().parent
DRIVER = JS_DIR / "client.mjs"
CLIENT_PACKAGE = JS_DIR / "node_modules" / "socket.io-client" / "package.json"


def require_node() -> str:
    """The node executable; skips the test when node or the npm packages are missing, fails in CI."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "Node.js (`node`) is not on PATH"
    elif not CLIENT_PACKAGE.is_file():
        problem = f"socket.io-client is not installed: run `npm ci --prefix {JS_DIR}`"
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the JavaScript client tests cannot run: {problem}", pytrace=False)
        pytest.skip(problem)
    assert node is not None
    return node


def client_version() -> str:
    return str(json.loads(CLIENT_PACKAGE.read_text())["version"])


Line = dict[str, Any]


def contains(actual: Any, expected: Any) -> bool:
    """True when `expected` is `actual` or, for dicts, a deep subset of it."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    return bool(actual == expected)


class NodeClient:
    """One node process driving one `socket.io-client` socket."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process) -> None:
        self.name = name
        self.proc = proc
        self.lines: list[Line] = []
        self._taken: set[int] = set()
        self._changes = Changes()
        self._eof = False
        self._stderr = b""
        #: Killed on purpose by the test: its exit code is not a failure.
        self.killed = False
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, node: str, name: str = "js") -> NodeClient:
        proc = await asyncio.create_subprocess_exec(
            node,
            str(DRIVER),
            name,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=JS_DIR,
        )
        return cls(name, proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None and self.proc.stderr is not None
        stderr = asyncio.ensure_future(self.proc.stderr.read())
        try:
            async for raw in self.proc.stdout:
                self.lines.append(json.loads(raw))
                self._changes.poke()
        finally:
            self._stderr = await stderr
            self._eof = True
            self._changes.poke()

    # ------------------------------------------------------------------ steps

    async def run(self, *steps: dict[str, Any]) -> None:
        """Queue steps; the driver runs them in order (this returns once they are written)."""
        assert self.proc.stdin is not None
        for step in steps:
            self.proc.stdin.write(json.dumps(step).encode() + b"\n")
        await self.proc.stdin.drain()

    async def connect(self, url: str, auth: Any = None, *, transports: list[str] | None = None) -> Line:
        """Connect (websocket only unless `transports` says otherwise); returns the connect or connect_error line."""
        step: dict[str, Any] = {"op": "connect", "url": url, "transports": transports or ["websocket"]}
        if auth is not None:
            step["auth"] = auth
        await self.run(step)
        return await self.expect(lambda line: line["type"] in {"connect", "connect_error"})

    async def call(self, event: str, *args: Any, tag: str | None = None) -> Any:
        """`await socket.emitWithAck(event, ...args)`: returns the ack's first argument."""
        tag = tag or f"{event}#{len(self.lines)}"
        await self.run({"op": "emitWithAck", "event": event, "args": list(args), "tag": tag})
        line = await self.expect(lambda line: line["type"] == "ack" and line["tag"] == tag)
        return line["args"][0]

    async def emit(self, event: str, *args: Any) -> None:
        """`socket.emit(event, ...args)` with no ack callback (the seed guide's style)."""
        await self.run({"op": "emit", "event": event, "args": list(args)})

    async def mark(self, tag: str) -> None:
        """Wait until the driver has run every step queued so far."""
        await self.run({"op": "mark", "tag": tag})
        await self.expect(lambda line: line["type"] == "mark" and line["tag"] == tag)

    # ------------------------------------------------------------------ observations

    async def expect(self, predicate: Callable[[Line], bool], timeout: float = WAIT) -> Line:
        """The first printed line, not taken before, that satisfies `predicate`."""

        found: list[Line] = []

        def take() -> bool:
            for index, line in enumerate(self.lines):
                if index not in self._taken and predicate(line):
                    self._taken.add(index)
                    found.append(line)
                    return True
            if self._eof:
                raise AssertionError(f"node client {self.name} exited first; {self.describe()}")
            return False

        try:
            await self._changes.until(take, timeout)
        except TimeoutError:
            raise AssertionError(
                f"node client {self.name}: nothing matching within {timeout} s; {self.describe()}"
            ) from None
        return found[0]

    async def next(self, event: str, match: dict[str, Any] | None = None, timeout: float = WAIT) -> Any:
        """The data (first argument) of the next `event` whose data contains `match` (a deep subset)."""

        def wanted(line: Line) -> bool:
            if line["type"] != "event" or line["event"] != event:
                return False
            return contains(line["args"][0] if line["args"] else None, match or {})

        line = await self.expect(wanted, timeout)
        return line["args"][0] if line["args"] else None

    def events(self, event: str) -> list[Any]:
        """The data of every `event` seen so far (taken or not)."""
        return [
            line["args"][0] if line["args"] else None
            for line in self.lines
            if line["type"] == "event" and line["event"] == event
        ]

    def describe(self) -> str:
        shown = "\n  ".join(json.dumps(line) for line in self.lines[-30:])
        stderr = self._stderr.decode(errors="replace").strip()
        return f"exit code {self.proc.returncode}; stdout:\n  {shown}\nstderr:\n  {stderr}"

    def freeze(self) -> None:
        """SIGSTOP: the connection stays up but nothing reads it (a laptop whose lid just closed)."""
        self.proc.send_signal(signal.SIGSTOP)

    async def kill(self) -> None:
        """SIGKILL (also works on a frozen process): the kernel closes its connection."""
        self.killed = True
        self.proc.kill()
        await asyncio.wait_for(self.proc.wait(), WAIT)

    async def close(self, timeout: float = WAIT) -> int:
        """Ask the driver to exit (it closes its socket) and wait for it; kill it if it hangs."""
        if self.proc.returncode is None and self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        await asyncio.wait_for(self._reader, timeout)
        assert self.proc.returncode is not None
        return self.proc.returncode

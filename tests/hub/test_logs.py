"""Structured logs: `--log-format json` writes one JSON object per line, and no token or password, ever."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path

import aiohttp

from hub import logs
from tests.support.cli import notify_hub
from tests.support.clients import Client
from tests.support.hubs import HubProcess
from tests.support.logs import StalledStream
from tests.support.waiting import WAIT

PASSWORD = "hunter2-correct-horse"


async def test_json_logs_of_login_connect_and_send_hold_no_secrets(tmp_path: Path) -> None:
    data = str(tmp_path / "hub")
    for name in ("alice", "bob"):
        made = await notify_hub("--data-dir", data, "user", "add", name, "--password-stdin", stdin=PASSWORD + "\n")
        assert made.code == 0, made.err
    log_file = tmp_path / "hub.log"
    with log_file.open("wb") as stderr:
        hub = HubProcess(Path(data), "--log-format", "json", "--log-level", "debug", stderr=stderr)
        url = await hub.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(url + "/api/login", json={"username": "alice", "password": PASSWORD}) as response:
                token = (await response.json())["token"]
            async with http.post(url + "/api/login", json={"username": "bob", "password": PASSWORD + "x"}) as response:
                assert response.status == 401
            headers = {"Authorization": f"Bearer {token}"}
            async with http.post(url + "/api/notify/bob", data="over http", headers=headers) as response:
                assert response.status == 201
        client = Client(url, "alice")
        await client.connect({"token": token, "last_id": 0})
        await client.next("welcome")
        assert (await client.call("send_notification", {"to": "bob", "message": "over socket.io"}))["ok"]
        await client.close()
    finally:
        assert await hub.terminate() == 0

    text = log_file.read_text()
    assert token not in text and token[len("lnt_") :] not in text
    assert PASSWORD not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert all({"ts", "level", "logger", "message"} <= entry.keys() for entry in entries)
    messages = [entry["message"] for entry in entries]
    assert any("alice signed in a device" in m for m in messages)
    assert any("alice sent notification" in m and "over HTTP" in m for m in messages)
    # At debug level python-engineio logs every packet, the connect packet's auth included: scrubbed.
    assert any(entry["logger"] == "hub.engineio" for entry in entries)


def log_record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    levelname = logging.getLevelName(level)
    return logging.makeLogRecord({"name": name, "levelno": level, "levelname": levelname, "msg": msg, "args": args})


def test_redaction_is_a_second_line_of_defence() -> None:
    record = log_record("hub.engineio", logging.DEBUG, "packet %s", '{"token":"lnt_Ab-9_x"}')
    for formatter in (logs.JsonFormatter(), logs.TextFormatter()):
        out = formatter.format(record)
        assert "lnt_Ab" not in out and "[redacted]" in out


def test_a_message_cannot_start_a_line_of_its_own() -> None:
    """A name or an event from a client with a line break in it does not forge a line of the log."""
    forged = "10.0.0.9\n2026-01-01 00:00:00,000 INFO hub: admin signed in"
    record = log_record("hub.namespace", logging.INFO, "refused a connection from %s: %s", forged, "x\r\u2028y\x1b[31m")
    text = logs.TextFormatter().format(record)
    assert "\n" not in text and "\r" not in text and "\u2028" not in text and "\x1b" not in text
    assert "10.0.0.9\\n2026-01-01" in text
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["message"].startswith("refused a connection from 10.0.0.9\n")  # JSON escapes it itself


async def test_a_log_nobody_reads_does_not_stop_the_hub(tmp_path: Path) -> None:
    """A hub whose stderr is a pipe nobody reads (`notify-hub serve | less`, not scrolled) keeps
    serving: at debug level every request logs a line, and 64 KB of them used to fill the pipe and
    freeze the hub in its next write."""
    # The log is a pipe, read only at the end.
    hub = HubProcess(tmp_path / "hub", "--log-level", "debug", stderr=asyncio.subprocess.PIPE)
    url = await hub.start()
    try:
        timeout = aiohttp.ClientTimeout(total=WAIT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for _ in range(1500):  # ~1,500 log lines of ~100 bytes
                async with http.get(url + "/api/health") as response:
                    assert response.status == 200
        assert hub.proc is not None and hub.proc.stderr is not None
        log = await asyncio.wait_for(hub.proc.stderr.read(64 * 1024), WAIT)
        assert b"/api/health" in log
    finally:
        assert hub.proc is not None
        hub.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(hub.proc.communicate(), WAIT * 2)
    assert hub.proc.returncode == 0


def test_lines_the_writer_cannot_keep_are_dropped_and_counted() -> None:
    stream = StalledStream()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.TextFormatter())
    writer = logs.LogWriter(handler, capacity=10)
    writer.start()
    logger = logging.getLogger("tests.stalled-log")
    logger.propagate = False
    logger.addHandler(logs.Handoff(writer))
    try:
        for i in range(100):
            logger.warning("line %d", i)  # returns at once, stream or no stream
        stream.released.set()
    finally:
        writer.stop()
        logger.handlers.clear()
    text = "".join(stream.lines)
    written = [line for line in text.splitlines() if "line " in line]
    assert written[0].endswith("line 0")
    (notice,) = [line for line in text.splitlines() if "dropped" in line]
    dropped = int(notice.split(" log lines were dropped")[0].rsplit(" ", 1)[1])
    assert len(written) + dropped == 100
    assert "the log output was not read fast enough" in notice

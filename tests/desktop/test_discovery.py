"""Hubs found on the LAN, in a network namespace of the test's own (only a loopback, multicast on it):
a hub started there is listed by the tray app's discovery code with its name, address, port and
certificate fingerprint, and disappears when it stops. Nothing leaves the namespace."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub import tls
from tests.support.netns import enter, require_namespaces, unshare_command
from tests.support.waiting import WAIT

ROOT = Path(__file__).resolve().parents[2]


class Probe:
    """tests/support/discovery_probe.py in a network namespace of its own; reads its JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def next(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), WAIT * 2)
        assert line, "the probe ended"
        return dict(json.loads(line))

    async def hubs_until(self, done: Any) -> list[dict[str, Any]]:
        for _ in range(20):  # each line is a change of the list; a few at most
            event = await self.next()
            if "hubs" in event and done(event["hubs"]):
                return list(event["hubs"])
        raise AssertionError("the list never got there")

    def namespace(self) -> list[str]:
        """A command prefix that runs in the probe's network namespace."""
        return enter(self.proc.pid)


@pytest.fixture
async def probe() -> AsyncIterator[Probe]:
    require_namespaces()
    proc = await asyncio.create_subprocess_exec(
        *unshare_command(sys.executable, "-m", "tests.support.discovery_probe"),
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "LAN_NOTIFY_DISCOVERY": "true"},
    )  # fmt: skip
    probe = Probe(proc)
    try:
        yield probe
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), WAIT)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def start_hub(probe: Probe, data_dir: Path, *args: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        *probe.namespace(), sys.executable, "-m", "hub", "serve",
        "--host", "0.0.0.0", "--port", "0", "--data-dir", str(data_dir), "--announce", *args,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), WAIT * 3)
    assert b"listening on" in line, line
    return proc


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), WAIT * 2)


async def test_a_hub_started_in_the_namespace_is_listed_and_disappears_when_it_stops(
    probe: Probe, tmp_path: Path
) -> None:
    assert await probe.next() == {"interfaces": ["lo"]}  # no way out of the namespace
    assert await probe.next() == {"browsing": True}

    cert, key = tls.self_signed(["127.0.0.1"])
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    tls_args = ("--tls-cert", str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem"))
    office = await start_hub(probe, tmp_path / "office", "--announce-name", "Office hub", *tls_args)
    plain = await start_hub(probe, tmp_path / "plain", "--announce-name", "Plain hub")
    try:
        hubs = await probe.hubs_until(lambda hubs: len(hubs) == 2)
        assert [(h["name"], h["address"], h["tls"]) for h in hubs] == [
            ("Office hub", "127.0.0.1", True),
            ("Plain hub", "127.0.0.1", False),
        ]
        assert hubs[0]["fingerprint"] == tls.fingerprint(tls.pem_to_der(cert)) and hubs[1]["fingerprint"] == ""
        assert hubs[0]["url"].startswith("https://127.0.0.1:") and hubs[1]["url"].startswith("http://127.0.0.1:")

        # A renewed certificate (SIGHUP) is announced at once.
        renewed, renewed_key = tls.self_signed(["127.0.0.1"])
        (tmp_path / "cert.pem").write_bytes(renewed)
        (tmp_path / "key.pem").write_bytes(renewed_key)
        office.send_signal(signal.SIGHUP)
        fingerprint = tls.fingerprint(tls.pem_to_der(renewed))
        await probe.hubs_until(lambda hubs: any(h["fingerprint"] == fingerprint for h in hubs))

        await stop(office)
        hubs = await probe.hubs_until(lambda hubs: len(hubs) == 1)
        assert [h["name"] for h in hubs] == ["Plain hub"]
    finally:
        await stop(office)
        await stop(plain)
    assert await probe.hubs_until(lambda hubs: hubs == []) == []

"""Oversized, slow and malformed requests on every transport and route are answered (or closed) at
once, free what they held, and log no traceback; Engine.IO packets of any type are ignored or
refused without a log line."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from hub.server import RunningHub
from tests.support.hubs import Hub, make_config
from tests.support.raw_engineio import RawSocket
from tests.support.raw_http import RawHttp, polling_session, request
from tests.support.waiting import WAIT

POLLING = "/socket.io/?EIO=4&transport=polling"


def troubles(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records a client's input must never cause: warnings, errors, tracebacks."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


async def signed_in_polling(hub: Hub, token: str) -> str:
    """A long-polling session signed in with `token`; returns its sid."""
    sid = await polling_session(hub.url)
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(request("POST", f"{POLLING}&sid={sid}", body=b"40" + json.dumps({"token": token}).encode()))
        assert (await raw.answer()).status == 200
    finally:
        await raw.close()
    return sid


# --------------------------------------------------------------------------- long-polling POSTs


async def test_an_oversized_long_polling_post_is_answered_at_once_and_ends_that_session(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    watcher = await hub.client(await hub.user("carol"), name="carol")
    sid = await signed_in_polling(hub, await hub.user("bob"))
    assert (await watcher.next("user_online"))["userId"] == "bob"
    raw = await RawHttp.open(hub.url)
    try:
        # 70 kB announced, 1 kB sent: the answer must not wait for the rest (python-engineio never answered).
        headers = {"Content-Length": "70000", "Content-Type": "text/plain;charset=UTF-8"}
        await raw.send(request("POST", f"{POLLING}&sid={sid}", headers=headers) + b"4" * 1000)
        answer = await raw.answer()
        closed = await raw.closed()
    finally:
        await raw.close()
    assert (answer.status, answer.code, closed) == (413, "too_large", True)
    assert (await watcher.next("user_offline"))["userId"] == "bob"
    assert troubles(caplog) == []


@pytest.mark.parametrize("chunks", [[b"4" * 40_000, b"4" * 40_000]], ids=["chunked over the cap"])
async def test_a_chunked_long_polling_post_over_the_cap_is_refused(hub: Hub, chunks: list[bytes]) -> None:
    sid = await polling_session(hub.url)
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(
            request("POST", f"{POLLING}&sid={sid}", headers={"Content-Length": None, "Transfer-Encoding": "chunked"})
        )
        for chunk in chunks:
            await raw.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        answer = await raw.answer()
    finally:
        await raw.close()
    assert (answer.status, answer.code) == (413, "too_large")


async def test_a_body_that_trickles_in_is_cut_after_the_body_timeout(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(http_body_timeout=0.5)
    sid = await polling_session(hub.url)
    for path in (f"{POLLING}&sid={sid}", "/api/login"):
        raw = await RawHttp.open(hub.url)
        try:
            headers = {"Content-Length": "100", "Content-Type": "application/json"}
            await raw.send(request("POST", path, headers=headers) + b"4")  # and nothing more
            answer = await raw.answer()
            closed = await raw.closed()
        finally:
            await raw.close()
        assert (answer.status, answer.code, closed) == (408, "timeout", True), path


async def test_a_post_to_a_closed_session_is_a_bad_request_not_a_500(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    sid = await polling_session(hub.url)
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(request("POST", f"{POLLING}&sid={sid}", body=b"1"))  # Engine.IO CLOSE
        assert (await raw.answer()).status == 200
        await raw.send(request("POST", f"{POLLING}&sid={sid}", body=b'42["list_online"]'))
        answer = await raw.answer()
    finally:
        await raw.close()
    assert answer.status == 400
    assert troubles(caplog) == []


async def test_a_long_polling_body_of_many_packets_is_all_handled(hub: Hub) -> None:
    """python-engineio dropped (with a traceback) any body of more than 16 packets, which the
    JavaScript client sends when it has queued that many while polling."""
    token = await hub.user("alice")
    sid = await signed_in_polling(hub, token)
    raw = await RawHttp.open(hub.url)
    try:
        body = "\x1e".join(f'42{i}["list_online"]' for i in range(40)).encode()
        await raw.send(request("POST", f"{POLLING}&sid={sid}", body=body))
        assert (await raw.answer()).status == 200
        acks: set[int] = set()
        while len(acks) < 40:
            await raw.send(request("GET", f"{POLLING}&sid={sid}"))
            got = await raw.answer()
            acks |= {int(p[2:].split("[", 1)[0]) for p in got.body.decode().split("\x1e") if p.startswith("43")}
    finally:
        await raw.close()
    assert acks == set(range(40))


# --------------------------------------------------------------------------- the HTTP API


@pytest.mark.parametrize("path", ["/api/login", "/api/notifications", "/api/notify/bob"])
async def test_an_oversized_api_body_is_answered_at_once_and_its_connection_closed(
    hub: Hub, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    token = await hub.user("alice")
    raw = await RawHttp.open(hub.url)
    try:
        headers = {"Content-Length": "1000000", "Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        await raw.send(request("POST", path, headers=headers) + b"{" * 1000)
        answer = await raw.answer()
        closed = await raw.closed()
    finally:
        await raw.close()
    assert (answer.status, answer.code, closed) == (413, "too_large", True)
    assert troubles(caplog) == []


async def test_a_chunked_api_body_over_the_cap_is_refused_without_reading_it_all(hub: Hub) -> None:
    raw = await RawHttp.open(hub.url)
    try:
        headers = {"Content-Length": None, "Transfer-Encoding": "chunked", "Content-Type": "application/json"}
        await raw.send(request("POST", "/api/login", headers=headers))
        chunk = b" " * 8192
        for _ in range(3):  # 24 KiB of the announced-as-endless body
            await raw.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        answer = await raw.answer()
    finally:
        await raw.close()
    assert (answer.status, answer.code) == (413, "too_large")


async def test_a_body_sent_in_pieces_is_read_whole(hub: Hub) -> None:
    """The body reader used to take whatever had arrived: a body split across TCP segments was cut."""
    await hub.user("alice", password="pieces of eight")
    body = json.dumps({"username": "alice", "password": "pieces of eight", "device": "x" * 60}).encode()
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(
            request(
                "POST",
                "/api/login",
                body=b"",
                headers={"Content-Length": str(len(body)), "Content-Type": "application/json"},
            )
        )
        await raw.send(body[:20])
        await hub.delivery.store.check()  # a round trip through the hub's loop meanwhile
        await raw.send(body[20:])
        answer = await raw.answer()
    finally:
        await raw.close()
    assert answer.status == 200, answer.body


@pytest.mark.parametrize(
    "head",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n",
        b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: \x01\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",
        b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    ],
    ids=["not http", "negative length", "long line", "bad chunk", "control in header", "200 headers", "huge length"],
)
async def test_a_malformed_request_is_refused_and_logs_no_traceback(
    hub: Hub, caplog: pytest.LogCaptureFixture, head: bytes
) -> None:
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(head)
        answer = await raw.answer()
        closed = await raw.closed()
    finally:
        await raw.close()
    assert 400 <= answer.status < 500 and closed
    assert troubles(caplog) == []


# --------------------------------------------------------------------------- websocket frames


async def test_a_websocket_frame_announcing_more_than_the_cap_closes_at_once(hub: Hub) -> None:
    raw = await RawSocket.open(hub.url)
    try:
        # A text frame header announcing 2^40 bytes, then nothing: no waiting for the payload.
        raw.ws._writer.transport.write(b"\x81\xff" + (1 << 40).to_bytes(8, "big") + b"\x00\x00\x00\x00")
        assert await asyncio.wait_for(raw.receive(), WAIT) is None
    finally:
        await raw.close()


# --------------------------------------------------------------------------- Engine.IO packet types

#: Every Engine.IO packet type, and characters past them: digits of other scripts, letters.
PACKET_TYPES = [str(n) for n in range(10)] + ["٣", "a", "-"]


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed in", "before sign-in"])
async def test_every_engine_io_packet_type_on_a_websocket_logs_nothing(
    hub: Hub, caplog: pytest.LogCaptureFixture, signed_in: bool
) -> None:
    token = await hub.user("alice")
    caplog.set_level(logging.INFO)
    outcomes = {}
    for kind in PACKET_TYPES:
        for frame in (kind, kind + "x", kind * 3):
            if frame.startswith("1"):
                continue  # CLOSE: the client ends its own session
            raw = await RawSocket.open(hub.url)
            try:
                if signed_in:
                    assert (await raw.connect({"token": token})).startswith("40{")
                for _ in range(3):
                    await raw.send(frame)
                if not signed_in and not raw.closed:
                    await raw.connect({"token": token})
                outcomes[frame] = (await raw.probe({"token": token}))[0]
            finally:
                await raw.close()
    assert troubles(caplog) == []
    for kind in "0236789٣":  # ignored: the connection is still served
        assert outcomes[kind] == "served", (kind, outcomes)


async def test_every_engine_io_packet_type_in_a_long_polling_body_logs_nothing(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sid = await signed_in_polling(hub, await hub.user("alice"))
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(
            request(
                "POST", f"{POLLING}&sid={sid}", body="\x1e".join(["0", "6", "7", "8", "9", "٣", "2", "5"] * 12).encode()
            )
        )
        assert (await raw.answer()).status == 200
        await raw.send(request("POST", f"{POLLING}&sid={sid}", body=b'421["list_online"]'))
        assert (await raw.answer()).status == 200
        await raw.send(request("GET", f"{POLLING}&sid={sid}"))
        assert b'431[{"ok":true' in (await raw.answer()).body
        for junk in (b"d=", b"a", b"42\x1ex"):  # not Engine.IO: that session ends, with a 400
            fresh = await polling_session(hub.url)
            await raw.send(request("POST", f"{POLLING}&sid={fresh}", body=junk))
            assert (await raw.answer()).status == 400
    finally:
        await raw.close()
    assert troubles(caplog) == []


# --------------------------------------------------------------------------- stopping after a flood


async def test_the_hub_stops_within_its_shutdown_timeout_after_a_flood(tmp_path: Path) -> None:
    running = RunningHub(make_config(tmp_path / "hub", http_body_timeout=60.0), shutdown_timeout=3.0)
    url = await running.start()
    held: list[RawHttp] = []
    try:
        for i in range(40):
            raw = await RawHttp.open(url)
            held.append(raw)
            if i % 2:  # an oversized long-polling POST, left unfinished
                sid = await polling_session(url)
                await raw.send(request("POST", f"{POLLING}&sid={sid}", headers={"Content-Length": "70000"}) + b"4")
                await raw.answer()
            else:  # a body that trickles in, as slowly as the body timeout allows
                await raw.send(
                    request("POST", "/api/login", headers={"Content-Length": "500", "Content-Type": "application/json"})
                    + b"{"
                )
        await asyncio.wait_for(running.stop(), 3.0)  # python-engineio's hung requests took 2 x the timeout
    finally:
        for raw in held:
            await raw.close()

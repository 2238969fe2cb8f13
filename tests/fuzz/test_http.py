"""Every HTTP endpoint fed hostile requests (bodies of any JSON shape, raw bytes and invalid UTF-8,
huge and deeply nested bodies, odd headers and methods, unknown paths); plus floods of connects.
Each answer is a documented status with a JSON `{"error": {code, message}}` body, never a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import strategies as st

from hub.app_keys import SERVICE
from hub.auth import Accounts
from tests.fuzz.strategies import json_values
from tests.support.fuzz import DOCUMENTED_CODES, Tally, campaign
from tests.support.http import app_routes
from tests.support.hubs import LoopHub, loop_hub_with
from tests.support.raw_engineio import RawSocket

ENDPOINTS = [
    ("POST", "/api/login"),
    ("POST", "/api/logout"),
    ("GET", "/api/health"),
    ("POST", "/api/notifications"),
    ("GET", "/api/notifications"),
    ("GET", "/api/notifications?since=-1&limit=999999"),
    ("GET", "/api/notifications?since=x"),
    ("GET", "/api/notifications?since=99999999999999999999999"),
    ("GET", "/api/notifications/1/responses"),
    ("GET", "/api/notifications/x/responses"),
    ("GET", "/api/notifications/-1/responses"),
    ("GET", "/api/notifications/99999999999999999999999/responses"),
    ("GET", "/api/notifications/1/receipts"),
    ("GET", "/api/notifications/x/receipts"),
    ("GET", "/api/notifications/99999999999999999999999/receipts"),
    ("POST", "/api/read"),
    ("GET", "/api/openapi.json"),
    ("DELETE", "/api/notifications/keys/build-1?to=bob"),
    ("DELETE", "/api/notifications/keys/build-1?room=lobby&everyone=maybe"),
    ("DELETE", "/api/notifications/keys/-bad%00key?everyone=true"),
    ("DELETE", "/api/notifications/keys/build-1"),
    ("POST", "/api/notify/alice"),
    ("POST", "/api/notify/%00bad"),
    ("POST", "/api/notify/room/lobby"),
    ("POST", "/api/notify/alice?delay=1h&key=k"),
    ("POST", "/api/notify/alice?at=99999999999999999999"),
    ("GET", "/api/scheduled"),
    ("DELETE", "/api/scheduled/k"),
    ("DELETE", "/api/scheduled/%00bad"),
    ("POST", "/api/notify/room/..%2F"),
    ("GET", "/metrics"),
    ("GET", "/"),
    ("GET", "/app"),
    ("GET", "/app/index.html"),
    ("GET", "/app/icons/types/error.svg"),
    ("GET", "/app/vendor/markdown-it.min.js"),
    ("GET", "/app/vendor/..%2Fpackage.json"),
    ("GET", "/socket.io/socket.io.min.js"),
]
VALID = "<the valid token>"  # replaced by alice's real token when the request is made
OTHER = [
    ("GET", "/api/login"),
    ("PUT", "/api/login"),
    ("DELETE", "/api/logout"),
    ("POST", "/api/health"),
    ("GET", "/api/nope"),
    ("POST", "/api/notifications/../login"),
    ("GET", "/%00"),
    ("GET", "/api/login%2F.."),
    ("GET", "/app/..%2F..%2Fhub.sqlite3"),
    ("GET", "/app/.hidden"),
    ("POST", "/app/"),
    ("GET", "/socket.io/package.json"),
]
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)

bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v, allow_nan=True).encode("utf-8", "surrogatepass")),
    st.fixed_dictionaries(
        {"username": json_values, "password": json_values},
        optional={"device": json_values, "extra": json_values},
    ).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"", b"\xff\xfe", b"{", b"null", b'"\xc3\x28"', b"[" * 5000 + b"]" * 5000, b"{" * 100]),
    st.integers(16_000, 70_000).map(lambda n: b'{"username":"' + b"a" * n + b'"}'),
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes]:
    method, path = draw(st.sampled_from(ENDPOINTS * 3 + OTHER))
    headers = {}
    if draw(st.booleans()):
        headers["Authorization"] = draw(
            st.one_of(header_text, header_text.map(lambda t: "Bearer " + t), st.just("Bearer " + VALID))
        )
    if draw(st.booleans()):
        headers["X-Type"] = draw(st.one_of(header_text, st.sampled_from(["info", "system", "error"])))
        headers["X-Title"] = draw(header_text)
    if draw(st.booleans()):  # ntfy's headers, on any endpoint
        for name in ("X-Priority", "X-Click", "X-Actions", "X-Markdown"):
            headers[name] = draw(header_text)
    if draw(st.booleans()):
        headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/plain", "x/y; charset=utf-16"]))
    return method, path, headers, draw(bodies)


@pytest.fixture
def loop_hub(tmp_path: Path) -> Iterator[LoopHub]:
    with loop_hub_with(tmp_path / "hub", "alice") as hub:
        yield hub


async def one(hub: LoopHub, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
    url = hub.url
    headers = {k: v.replace(VALID, hub.tokens["alice"]) for k, v in headers.items()}
    async with aiohttp.ClientSession() as http, http.request(method, url + path, headers=headers, data=body) as r:
        raw = await r.read()
        status = r.status
    assert status < 500 or status == 503, (status, raw[:200])
    if status >= 400:
        try:
            error = json.loads(raw)["error"]
        except (ValueError, KeyError, TypeError):
            raise AssertionError(f"{method} {path} -> {status} without a JSON error body: {raw[:120]!r}") from None
        assert error["code"] in DOCUMENTED_CODES and error["message"], error
    if (method, path, status) == ("POST", "/api/logout", 200):  # it revoked alice's token, as it should
        hub.tokens["alice"] = (await Accounts(hub.store).issue_token("alice", "fuzz")).secret
    return str(status)


def http_campaign(hub: LoopHub, *, slow: bool) -> Tally:
    return campaign(hub, "http requests", lambda request: one(hub, *request), slow=slow, request=requests())


#: One body of each kind, for the fixed sweep: empty, broken and valid JSON of every shape, wrong
#: field types, NUL and control characters, invalid UTF-8, too large, deeply nested.
SWEEP_BODIES: tuple[bytes, ...] = (
    b"",
    b"{",
    b"null",
    b"[]",
    b"0",
    b'"text"',
    b"\xff\xfe\xfd",
    b'{"message": "\xc3\x28"}',
    b"[" * 5000 + b"]" * 5000,
    b'{"username": "' + b"a" * 70_000 + b'"}',
    json.dumps({"username": [], "password": {}, "device": 7}).encode(),
    json.dumps({"username": "alice\u0000", "password": "x" * 2000}).encode(),
    json.dumps({"to": 1, "message": None, "type": "nope", "title": ["t"]}).encode(),
    json.dumps({"to": "alice", "room": "ops", "everyone": True, "message": "hi"}).encode(),
    json.dumps({"everyone": "yes", "message": "hi", "type": "system"}).encode(),
    json.dumps({"room": "../x", "message": "\u202egnp.exe\r\n\u0000"}).encode(),
    json.dumps({"to": "alice", "message": "x" * 5000}).encode(),
    json.dumps({"to": "alice", "message": "fine", "title": "t"}).encode(),
)
SWEEP_AUTH: tuple[dict[str, str], ...] = (
    {},
    {"Authorization": "Bearer " + VALID},
    {"Authorization": "Bearer lnt_not-a-real-token"},
    {"Authorization": "Basic YWxpY2U6cmlnaHQ="},
)


def test_every_endpoint_answers_every_kind_of_body_with_a_documented_status(loop_hub: LoopHub) -> None:
    """A fixed sweep (no randomness): every endpoint and refusal path x every body kind x every kind of
    credentials. The hypothesis campaign below samples further."""
    tally = Tally()
    for method, path in ENDPOINTS + OTHER:
        for body in SWEEP_BODIES:
            for headers in SWEEP_AUTH:
                tally.add(loop_hub.run(one(loop_hub, method, path, {**headers, "X-Title": "t"}, body)))
    loop_hub.run(loop_hub.still_serves())
    print(tally.line(f"http sweep ({len(ENDPOINTS + OTHER)} endpoints and paths)"), flush=True)
    # Every kind of answer came up: valid tokens got through to validation and to the handlers.
    assert {"200", "201", "400", "401", "404", "405", "413"} <= tally.outcomes.keys(), tally.outcomes


def test_every_route_of_the_hub_is_in_the_fuzzed_endpoints(loop_hub: LoopHub) -> None:
    fuzzed = {(method, path.split("?")[0]) for method, path in ENDPOINTS}
    for method, template in app_routes(loop_hub):  # type: ignore[arg-type]  # a LoopHub has .running too
        assert any(m == method and _matches(template, p) for m, p in fuzzed), (method, template)


def _matches(template: str, path: str) -> bool:
    parts, given = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(given) and all(p == g or p.startswith("{") for p, g in zip(parts, given, strict=True))


def test_http_endpoints_answer_with_documented_errors(loop_hub: LoopHub) -> None:
    assert http_campaign(loop_hub, slow=False).tried > 0


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_http_endpoints_answer_with_documented_errors_long(loop_hub: LoopHub) -> None:
    assert http_campaign(loop_hub, slow=True).tried > 0


# --------------------------------------------------------------------------- floods of connects


async def flood(hub: Any, count: int) -> dict[str, int]:
    """`count` connects at once: half never finish the Socket.IO handshake, some with bad tokens,
    some with good ones that drop without saying goodbye."""
    token = await hub.user("alice")
    outcomes: dict[str, int] = {}

    async def one(i: int) -> None:
        try:
            raw = await RawSocket.open(hub.url)
        except aiohttp.WSServerHandshakeError as refused:
            # All from one address: past max_pending_per_address (64) not yet signed in, the door says no.
            outcome = "refused at once: too many not signed in" if refused.status == 429 else "?"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            return
        try:
            kind = i % 4
            if kind == 0:
                outcome = "no handshake"
            elif kind == 1:
                outcome = "refused" if (await raw.connect({"token": f"lnt_bad{i}"})).startswith("44") else "?"
            elif kind == 2:
                outcome = "refused" if (await raw.connect({"token": i})).startswith("44") else "?"
            else:
                answer = await raw.connect({"token": token, "last_id": 0})
                if answer.startswith("40"):
                    outcome = "connected"
                else:  # past max_connections_per_user (64): one account, all at once
                    outcome = "refused: account cap" if "too_many_connections" in answer else "?"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        finally:
            await raw.close()

    await asyncio.gather(*(one(i) for i in range(count)))
    return outcomes


@pytest.mark.parametrize("count", [pytest.param(120, id="120"), pytest.param(1000, id="1000", marks=pytest.mark.slow)])
async def test_a_flood_of_connects_leaves_the_hub_serving(hub: Any, count: int) -> None:
    outcomes = await flood(hub, count)
    print(f"connect flood: {count} connects {outcomes}", flush=True)
    assert "?" not in outcomes and sum(outcomes.values()) == count

    bob = await hub.client(await hub.user("bob"), name="bob")
    assert (await bob.call("send_notification", {"to": "bob", "message": "after the flood"}))["ok"]
    assert (await bob.next("notification"))["message"] == "after the flood"
    service = hub.running.app[SERVICE]
    while len(service.presence) > 1:  # the flood's sessions all end (each close is an event)
        await bob.next("user_offline")
    assert await hub.store.integrity_check() == "ok"


# --------------------------------------------------------------------------- what the fuzzing found


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/api/login", b"[" * 5000 + b"]" * 5000, 400, "invalid_payload"),  # was a 500 (RecursionError)
        ("GET", "/api/nope", b"", 404, "not_found"),  # was aiohttp's text/plain 404
        ("GET", "/api/login", b"", 405, "not_found"),  # was aiohttp's text/plain 405
    ],
)
async def test_refusals_have_the_documented_json_body(
    hub: Any, method: str, path: str, body: bytes, status: int, code: str
) -> None:
    headers = {"Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, hub.url + path, data=body, headers=headers) as response,
    ):
        assert response.status == status
        assert (await response.json())["error"]["code"] == code

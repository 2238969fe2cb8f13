"""The OpenAPI document is served, names every route the app has (and no other), and holds under fuzzing."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.http.openapi import document
from tests.support.http import app_routes, call, check_against_document
from tests.support.hubs import Hub


async def test_the_document_is_served_and_names_exactly_the_apps_routes(hub: Hub) -> None:
    answer = await call(hub, "GET", "/api/openapi.json")

    assert answer.status == 200 and answer.body == json.loads(json.dumps(document()))
    assert answer.body["openapi"].startswith("3.1")
    documented = {(m.upper(), path) for path, ops in answer.body["paths"].items() for m in ops}
    assert documented == app_routes(hub)


def test_every_reference_resolves() -> None:
    doc = document()
    text = json.dumps(doc)
    for name in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert name in doc["components"]["schemas"], name


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_fields = st.fixed_dictionaries(
    {},
    optional={
        "to": st.sampled_from(["bob", "ghost", "", "a b", "bob\x00"]) | st.text(max_size=70) | _json_values,
        "room": st.sampled_from(["ops", "nowhere", ""]) | _json_values,
        "everyone": st.booleans() | _json_values,
        "message": st.text(max_size=300) | st.sampled_from(["x" * 5000, ""]) | _json_values,
        "type": st.sampled_from(["info", "error", "system", "bogus"]) | _json_values,
        "title": st.text(max_size=250) | _json_values,
    },
)
_bodies = _fields | _json_values


def _fuzz(url: str, token: str) -> None:
    """Runs in a thread (blocking urllib), so the hub keeps running on the test's event loop."""

    def send(method: str, path: str, body: bytes | None, headers: dict[str, str]) -> None:
        request = urllib.request.Request(url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        assert status != 500, raw
        check_against_document(method, urllib.parse.urlsplit(url + path).path, status, json.loads(raw))

    auth = {"Authorization": f"Bearer {token}"}

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(body=_bodies)
    def json_form(body: Any) -> None:
        send("POST", "/api/notifications", json.dumps(body).encode(), {**auth, "Content-Type": "application/json"})

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        user=st.text(min_size=1, max_size=20),
        text=st.binary(max_size=200),
        type_=st.none() | st.text(max_size=10),
        since=st.none() | st.text(max_size=6),
    )
    def text_form(user: str, text: bytes, type_: str | None, since: str | None) -> None:
        query = urllib.parse.urlencode({"type": type_} if type_ is not None else {})
        path = "/api/notify/" + urllib.parse.quote(user, safe="") + ("?" + query if query else "")
        send("POST", path, text, auth)
        inbox = "/api/notifications" + ("?" + urllib.parse.urlencode({"since": since}) if since is not None else "")
        send("GET", inbox, None, auth)

    json_form()
    text_form()


async def test_random_input_never_crashes_the_hub_and_answers_as_documented(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=100_000)
    token = await hub.user("alice")
    await hub.user("bob")
    bob = await hub.client(await hub.user("carol"))

    await asyncio.to_thread(_fuzz, hub.url, token)

    # Still healthy, and other users are unaffected.
    assert (await call(hub, "GET", "/api/health")).status == 200
    assert (await bob.call("list_online"))["online"] == ["carol"]

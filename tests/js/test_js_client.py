"""The official JavaScript client (npm `socket.io-client` 4.8, run by Node) against a real hub.

Each `NodeClient` is a `node tests/js/client.mjs` process driving one socket; the tests read what it
prints (events, acks, connect errors) with timeouts and never sleep. Covered: token auth and
`emitWithAck` (websocket, and default transports with the polling -> websocket upgrade), refused
connects as the JS client sees them, a client written against the seed guide in open mode (no acks,
the guide's field names, bare room strings, the offline queue), errors without an ack, presence,
resume with `lastId` + `ack`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.js.node import NodeClient, client_version, require_node
from tests.support.hubs import Hub

pytestmark = pytest.mark.js

StartJs = Callable[[str], Awaitable[NodeClient]]


@pytest.fixture
async def js(hub_factory: Any) -> AsyncIterator[StartJs]:
    """Start node clients; they are closed (and must exit cleanly) before the hubs stop."""
    node = require_node()
    started: list[NodeClient] = []

    async def start(name: str = "js") -> NodeClient:
        client = await NodeClient.start(node, name)
        started.append(client)
        return client

    yield start
    codes = {client: await client.close() for client in started}
    bad = {client.name: code for client, code in codes.items() if code != 0 and not client.killed}
    assert not bad, "node clients failed: " + "; ".join(f"{c.name}: {c.describe()}" for c in started if c.name in bad)


def test_the_driver_uses_socket_io_client_4_8() -> None:
    require_node()
    major, minor, *_ = client_version().split(".")
    assert (int(major), int(minor)) >= (4, 8)


# --------------------------------------------------------------------------- token auth


async def test_token_client_sends_with_emit_with_ack_and_the_recipient_gets_it(hub: Hub, js: StartJs) -> None:
    alice = await js("alice")
    connected = await alice.connect(hub.url, {"token": await hub.user("alice")})
    assert connected["type"] == "connect" and connected["transport"] == "websocket", connected
    welcome = await alice.next("welcome")
    assert welcome["user"] == {"name": "alice", "admin": False}
    bob = await hub.client(await hub.user("bob"))

    ack = await alice.call("send_notification", {"to": "bob", "message": "build is green", "type": "success"})

    assert ack["ok"] is True and isinstance(ack["id"], int), ack
    note = await bob.next("notification")
    assert note["id"] == ack["id"]
    assert (note["from"], note["sender"], note["message"], note["type"]) == (
        "alice",
        "alice",
        "build is green",
        "success",
    )
    assert note["timestamp"].endswith("Z")


async def test_default_transports_upgrade_from_polling_and_node_clients_talk(hub: Hub, js: StartJs) -> None:
    alice, bob = await js("alice"), await js("bob")
    alice_token, bob_token = await hub.user("alice"), await hub.user("bob")
    assert (await bob.connect(hub.url, {"token": bob_token}))["type"] == "connect"
    await bob.next("welcome")

    await alice.run({"op": "connect", "url": hub.url, "auth": {"token": alice_token}})  # io(url, {auth}): defaults
    opened = await alice.expect(lambda line: line["type"] == "open")
    assert opened["transport"] == "polling", opened
    connected = await alice.expect(lambda line: line["type"] in {"connect", "connect_error"})
    assert connected["type"] == "connect", connected
    upgraded = await alice.expect(lambda line: line["type"] == "upgrade")
    assert upgraded["transport"] == "websocket", upgraded
    await alice.next("welcome")

    ack = await alice.call("send_notification", {"to": "bob", "message": "over polling then websocket", "type": "info"})

    assert ack["ok"] is True
    note = await bob.next("notification")
    assert (note["id"], note["from"], note["message"]) == (ack["id"], "alice", "over polling then websocket")


@pytest.mark.parametrize("transports", [None, ["websocket"]], ids=["polling-then-websocket", "websocket"])
async def test_a_tab_that_closed_is_not_sent_again_what_it_was_sent(
    hub: Hub, js: StartJs, transports: list[str] | None
) -> None:
    """A browser tab closing sends a close frame (1001) and no Socket.IO goodbye. The client was
    reading until then, so what it was sent counts as received even though it never acks: the next
    tab of that device does not get it again. The default transports begin on long-polling, and the
    websocket comes later, on a request of its own."""
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    tab = await js("bob-tab")
    connect: dict[str, Any] = {"op": "connect", "url": hub.url, "auth": {"token": bob_token}}
    if transports is not None:
        connect["transports"] = transports
    await tab.run(connect)
    assert (await tab.expect(lambda line: line["type"] in {"connect", "connect_error"}))["type"] == "connect"
    if transports is None:
        assert (await tab.expect(lambda line: line["type"] == "upgrade"))["transport"] == "websocket"
    await alice.next("user_online")
    await alice.call("send_notification", {"to": "bob", "message": "read before the tab closed"})
    await tab.next("notification", {"message": "read before the tab closed"})

    await tab.run({"op": "closeWebsocket", "code": 1001})
    await alice.next("user_offline")

    again = await js("bob-next-tab")
    assert (await again.connect(hub.url, {"token": bob_token}))["type"] == "connect"
    await again.call("send_notification", {"to": "bob", "message": "marker"})
    await again.next("notification", {"message": "marker"})
    assert [n["message"] for n in again.events("notification")] == ["marker"]


async def test_sender_cannot_be_forged_from_js(hub: Hub, js: StartJs) -> None:
    mallory = await js("mallory")
    await mallory.connect(hub.url, {"token": await hub.user("mallory")})
    bob = await hub.client(await hub.user("bob"))

    ack = await mallory.call("send_notification", {"to": "bob", "message": "pay me", "from": "ceo", "sender": "ceo"})

    assert ack["ok"] is True
    note = await bob.next("notification")
    assert note["from"] == "mallory" and note["sender"] == "mallory"


# --------------------------------------------------------------------------- refused connects


@pytest.mark.parametrize(
    "auth",
    [None, {}, {"token": "not-a-real-token"}, {"userId": "alice", "username": "alice"}],
    ids=["no-auth", "empty-auth", "wrong-token", "open-mode-claim"],
)
async def test_connect_without_a_valid_token_is_refused(hub: Hub, js: StartJs, auth: Any) -> None:
    await hub.user("alice")
    client = await js("refused")

    seen = await client.connect(hub.url, auth)

    print(f"socket.io-client saw, with auth={auth!r}: {seen}")
    assert seen["type"] == "connect_error", seen
    assert seen["data"]["code"] == "unauthorized", seen
    assert seen["message"] == seen["data"]["message"] and seen["message"], seen
    await client.mark("after-refusal")
    assert [line for line in client.lines if line["type"] == "event"] == []


async def test_a_revoked_token_is_refused(hub: Hub, js: StartJs) -> None:
    await hub.user("alice")
    token = await hub.accounts.issue_token("alice", "laptop")
    await hub.store.revoke_token(token.info.id)
    client = await js("revoked")

    seen = await client.connect(hub.url, {"token": token.secret})

    print(f"socket.io-client saw, with a revoked token: {seen}")
    assert seen["type"] == "connect_error" and seen["data"]["code"] == "unauthorized", seen


# --------------------------------------------------------------------------- the seed guide's client, open mode


def seed_connect(url: str, user_id: str, username: str) -> list[dict[str, Any]]:
    """The guide's client: `io(url)` (default transports, no auth), then at once, without waiting
    for `connect` and without an ack, `socket.emit("authenticate", {userId, username})`."""
    return [
        {"op": "connect", "url": url, "wait": False},
        {"op": "emit", "event": "authenticate", "args": [{"userId": user_id, "username": username}]},
    ]


async def seed_client(js: StartJs, url: str, user_id: str, username: str | None = None) -> NodeClient:
    """A seed-guide client that is signed in: its authenticated `welcome` has arrived."""
    client = await js(user_id)
    await client.run(*seed_connect(url, user_id, username or user_id.title()))
    welcome = await client.next("welcome", {"user": {"name": user_id, "admin": False}})
    assert welcome["user"]["name"] == user_id
    return client


async def test_seed_client_sends_without_ack_using_the_guides_field_names(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    bob = await seed_client(js, hub.url, "bob")
    alice = await seed_client(js, hub.url, "alice")

    await alice.emit("send_notification", {"userId": "bob", "message": "Hello from the guide", "type": "info"})

    note = await bob.next("notification")
    assert (note["from"], note["message"], note["type"]) == ("alice", "Hello from the guide", "info")
    assert isinstance(note["id"], int) and note["timestamp"]
    assert alice.events("error") == []


async def test_seed_client_emits_right_after_authenticate(hub_factory: Any, js: StartJs) -> None:
    """A guide-style client emits `authenticate` and then uses the socket at once, waiting for nothing.

    Made certain with polling: engine.io-client sends its first buffered packet alone in one POST and
    the rest together in the next, so `authenticate` and `send_notification` reach the hub in one
    request. (With the default transports the same client lost the message in most runs.)
    """
    hub = await hub_factory(open=True)
    bob = await seed_client(js, hub.url, "bob")
    alice = await js("alice")

    await alice.run(
        {"op": "connect", "url": hub.url, "wait": False, "transports": ["polling"]},
        {"op": "emit", "event": "ping"},  # the guide's heartbeat; the hub does not know it (unknown_event)
        {"op": "emit", "event": "authenticate", "args": [{"userId": "alice", "username": "Alice"}]},
        {"op": "emit", "event": "send_notification", "args": [{"userId": "bob", "message": "right away"}]},
    )
    await alice.next("welcome", {"user": {"name": "alice"}})
    # one client's sends keep their order: once alice's note to herself is back, the first one was handled
    await alice.emit("send_notification", {"userId": "alice", "message": "alice marker"})
    await alice.next("notification", {"message": "alice marker"})

    assert [e for e in alice.events("error") if e["event"] != "ping"] == []
    note = await bob.next("notification")
    assert (note["from"], note["message"]) == ("alice", "right away")


async def test_seed_client_rooms_with_bare_strings(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    alice = await seed_client(js, hub.url, "alice")
    bob = await seed_client(js, hub.url, "bob")
    joined = await alice.call("join_room", "dev")  # a bare string, with an ack
    assert joined == {"ok": True, "room": "dev", "joined": True}

    await bob.emit("join_room", "dev")  # a bare string, no ack: as in the guide
    # bob's join shows as the notice the room's other members get (the guide's "User X joined")
    notice = await alice.next("notification", {"room": "dev"})
    assert (notice["message"], notice["type"], notice["from"]) == ("bob joined dev", "info", "bob")

    await alice.emit("room_message", {"room": "dev", "message": "deploy at 5", "type": "warning"})

    got = await bob.next("room_notification")
    assert (got["room"], got["message"], got["type"]) == ("dev", "deploy at 5", "warning")
    assert got["from"] == "alice" and got["sender"] == "alice"
    mine = await alice.next("room_notification")  # the guide's io.to(room) includes the sender
    assert mine["id"] == got["id"]

    left = await bob.call("leave_room", "dev")
    assert left == {"ok": True, "room": "dev", "left": True}
    await alice.emit("room_message", {"room": "dev", "message": "anyone left?", "type": "info"})
    await alice.next("room_notification", {"message": "anyone left?"})
    await alice.emit("send_notification", {"userId": "bob", "message": "after the room message"})
    # delivery is in id order, so bob would have had "anyone left?" before this one
    await bob.next("notification", {"message": "after the room message"})
    assert [n["message"] for n in bob.events("room_notification")] == ["deploy at 5"]
    assert alice.events("error") == [] and bob.events("error") == []


async def test_seed_offline_queue_arrives_once(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    alice = await seed_client(js, hub.url, "alice")
    bob = await seed_client(js, hub.url, "bob")  # bob has been here before
    await bob.close()
    await alice.next("user_offline", {"userId": "bob"})  # the hub knows bob is gone

    await alice.emit("send_notification", {"userId": "bob", "message": "while you were out", "type": "message"})
    # alice's sends keep their order: once her note to herself is delivered, the one to bob is stored
    await alice.emit("send_notification", {"userId": "alice", "message": "alice marker"})
    await alice.next("notification", {"message": "alice marker"})

    first = await seed_client(js, hub.url, "bob")
    queued = await first.next("notification", {"message": "while you were out"})
    assert queued["from"] == "alice"
    await first.emit("send_notification", {"userId": "bob", "message": "marker 1"})
    await first.next("notification", {"message": "marker 1"})
    assert [n["message"] for n in first.events("notification")] == ["while you were out", "marker 1"]
    await first.close()

    second = await seed_client(js, hub.url, "bob")
    await second.emit("send_notification", {"userId": "bob", "message": "marker 2"})
    await second.next("notification", {"message": "marker 2"})

    assert [n["message"] for n in second.events("notification")] == ["marker 2"]


async def test_seed_offline_queue_keeps_what_a_dying_connection_never_read(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    alice = await seed_client(js, hub.url, "alice")
    bob = await seed_client(js, hub.url, "bob")
    await alice.next("user_online", {"userId": "bob"})

    bob.freeze()  # the connection is up, nothing reads it: the hub still sees bob online
    await alice.emit("send_notification", {"userId": "bob", "message": "sent into the void"})
    await alice.emit("send_notification", {"userId": "alice", "message": "alice marker"})
    await alice.next("notification", {"message": "alice marker"})  # bob's note has been handled too
    await bob.kill()
    await alice.next("user_offline", {"userId": "bob"})

    again = await seed_client(js, hub.url, "bob")
    await again.emit("send_notification", {"userId": "bob", "message": "bob marker"})
    await again.next("notification", {"message": "bob marker"})
    assert [line["args"][0]["message"] for line in bob.lines if line.get("event") == "notification"] == []
    assert [n["message"] for n in again.events("notification")] == ["sent into the void", "bob marker"]


async def test_seed_offline_queue_for_a_user_who_never_connected(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    alice = await seed_client(js, hub.url, "alice")

    await alice.emit("send_notification", {"userId": "carol", "message": "welcome aboard", "type": "info"})
    await alice.emit("send_notification", {"userId": "alice", "message": "alice marker"})
    await alice.next("notification", {"message": "alice marker"})
    carol = await seed_client(js, hub.url, "carol")
    await carol.emit("send_notification", {"userId": "carol", "message": "carol marker"})
    await carol.next("notification", {"message": "carol marker"})

    assert alice.events("error") == []
    assert [n["message"] for n in carol.events("notification")] == ["welcome aboard", "carol marker"]


async def test_authenticate_cannot_change_who_a_client_is(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    carol = await seed_client(js, hub.url, "carol")
    bob = await seed_client(js, hub.url, "bob")

    await bob.emit("authenticate", {"userId": "mallory", "username": "Mallory"})
    answer = await bob.call("authenticate", {"userId": "mallory", "username": "Mallory"})
    await bob.emit("send_notification", {"userId": "carol", "message": "who am I?"})

    assert answer == {"ok": True, "user": {"name": "bob", "admin": False}}
    note = await carol.next("notification", {"message": "who am I?"})
    assert note["from"] == "bob"
    assert bob.events("error") == []


async def test_authenticate_from_a_token_client_is_harmless(hub: Hub, js: StartJs) -> None:
    alice = await js("alice")
    await alice.connect(hub.url, {"token": await hub.user("alice")})
    carol = await hub.client(await hub.user("carol"))

    await alice.emit("authenticate", {"userId": "carol", "username": "Carol"})
    answer = await alice.call("authenticate", {"userId": "carol", "username": "Carol"})
    sent = await alice.call("send_notification", {"userId": "carol", "message": "still alice"})

    assert answer["ok"] is True and answer["user"]["name"] == "alice"
    assert sent["ok"] is True
    note = await carol.next("notification")
    assert (note["from"], note["message"]) == ("alice", "still alice")
    assert alice.events("error") == []


# --------------------------------------------------------------------------- errors


async def test_errors_answer_through_the_ack_or_as_an_error_event(hub: Hub, js: StartJs) -> None:
    alice = await js("alice")
    await alice.connect(hub.url, {"token": await hub.user("alice")})
    await alice.next("welcome")
    bob = await hub.client(await hub.user("bob"))

    with_ack = await alice.call("send_notification", {"to": "bob", "type": "info"})  # no message
    assert with_ack["ok"] is False and with_ack["error"]["code"] == "invalid_payload", with_ack
    assert with_ack["error"]["message"]

    await alice.emit("send_notification", {"to": "bob", "type": "info"})
    error = await alice.next("error")
    assert error["code"] == "invalid_payload" and error["event"] == "send_notification", error
    assert isinstance(error["message"], str) and "message" in error["message"], error

    await alice.emit("send_notification", "just a string")
    error = await alice.next("error")
    assert (error["code"], error["event"]) == ("invalid_payload", "send_notification"), error

    await alice.emit("send_notification", {"to": "bob", "message": "x", "type": "shouting"})
    error = await alice.next("error")
    assert (error["code"], error["event"]) == ("invalid_payload", "send_notification"), error

    await alice.emit("send_notification", {"to": "bob", "message": "x" * 5000})
    error = await alice.next("error")
    assert (error["code"], error["event"]) == ("too_large", "send_notification"), error

    await alice.emit("send_notification", {"to": "nobody", "message": "hello?"})
    error = await alice.next("error")
    assert (error["code"], error["event"]) == ("not_found", "send_notification"), error

    await alice.emit("no_such_event", {"x": 1})
    error = await alice.next("error")
    assert (error["code"], error["event"]) == ("unknown_event", "no_such_event"), error

    unknown = await alice.call("no_such_event", {"x": 1})
    assert unknown["ok"] is False and unknown["error"]["code"] == "unknown_event", unknown

    # still connected, and nobody else was touched
    ack = await alice.call("send_notification", {"to": "bob", "message": "still here"})
    assert ack["ok"] is True
    note = await bob.next("notification")
    assert note["message"] == "still here"
    assert bob.pending("error") == []
    assert len(alice.events("error")) == 6  # the acked failures did not also send an `error` event
    assert [line for line in alice.lines if line["type"] == "disconnect"] == []


async def test_non_admin_broadcast_from_js_is_forbidden(hub: Hub, js: StartJs) -> None:
    alice = await js("alice")
    await alice.connect(hub.url, {"token": await hub.user("alice")})

    answer = await alice.call("broadcast", {"message": "hi all"})
    await alice.emit("announce", {"message": "hi all"})

    assert answer["ok"] is False and answer["error"]["code"] == "forbidden", answer
    error = await alice.next("error")
    assert (error["code"], error["event"]) == ("forbidden", "announce"), error


async def test_admin_broadcast_and_announce_reach_js(hub: Hub, js: StartJs) -> None:
    bob = await js("bob")
    await bob.connect(hub.url, {"token": await hub.user("bob")})
    await bob.next("welcome")
    admin = await hub.client(await hub.user("root", admin=True))

    assert (await admin.call("broadcast", {"message": "lunch", "type": "info"}))["ok"] is True
    assert (await admin.call("announce", {"message": "restart at 5"}))["ok"] is True

    everyone = await bob.next("global_notification")
    assert (everyone["message"], everyone["from"], everyone["type"]) == ("lunch", "root", "info")
    announcement = await bob.next("server_announcement")
    assert (announcement["message"], announcement["type"]) == ("restart at 5", "system")


# --------------------------------------------------------------------------- presence


async def test_presence_is_per_user_not_per_device(hub: Hub, js: StartJs) -> None:
    alice = await js("alice")
    await alice.connect(hub.url, {"token": await hub.user("alice")})
    await alice.next("welcome")
    bob_token = await hub.user("bob")

    laptop = await hub.client(bob_token)
    online = await alice.next("user_online")
    assert online == {"userId": "bob", "username": "bob"}
    phone = await hub.client(await hub.token("bob"))
    assert (await alice.call("list_online"))["online"] == ["alice", "bob"]
    await laptop.close()
    assert (await alice.call("list_online"))["online"] == ["alice", "bob"]  # the phone is still there
    await phone.close()
    offline = await alice.next("user_offline")
    assert offline == {"userId": "bob", "username": "bob"}
    # bob comes back: presence events reach alice in the hub's order, so this one comes after any other
    await hub.client(bob_token)
    await alice.next("user_online")

    presence = [line["event"] for line in alice.lines if line["type"] == "event" and line["event"].startswith("user_")]
    assert presence == ["user_online", "user_offline", "user_online"]


async def test_presence_between_seed_guide_clients(hub_factory: Any, js: StartJs) -> None:
    hub = await hub_factory(open=True)
    alice = await seed_client(js, hub.url, "alice")
    bob = await seed_client(js, hub.url, "bob", "Bob")

    online = await alice.next("user_online")
    print(f"socket.io-client saw user_online: {online}")
    assert online["userId"] == "bob" and online["username"] in {"bob", "Bob"}
    await bob.emit("disconnect_me")  # unknown event: an error for bob only, nothing for alice
    await bob.next("error", {"code": "unknown_event"})
    await bob.close()
    offline = await alice.next("user_offline")
    assert offline["userId"] == "bob"
    assert alice.events("user_online") == [online] and alice.events("user_offline") == [offline]
    assert alice.events("error") == []


async def test_emit_with_a_callback_gets_the_ack(hub: Hub, js: StartJs) -> None:
    """The classic `socket.emit(event, data, (answer) => ...)` form, as well as `emitWithAck`."""
    alice = await js("alice")
    await alice.connect(hub.url, {"token": await hub.user("alice")})
    bob = await hub.client(await hub.user("bob"))

    await alice.run(
        {"op": "emit", "event": "send_notification", "args": [{"to": "bob", "message": "cb"}], "ack": True, "tag": "cb"}
    )

    answer = await alice.expect(lambda line: line["type"] == "ack" and line["tag"] == "cb")
    assert answer["args"][0]["ok"] is True
    note = await bob.next("notification")
    assert (note["id"], note["message"], note["type"]) == (answer["args"][0]["id"], "cb", "message")


# --------------------------------------------------------------------------- durable delivery with acks


async def test_js_client_that_acks_resumes_from_its_last_id(hub: Hub, js: StartJs) -> None:
    bob_token = await hub.user("bob")
    alice = await hub.client(await hub.user("alice"))
    first = await js("bob-1")
    await first.connect(hub.url, {"token": bob_token, "lastId": 0})
    await first.next("welcome")
    one = await alice.call("send_notification", {"to": "bob", "message": "one"})
    got = await first.next("notification")
    assert got["id"] == one["id"]
    assert (await first.call("ack", {"id": got["id"]}))["ok"] is True
    await first.close()
    await alice.next("user_offline")

    two = await alice.call("send_notification", {"to": "bob", "message": "two"})
    three = await alice.call("send_notification", {"to": "bob", "message": "three"})
    second = await js("bob-2")
    await second.connect(hub.url, {"token": bob_token, "lastId": got["id"]})
    await second.next("welcome")
    replayed = [await second.next("notification"), await second.next("notification")]
    assert [(n["id"], n["message"]) for n in replayed] == [(two["id"], "two"), (three["id"], "three")]
    four = await alice.call("send_notification", {"to": "bob", "message": "four"})
    live = await second.next("notification")
    assert live["id"] == four["id"]
    assert [n["message"] for n in second.events("notification")] == ["two", "three", "four"]

"""The authorization matrix: every actor x every action, each cell its own test case.

Outcomes:
- `allow`: the hub did it (and, for sends, the recipient got it).
- an error code (`unauthorized`, `forbidden`): refused with that code, nothing stored. Actors that
  cannot connect (anonymous, revoked, send-only) are refused at connect, so every Socket.IO action
  of theirs is refused with the connect code; reading another's history is then also tried over
  HTTP (`GET /api/notifications` and candidate paths), refused with the same code.
- `own_only`: the action exists only for the caller's own data (sync replays only the caller's
  inbox; `POST /api/logout` revokes only the token that calls it), so another user's data is out of
  reach.
- `no_endpoint`: the hub has no such HTTP endpoint (admin actions are CLI-only; there is no history
  or token-management endpoint yet): every candidate path answers 404/405 and nothing changes.

When the HTTP send and history endpoints land, their rows change from `no_endpoint` to real cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import socketio

from hub.auth import Accounts
from hub.store import Store, TokenKind
from tests.support.clients import Client, drain_until_marker
from tests.support.hubs import Hub

ACTORS = ("anonymous", "revoked", "send_only", "user", "admin", "member", "non_member")
ACTIONS = (
    "connect",
    "send_user",
    "send_room",
    "send_everyone",
    "announce",
    "join_restricted",
    "read_other_history",
    "revoke_other_token",
    "admin_http",
    "http_send_user",
    "http_send_room",
    "http_send_everyone",
    "make_room",
    "make_room_admins_only",
    "respond",
    "read_responses",
    "update_key",
    "retract_key",
    "read_receipts",
    "mark_other_read",
    "schedule_room",
    "cancel_other_schedule",
    "list_other_schedule",
)

A, U, F, N = "allow", "unauthorized", "forbidden", "not_found"
OWN, NONE = "own_only", "no_endpoint"

#: actor -> the outcome of each action, in ACTIONS order.
MATRIX: dict[str, tuple[str, ...]] = {
    # Socket.IO: connect send_user send_room send_everyone announce join_restr read_other revoke_other
    # HTTP: admin_http, then POST /api/notifications to a user, to the restricted room, to everyone
    # Rooms: make one by joining a new name (rooms_per_user 20), and the same with rooms_per_user 0
    # Answers: `respond` to bob's question in the restricted room (its recipients only), and
    # `GET /api/notifications/{id}/responses` of mem's question there (its sender only)
    # Keys (HTTP): a send to bob with the key mem gave its notification to bob (only mem's replaces
    # it; anyone else's is their own), and `DELETE /api/notifications/keys/...` of that key (mem only;
    # anyone else gets the answer a key never sent gets)
    # Read state: `GET /api/notifications/{id}/receipts` of mem's room message with a receipt (its
    # sender only), and marking bob's notification read (`mark_read` and `POST /api/read`: no effect)
    # Scheduled: a scheduled send to the restricted room (as a send), cancelling bob's by its key
    # (`DELETE /api/scheduled/{key}`, and `cancel_scheduled`), `GET /api/scheduled` (the caller's own)
    "anonymous": (U, U, U, U, U, U, U, U, NONE, U, U, U, U, U, U, U, U, U, U, U, U, U, U),
    "revoked": (U, U, U, U, U, U, U, U, NONE, U, U, U, U, U, U, U, U, U, U, U, U, U, U),
    "send_only": (F, F, F, F, F, F, F, OWN, NONE, A, F, F, F, F, F, N, OWN, N, N, F, F, N, OWN),
    "user": (A, A, F, F, F, F, OWN, OWN, NONE, A, F, F, A, F, N, N, OWN, N, N, OWN, F, N, OWN),
    "admin": (A, A, F, A, A, F, OWN, OWN, NONE, A, F, A, A, A, N, N, OWN, N, N, OWN, F, N, OWN),
    "member": (A, A, A, F, F, A, OWN, OWN, NONE, A, A, F, A, F, A, A, A, A, A, OWN, A, N, OWN),
    "non_member": (A, A, F, F, F, F, OWN, OWN, NONE, A, F, F, A, F, N, N, OWN, N, N, OWN, F, N, OWN),
}

ROOM = "secret"  # restricted to member and bob
#: Admin work that is CLI-only: none of these may exist over HTTP, with or without a token.
ADMIN_PATHS = (
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("DELETE", "/api/users/bob"),
    ("PUT", "/api/users/bob"),
    ("POST", "/api/users/bob/password"),
    ("GET", "/api/tokens"),
    ("POST", "/api/tokens"),
    ("DELETE", "/api/tokens/1"),
    ("POST", "/api/tokens/1/revoke"),
    ("GET", "/api/rooms"),
    ("POST", "/api/rooms"),
    ("DELETE", "/api/rooms/secret"),
    ("POST", "/api/admin"),
    ("GET", "/api/admin/users"),
)
HISTORY_PATHS = (
    ("GET", "/api/history"),
    ("GET", "/api/history?user=bob"),
    ("GET", "/api/users/bob/history"),
    ("GET", "/api/notifications?user=bob"),
)


@dataclass
class World:
    hub: Hub
    tokens: dict[str, str | None]
    bob_token: str
    bob_token_id: int


async def build_world(hub: Hub) -> World:
    """Users straight into the store (no argon2: these cells test authorization, not passwords)."""
    store: Store = hub.store
    accounts = Accounts(store)
    names = {"user": "alice", "admin": "root", "member": "mem", "non_member": "non", "revoked": "rev"}
    for actor, name in names.items():
        await store.create_user(name, None, admin=actor == "admin")
    bob = await store.create_user("bob", None, admin=False)
    await store.create_user("scr", None, admin=False)
    mem = await store.get_user("mem")
    assert mem is not None
    await store.create_room(ROOM, restricted=True, members=[mem.id, bob.id])
    tokens: dict[str, str | None] = {"anonymous": None}
    for actor, name in names.items():
        tokens[actor] = (await accounts.issue_token(name, "matrix")).secret
    tokens["send_only"] = (await accounts.issue_token("scr", "script", TokenKind.SEND)).secret
    revoked = await accounts.token_owner(str(tokens["revoked"]))
    await store.revoke_token(revoked[0].id)
    bob_issued = await accounts.issue_token("bob", "matrix")
    return World(hub, tokens, bob_issued.secret, bob_issued.info.id)


async def connect(world: World, actor: str) -> tuple[Client | None, str]:
    """Connect as the actor: the client and `allow`, or None and the refusal code."""
    token = world.tokens[actor]
    client = Client(world.hub.url, name="")
    world.hub.clients.append(client)
    errors: list[Any] = []
    client.sio.on("connect_error", errors.append)
    try:
        await client.connect({"token": token, "last_id": 0} if token else None)
    except socketio.exceptions.ConnectionError:
        assert errors, "a refused client is told why"
        return None, str(errors[0]["data"]["code"])
    await client.next("welcome")
    return client, A


async def bob_inbox(world: World) -> list[str]:
    user = await world.hub.store.get_user("bob")
    assert user is not None
    return [n.message for n in await world.hub.store.replay(user.id, 0, 1000)]


async def http(world: World, method: str, path: str, token: str | None, body: Any = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, world.hub.url + path, headers=headers, json=body) as response,
    ):
        await response.read()
        return response.status


async def http_json(world: World, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, world.hub.url + path, headers=headers, json=body) as response,
    ):
        return response.status, await response.json(content_type=None)


async def http_sent(world: World, actor: str, body: dict[str, Any]) -> str:
    """A send over `POST /api/notifications` with the actor's token: `allow` or the error code."""
    status, answer = await http_json(world, "POST", "/api/notifications", world.tokens[actor], body)
    if status == 201:
        return A
    return str(answer["error"]["code"])


async def sent(client: Client, event: str, data: dict[str, Any]) -> str:
    answer = await client.call(event, data)
    return A if answer["ok"] else str(answer["error"]["code"])


async def run_action(world: World, actor: str, action: str) -> str:
    token = world.tokens[actor]
    if action == "admin_http":
        before = [u.name for u in await world.hub.store.list_users()]
        statuses = {await http(world, m, p, token, {"name": "mallory", "admin": True}) for m, p in ADMIN_PATHS}
        assert [u.name for u in await world.hub.store.list_users()] == before
        assert statuses <= {404, 405}, statuses
        return NONE
    if action == "revoke_other_token":
        status = await http(world, "POST", "/api/logout", token, {"token_id": world.bob_token_id, "token": "x"})
        assert await world.hub.accounts.token_owner(world.bob_token)  # bob's token still works
        if status == 401:
            return U
        assert status == 200
        with pytest.raises(Exception, match="not valid"):
            await world.hub.accounts.token_owner(str(token))  # it revoked the caller's own token
        return OWN

    if action.startswith("http_send_"):
        marker = f"http {action} from {actor}"
        targets: dict[str, dict[str, Any]] = {
            "http_send_user": {"to": "bob"},
            "http_send_room": {"room": ROOM},
            "http_send_everyone": {"everyone": True},
        }
        outcome = await http_sent(world, actor, {**targets[action], "message": marker})
        assert (marker in await bob_inbox(world)) == (outcome == A)
        return outcome

    if action in ("update_key", "retract_key"):
        return await keyed_action(world, actor, action)
    if action == "read_responses":
        asked = await ask_the_room(world, str(world.tokens["member"]))
        bob = await answerer(world, world.bob_token)
        assert (await bob.call("respond", {"id": asked, "label": "Approve"}))["ok"]
        status, body = await http_json(world, "GET", f"/api/notifications/{asked}/responses", token)
        if status == 200:
            assert [(r["from"], r["label"]) for r in body["responses"]] == [("bob", "Approve")]
            return A
        assert "Approve" not in str(body)
        return str(body["error"]["code"])
    if action == "read_receipts":
        asked = await ask_the_room(world, str(world.tokens["member"]), receipt=True)
        status, body = await http_json(world, "GET", f"/api/notifications/{asked}/receipts", token)
        if status == 200:
            assert (body["notification_id"], body["addressees"]) == (asked, 1)
            return A
        assert "bob" not in str(body)
        return str(body["error"]["code"])
    if action == "mark_other_read":
        return await mark_bobs_secret_read(world, actor)
    if action in ("cancel_other_schedule", "list_other_schedule"):
        return await others_schedule(world, actor, action)
    if action == "respond":
        question = await ask_the_room(world, world.bob_token)
    if action == "read_other_history":
        await give_bob_a_secret(world)
    if action == "make_room_admins_only":
        rooms = world.hub.delivery.rooms
        rooms.config = rooms.config.with_changes(rooms_per_user=0)
    client, outcome = await connect(world, actor)
    if action == "read_other_history" and client is None:
        # Refused at connect; over HTTP too, with the same code, and nothing of bob's shows.
        for method, path in HISTORY_PATHS:
            status, body = await http_json(world, method, path, token)
            assert "only for bob" not in str(body), path
            if path.startswith("/api/notifications"):
                assert (status, body["error"]["code"]) == ({U: 401, F: 403}[outcome], outcome), (path, body)
            else:
                assert status in {401, 404, 405}, (path, status)
        return outcome
    if action == "connect" or client is None:
        return outcome
    if action == "send_user":
        outcome = await sent(client, "send_notification", {"to": "bob", "message": f"from {actor}"})
        assert (f"from {actor}" in await bob_inbox(world)) == (outcome == A)
        return outcome
    if action == "send_room":
        outcome = await sent(client, "room_message", {"room": ROOM, "message": f"room from {actor}"})
        assert (f"room from {actor}" in await bob_inbox(world)) == (outcome == A)
        return outcome
    if action == "send_everyone":
        outcome = await sent(client, "broadcast", {"message": f"all from {actor}"})
        assert (f"all from {actor}" in await bob_inbox(world)) == (outcome == A)
        return outcome
    if action == "announce":
        outcome = await sent(client, "announce", {"message": f"announce from {actor}"})
        assert (f"announce from {actor}" in await bob_inbox(world)) == (outcome == A)
        return outcome
    if action.startswith("make_room"):
        outcome = await sent(client, "join_room", {"room": f"new-{actor}"})
        assert (await world.hub.store.get_room(f"new-{actor}") is not None) == (outcome == A)
        return outcome
    if action == "respond":
        outcome = await sent(client, "respond", {"id": question, "label": "Approve"})
        assert len(await world.hub.store.answers.answers(question)) == (outcome == A)
        return outcome
    if action == "schedule_room":
        outcome = await sent(client, "room_message", {"room": ROOM, "message": "later", "delay": "1h"})
        me = await world.hub.store.get_user(_name_of(actor))
        assert me is not None and len(await world.hub.store.schedule.pending(me.id)) == (outcome == A)
        return outcome
    if action == "join_restricted":
        outcome = await sent(client, "join_room", {"room": ROOM})
        rooms = (await client.call("list_rooms"))["rooms"]
        assert [r["member"] for r in rooms if r["name"] == ROOM] == [outcome == A or actor == "member"]
        return outcome
    assert action == "read_other_history"
    client.name = _name_of(actor)
    assert (await client.call("sync", {"since": 0}))["ok"]
    shown = await drain_until_marker(client)
    assert all(n["message"] != "only for bob" for n in shown)
    for method, path in HISTORY_PATHS:
        status, body = await http_json(world, method, path, token)
        # GET /api/notifications exists (the caller's own inbox; a `user` parameter is ignored)
        assert status in {404, 405} or (status == 200 and "only for bob" not in str(body)), (path, status)
    return OWN


async def keyed_action(world: World, actor: str, action: str) -> str:
    """mem's notification to bob with key `deploy`, then the actor's update or retraction of it."""
    original = await http_sent(world, "member", {"to": "bob", "key": "deploy", "message": "deploy by mem"})
    assert original == A
    token = world.tokens[actor]
    if action == "update_key":
        outcome = await http_sent(world, actor, {"to": "bob", "key": "deploy", "message": f"deploy by {actor}"})
        if outcome != A:
            assert f"deploy by {actor}" not in await bob_inbox(world)
            return outcome
        replaced = "deploy by mem" not in await bob_inbox(world)
        assert f"deploy by {actor}" in await bob_inbox(world)
        return A if replaced else OWN  # someone else's send with that key is their own notification
    status, body = await http_json(world, "DELETE", "/api/notifications/keys/deploy?to=bob", token)
    if status == 200:
        assert "deploy by mem" not in await bob_inbox(world)
        return A
    assert "deploy by mem" in await bob_inbox(world)
    _, never = await http_json(world, "DELETE", "/api/notifications/keys/never-sent?to=bob", token)
    assert str(body).replace("deploy", "K") == str(never).replace("never-sent", "K")  # nothing told
    return str(body["error"]["code"])


async def others_schedule(world: World, actor: str, action: str) -> str:
    """bob's scheduled send (key `bobs`) is out of everyone else's reach: cancelling it is `not_found`
    (over HTTP and Socket.IO), listing shows only the caller's own; it stays pending."""
    bob = await answerer(world, world.bob_token)
    later = {"to": "bob", "message": "bob's own, later", "delay": "1h", "key": "bobs"}
    assert (await bob.call("send_notification", later))["ok"]
    token = world.tokens[actor]
    if action == "cancel_other_schedule":
        status, body = await http_json(world, "DELETE", "/api/scheduled/bobs", token)
        outcome = A if status == 200 else str(body["error"]["code"])
        client, _ = await connect(world, actor)
        if client is not None:
            assert await sent(client, "cancel_scheduled", {"key": "bobs"}) == outcome
    else:
        status, body = await http_json(world, "GET", "/api/scheduled", token)
        outcome = OWN if status == 200 else str(body["error"]["code"])
        assert "bob's own" not in str(body)
    owner = await world.hub.store.get_user("bob")
    assert owner is not None
    assert [p.new.message for p in await world.hub.store.schedule.pending(owner.id)] == ["bob's own, later"]
    return outcome


async def give_bob_a_secret(world: World) -> int:
    """A notification only bob may read, sent by bob himself over his own connection; its id."""
    bob = await answerer(world, world.bob_token)
    ack = await bob.call("send_notification", {"to": "bob", "message": "only for bob"})
    assert ack["ok"]
    return int(ack["id"])


async def mark_bobs_secret_read(world: World, actor: str) -> str:
    """Mark bob's notification read as the actor, over HTTP and Socket.IO: it stays unread for bob."""
    secret = await give_bob_a_secret(world)
    bob = await world.hub.store.get_user("bob")
    assert bob is not None
    status, body = await http_json(world, "POST", "/api/read", world.tokens[actor], {"ids": [secret]})
    client, outcome = await connect(world, actor)
    if client is not None:
        answer = await client.call("mark_read", {"ids": [secret]})
        assert (status, body["marked"], answer["marked"]) == (200, [], [])
        outcome = OWN
    else:
        assert status == {U: 401, F: 403}[outcome] and body["error"]["code"] == outcome
    assert (await world.hub.store.reads.unread(bob.id))[0] == 1
    return outcome


async def answerer(world: World, token: str) -> Client:
    """A connected client of that token's user."""
    client = Client(world.hub.url, name="")
    world.hub.clients.append(client)
    await client.connect({"token": token})
    await client.next("welcome")
    return client


async def ask_the_room(world: World, token: str, **extra: Any) -> int:
    """A question with Approve / Reject buttons to the restricted room, from that token's user."""
    client = await answerer(world, token)
    buttons = [{"action": "respond", "label": "Approve"}, {"action": "respond", "label": "Reject"}]
    ack = await client.call("room_message", {"room": ROOM, "message": "deploy?", "actions": buttons, **extra})
    assert ack["ok"], ack
    return int(ack["id"])


def _name_of(actor: str) -> str:
    return {"user": "alice", "admin": "root", "member": "mem", "non_member": "non"}[actor]


CELLS = [(actor, action, MATRIX[actor][i]) for actor in ACTORS for i, action in enumerate(ACTIONS)]


@pytest.mark.parametrize(("actor", "action", "expected"), CELLS, ids=[f"{a}-{b}" for a, b, _ in CELLS])
async def test_cell(hub: Hub, actor: str, action: str, expected: str) -> None:
    world = await build_world(hub)
    assert await run_action(world, actor, action) == expected


def test_the_matrix_is_complete() -> None:
    assert set(MATRIX) == set(ACTORS)
    assert all(len(row) == len(ACTIONS) for row in MATRIX.values())
    assert len(CELLS) == len(ACTORS) * len(ACTIONS)

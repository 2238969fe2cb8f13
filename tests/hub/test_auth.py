"""Authentication at connect, revocation, and who may do what."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
import socketio

from hub.auth import passwords
from tests.support.clients import Client, refused
from tests.support.http import call
from tests.support.hubs import Hub, HubProcess
from tests.support.waiting import WAIT


@pytest.mark.parametrize(
    ("auth", "code"),
    [
        (None, "unauthorized"),
        ({"token": "lnt_not-a-real-token"}, "unauthorized"),
        ({"userId": "alice"}, "unauthorized"),  # naming yourself works only in open mode
        ({"token": 42}, "invalid_payload"),
    ],
)
async def test_connect_without_a_valid_token_is_refused_with_a_reason(hub: Hub, auth: object, code: str) -> None:
    data = await refused(hub.url, auth)
    assert isinstance(data["data"], dict) and data["data"]["code"] == code
    assert data["message"]


@pytest.mark.production_hashing
async def test_a_password_is_kept_only_as_a_memory_hard_argon2id_hash(hub: Hub) -> None:
    """The store holds argon2id at RFC 9106's low-memory profile (64 MiB, 3 passes), never the password; the
    right password signs in and a wrong one does not (the rest of the suite hashes cheaply: tests/conftest.py)."""
    await hub.accounts.add_user("alice", "correct horse", admin=False)

    stored = await hub.store.password_hash("alice")

    assert stored is not None and "correct horse" not in stored
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
    for password, status in (("correct horse", 200), ("wrong horse", 401)):
        answer = await call(hub, "POST", "/api/login", json={"username": "alice", "password": password})
        assert answer.status == status, answer.body


async def test_a_revoked_token_is_refused(hub: Hub) -> None:
    token = await hub.user("alice")
    info = await hub.accounts.token_owner(token)
    await hub.store.revoke_token(info[0].id)

    data = await refused(hub.url, {"token": token})

    assert data["data"] == {"code": "unauthorized", "message": data["message"]}
    assert "revoked" in str(data["message"])


async def test_revoking_a_token_disconnects_its_live_sessions_only(hub: Hub) -> None:
    token = await hub.user("alice")
    laptop = await hub.client(token)
    phone = await hub.client(await hub.token("alice"))
    token_id = (await hub.accounts.token_owner(token))[0].id

    await hub.store.revoke_token(token_id)  # what `notify-hub token revoke` does, from another process

    error = await laptop.next("error")
    assert error["code"] == "unauthorized" and "revoked" in error["message"]
    await laptop.disconnected.wait()
    assert (await phone.call("list_online"))["online"] == ["alice"]


async def test_authenticate_cannot_change_who_a_client_is(hub: Hub) -> None:
    mallory = await hub.client(await hub.user("mallory"))
    await hub.user("root", admin=True)

    answer = await mallory.call("authenticate", {"userId": "root", "username": "root"})

    assert answer == {"ok": True, "user": {"name": "mallory", "admin": False}}
    denied = await mallory.call("broadcast", {"message": "I am root now"})
    assert denied["error"]["code"] == "forbidden"


async def test_non_admins_cannot_broadcast_announce_or_send_system(hub: Hub) -> None:
    bob = await hub.client(await hub.user("bob"))
    await hub.user("alice")

    for event, payload in [
        ("broadcast", {"message": "hi all"}),
        ("announce", {"message": "server down"}),
        ("send_notification", {"to": "alice", "message": "fake system", "type": "system"}),
        ("room_message", {"room": "x", "message": "fake system", "type": "system"}),
    ]:
        answer = await bob.call(event, payload)
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden", event


async def test_restricted_room_keeps_non_members_out(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    eve = await hub.client(await hub.user("eve"))
    alice_id = (await hub.accounts.user("alice")).id
    await hub.store.create_room("ops", restricted=True, members=[alice_id])

    joined = await eve.call("join_room", "ops")
    posted = await eve.call("room_message", {"room": "ops", "message": "let me in"})

    assert joined["error"]["code"] == "forbidden" and posted["error"]["code"] == "forbidden"
    ok = await alice.call("room_message", {"room": "ops", "message": "members only"})
    assert ok["ok"] and (await alice.next("room_notification"))["message"] == "members only"
    assert eve.pending("room_notification") == []


async def test_events_before_authenticating_are_refused_in_open_mode(hub_factory: object) -> None:
    hub = await hub_factory(open=True)  # type: ignore[operator]
    client = await hub.client(None)

    answer = await client.call("send_notification", {"to": "bob", "message": "hi"})

    assert answer["error"]["code"] == "unauthorized"


async def test_the_admin_commands_of_another_process_disconnect_revoked_and_removed_users(
    hub_process: HubProcess,
) -> None:
    for name in ("alice", "bob", "carol"):
        await hub_process.cli("user", "add", name, "--password-stdin", stdin="pw\n")
    alice_token, bob_token, carol_token = [
        (await hub_process.cli("token", "create", name)).strip() for name in ("alice", "bob", "carol")
    ]
    url = await hub_process.start()
    alice, bob, carol = [await Client(url).connect({"token": token}) for token in (alice_token, bob_token, carol_token)]

    await hub_process.cli("token", "revoke", "1")  # alice's, the first token made
    await hub_process.cli("user", "remove", "bob")

    for kicked in (alice, bob):
        assert (await kicked.next("error"))["code"] == "unauthorized"
        await asyncio.wait_for(kicked.disconnected.wait(), WAIT)
    assert (await carol.call("list_online"))["online"] == ["carol"]
    for token in (alice_token, bob_token):
        refusal = Client(url)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refusal.connect({"token": token})
        await refusal.close()
    for client in (alice, bob, carol):
        await client.close()


async def test_a_password_change_signs_out_the_users_devices_on_a_running_hub(hub_process: HubProcess) -> None:
    await hub_process.cli("user", "add", "alice", "--password-stdin", stdin="old password\n")
    token = (await hub_process.cli("token", "create", "alice", "--label", "laptop")).strip()
    url = await hub_process.start()
    alice = await Client(url).connect({"token": token})

    await hub_process.cli("user", "passwd", "alice", "--password-stdin", stdin="new password\n")

    assert (await alice.next("error"))["code"] == "unauthorized"
    await asyncio.wait_for(alice.disconnected.wait(), WAIT)
    refusal = Client(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refusal.connect({"token": token})
    await refusal.close()
    await alice.close()


def test_a_notify_hub_command_computes_no_password_hash_before_it_needs_one() -> None:
    """Every `notify-hub` command imports the hub's password module: importing it hashes nothing (an
    argon2id hash at the production profile takes ~0.2 s, paid by every command before)."""
    probe = (
        "import argon2\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('a password was hashed at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import hub.cli, hub.server\n"
        "print('imported')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 0 and done.stdout.strip() == "imported", done.stdout + done.stderr


@pytest.mark.production_hashing
async def test_an_unknown_name_is_checked_against_a_decoy_made_when_the_hub_started(hub: Hub) -> None:
    """Signing in with a name nobody has is refused like a wrong password, after a full argon2id check
    against a decoy hash the hub made as it started (so the first such sign-in is not the slow one)."""
    assert passwords._DUMMY_HASH is not None and passwords._DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3,p=4$")

    answer = await call(hub, "POST", "/api/login", json={"username": "nobody", "password": "anything"})

    assert answer.status == 401, answer.body

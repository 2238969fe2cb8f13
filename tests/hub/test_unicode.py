"""Unicode that changes what a reader sees: line and paragraph separators break a one-line title,
and bidirectional embeddings, overrides and isolates make a title, a name or a label read as
something else. The hub refuses them there (`invalid_payload`); a message body keeps them (clients
show a body isolated: desktop/core/bidi.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from hub.protocol import BIDI_CONTROLS
from tests.support.hubs import Hub

SEPARATORS = ["\x85", "\u2028", "\u2029"]  # NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR
BIDI = list(BIDI_CONTROLS)


def test_the_bidi_controls_are_the_embeddings_overrides_and_isolates() -> None:
    assert [f"{ord(c):04X}" for c in BIDI] == ["202A", "202B", "202C", "202D", "202E", "2066", "2067", "2068", "2069"]


@pytest.mark.parametrize("char", SEPARATORS + BIDI, ids=lambda c: f"U+{ord(c):04X}")
async def test_a_title_with_a_separator_or_bidi_control_is_refused_on_both_paths(hub: Hub, char: str) -> None:
    token = await hub.user("alice")
    alice = await hub.client(token)
    title = f"invoice_{char}gnp.exe"

    answer = await alice.call("send_notification", {"to": "alice", "message": "hi", "title": title})
    headers = {"Authorization": f"Bearer {token}"}
    body = {"to": "alice", "message": "hi", "title": title}
    async with aiohttp.ClientSession() as http:
        async with http.post(hub.url + "/api/notifications", json=body, headers=headers) as response:
            over_http = (response.status, (await response.json())["error"])

    assert answer["error"]["code"] == "invalid_payload", answer
    assert "title contains" in answer["error"]["message"]
    expected = "bidirectional control" if char in BIDI else "line breaks"
    assert expected in answer["error"]["message"]
    assert over_http[0] == 400 and over_http[1]["code"] == "invalid_payload", over_http
    assert await hub.store.history((await hub.accounts.user("alice")).id, 0, 10) == []


@pytest.mark.parametrize("char", BIDI, ids=lambda c: f"U+{ord(c):04X}")
async def test_names_and_device_labels_with_a_bidi_control_are_refused(hub: Hub, char: str) -> None:
    token = await hub.user("alice", password="pw")
    alice = await hub.client(token)
    for event, payload in (
        ("send_notification", {"to": f"bob{char}", "message": "hi"}),
        ("join_room", {"room": f"dev{char}"}),
        ("room_message", {"room": f"{char}dev", "message": "hi"}),
    ):
        assert (await alice.call(event, payload))["error"]["code"] == "invalid_payload", (event, payload)
    login = {"username": "alice", "password": "pw", "device": f"laptop{char}"}
    async with aiohttp.ClientSession() as http, http.post(hub.url + "/api/login", json=login) as response:
        assert response.status == 400
        assert "device label contains bidirectional control" in (await response.json())["error"]["message"]


async def test_a_device_label_is_one_line(hub: Hub) -> None:
    await hub.user("alice", password="pw")
    login = {"username": "alice", "password": "pw", "device": "laptop\nalice signed in a device (admin)"}
    async with aiohttp.ClientSession() as http, http.post(hub.url + "/api/login", json=login) as response:
        assert (response.status, (await response.json())["error"]["code"]) == (400, "invalid_payload")


async def test_a_message_body_keeps_its_bidi_controls_and_separators(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    text = "שלום \u2067world\u2069 \u202eevil\u202c\u2028line two"
    assert (await alice.call("send_notification", {"to": "alice", "message": text}))["ok"]
    assert (await alice.next("notification"))["message"] == text


def test_the_admin_commands_refuse_such_names_and_labels(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "hub", "--data-dir", str(tmp_path), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    assert cli("user", "add", "alice", "--no-password").returncode == 0
    for args in (
        ("user", "add", "bob\n"),  # a trailing line break passed `re.match` with `$`
        ("user", "add", "bob\u202e"),
        ("room", "create", "ops\n"),
        ("room", "create", "ops\u2066"),
    ):
        refused = cli(*args)
        assert refused.returncode != 0 and "is not a valid" in refused.stderr, args
    for label in ("laptop\nforged line", "laptop\u202e", "laptop\u2028"):
        refused = cli("token", "create", "alice", "--label", label)
        assert refused.returncode != 0 and "--label: device label contains" in refused.stderr, label
    assert cli("user", "list").stdout == "alice\tno password\n"

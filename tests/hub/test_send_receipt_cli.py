"""`notify-hub send --receipt --wait-seen`: "did on-call see the page?" from a script. Real hub, the
real CLI in a subprocess, a python-socketio client as the person paged."""

from __future__ import annotations

import asyncio

from hub.store import TokenKind
from tests.support.cli import notify_hub
from tests.support.hubs import Hub


async def test_send_waits_until_the_page_is_seen(hub: Hub) -> None:
    await hub.user("pager")
    token = (await hub.accounts.issue_token("pager", "cron", TokenKind.SEND)).secret
    bob = await hub.client(await hub.user("bob"))
    args = ("send", "--hub", hub.url, "--token", token, "--to", "bob", "--receipt", "--wait-seen", "1m", "db down")

    waiting = asyncio.ensure_future(notify_hub(*args))
    note = await bob.next("notification")
    seen = await bob.call("seen", {"ids": [note["id"]]})
    result = await waiting

    assert note["receipt"] is True and seen["seen"] == [note["id"]]
    assert (result.code, result.err) == (0, "")
    assert result.out == f"sent notification {note['id']} to 1 recipient\nseen by bob\n"


async def test_nobody_seeing_it_in_time_exits_4_and_wait_seen_needs_receipt(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    base = ("send", "--hub", hub.url, "--token", token, "--to", "bob")

    unseen = await notify_hub(*base, "--receipt", "--wait-seen", "1s", "page")
    no_receipt = await notify_hub(*base, "--wait-seen", "5m", "page")

    assert unseen.code == 4 and unseen.err == "notify-hub: nobody saw it within 1s\n"
    assert no_receipt.code == 2 and "--wait-seen needs --receipt" in no_receipt.err

"""The seed guide's own page (tests/web/seed/public/index.html, the guide's, unchanged) served by
`notify-hub serve --public` and run in Chromium: it loads /socket.io/socket.io.js from the hub, names
itself with `authenticate`, and exchanges notifications with a python-socketio client, directly and
through a room. On an authenticated hub it needs the one line docs/web.md gives, and no other."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from tests.support.hubs import Hub
from tests.web.browser import Browser

SEED = Path(__file__).resolve().parent / "seed" / "public"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"
#: The guide's line, and the one docs/web.md says to put instead on a hub that wants a token.
GUIDE_LINE = "const socket = io();"
TOKEN_LINE = 'const socket = io({ auth: { token: "lnt_…" } });'


async def test_the_guides_page_works_unchanged_on_an_open_hub(hub_factory: Any, browser: Browser) -> None:
    hub: Hub = await hub_factory(open=True, public=str(SEED))
    ops = await hub.client(auth={"userId": "ops", "username": "Ops"}, name="ops")
    page = await browser.page(hub.url + "/")
    assert await page.title() == "Socket.io Notifications"
    came = await ops.next("user_online")  # the page's `authenticate {userId: "user123"}` named it
    assert came["userId"] == "user123"

    sent = await ops.call("send_notification", {"userId": "user123", "message": "Build 118 failed", "type": "error"})
    assert sent["ok"], sent
    shown = page.locator("#notifications .notification.error")
    await shown.wait_for()
    assert await shown.locator("strong").text_content() == "ERROR"
    assert await shown.locator("p").text_content() == "Build 118 failed"

    # The page's own socket (the guide's `socket`), used as the guide's server expects.
    await page.evaluate(
        "socket.emit('send_notification', { userId: 'ops', message: 'hello from the page', type: 'info' })"
    )
    note = await ops.next("notification")
    assert (note["from"], note["message"], note["type"]) == ("user123", "hello from the page", "info")

    joined = await page.evaluate("socket.emitWithAck('join_room', 'dev')")  # a bare room name, as in the guide
    assert joined == {"ok": True, "room": "dev", "joined": True}
    await page.evaluate("window.roomNotes = []; socket.on('room_notification', (data) => window.roomNotes.push(data))")
    assert (await ops.call("join_room", "dev"))["ok"]
    said = await ops.call("room_message", {"room": "dev", "message": "deploy at 5", "type": "warning"})
    await page.wait_for_function("() => window.roomNotes.length > 0")
    [room_note] = await page.evaluate("window.roomNotes")
    assert (room_note["id"], room_note["room"], room_note["sender"], room_note["message"]) == (
        said["id"],
        "dev",
        "ops",
        "deploy at 5",
    )


def test_the_fixture_is_the_guides_page() -> None:
    page = (SEED / "index.html").read_text()
    assert page.count(GUIDE_LINE) == 1
    assert '<script src="/socket.io/socket.io.js"></script>' in page
    assert 'socket.emit("authenticate", {' in page


async def test_on_an_authenticated_hub_the_page_needs_the_one_line_docs_give(
    hub_factory: Any, browser: Browser, tmp_path: Path
) -> None:
    assert f"`{GUIDE_LINE}`" in DOCS.read_text() and TOKEN_LINE in DOCS.read_text()
    folder = tmp_path / "public"
    folder.mkdir()
    hub: Hub = await hub_factory(public=str(folder))
    token = await hub.user("user123")
    guide = (SEED / "index.html").read_text()
    changed = guide.replace(GUIDE_LINE, TOKEN_LINE.replace("lnt_…", token))
    diff = [line for line in difflib.ndiff(guide.splitlines(), changed.splitlines()) if line[:1] in "+-"]
    assert len(diff) == 2, diff  # one line out, one line in
    (folder / "index.html").write_text(changed)
    bob = await hub.client(await hub.user("bob"))

    page = await browser.page(hub.url + "/")
    came = await bob.next("user_online")
    assert came["userId"] == "user123"
    await bob.call("send_notification", {"to": "user123", "message": "hello, token holder"})
    shown = page.locator("#notifications .notification.message p")
    await shown.wait_for()
    assert await shown.text_content() == "hello, token holder"

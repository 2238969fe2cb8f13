"""The web app at /app/ in a real browser (Chromium) against a real hub: sign-in and sign-out,
desktop notifications for each type, sending to a tray-app user and back, catching up after the hub
restarts, and a hostile notification that stays inert text."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.connection import ConnectionState
from desktop.core.models import ReceivedNotification
from desktop.net.client import HubClient
from hub.server import RunningHub
from tests.support.clients import Client, refused
from tests.support.hubs import Hub, make_config
from tests.support.ports import port_of
from tests.support.waiting import WAIT
from tests.web.browser import PHONE, Browser, sign_in, stored_session

TYPES = ("info", "success", "warning", "error", "message", "system")
ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"


async def test_sign_in_makes_a_labelled_device_token_and_sign_out_revokes_it(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    page = await browser.page()

    await sign_in(page, hub.url, "alice")

    assert page.url == hub.url + "/app/"
    assert await page.text_content("#who") == "alice"
    token = (await stored_session(page))["token"]
    user = await hub.accounts.user("alice")
    labels = [t.label for t in await hub.store.list_tokens(user.id) if not t.revoked]
    assert any(label.startswith("Chrome ") and label.endswith(" on Linux (web app)") for label in labels), labels

    await page.click("#sign-out")
    await page.wait_for_selector("#signin-form", state="visible")

    assert await page.text_content("#signin-error") == "You are signed out."
    assert await stored_session(page) == {}
    why = await refused(hub.url, {"token": token})
    assert why["data"]["code"] == "unauthorized"


async def test_without_keep_me_signed_in_the_token_lives_only_in_the_tab(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    page = await browser.page()
    await sign_in(page, hub.url, "alice", remember=False)

    assert await page.evaluate("localStorage.getItem('lan-notify.session')") is None
    assert (await stored_session(page))["user"] == {"name": "alice", "admin": False}


async def test_a_token_revoked_elsewhere_brings_the_sign_in_form_back(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    user = await hub.accounts.user("alice")
    [token] = [t for t in await hub.store.list_tokens(user.id) if t.label.endswith("(web app)")]

    await hub.store.revoke_token(token.id)  # what `notify-hub token revoke ID` does

    await page.wait_for_selector("#signin-form", state="visible")
    assert "revoked" in (await page.text_content("#signin-error") or "")
    assert await stored_session(page) == {}


async def test_a_wrong_password_is_said_and_nothing_is_stored(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    page = await browser.page(hub.url + "/")
    await page.fill("#signin-user", "alice")
    await page.fill("#signin-password", "not the password")
    await page.click("#signin-submit")

    await page.wait_for_function("() => document.querySelector('#signin-error').textContent !== ''")
    assert await page.text_content("#signin-error") == "wrong user name or password"
    assert await stored_session(page) == {}


async def test_each_type_arrives_as_a_desktop_notification_once_allowed(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob", admin=True))
    page = await browser.page(background=True)  # the user works in another window
    await sign_in(page, hub.url, "alice")

    await page.click("#enable-alerts")
    await page.wait_for_selector("#enable-alerts", state="hidden")
    assert await page.text_content("#alerts-state") == "Desktop notifications are on while this tab is open."

    for count, ntype in enumerate(TYPES, start=1):
        answer = await bob.call(
            "send_notification", {"to": "alice", "type": ntype, "title": f"{ntype} title", "message": f"{ntype} text"}
        )
        assert answer["ok"], answer
        await page.wait_for_function(f"() => window.__notifications.length >= {count}")
        shown = (await page.evaluate("window.__notifications"))[-1]
        assert shown["title"] == f"\u2068{ntype} title\u2069"
        assert shown["body"] == f"\u2068bob: {ntype} text\u2069"
        assert shown["tag"] == f"lan-notify-{answer['id']}"
        assert shown["icon"] == f"{hub.url}/app/icons/types/{ntype}.svg"
        card = page.locator(f'#notes li[data-id="{answer["id"]}"]')
        assert await card.get_attribute("class") == f"note note--{ntype} note--card unread"

    assert len(await page.evaluate("window.__notifications")) == len(TYPES)
    assert await page.text_content("#unread") == str(len(TYPES))
    assert await page.evaluate("window.__violations") == []


async def test_send_to_a_tray_app_user_and_get_the_answer_back(hub: Hub, browser: Browser) -> None:
    """Bob runs the tray app (its network layer, desktop.net.HubClient); alice only has a browser."""
    await hub.user("alice")
    got: asyncio.Queue[ReceivedNotification] = asyncio.Queue()
    connected = asyncio.Event()

    async def on_notification(note: ReceivedNotification) -> None:
        got.put_nowait(note)

    def on_state(status: Any) -> None:
        if status.state is ConnectionState.CONNECTED:
            connected.set()

    tray = HubClient(hub.url, await hub.user("bob"), on_notification=on_notification, on_state=on_state)
    tray.start()
    try:
        await asyncio.wait_for(connected.wait(), WAIT)
        page = await browser.page(viewport=PHONE)
        await sign_in(page, hub.url, "alice")
        await page.wait_for_selector('#people li.online[data-user="bob"]', state="attached")

        await page.click('.tab[data-pane="send"]')
        await page.select_option("#send-kind", "user")
        await page.fill("#send-target", "bob")
        await page.select_option("#send-type", "warning")
        await page.fill("#send-title", "Deploy")
        await page.fill("#send-message", "Deploying 2.4 in five minutes")
        await page.click("#send-submit")

        note = await asyncio.wait_for(got.get(), WAIT)
        assert (note.sender, note.type.value, note.title, note.message) == (
            "alice",
            "warning",
            "Deploy",
            "Deploying 2.4 in five minutes",
        )
        # bob may have it before alice's page has the hub's answer, which it shows as "Sending…" till then
        await page.wait_for_selector("#send-result:has-text('Sent to')")
        assert await page.text_content("#send-result") == "Sent to bob (1 person)."

        answer = await tray.call("send_notification", {"to": "alice", "type": "success", "message": "Go ahead"})
        await page.click('.tab[data-pane="inbox"]')
        card = page.locator(f'#notes li[data-id="{answer["id"]}"]')
        await card.wait_for()
        assert await card.locator(".note-message").text_content() == "Go ahead"
        assert await card.locator(".note-from").text_content() == "bob"
        # In front, the app says it with an in-page toast (no desktop notification).
        await page.wait_for_selector(f'#toasts [data-id="{answer["id"]}"]')
        assert await page.evaluate("window.__notifications") == []
    finally:
        await tray.stop()


async def test_rooms_join_post_and_leave(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    assert (await bob.call("join_room", {"room": "ops"}))["ok"]
    page = await browser.page()
    await sign_in(page, hub.url, "alice")

    await page.fill("#join-room", "ops")
    await page.click("#join-form button")
    await page.wait_for_selector('#rooms li.member [data-room="ops"]')
    assert await page.text_content("#rooms-result") == "You are in #ops."
    sent = await bob.call("room_message", {"room": "ops", "message": "standup in 5", "type": "info"})
    card = page.locator(f'#notes li[data-id="{sent["id"]}"]')
    await card.wait_for()
    assert await card.locator(".note-room").text_content() == "#ops"

    await page.select_option("#send-kind", "room")
    await page.fill("#send-target", "ops")
    await page.fill("#send-message", "on my way")
    await page.click("#send-submit")
    assert (await bob.next("room_notification"))["id"] == sent["id"]  # his own, as a member
    reply = await bob.next("room_notification")
    assert (reply["from"], reply["room"], reply["message"]) == ("alice", "ops", "on my way")

    await page.click('#rooms button[data-room="ops"]')
    await page.wait_for_selector('#rooms li:not(.member) [data-room="ops"]')
    assert await page.text_content("#rooms-result") == "You left #ops."


async def card_ids(page: Any) -> list[int]:
    return [int(i) for i in await page.eval_on_selector_all("#notes li", "cards => cards.map(c => c.dataset.id)")]


async def test_after_the_hub_restarts_the_app_catches_up_exactly_once(tmp_path: Any, browser: Browser) -> None:
    """The laptop drops off the network, the hub restarts meanwhile and queues what is sent; back
    online, the app gets it (replayed after its resume point), then live ones, each once; a reload
    shows the same list, from the hub's inbox."""
    config = make_config(tmp_path / "hub")
    running = RunningHub(config)
    url = await running.start()
    config = config.with_changes(port=port_of(url))  # the restart listens where the first start did
    clients: list[Client] = []

    async def bob_sends(message: str) -> int:
        bob = Client(url, "bob")
        clients.append(bob)
        await bob.connect({"token": bob_token})
        answer = await bob.call("send_notification", {"to": "alice", "message": message})
        assert answer["ok"], answer
        return int(answer["id"])

    try:
        accounts = running.accounts
        await accounts.add_user("alice", "correct horse", admin=False)
        await accounts.add_user("bob", "builder", admin=False)
        bob_token = (await accounts.issue_token("bob", "test")).secret
        page = await browser.page()
        await sign_in(page, url, "alice")
        first = await bob_sends("before")
        await page.wait_for_selector(f'#notes li[data-id="{first}"]')

        await page.context.set_offline(True)
        for client in clients:
            await client.close()
        await running.stop()
        await page.wait_for_selector('#status[data-state="offline"]')
        running = RunningHub(config)
        assert await running.start() == url
        queued = [await bob_sends("while away 1"), await bob_sends("while away 2")]
        assert await page.get_attribute("#status", "data-state") == "offline"

        await page.context.set_offline(False)
        await page.wait_for_selector('#status[data-state="connected"]')
        await page.wait_for_selector(f'#notes li[data-id="{queued[-1]}"]')
        live = await bob_sends("after")
        await page.wait_for_selector(f'#notes li[data-id="{live}"]')

        expected = [live, *reversed(queued), first]
        assert await card_ids(page) == expected
        assert (await stored_session(page))["lastId"] == live
        assert await page.text_content("#unread") == "4"

        await page.reload()
        await page.wait_for_selector('#status[data-state="connected"]')
        await page.wait_for_selector(f'#notes li[data-id="{first}"]')
        assert await card_ids(page) == expected
        assert await page.evaluate("window.__notifications") == []
    finally:
        for client in clients:
            await client.close()
        await running.stop()


# The hub refuses bidirectional controls in a title (invalid_payload); the message carries them.
HOSTILE_TITLE = '<b>bold</b><script>window.__pwned = "title"</script>txt.exe'
HOSTILE_PARTS = (
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<script>window.__pwned = 'script'</script>",
    "<a href=\"javascript:window.__pwned = 'link'\">click me</a>",
    "javascript:window.__pwned = 'bare'",
    "<style>body { display: none }</style>",
    "<iframe srcdoc=\"<script>parent.__pwned = 'frame'</script>\"></iframe>",
    "\u202e\u2066override without end",
    "{{constructor.constructor('window.__pwned = 1')()}}",
)


def hostile_message() -> str:
    """Every trick above, then an unbroken run to the hub's 4 KiB limit (UTF-8 bytes)."""
    head = "\n".join(HOSTILE_PARTS) + "\n"
    return head + "W" * (4096 - len(head.encode()))


async def test_a_hostile_notification_is_inert_text(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    page = await browser.page(viewport=PHONE, background=True)
    await sign_in(page, hub.url, "alice")
    await page.click("#enable-alerts")
    message = hostile_message()
    assert len(message.encode()) == 4096

    sent = await bob.call("send_notification", {"to": "alice", "title": HOSTILE_TITLE, "message": message})
    assert sent["ok"], sent
    card = page.locator(f'#notes li[data-id="{sent["id"]}"]')
    await card.wait_for()

    # Exactly the characters sent, as text: no element was made from them.
    assert await card.locator(".note-message").text_content() == message
    assert await card.locator(".note-title").text_content() == HOSTILE_TITLE
    assert await card.locator(".note-message, .note-title").evaluate_all(
        "nodes => nodes.map(n => n.childElementCount)"
    ) == [0, 0]
    made = await page.eval_on_selector_all(
        "#notes *, #toasts *",
        """nodes => nodes.filter(n => ['A', 'SCRIPT', 'STYLE', 'IFRAME'].includes(n.tagName)
                                   || (n.tagName === 'IMG' && !n.classList.contains('note-icon'))).length""",
    )
    assert made == 0
    await card.locator(".note-message").click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "web-hostile.png"))
    await page.click(f'#notes li[data-id="{sent["id"]}"] button.link')  # "Show all": the whole 4 KiB
    assert await page.evaluate("window.__pwned === undefined")
    assert await page.is_visible("body")
    # The overrides stay inside their own isolated elements, and nothing overflows a phone's width.
    isolation = await card.locator(".note-message, .note-title").evaluate_all(
        "nodes => nodes.map(n => [n.getAttribute('dir'), getComputedStyle(n).unicodeBidi])"
    )
    assert isolation == [["auto", "isolate"], ["auto", "isolate"]]
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The desktop notification is the same text, isolated with FSI ... PDI.
    await page.wait_for_function("() => window.__notifications.length === 1")
    shown = (await page.evaluate("window.__notifications"))[0]
    assert shown["title"] == f"\u2068{HOSTILE_TITLE}\u2069"
    assert shown["body"].startswith("\u2068bob: <img src=x") and shown["body"].endswith("\u2069")
    assert await page.evaluate("window.__violations") == []


async def test_the_page_can_neither_set_html_nor_run_an_inline_script(hub: Hub, browser: Browser) -> None:
    """Safe by construction: with Trusted Types required, any HTML or script sink throws."""
    page = await browser.page(hub.url + "/app/")
    outcome = await page.evaluate(
        "() => { try { document.body.innerHTML = '<b>x</b>'; return 'set'; } catch (e) { return e.name; } }"
    )
    assert outcome == "TypeError"
    inline = await page.evaluate(
        """() => {
          try {
            const script = document.createElement('script');
            script.textContent = 'window.__ran = 1';
            document.head.append(script);
          } catch (e) { return e.name; }
          return window.__ran === undefined ? 'not run' : 'ran';
        }"""
    )
    assert inline == "TypeError"


async def test_no_page_can_frame_the_app_not_even_one_of_the_hub(
    hub_factory: Any, browser: Browser, tmp_path: Any
) -> None:
    """Clickjacking: a page (here one of the public folder, the same origin) that frames /app/ gets nothing."""
    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "frame.html").write_text('<!doctype html><iframe id="f" src="/app/"></iframe>')
    hub = await hub_factory(public=str(folder))
    page = await browser.page()
    async with page.expect_event("console", lambda m: "frame-ancestors" in m.text):
        await page.goto(hub.url + "/frame.html")
    [frame] = [f for f in page.frames if f is not page.main_frame]
    assert await frame.evaluate("document.getElementById('signin-form')") is None


async def test_an_admin_sends_to_everyone_and_a_user_cannot(hub: Hub, browser: Browser) -> None:
    await hub.user("root", admin=True)
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    admin = await browser.page()
    await sign_in(admin, hub.url, "root")
    await admin.select_option("#send-kind", "everyone")
    assert await admin.is_hidden("#send-target")
    await admin.select_option("#send-type", "system")
    await admin.fill("#send-message", "The hub restarts at 18:00")
    await admin.click("#send-submit")

    note = await bob.next("global_notification")
    assert (note["from"], note["type"], note["message"]) == ("root", "system", "The hub restarts at 18:00")
    user = await browser.page()
    await sign_in(user, hub.url, "alice")
    assert await user.locator('#send-kind option[value="everyone"]').get_attribute("hidden") == ""
    assert await user.locator('#send-type option[value="system"]').get_attribute("hidden") == ""


async def test_send_later_is_scheduled_at_the_hub_and_the_form_says_when(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    await hub.user("bob")
    page = await browser.page()
    await sign_in(page, hub.url, "alice")

    await page.fill("#send-target", "bob")
    await page.fill("#send-message", "stand-up in 5")
    assert await page.is_hidden("#send-at")
    await page.select_option("#send-when", "at")
    assert await page.is_visible("#send-at")
    await page.fill("#send-at", "09:30")
    await page.click("#send-submit")
    await page.wait_for_selector("#send-result:has-text('Scheduled')")

    result = await page.text_content("#send-result")
    assert result is not None and result.startswith("Scheduled for bob: delivered at ")
    assert "09:30" in result
    assert await page.input_value("#send-when") == "now" and await page.is_hidden("#send-at")
    alice = await hub.store.get_user("alice")
    assert alice is not None
    [pending] = await hub.store.schedule.pending(alice.id)
    assert pending.new.message == "stand-up in 5"
    due = datetime.fromtimestamp(pending.new.deliver_at / 1000)
    assert (due.hour, due.minute) == (9, 30) and timedelta(0) < due - datetime.now() <= timedelta(days=1)

"""The web app as a person sees it, at a desktop's and a phone's width, with a realistic inbox.

Each run checks the layout (the side panes beside the inbox on a desktop, tabs and no sideways
scrolling on a phone) and saves the pictures in tests/artifacts/. With WEB_SCREENSHOTS=docs
it also writes the documentation's copies, docs/screenshots/web-desktop.png, web-phone.png and the
others.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.support.hubs import Hub
from tests.support.rich import APPROVAL
from tests.web.browser import DESKTOP, PHONE, Browser, send_from_form, sign_in

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
#: Tall enough for the side panes, so the picture needs no scrolling.
TALL_DESKTOP = {**DESKTOP, "height": 960}

INBOX = [
    ("carol", "info", "Nightly backup", "Backup of nas1 finished: 412 GB in 38 min."),
    ("bob", "success", "Build 118", "All 1,204 tests passed on main."),
    ("carol", "warning", "Disk space", "/var on db2 is at 91 %. It fills in about three days at this rate."),
    ("bob", "error", "Deploy failed", "Rolling back web-3: health check timed out after 30 s.\nSee the deploy log."),
    ("bob", "message", "", "Lunch at 12:30? The new place on the corner."),
]


async def fill(hub: Hub) -> tuple[Any, Any]:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob", admin=True), name="bob")
    carol = await hub.client(await hub.user("carol"), name="carol")
    for who in (bob, carol):
        assert (await who.call("join_room", {"room": "ops"}))["ok"]
    return bob, carol


async def shoot(page: Any, name: str, part: Any = None) -> Path:
    """The page (or one `part` of it, a locator) as web-NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    await (part if part is not None else page).screenshot(path=str(path))
    if os.environ.get("WEB_SCREENSHOTS") == "docs":
        (ROOT / "docs" / "screenshots").mkdir(exist_ok=True)
        (ROOT / "docs" / "screenshots" / path.name).write_bytes(path.read_bytes())
    return path


async def test_the_web_app_at_desktop_and_phone_width(hub: Hub, browser: Browser) -> None:
    bob, carol = await fill(hub)
    page = await browser.page(viewport=TALL_DESKTOP)
    await sign_in(page, hub.url, "alice")
    await page.fill("#join-room", "ops")
    await page.click("#join-form button")
    await page.wait_for_selector('#rooms li.member [data-room="ops"]')
    senders = {"bob": bob, "carol": carol}
    ids = []
    for sender, ntype, title, message in INBOX:
        answer = await senders[sender].call(
            "send_notification", {"to": "alice", "type": ntype, "title": title, "message": message}
        )
        ids.append(answer["id"])
    room = await bob.call(
        "room_message", {"room": "ops", "type": "info", "title": "Standup", "message": "In 5 minutes, room 2."}
    )
    await page.wait_for_selector(f'#notes li[data-id="{room["id"]}"]')
    await page.wait_for_selector("#toasts > .note--summary")  # "6 new notifications": clicked away, as a user would
    await page.click("#toasts > .note--summary")
    await page.wait_for_selector("#toasts > *", state="detached")
    for note_id in ids[:2]:
        await page.click(f'#notes li[data-id="{note_id}"] .note-actions button')
    await page.wait_for_selector(f'#notes li[data-id="{ids[1]}"]:not(.unread)')
    await page.wait_for_selector('#people li.online[data-user="carol"]')
    await page.fill("#send-target", "bob")
    await page.fill("#send-message", "On it.")
    await page.select_option("#send-when", "at")  # "Send later", at a time of day
    await page.evaluate("document.activeElement.blur()")

    assert await page.is_hidden(".tabs")
    for pane in ("inbox", "send", "rooms", "people"):
        assert await page.is_visible(f"#pane-{pane}"), pane
    await shoot(page, "desktop")

    await page.set_viewport_size(PHONE)
    await page.click('.tab[data-pane="inbox"]')
    await page.evaluate("window.scrollTo(0, 0)")
    assert await page.is_visible(".tabs")
    assert await page.is_hidden("#pane-send")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await page.text_content("#unread") == "4"
    await shoot(page, "phone")


async def test_rich_notifications_and_the_link_question(hub: Hub, browser: Browser) -> None:
    bob, carol = await fill(hub)
    page = await browser.page(viewport=TALL_DESKTOP)
    await sign_in(page, hub.url, "alice")
    await bob.call("send_notification", {"to": "alice", "message": "Nightly backup of nas1 done.", "priority": "min"})
    await carol.call(
        "send_notification",
        {
            "to": "alice",
            "type": "info",
            "title": "Release notes for 2.14",
            "message": "## Highlights\n\n- *Faster* sync on reconnect\n- `notify-hub send --wait`\n\n"
            "> Thanks to everyone who tested the beta.\n\nDetails: [release page](https://git.lan/app/releases/2.14)",
            "format": "markdown",
            "priority": "high",
            "actions": [{"action": "reply"}, {"action": "view", "label": "Open release", "url": "https://git.lan/app"}],
        },
    )
    deploy = await bob.call(
        "send_notification",
        {
            **APPROVAL,
            "to": "alice",
            "type": "warning",
            "message": "**2.14** passed staging: 1,204 tests green. [Changelog](https://git.lan/app/releases/2.14)",
            "priority": "urgent",
        },
    )
    card = page.locator(f'#notes li[data-id="{deploy["id"]}"]')
    await card.wait_for()
    # Both toasts (the min priority one makes none) are closed, as a user would: the urgent one stays until then.
    await page.wait_for_selector(f'#toasts > .note[data-id="{deploy["id"]}"]')
    assert await page.locator("#toasts > .note").count() == 2
    for _ in range(2):
        await page.click("#toasts > .note .close")
    await page.wait_for_selector("#toasts > *", state="detached")
    await card.locator("button", has_text="Approve").click()
    await card.locator(".note-answers li", has_text="You answered Approve").wait_for()
    await shoot(page, "rich")

    await card.locator("button", has_text="Pipeline").click()
    await page.locator("dialog.link-confirm").wait_for()
    await shoot(page, "link-confirm")

    await page.set_viewport_size(PHONE)  # the phone's width: checked, kept in tests/artifacts only
    await page.evaluate("window.scrollTo(0, 0)")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.screenshot(path=str(ARTIFACTS / "web-rich-phone.png"))


async def send_and_list(page: Any, kind: str, target: str, message: str, *, when: str = "now", title: str = "") -> None:
    await send_from_form(page, target, message, kind=kind, title=title, when=when, receipt=when == "now")
    listed = "#sent-list li" if when == "now" else "#scheduled-list li"
    await page.locator(listed, has_text=message).wait_for()


async def test_the_send_area_with_receipts_and_scheduled_sends(hub: Hub, browser: Browser) -> None:
    bob, carol = await fill(hub)
    alice = await hub.client(await hub.token("alice"))
    assert (await alice.call("join_room", {"room": "ops"}))["ok"]
    page = await browser.page(viewport={**DESKTOP, "height": 1300})  # the whole send pane, unscrolled
    await sign_in(page, hub.url, "alice")
    await send_and_list(page, "room", "ops", "Deploy window opens at 14:00")
    await page.click("#toasts .close")  # alice's own copy, as a member of #ops: closed, as she would
    await page.wait_for_selector("#toasts > *", state="detached")
    await send_and_list(page, "user", "bob", "Can you review #412?")
    [review, deploy] = await page.locator("#sent-list li").evaluate_all("items => items.map(i => Number(i.dataset.id))")
    await bob.sio.emit("ack", {"id": review})  # bob's client has both and shows the review request
    await bob.call("seen", {"ids": [review]})
    await carol.sio.emit("ack", {"id": deploy})
    await page.locator(f'#sent-list li[data-id="{review}"] .sent-receipt:has-text("Seen by bob")').wait_for()
    await page.locator(f'#sent-list li[data-id="{deploy}"] .sent-receipt:has-text("Delivered to 2")').wait_for()
    await send_and_list(page, "room", "ops", "In 5 minutes, room 2.", when="morning", title="Stand-up")
    await send_and_list(page, "user", "bob", "Lunch order closes at 11:30", when="1h")
    await page.evaluate("document.activeElement.blur()")

    assert await page.locator("#sent-list li").count() == 2
    assert await page.locator("#scheduled-list li button").count() == 2  # each one can be cancelled
    assert "web-" not in (await page.text_content("#pane-send") or "")  # its key stays the app's own
    await shoot(page, "send", page.locator("#pane-send"))

"""The web app as a person sees it, at a desktop's and a phone's width, with a realistic inbox.

Each run checks the layout (the side panes beside the inbox on a desktop, tabs and no sideways
scrolling on a phone) and saves the pictures in tests/artifacts/. With WEB_SCREENSHOTS=docs
it also writes the documentation's copies, docs/screenshots/web-desktop.png and web-phone.png.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.support.hubs import Hub
from tests.support.rich import APPROVAL
from tests.web.browser import DESKTOP, PHONE, Browser, sign_in

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
#: Tall enough for the side panes, so the picture needs no scrolling.
TALL_DESKTOP = {**DESKTOP, "height": 900}

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


async def shoot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    await page.screenshot(path=str(path))
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

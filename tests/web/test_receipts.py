"""Receipts in the web app, in a real browser (Chromium) against a real hub: "Ask for a receipt" on the
send form, the sender's "Sent with a receipt" list following the recipients' receipts live (and
rebuilt after a reload), and a recipient's web app telling the hub it showed the notification."""

from __future__ import annotations

from typing import Any

from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.support.hubs import Hub
from tests.web.browser import Browser, send_from_form, sign_in


async def receipt_line(page: Any, note_id: str, expected: str) -> str | None:
    """Wait until the Sent list's line of `note_id` says `expected` (receipts come in any order); its text."""
    line = page.locator(f'#sent-list li[data-id="{note_id}"] .sent-receipt')
    try:
        await line.filter(has_text=expected).wait_for()
    except PlaywrightTimeout:
        raise AssertionError(f"the line says {await line.text_content()!r}, not {expected!r}") from None
    return await line.text_content()


async def send_with_receipt(page: Any, kind: str, target: str, message: str) -> str:
    """Fill and send the form with "Ask for a receipt"; the id of its line in the Sent list."""
    await send_from_form(page, target, message, kind=kind, receipt=True)
    await page.wait_for_selector("#send-result:has-text('Sent to')")
    item = page.locator("#sent-list li", has_text=message)
    await item.wait_for()
    return str(await item.get_attribute("data-id"))


async def test_the_sender_sees_delivered_and_seen_live_and_after_a_reload(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    await hub.user("bob")
    alice = await browser.page()
    await sign_in(alice, hub.url, "alice")
    bob = await browser.page()  # in front: the toast is on screen, so bob's app says it was seen
    await sign_in(bob, hub.url, "bob")

    note_id = await send_with_receipt(alice, "user", "bob", "Is the release branch frozen?")
    await bob.locator(f'#toasts [data-id="{note_id}"][data-receipt="true"]').wait_for()
    seen = "Delivered to bob (1 device) · Seen by bob"
    assert await receipt_line(alice, note_id, seen) == seen
    assert await alice.text_content(f'#sent-list li[data-id="{note_id}"] .sent-to') == "To bob"

    await alice.reload()  # rebuilt from GET /api/notifications/{id}/receipts for the id it remembers
    await alice.wait_for_selector('#status[data-state="connected"]')
    assert await receipt_line(alice, note_id, seen) == seen
    assert await alice.locator("#sent-list li").count() == 1


async def test_a_room_send_counts_and_names_who_saw_it(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    await hub.user("bob")
    carol = await hub.client(await hub.user("carol"), name="carol")  # has it, acks nothing, shows nothing
    for name in ("alice", "bob"):
        member = await hub.client(await hub.token(name))
        assert (await member.call("join_room", {"room": "ops"}))["ok"]
    assert (await carol.call("join_room", {"room": "ops"}))["ok"]
    alice = await browser.page()
    await sign_in(alice, hub.url, "alice")
    bob = await browser.page()
    await sign_in(bob, hub.url, "bob")

    note_id = await send_with_receipt(alice, "room", "ops", "Deploy window opens at 14:00")
    await carol.next("room_notification")
    seen = "Delivered to 1 of 2 · Seen by 1 of 2 (bob)"
    assert await receipt_line(alice, note_id, seen) == seen
    assert await alice.text_content(f'#sent-list li[data-id="{note_id}"] .sent-to') == "To #ops"


async def test_a_recipients_web_app_tells_the_sender_it_was_seen(hub: Hub, browser: Browser) -> None:
    await hub.user("bob")
    ci = await hub.client(await hub.user("ci"), name="ci")
    bob = await browser.page()
    await sign_in(bob, hub.url, "bob")

    plain = await ci.call("send_notification", {"to": "bob", "message": "no receipt asked"})
    sent = await ci.call("send_notification", {"to": "bob", "message": "Page: db2 down", "receipt": True})
    await bob.locator(f'#notes li[data-id="{sent["id"]}"]').wait_for()
    statuses = []
    for _ in range(2):  # delivered (bob's ack), then seen (the toast and the card were on screen)
        receipt = await ci.next("receipt")
        assert receipt["notification_id"] == sent["id"], (receipt, plain)
        statuses.append((receipt["status"], receipt["user"]))
    assert statuses == [("delivered", "bob"), ("seen", "bob")]

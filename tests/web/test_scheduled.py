"""The web app's Scheduled list, in a real browser (Chromium) against a real hub: a send later shows
there with its time, addressee and text, and its Cancel button cancels it at the hub; one scheduled
elsewhere without a key is listed without a Cancel button (the hub cancels by key only)."""

from __future__ import annotations

from tests.support.hubs import Hub
from tests.web.browser import Browser, send_from_form, sign_in


async def test_a_send_later_is_listed_and_cancelled(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    await hub.user("bob")
    script = await hub.client(await hub.token("alice"))  # alice's script, scheduling without a key
    keyless = await script.call("send_notification", {"to": "bob", "message": "weekly report", "delay": "2d"})
    assert keyless["scheduled"], keyless
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    await page.locator("#scheduled-list li", has_text="weekly report").wait_for()

    await send_from_form(page, "bob", "in 5 minutes, room 2", title="Stand-up", when="at", at="09:30")
    item = page.locator("#scheduled-list li", has_text="Stand-up")
    await item.wait_for()

    assert await item.locator(".scheduled-when").text_content() in ("09:30", "tomorrow 09:30")
    assert await item.locator(".scheduled-to").text_content() == "to bob"
    assert await item.locator(".scheduled-text").text_content() == "Stand-up: in 5 minutes, room 2"
    listed = await page.locator("#scheduled-list li").all_text_contents()
    assert len(listed) == 2 and not any("web-" in text for text in listed)  # no raw keys shown
    alice = await hub.store.get_user("alice")
    assert alice is not None
    keys = sorted(str(row.new.key) for row in await hub.store.schedule.pending(alice.id))
    assert keys[0] == "None" and keys[1].startswith("web-")  # the web app's send later has a key of its own
    weekly = page.locator("#scheduled-list li", has_text="weekly report")
    assert await weekly.locator("button").count() == 0  # no key: nothing to cancel it by

    when = await item.locator(".scheduled-when").text_content()
    await item.locator("button", has_text="Cancel").click()
    await item.wait_for(state="detached")
    assert await page.text_content("#send-result") == f"Cancelled the send to bob at {when}: it will not be sent."
    [left] = await hub.store.schedule.pending(alice.id)
    assert left.new.message == "weekly report"
    assert await page.locator("#scheduled-list li").count() == 1

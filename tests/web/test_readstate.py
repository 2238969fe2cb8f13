"""Read state in the web app, in Chromium against a real hub: a mark made in the browser reaches the
user's other device (a python-socketio client) and one made there reaches the browser live; "Mark all
read" is one message; the unread badge follows; a browser that comes back learns the marks."""

from __future__ import annotations

from tests.support.hubs import Hub
from tests.web.browser import Browser, sign_in


async def test_read_marks_go_both_ways_and_the_badge_follows(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    phone = await hub.client(await hub.token("alice"))  # alice's other device
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    ids = [(await bob.call("send_notification", {"to": "alice", "message": f"n{n}"}))["id"] for n in range(3)]
    await page.wait_for_function("() => document.querySelector('#unread').textContent === '3'")

    await page.locator(f'#notes li[data-id="{ids[0]}"] button', has_text="Mark read").click()
    told = await phone.next("read")
    assert told["ids"] == [ids[0]] and told["unread"] == 2
    await page.wait_for_function("() => document.querySelector('#unread').textContent === '2'")

    await phone.call("mark_read", {"ids": [ids[1]]})  # read on the phone: the browser follows live
    await page.wait_for_function("() => document.querySelector('#unread').textContent === '1'")
    card = page.locator(f'#notes li[data-id="{ids[1]}"]')
    assert "unread" not in (await card.get_attribute("class") or "")

    before = len(phone.pending("read"))
    await page.click("#mark-all-read")
    everything = await phone.next("read")
    assert before == 1 and everything["all"] is True and everything["upto"] == ids[2]  # one message
    await page.wait_for_selector("#unread", state="hidden")
    assert phone.pending("read") == []


async def test_a_browser_that_comes_back_learns_the_marks_made_meanwhile(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    phone = await hub.client(await hub.token("alice"))
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    ids = [(await bob.call("send_notification", {"to": "alice", "message": f"n{n}"}))["id"] for n in range(2)]
    await page.wait_for_function("() => document.querySelector('#unread').textContent === '2'")
    await page.goto("about:blank")  # the tab leaves: its connection closes

    await phone.call("mark_read", {"ids": [ids[0]]})  # while the browser is away
    await page.goto(hub.url + "/app/")  # back, with its saved session: it resumes
    await page.wait_for_selector('#status[data-state="connected"]')
    await page.wait_for_function("() => document.querySelector('#unread').textContent === '1'")
    assert "unread" not in (await page.locator(f'#notes li[data-id="{ids[0]}"]').get_attribute("class") or "")

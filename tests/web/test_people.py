"""The web app's People list against a real hub in a real browser (Chromium): people coming and going,
told in presence batches, which the app asks for."""

from __future__ import annotations

from tests.support.hubs import Hub
from tests.web.browser import PHONE, Browser, sign_in


async def test_people_come_and_go_in_presence_batches(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    carol_token = await hub.user("carol")
    page = await browser.page(viewport=PHONE)
    await sign_in(page, hub.url, "alice")
    await page.click('.tab[data-pane="people"]')

    await page.wait_for_selector('#people li.online[data-user="bob"]')
    carol = await hub.client(carol_token)
    await page.wait_for_selector('#people li.online[data-user="carol"]')
    await bob.close()
    await page.wait_for_selector('#people li.offline[data-user="bob"]')

    assert await page.locator("#people li.online").evaluate_all("items => items.map(li => li.dataset.user)") == [
        "alice",
        "carol",
    ]
    assert await page.text_content('#people li[data-user="bob"] .meta') == "offline"
    # The app asked for batches: the hub tells it in `presence` events, not one `user_online` a person.
    presence = hub.delivery.presence
    assert [s.user.name for s in presence.batched.values()] == ["alice"]
    assert sorted(s.user.name for s in presence.plain.values()) == ["carol"]
    await carol.close()
    await page.wait_for_selector('#people li.offline[data-user="carol"]')

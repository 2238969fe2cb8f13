"""Update and retract by key in the web app, in a real browser (Chromium) against a real hub: a new
version replaces the inbox entry and the toast on screen in place (marked edited, no second toast),
a retraction removes both, and a browser that was closed meanwhile shows only what is left."""

from __future__ import annotations

from playwright.async_api import Locator, Page

from tests.support.clients import Client
from tests.support.hubs import Hub
from tests.web.browser import Browser, sign_in

BUILD = {"to": "alice", "key": "build-119", "title": "Build 119"}


async def test_an_update_replaces_in_place_and_a_retraction_removes(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    ci = await hub.client(await hub.user("ci"))
    page = await browser.page()  # in front: in-page toasts
    await sign_in(page, hub.url, "alice")

    first = await ci.call("send_notification", {**BUILD, "message": "running…"})
    await page.locator(f'#toasts [data-id="{first["id"]}"]').wait_for()
    second = await ci.call("send_notification", {**BUILD, "message": "passed", "type": "success"})
    toast = page.locator(f'#toasts [data-id="{second["id"]}"]')
    await toast.wait_for()

    assert await page.locator("#toasts > *").count() == 1  # the same place, no second toast
    assert await toast.get_attribute("data-type") == "success"
    assert "passed" in (await toast.text_content() or "")
    entry = page.locator(f'#notes li[data-id="{second["id"]}"]')
    await entry.wait_for()
    assert await entry.locator(".note-edited").text_content() == " · edited"
    assert await page.locator(f'#notes li[data-id="{first["id"]}"]').count() == 0

    lunch = await ci.call("send_notification", {"to": "alice", "message": "lunch?"})
    await page.locator(f'#notes li[data-id="{lunch["id"]}"]').wait_for()
    gone = await ci.call("retract", {"key": "build-119", "to": "alice"})
    assert gone["ok"], gone
    await entry.wait_for(state="detached")
    assert await page.locator(f'#toasts [data-id="{second["id"]}"]').count() == 0
    assert await page.locator("#notes li[data-id]").count() == 1

    again = await browser.page()  # a browser opened later: the hub's inbox holds only what is left
    await sign_in(again, hub.url, "alice")
    await again.reload()  # with its saved session: older notifications come from GET /api/notifications
    await again.wait_for_selector('#status[data-state="connected"]')
    await again.locator(f'#notes li[data-id="{lunch["id"]}"]').wait_for()
    assert await again.locator("#notes li[data-id]").count() == 1
    assert browser.page_errors == []


async def test_a_retraction_closes_the_desktop_notification_it_withdraws(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    ci = await hub.client(await hub.user("ci"))
    page = await browser.page(background=True)  # the user works in another window: desktop notifications
    await sign_in(page, hub.url, "alice")
    await page.evaluate("Notification.requestPermission()")

    await ci.call("send_notification", {**BUILD, "message": "running…"})
    await page.wait_for_function("() => window.__shownNotifications.length === 1")
    gone = await ci.call("retract", {"key": "build-119", "to": "alice"})
    assert gone["ok"], gone

    await page.wait_for_function("() => window.__shownNotifications[0].closed === true")


class Away:
    """alice's page holding "running…" of build-119, then offline while `ci` sends; back with `back()`."""

    def __init__(self, page: Page, ci: Client, held: Locator) -> None:
        self.page, self.ci, self.held = page, ci, held

    @classmethod
    async def start(cls, hub: Hub, browser: Browser) -> Away:
        await hub.user("alice")
        ci = await hub.client(await hub.user("ci"))
        page = await browser.page()
        await sign_in(page, hub.url, "alice")
        first = await ci.call("send_notification", {**BUILD, "message": "running…"})
        held = page.locator(f'#notes li[data-id="{first["id"]}"]')
        await held.wait_for()
        await page.context.set_offline(True)
        await page.wait_for_selector('#status[data-state="offline"]')
        return cls(page, ci, held)

    async def back(self) -> None:
        await self.page.context.set_offline(False)


async def test_a_page_that_was_away_drops_the_version_it_holds_when_the_key_is_retracted(
    hub: Hub, browser: Browser
) -> None:
    away = await Away.start(hub, browser)
    await away.ci.call("send_notification", {**BUILD, "message": "passed"})  # replaces "running…"; never arrives
    assert (await away.ci.call("retract", {"key": "build-119", "to": "alice"}))["ok"]
    await away.back()

    await away.held.wait_for(state="detached")  # the retraction names only "passed", but "running…" goes too
    assert await away.page.locator("#notes li[data-id]").count() == 0


async def test_a_page_that_was_away_shows_only_the_newest_version_of_a_key(hub: Hub, browser: Browser) -> None:
    away = await Away.start(hub, browser)
    await away.ci.call("send_notification", {**BUILD, "message": "tests passed"})  # the page never gets this one
    last = await away.ci.call("send_notification", {**BUILD, "message": "deployed"})
    await away.back()

    await away.page.locator(f'#notes li[data-id="{last["id"]}"]').wait_for()
    await away.held.wait_for(state="detached")
    assert await away.page.locator("#notes li[data-id]").count() == 1

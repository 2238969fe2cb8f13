"""Rich notifications in the web app, in a real browser (Chromium) against a real hub: priority,
rendered Markdown, a click target and buttons behind a confirmation, answers that reach the sender's
python-socketio client (and are refused in words the second time), answers shown on the sender's and
the other recipients' side, and hostile Markdown that stays inert."""

from __future__ import annotations

from typing import Any

from tests.support.clients import Client
from tests.support.hubs import Hub
from tests.support.rich import APPROVAL
from tests.web.browser import Browser, sign_in

DEPLOY = {
    **APPROVAL,
    "message": "**2.14** passed `staging`.\n\n- tests green\n- [Changelog](https://git.lan/app/releases/2.14)",
    "type": "warning",
    "priority": "urgent",
}
#: Records window.open instead of opening anything (a headless test has nowhere to open it).
RECORD_OPEN = (
    "() => { window.__opened = [];"
    " window.open = (...args) => { window.__opened.push(args.map(String)); return null; }; }"
)


async def alice_and_bob(hub: Hub, browser: Browser) -> tuple[Any, Client]:
    """Alice signed in in a background tab with desktop notifications allowed; bob's python-socketio client."""
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    page = await browser.page(background=True)
    await sign_in(page, hub.url, "alice")
    await page.click("#enable-alerts")
    return page, bob


async def test_a_rich_notification_shows_priority_buttons_and_markdown(hub: Hub, browser: Browser) -> None:
    page, bob = await alice_and_bob(hub, browser)

    sent = await bob.call("send_notification", {"to": "alice", **DEPLOY})
    assert sent["ok"], sent
    card = page.locator(f'#notes li[data-id="{sent["id"]}"]')
    await card.wait_for()

    assert await card.get_attribute("data-priority") == "urgent"
    assert "priority--urgent" in (await card.get_attribute("class") or "")
    assert await card.locator(".priority-chip").text_content() == "Urgent"
    buttons = card.locator(".note-buttons button")
    assert await buttons.all_text_contents() == ["Open ci.lan ↗", "Approve", "Reject", "Pipeline ↗"]
    markdown = card.locator(".markdown")
    assert await markdown.locator("strong").text_content() == "2.14"
    assert await markdown.locator("code").text_content() == "staging"
    assert await markdown.locator("li").all_text_contents() == ["tests green", "Changelog"]
    assert await markdown.locator("a").get_attribute("href") == "https://git.lan/app/releases/2.14"
    assert await card.locator(".note-answers").text_content() == "Not answered yet"
    await page.wait_for_function("() => window.__notifications.length >= 1")
    [shown] = await page.evaluate("window.__notifications")
    assert shown["requireInteraction"] is True  # urgent stays until dealt with

    await page.evaluate("window.__shownNotifications[0].onclick()")  # the user clicks it
    assert await page.locator("dialog.link-confirm h2").text_content() == "Open ci.lan?"
    assert await page.evaluate("window.__violations") == []


async def test_min_is_in_the_inbox_only_and_low_is_silent(hub: Hub, browser: Browser) -> None:
    page, bob = await alice_and_bob(hub, browser)

    quiet = await bob.call("send_notification", {"to": "alice", "message": "nightly backup done", "priority": "min"})
    low = await bob.call("send_notification", {"to": "alice", "message": "disk at 70%", "priority": "low"})
    await page.wait_for_function("() => window.__notifications.length >= 1")
    await page.locator(f'#notes li[data-id="{low["id"]}"]').wait_for()

    assert await page.locator(f'#notes li[data-id="{quiet["id"]}"] .priority-chip').text_content() == "Min"
    calls = await page.evaluate("window.__notifications")
    shown = [(c["tag"], c["silent"], c["requireInteraction"]) for c in calls]
    assert shown == [(f"lan-notify-{low['id']}", True, False)]


async def test_links_open_only_after_the_host_is_shown_and_confirmed(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    await page.evaluate(RECORD_OPEN)
    sent = await bob.call("send_notification", {"to": "alice", **DEPLOY})
    card = page.locator(f'#notes li[data-id="{sent["id"]}"]')

    await card.locator("button", has_text="Pipeline").click()
    dialog = page.locator("dialog.link-confirm")
    assert await dialog.locator("h2").text_content() == "Open ci.lan?"
    assert await dialog.locator(".link-url").text_content() == "https://ci.lan/pipelines/118"
    await dialog.locator("button", has_text="Cancel").click()
    await dialog.wait_for(state="detached")
    assert await page.evaluate("window.__opened") == []

    await card.locator(".markdown a").click()  # a Markdown link goes through the same question
    assert await dialog.locator("h2").text_content() == "Open git.lan?"
    await dialog.locator("button", has_text="Open").click()
    await dialog.wait_for(state="detached")
    assert await page.evaluate("window.__opened") == [
        ["https://git.lan/app/releases/2.14", "_blank", "noopener,noreferrer"]
    ]
    assert page.url == hub.url + "/app/"  # the link itself navigated nowhere


async def test_reply_opens_the_send_form_addressed_to_the_sender(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    sent = await bob.call("send_notification", {"to": "alice", "message": "Lunch?", "actions": [{"action": "reply"}]})

    await page.locator(f'#notes li[data-id="{sent["id"]}"] button', has_text="Reply").click()

    assert await page.input_value("#send-kind") == "user"
    assert await page.input_value("#send-target") == "bob"
    assert await page.evaluate("document.activeElement.id") == "send-message"


async def test_approve_reaches_the_sender_once_and_a_second_press_is_refused_in_words(
    hub: Hub, browser: Browser
) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    page = await browser.page()
    await sign_in(page, hub.url, "alice")
    sent = await bob.call("send_notification", {"to": "alice", **DEPLOY})
    card = page.locator(f'#notes li[data-id="{sent["id"]}"]')

    await card.locator("button", has_text="Approve").click()

    response: dict[str, Any] = await bob.next("response")
    assert (response["notification_id"], response["label"], response["from"]) == (sent["id"], "Approve", "alice")
    answers = card.locator(".note-answers li")
    await page.wait_for_function(
        "id => document.querySelector(`#notes li[data-id='${id}'] .note-answers li`)?.textContent.startsWith('You')",
        arg=sent["id"],
    )
    assert (await answers.text_content() or "").startswith("You answered Approve (")
    assert await card.locator("button", has_text="Approve").get_attribute("aria-pressed") == "true"

    await card.locator("button", has_text="Reject").click()
    status = card.locator(".note-status")
    await page.wait_for_function(  # "Sending Reject…" shows until the hub answers
        "id => document.querySelector(`#notes li[data-id='${id}'] .note-status`)?.textContent.startsWith('Not')",
        arg=sent["id"],
    )
    assert await status.text_content() == "Not answered: you already answered this notification (Approve)"
    assert bob.pending("response") == []


async def test_answers_show_on_the_senders_side_and_on_the_other_recipients_copies(hub: Hub, browser: Browser) -> None:
    alice = await hub.client(await hub.user("alice"))  # alice's other device sends
    bob = await hub.client(await hub.user("bob"))
    carol = await hub.client(await hub.user("carol"))
    for client in (alice, bob, carol):
        assert (await client.call("join_room", {"room": "ops"}))["ok"]
    sender = await browser.page()
    await sign_in(sender, hub.url, "alice")
    other = await browser.page()
    await sign_in(other, hub.url, "carol")

    sent = await alice.call("room_message", {"room": "ops", **DEPLOY})
    assert sent["ok"], sent
    await other.locator(f'#notes li[data-id="{sent["id"]}"]').wait_for()
    answered = await bob.call("respond", {"id": sent["id"], "label": "Approve"})
    assert answered["ok"], answered

    headline = sender.locator(f'#notes li[data-id="{answered["response"]["id"]}"] .note-title')
    assert await headline.text_content() == "bob: Approve — Deploy 2.14 to prod?"
    line = other.locator(f'#notes li[data-id="{sent["id"]}"] .note-answers li')
    await line.wait_for()
    assert (await line.text_content() or "").startswith("bob answered Approve (")


HOSTILE_MARKDOWN = "\n\n".join(
    [
        "<script>window.__pwned = 'script'</script>",
        '<img src="x" onerror="window.__pwned = \'img\'">',
        "[click me](javascript:window.__pwned='link') and [again](JaVaScRiPt:alert(1)) "
        "and <javascript:alert(1)> and [data](data:text/html,<b>x</b>)",
        "![tracker]({hub}/app/icons/app-192.png?md-image) and ![](http://127.0.0.1:9/pixel.gif)",
        "> " * 60 + "deep quote",
        "\n".join("  " * depth + "- level" for depth in range(40)),
        '<a href="javascript:alert(1)">raw link</a> <iframe src="https://evil.lan/"></iframe>',
    ]
)


async def test_hostile_markdown_stays_inert(hub: Hub, browser: Browser) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    page = await browser.page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    await sign_in(page, hub.url, "alice")

    message = HOSTILE_MARKDOWN.replace("{hub}", hub.url)
    sent = await bob.call("send_notification", {"to": "alice", "message": message, "format": "markdown"})
    assert sent["ok"], sent
    card = page.locator(f'#notes li[data-id="{sent["id"]}"]')
    await card.wait_for()
    text = await card.locator(".note-message").text_content() or ""

    assert "<script>window.__pwned = 'script'</script>" in text  # raw HTML shows as its characters
    assert "[tracker]" in text  # an image is its alt text
    assert "deep quote" in text
    assert await page.evaluate("window.__pwned") is None
    inside = await card.evaluate(
        "node => ({elements: [...node.querySelectorAll('script, img:not(.note-icon), iframe, object, embed')].length,"
        " hrefs: [...node.querySelectorAll('[href]')].map(a => a.getAttribute('href')),"
        " handlers: [...node.querySelectorAll('*')].flatMap(e => [...e.attributes])"
        ".filter(a => a.name.startsWith('on')).length})"
    )
    assert inside == {"elements": 0, "hrefs": [], "handlers": 0}
    assert not [url for url in requests if "md-image" in url or "pixel.gif" in url]
    assert await page.evaluate("window.__violations") == []


async def test_markdown_nested_as_deep_as_a_message_allows_still_shows_all_its_text(hub: Hub, browser: Browser) -> None:
    page, bob = await alice_and_bob(hub, browser)
    for message in ("> " * 2000 + "bottom of the quotes", "*" * 1500 + "in the middle" + "*" * 1500):
        sent = await bob.call("send_notification", {"to": "alice", "message": message, "format": "markdown"})
        assert sent["ok"], sent
        card = page.locator(f'#notes li[data-id="{sent["id"]}"] .note-message')
        await card.wait_for()
        assert message.strip("*> ") in (await card.text_content() or "")
        depth = await card.evaluate(
            "node => { let d = 0;"
            " const walk = (n, k) => { d = Math.max(d, k); [...n.children].forEach(c => walk(c, k + 1)); };"
            " walk(node, 0); return d; }"
        )
        assert depth <= 14  # .note-message > .markdown > at most 12 elements

"""Rich notifications over HTTP: the JSON fields, ntfy's headers from a real curl, and their refusals."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from tests.support.http import call
from tests.support.hubs import Hub

BUTTONS = 'respond, Approve; respond, Reject; view, "Logs, last hour", https://ci.lan/118/log'


async def curl(*args: str) -> tuple[int, dict[str, object]]:
    """Run curl as a user would; its HTTP status and JSON answer."""
    exe = shutil.which("curl")
    if exe is None:
        pytest.fail("curl is not installed (scripts/bootstrap.sh installs it)")
    proc = await asyncio.create_subprocess_exec(
        exe, "-s", "-w", "\n%{http_code}", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    body, _, status = out.decode().rpartition("\n")
    return int(status), json.loads(body)


async def test_a_ntfy_curl_line_with_a_changed_url_sends_a_rich_notification(hub: Hub) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))

    status, answer = await curl(
        "-H", f"Authorization: Bearer {token}",
        "-H", "X-Priority: 4",
        "-H", "X-Markdown: yes",
        "-H", "X-Click: https://ci.lan/pipelines/118",
        "-H", f"X-Actions: {BUTTONS}",
        "-H", "Title: Deploy 2.14?",
        "-d", "**2.14** passed staging",
        f"{hub.url}/api/notify/bob",
    )  # fmt: skip

    assert status == 201, answer
    note = await bob.next("notification")
    assert (note["title"], note["message"], note["priority"], note["click"], note["format"]) == (
        "Deploy 2.14?",
        "**2.14** passed staging",
        "high",
        "https://ci.lan/pipelines/118",
        "markdown",
    )
    assert note["actions"] == [
        {"action": "respond", "label": "Approve"},
        {"action": "respond", "label": "Reject"},
        {"action": "view", "label": "Logs, last hour", "url": "https://ci.lan/118/log"},
    ]


async def test_ntfy_names_without_x_or_as_query_parameters_and_its_priority_words(hub: Hub) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))

    answer = await call(
        hub, "POST", "/api/notify/bob", token=token, data="disk full", headers={"Priority": "max", "Markdown": "no"}
    )
    query = await call(
        hub, "POST", "/api/notify/bob", token=token, data="disk at 91%", params={"priority": "2", "markdown": "1"}
    )

    assert (answer.status, query.status) == (201, 201)
    note = await bob.next("notification")
    assert note["priority"] == "urgent" and "format" not in note
    second = await bob.next("notification")
    assert (second["priority"], second["format"]) == ("low", "markdown")


async def test_json_body_takes_the_fields_with_ntfy_priorities(hub: Hub) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    body = {
        "to": "bob",
        "message": "deploy?",
        "priority": 5,
        "actions": [{"action": "respond", "label": "Go"}, {"action": "reply"}],
    }

    answer = await call(hub, "POST", "/api/notifications", token=token, json=body)

    assert answer.status == 201
    note = await bob.next("notification")
    assert note["priority"] == "urgent"
    assert note["actions"] == [{"action": "respond", "label": "Go"}, {"action": "reply", "label": "Reply"}]


@pytest.mark.parametrize(
    ("headers", "status", "code", "words"),
    [
        ({"X-Priority": "6"}, 400, "invalid_payload", "priority: priority must be"),
        ({"X-Click": "javascript:alert(1)"}, 400, "invalid_payload", "not javascript:"),
        ({"X-Actions": "http, Open door, https://door.lan"}, 400, "invalid_payload", "'http'"),
        ({"X-Actions": "respond, A; respond, B; respond, C; respond, D"}, 413, "too_large", "at most 3"),
        ({"X-Markdown": "perhaps"}, 400, "invalid_payload", "X-Markdown must be yes or no"),
    ],
)
async def test_bad_headers_are_refused_with_a_code_and_nothing_is_sent(
    hub: Hub, headers: dict[str, str], status: int, code: str, words: str
) -> None:
    token = await hub.user("alice")
    bob_token = await hub.user("bob")

    answer = await call(hub, "POST", "/api/notify/bob", token=token, data="x", headers=headers)

    assert (answer.status, answer.code) == (status, code)
    assert words in answer.body["error"]["message"]
    inbox = await call(hub, "GET", "/api/notifications", token=bob_token)
    assert inbox.body["notifications"] == []

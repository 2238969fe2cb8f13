"""Rich notifications on the wire: priority, click, actions, format, `respond` / `response`, ntfy's headers.

Each refusal is checked for its stable code and for the sentence a sender reads.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from hub import protocol
from hub.ntfy_headers import NtfyHeaders, parse_ntfy_actions
from hub.protocol import ErrorCode
from hub.rich import (
    MAX_ACTION_LABEL_CHARS,
    MAX_URL_CHARS,
    Priority,
    RespondAction,
    TextFormat,
    ViewAction,
    priority_from_http,
    safe_link,
)
from hub.validation import describe_validation_error

BASE: dict[str, Any] = {"to": "bob", "message": "Deploy 2.14 to prod?"}


def refusal(model: type[BaseModel], payload: Any) -> tuple[ErrorCode, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return describe_validation_error(caught.value)


# --------------------------------------------------------------------------- priority


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("min", Priority.MIN),
        ("LOW", Priority.LOW),
        (" default ", Priority.DEFAULT),
        ("high", Priority.HIGH),
        ("urgent", Priority.URGENT),
        ("max", Priority.URGENT),
        (1, Priority.MIN),
        ("2", Priority.LOW),
        (3, Priority.DEFAULT),
        ("4", Priority.HIGH),
        (5, Priority.URGENT),
    ],
)
def test_http_priorities_take_ntfy_names_and_numbers(given: object, expected: Priority) -> None:
    assert priority_from_http(given) is expected
    assert protocol.HttpNotification.model_validate({**BASE, "priority": given}).priority is expected


@pytest.mark.parametrize("given", [0, 6, "6", "0", "", "critical", True, 2.0, None, "٣"])
def test_other_priorities_are_refused_naming_what_is_accepted(given: object) -> None:
    code, text = refusal(protocol.HttpNotification, {**BASE, "priority": given})
    assert code is ErrorCode.INVALID_PAYLOAD
    assert text == "priority: priority must be min, low, default, high, urgent (or max), or a number from 1 to 5"


def test_socketio_takes_only_the_five_names() -> None:
    assert protocol.SendNotification.model_validate({**BASE, "priority": "high"}).priority is Priority.HIGH
    for given in ("5", 5, "max", "HIGH"):
        code, text = refusal(protocol.SendNotification, {**BASE, "priority": given})
        assert (code, text) == (
            ErrorCode.INVALID_PAYLOAD,
            "priority: priority must be one of min, low, default, high, urgent",
        )


def test_levels_are_ntfys_numbers() -> None:
    assert [p.level for p in Priority] == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- click


@pytest.mark.parametrize(
    "url", ["https://grafana.lan/d/x?from=now-1h", "http://10.0.0.5:3000/", "mailto:ops@example.com", "HTTPS://A.B/"]
)
def test_click_takes_http_https_and_mailto(url: str) -> None:
    assert protocol.SendNotification.model_validate({**BASE, "click": url}).click == url
    assert safe_link(url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", "URL must be an http, https or mailto URL (not javascript:)"),
        ("file:///etc/passwd", "URL must be an http, https or mailto URL (not file:)"),
        ("data:text/html,<b>x</b>", "URL must be an http, https or mailto URL (not data:)"),
        ("/relative/path", "URL must be an http, https or mailto URL (not a relative one)"),
        ("https://", "URL has no host"),
        ("mailto:", "URL is a mailto URL without an address"),
        ("https://a.lan/x y", "URL contains spaces or control characters"),
        ("https://a.lan/\u202egnp.exe", "URL contains spaces or control characters"),
        ("https://[::1/", "URL is not a valid URL"),
    ],
)
def test_other_click_targets_are_refused_saying_why(url: str, why: str) -> None:
    assert refusal(protocol.SendNotification, {**BASE, "click": url}) == (ErrorCode.INVALID_PAYLOAD, f"click: {why}")
    assert not safe_link(url)


def test_a_click_url_past_the_limit_is_too_large() -> None:
    url = "https://a.lan/" + "x" * MAX_URL_CHARS
    assert refusal(protocol.SendNotification, {**BASE, "click": url}) == (
        ErrorCode.TOO_LARGE,
        f"click: URL is longer than {MAX_URL_CHARS} characters",
    )


# --------------------------------------------------------------------------- actions


def test_three_actions_of_each_kind() -> None:
    sent = protocol.SendNotification.model_validate(
        {
            **BASE,
            "actions": [
                {"action": "view", "label": "Open", "url": "https://ci.lan/118", "clear": True},
                {"action": "respond", "label": "Approve"},
                {"action": "reply"},
            ],
        }
    )
    assert [a.model_dump(mode="json") for a in sent.actions] == [
        {"action": "view", "label": "Open", "url": "https://ci.lan/118"},
        {"action": "respond", "label": "Approve"},
        {"action": "reply", "label": "Reply"},
    ]
    assert sent.respond_labels() == ("Approve",)


@pytest.mark.parametrize(
    ("actions", "code", "text"),
    [
        (
            [{"action": "respond", "label": f"A{i}"} for i in range(4)],
            ErrorCode.TOO_LARGE,
            "actions: at most 3 actions",
        ),
        (
            [{"action": "respond", "label": "Approve"}, {"action": "respond", "label": "APPROVE"}],
            ErrorCode.INVALID_PAYLOAD,
            "actions: two actions are labelled 'APPROVE'",
        ),
        (
            [{"action": "http", "label": "Close", "url": "https://x.lan/"}],
            ErrorCode.INVALID_PAYLOAD,
            "actions: action 'http' is not supported: use one of view, reply, respond",
        ),
        (
            [{"action": "respond", "label": "A" * (MAX_ACTION_LABEL_CHARS + 1)}],
            ErrorCode.TOO_LARGE,
            f"actions.0.respond.label: label is longer than {MAX_ACTION_LABEL_CHARS} characters",
        ),
        ([{"action": "respond", "label": "  "}], ErrorCode.INVALID_PAYLOAD, "actions.0.respond.label: label is empty"),
        (
            [{"action": "respond", "label": "Yes\nNo"}],
            ErrorCode.INVALID_PAYLOAD,
            "actions.0.respond.label: label contains control characters, line breaks or bidirectional controls",
        ),
        (
            [{"action": "view", "label": "Open", "url": "javascript:x"}],
            ErrorCode.INVALID_PAYLOAD,
            "actions.0.view.url: URL must be an http, https or mailto URL (not javascript:)",
        ),
        ([{"action": "view", "label": "Open"}], ErrorCode.INVALID_PAYLOAD, "actions.0.view.url: Field required"),
        ("view, Open, https://x.lan/", ErrorCode.INVALID_PAYLOAD, "actions: Input should be a valid tuple"),
    ],
)
def test_bad_actions_are_refused_with_a_code_and_a_sentence(actions: Any, code: ErrorCode, text: str) -> None:
    assert refusal(protocol.SendNotification, {**BASE, "actions": actions}) == (code, text)


def test_format_is_plain_or_markdown() -> None:
    assert protocol.RoomMessage.model_validate({"room": "ops", "message": "*x*"}).format is TextFormat.PLAIN
    sent = protocol.Broadcast.model_validate({"message": "*x*", "format": "markdown"})
    assert sent.format is TextFormat.MARKDOWN
    assert refusal(protocol.SendNotification, {**BASE, "format": "html"}) == (
        ErrorCode.INVALID_PAYLOAD,
        "format: Input should be 'plain' or 'markdown'",
    )


# --------------------------------------------------------------------------- delivered


def delivered(**rich: Any) -> protocol.Notification:
    return protocol.Notification.model_validate(
        {
            "id": 7,
            "kind": "room",
            "type": "warning",
            "title": "Deploy",
            "message": "Deploy 2.14 to prod?",
            "from": "alice",
            "room": "ops",
            "timestamp": "2026-12-07T01:00:00.000Z",
            **rich,
        }
    )


def test_a_plain_notification_is_on_the_wire_as_before() -> None:
    assert list(delivered().wire()) == ["id", "kind", "type", "title", "message", "from", "room", "timestamp", "sender"]
    assert delivered(priority="default", format="plain", actions=[]).wire() == delivered().wire()


def test_a_rich_notification_adds_only_what_it_sets() -> None:
    wire = delivered(priority="urgent", actions=[{"action": "respond", "label": "Approve"}]).wire()
    assert wire["priority"] == "urgent"
    assert wire["actions"] == [{"action": "respond", "label": "Approve"}]
    assert "click" not in wire and "format" not in wire
    assert protocol.Notification.model_validate(wire).wire() == wire


def test_respond_and_response() -> None:
    assert protocol.Respond.model_validate({"id": 7, "label": "Approve"}).label == "Approve"
    assert refusal(protocol.Respond, {"id": -1, "label": "Approve"})[0] is ErrorCode.INVALID_PAYLOAD
    assert refusal(protocol.Respond, {"id": 7, "label": "x" * 41})[0] is ErrorCode.TOO_LARGE
    response = protocol.Response(
        id=9,
        notification_id=7,
        label="Approve",
        responder="bob",
        to="alice",
        title="Deploy 2.14 to prod?",
        room="ops",
        timestamp="2026-12-07T01:00:03.000Z",
    )
    wire = response.wire()
    assert wire == {
        "id": 9,
        "notification_id": 7,
        "label": "Approve",
        "from": "bob",
        "to": "alice",
        "title": "Deploy 2.14 to prod?",
        "room": "ops",
        "timestamp": "2026-12-07T01:00:03.000Z",
    }
    assert protocol.Response.model_validate(wire) == response


# --------------------------------------------------------------------------- ntfy's headers


def test_ntfy_short_actions() -> None:
    assert parse_ntfy_actions("view, Open portal, https://home.lan/?a=b&c=d, clear=true; respond, Approve") == [
        {"action": "view", "label": "Open portal", "url": "https://home.lan/?a=b&c=d"},
        {"action": "respond", "label": "Approve"},
    ]
    assert parse_ntfy_actions("action=view, label=\"Logs, last hour\", url=https://g.lan/d; reply; respond, 'A;B'") == [
        {"action": "view", "label": "Logs, last hour", "url": "https://g.lan/d"},
        {"action": "reply"},
        {"action": "respond", "label": "A;B"},
    ]
    assert parse_ntfy_actions("respond, Don't; ") == [{"action": "respond", "label": "Don't"}]
    assert parse_ntfy_actions('[{"action": "respond", "label": "OK"}]') == [{"action": "respond", "label": "OK"}]


@pytest.mark.parametrize(
    ("header", "text"),
    [
        (
            "http, Close door, https://api.nest.com/, method=PUT",
            "X-Actions: action 1 is 'http', which is not supported (it calls a URL or an app from the phone, "
            "which lan-notify clients do not): use view, reply or respond",
        ),
        (
            "view, Open, https://x.lan/; broadcast, Take picture",
            "X-Actions: action 2 is 'broadcast', which is not supported (it calls a URL or an app from the phone, "
            "which lan-notify clients do not): use view, reply or respond",
        ),
        ("dance, Now", "X-Actions: action 1 is 'dance', which is not supported: use view, reply or respond"),
        ("view, 'Open, https://x.lan/", "X-Actions: a quote (') is never closed"),
        ("respond, Approve, extra", "X-Actions: action 1 (respond) has an unexpected field 'extra'"),
        ("view, Open, https://x.lan/, method=PUT", "X-Actions: action 1 (view) has an unknown key 'method'"),
        ("respond, label=A, label=B", "X-Actions: action 1 (respond) gives 'label' twice"),
        ("[1, 2", "X-Actions: starts with '[' but is not a JSON array"),
    ],
)
def test_ntfy_actions_we_cannot_honour_are_refused_clearly(header: str, text: str) -> None:
    assert refusal(NtfyHeaders, {"actions": header}) == (ErrorCode.INVALID_PAYLOAD, f"actions: {text}")


def test_ntfy_headers_give_the_rich_fields() -> None:
    headers = NtfyHeaders.model_validate(
        {
            "priority": "4",
            "click": "https://ci.lan/118",
            "actions": "view, Logs, https://ci.lan/118/log; respond, Retry; respond, Ignore",
            "markdown": "yes",
        }
    )
    rich = headers.rich()
    assert rich.priority is Priority.HIGH and rich.format is TextFormat.MARKDOWN
    assert rich.actions == (
        ViewAction(label="Logs", url="https://ci.lan/118/log"),
        RespondAction(label="Retry"),
        RespondAction(label="Ignore"),
    )
    assert NtfyHeaders.model_validate({}).rich().rich_wire() == {}
    assert refusal(NtfyHeaders, {"actions": "; ".join(["respond, A", "respond, B", "respond, C", "respond, D"])}) == (
        ErrorCode.TOO_LARGE,
        "actions: at most 3 actions",
    )
    assert refusal(NtfyHeaders, {"markdown": "maybe"}) == (
        ErrorCode.INVALID_PAYLOAD,
        "markdown: X-Markdown must be yes or no (true/false, 1/0)",
    )
    assert refusal(NtfyHeaders, {"actions": "x" * 9000})[0] is ErrorCode.TOO_LARGE

"""docs/protocol.md and hub/protocol.py describe the same protocol: names, codes, statuses, limits, routes."""

from __future__ import annotations

import re
from pathlib import Path

from hub import errors
from hub.protocol import (
    MAX_MESSAGE_BYTES,
    MAX_PACKET_BYTES,
    MAX_TITLE_CHARS,
    NAME_PATTERN,
    ROOM_PATTERN,
    ErrorCode,
    Event,
    Kind,
    NotificationType,
)
from tests.support.http import app_routes
from tests.support.hubs import Hub

DOC = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text()


def section(heading: str) -> str:
    start = DOC.index(heading)
    following = DOC.find("\n## ", start + len(heading))
    return DOC[start : following if following != -1 else None]


def first_cells(text: str) -> list[str]:
    """The first cell of every table row in `text`, without its backticks."""
    return [m.group(1) for m in re.finditer(r"^\| `([^`]+)`", text, re.M)]


def test_every_event_is_documented_on_its_side() -> None:
    client_events = set(first_cells(section("## Events from the client")))
    hub_events = {
        name
        for cell in re.findall(r"^\| ([^|]+) \|", section("## Events from the hub"), re.M)
        for name in re.findall(r"`([a-z_]+)`", cell)
    }
    assert client_events | hub_events == {e.value for e in Event}
    assert "notification" in hub_events and "send_notification" in client_events


def test_every_error_code_is_documented_with_its_http_status() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| ([^|]+) \|$", section("## Error codes"), re.M)
    documented = {code: status.strip() for code, status in rows}
    assert set(documented) == {c.value for c in ErrorCode}
    statuses = {cls.code.value: cls.http_status for cls in vars(errors).values() if _is_error(cls)}
    for code, status in documented.items():
        assert int(status.split()[0]) == statuses[code], code


def _is_error(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, errors.RequestError)


def test_types_kinds_names_and_limits_match_the_code() -> None:
    kinds = set(first_cells(section("The event it arrives as depends on `kind`")))
    assert {k.value for k in Kind} <= kinds
    types = re.search(r"\| `type` \| (.+) \|", DOC)
    assert types is not None
    assert set(re.findall(r"`([a-z]+)`", types.group(1))) == {t.value for t in NotificationType}
    assert f"`{NAME_PATTERN}`" in DOC and f"`{ROOM_PATTERN}`" in DOC
    assert f"{MAX_MESSAGE_BYTES // 1024} KiB" in DOC
    assert f"{MAX_TITLE_CHARS} characters" in DOC
    assert f"{MAX_PACKET_BYTES // 1024} KiB" in DOC


async def test_the_http_table_lists_every_route_of_the_app(hub: Hub) -> None:
    table = section("## HTTP")
    documented = {
        (method, path.split("?")[0])
        for method, path in re.findall(r"^\| `(GET|POST|PUT|DELETE|PATCH) ([^`]+)`", table, re.M)
    }
    assert documented == app_routes(hub)

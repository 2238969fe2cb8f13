"""The scheduled sends' part of the OpenAPI document (`hub.http.openapi` merges it in)."""

from __future__ import annotations

from typing import Any, Final

from hub.keys import KEY_PATTERN

_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: The 202 answer of a send given `deliver_at` / `delay` (or the headers).
SCHEDULED_ANSWER: Final = _json(_ref("Scheduled"), "scheduled: stored, and delivered at `deliver_at`")

_DELAY_WORDS = "a delay: `30s`, `45m`, `2h`, `1d` (10 s to 7 days)"
_AT_WORDS = "when to deliver: ISO 8601 with an offset, or Unix seconds (10 s to 7 days ahead)"
#: The headers and query parameters that schedule a text send.
SCHEDULE_PARAMETERS: Final[list[dict[str, Any]]] = [
    *(
        {"name": name, "in": "header", "schema": {"type": "string"}, "description": _DELAY_WORDS + f" ({name})"}
        for name in ("X-Delay", "X-In", "Delay", "In")
    ),
    *(
        {"name": name, "in": "header", "schema": {"type": "string"}, "description": _AT_WORDS + f" ({name})"}
        for name in ("X-At", "At")
    ),
    {
        "name": "X-Key",
        "in": "header",
        "schema": {"type": "string", "pattern": KEY_PATTERN},
        "description": "with a delay or a time: names the scheduled send, to cancel or replace it",
    },
    *(
        {"name": name, "in": "query", "schema": {"type": "string"}, "description": "as X-Delay"}
        for name in ("delay", "in")
    ),
    *(
        {"name": name, "in": "query", "schema": {"type": "string"}, "description": "as X-At"}
        for name in ("at", "deliver_at")
    ),
]


def scheduled_schemas() -> dict[str, Any]:
    pending_item = {
        "type": "object",
        "required": ["schedule_id", "key", "deliver_at", "kind", "to", "room", "type", "title", "message"],
        "properties": {
            "schedule_id": {"type": "integer"},
            "key": {"type": ["string", "null"]},
            "deliver_at": {"type": "string", "format": "date-time"},
            "kind": {"enum": ["direct", "room", "everyone", "announcement"]},
            "to": {"type": ["string", "null"], "description": "the user, for a send to a user"},
            "room": {"type": ["string", "null"]},
            "type": {"type": "string"},
            "title": {"type": "string"},
            "message": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    return {
        "Scheduled": {
            "type": "object",
            "required": ["scheduled", "schedule_id", "deliver_at"],
            "properties": {
                "scheduled": {"const": True},
                "schedule_id": {"type": "integer"},
                "deliver_at": {"type": "string", "format": "date-time", "description": "UTC, milliseconds"},
            },
        },
        "ScheduledList": {
            "type": "object",
            "required": ["scheduled"],
            "properties": {"scheduled": {"type": "array", "items": pending_item}},
        },
        "Cancelled": {
            "type": "object",
            "required": ["cancelled"],
            "properties": {"cancelled": {"type": "integer", "minimum": 1}},
        },
    }


def scheduled_paths(errors: Any) -> dict[str, Any]:
    """`errors(*statuses)` is the document's error responses."""
    bearer: list[dict[str, list[str]]] = [{"bearer": []}]
    return {
        "/api/scheduled": {
            "get": {
                "summary": "The caller's pending scheduled sends, soonest first",
                "security": bearer,
                "responses": {"200": _json(_ref("ScheduledList"), "the pending ones (none: empty)"), **errors(401)},
            }
        },
        "/api/scheduled/{key}": {
            "delete": {
                "summary": "Cancel the caller's pending scheduled sends with that key",
                "security": bearer,
                "parameters": [
                    {
                        "name": "key",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": KEY_PATTERN},
                    }
                ],
                "responses": {
                    "200": _json(_ref("Cancelled"), "cancelled: they will not be delivered"),
                    **errors(400, 401),
                    "404": _json(_ref("Error"), "not_found: the caller has no pending scheduled send with that key"),
                },
            }
        },
    }

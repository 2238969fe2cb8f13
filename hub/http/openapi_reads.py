"""The OpenAPI document's part for read state and receipts (`hub.http.reads`), merged by `hub.http.openapi`."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from hub.readstate import MAX_NAMED_RECIPIENTS, MAX_READ_IDS, MarkRead

_REF = "#/components/schemas/{model}"
_ERROR = {"$ref": _REF.format(model="Error")}
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: The header and query parameter that ask for receipts on an HTTP send.
RECEIPT_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "X-Receipt",
        "in": "header",
        "schema": {"type": "string"},
        "description": "yes/true/1: tell the sender's devices when it is delivered and seen (receipt events)",
    },
    {"name": "receipt", "in": "query", "schema": {"type": "string"}, "description": "as X-Receipt"},
]

#: What a notification in the history adds.
NOTIFICATION_PROPERTIES: dict[str, Any] = {
    "read": {"type": "boolean", "description": "history only: the caller has read it (on any device)"},
    "receipt": {"const": True, "description": "absent: its sender asked for no receipt"},
}


def schemas() -> dict[str, Any]:
    _, defs = models_json_schema([(MarkRead, "validation")], ref_template=_REF)
    out: dict[str, Any] = dict(defs["$defs"])
    out["Marked"] = {
        "type": "object",
        "required": ["ok", "marked", "unread", "unread_upto", "id"],
        "properties": {
            "ok": {"const": True},
            "marked": {"type": "array", "items": {"type": "integer"}, "description": "ids newly marked read"},
            "upto": {"type": ["integer", "null"], "description": "all: the newest of the caller's ids marked"},
            "unread": {"type": "integer", "description": "the caller's unread count after the mark"},
            "unread_upto": {"type": "integer", "description": "the newest id that count covers"},
            "id": {"type": ["integer", "null"], "description": "the `read` event told to the devices (null: none)"},
        },
    }
    counts = {
        "addressees": {"type": "integer", "description": "users it was addressed to, its sender excluded"},
        "delivered": {"type": "integer", "description": "users with at least one device that acked it"},
        "delivered_devices": {"type": "integer"},
        "seen": {"type": "integer", "description": "users whose client showed it or who marked it read"},
    }
    out["Receipts"] = {
        "type": "object",
        "required": ["notification_id", *counts, "users"],
        "properties": {
            "notification_id": {"type": "integer"},
            **counts,
            "users": {
                "type": ["array", "null"],
                "description": f"by name, when it went to one user, or to at most {MAX_NAMED_RECIPIENTS} "
                "(for a room: while the caller is a member); null: counts only",
                "items": {
                    "type": "object",
                    "required": ["user", "devices", "delivered_at", "seen_at"],
                    "properties": {
                        "user": {"type": "string"},
                        "devices": {"type": "integer"},
                        "delivered_at": {"type": ["string", "null"]},
                        "seen_at": {"type": ["string", "null"]},
                    },
                },
            },
        },
    }
    return out


def paths(errors: Any) -> dict[str, Any]:
    """The paths; `errors(*statuses)` gives the shared error answers."""
    return {
        "/api/read": {
            "post": {
                "summary": f"Mark the caller's notifications read on all their devices: up to {MAX_READ_IDS} "
                "ids, or all up to an id (device tokens only)",
                "security": _BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("MarkRead")}}},
                "responses": {
                    "200": _json(_ref("Marked"), "stored and told (ids not the caller's change nothing)"),
                    **errors(400, 401, 403, 408, 413, 415, 429, 503),
                },
            }
        },
        "/api/notifications/{id}/receipts": {
            "get": {
                "summary": "The receipts of a notification the caller sent with a receipt asked for",
                "security": _BEARER,
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {
                    "200": _json(_ref("Receipts"), "the receipts so far"),
                    **errors(400, 401),
                    "404": _json(_ERROR, "not_found: no notification of that id sent by the caller with a receipt"),
                },
            }
        },
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}

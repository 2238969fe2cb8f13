"""The OpenAPI 3.1 document of the hub's HTTP API, served at `/api/openapi.json`.

Request bodies come from the pydantic models the handlers validate with (`hub/protocol.py`), so
they cannot drift; responses are described here. `tests/hub/test_openapi.py` keeps the document
true: every route the app registers is documented and vice versa, and the answers the tests get
match the documented schemas.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from hub import __version__
from hub.config import HubConfig
from hub.http import browser, openapi_reads
from hub.http.errors import json_errors
from hub.http.openapi_scheduled import SCHEDULE_PARAMETERS, SCHEDULED_ANSWER, scheduled_paths, scheduled_schemas
from hub.keys import KEY_PATTERN
from hub.protocol import MAX_MESSAGE_BYTES, ErrorCode, HttpNotification, Kind, Login, NotificationType
from hub.rich import MAX_ACTIONS, Priority, TextFormat
from hub.schedule import ScheduledHttp

OPENAPI_PATH = "/api/openapi.json"
_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "invalid_payload: the body or a parameter has the wrong shape",
        401: "unauthorized: no token, or an unknown or revoked one",
        403: "forbidden: not allowed (admin-only, restricted room, send-only token)",
        404: "not_found: no such user or room",
        409: "conflict: too many scheduled sends pending (schedule_max_pending)",
        408: "timeout: the body did not arrive within http_body_timeout; the connection is closed",
        413: "too_large: message over 4 KiB, title over 200 characters, or body over 16 KiB",
        415: "unsupported_media_type: the body is not sent as application/json",
        429: "rate_limited: too many sends (or sign-in attempts); see Retry-After (seconds)",
        503: "unavailable: the store cannot take writes, or the hub is shutting down",
    }
    out: dict[str, Any] = {}
    for status in statuses:
        response = _json(_ref("Error"), meaning[status])
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
        out[str(status)] = response
    return out


KEY_DOC = "a key: a later send from the same account with the same key to the same addressee replaces this one"
_SENT = _json(_ref("Sent"), "stored (durably) and handed to every connected device of the recipients")
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]

_TEXT_SEND_PARAMETERS: list[dict[str, Any]] = [
    {"name": "X-Type", "in": "header", "schema": _ref("NotificationType"), "description": "notification type"},
    {"name": "X-Title", "in": "header", "schema": {"type": "string"}, "description": "title (one line)"},
    {
        "name": "X-Priority",
        "in": "header",
        "schema": {"type": "string"},
        "description": "min, low, default, high, urgent, ntfy's max, or 1-5 (also as `Priority`)",
    },
    {
        "name": "X-Click",
        "in": "header",
        "schema": {"type": "string"},
        "description": "an http, https or mailto URL opened on a click (also as `Click`)",
    },
    {
        "name": "X-Actions",
        "in": "header",
        "schema": {"type": "string"},
        "description": "up to 3 buttons in ntfy's short format (`respond, Approve; view, Logs, https://...`) "
        "or a JSON array of action objects (also as `Actions`)",
    },
    {
        "name": "X-Markdown",
        "in": "header",
        "schema": {"type": "string"},
        "description": "yes/true/1: the text is Markdown; no/false/0: plain (also as `Markdown`)",
    },
    {"name": "X-Key", "in": "header", "schema": {"type": "string"}, "description": KEY_DOC},
    {"name": "type", "in": "query", "schema": _ref("NotificationType"), "description": "as X-Type"},
    {"name": "title", "in": "query", "schema": {"type": "string"}, "description": "as X-Title"},
    *(
        {"name": name, "in": "query", "schema": {"type": "string"}, "description": f"as X-{name.title()}"}
        for name in ("priority", "click", "actions", "markdown", "key")
    ),
    *openapi_reads.RECEIPT_PARAMETERS,
    *SCHEDULE_PARAMETERS,
]
_TEXT_BODY = {
    "required": True,
    "description": f"the message text (UTF-8, at most {MAX_MESSAGE_BYTES} bytes; trailing line breaks are dropped)",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


def _schemas() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (HttpNotification, "validation"),
        (ScheduledHttp, "validation"),
        (Login, "validation"),
    ]
    _, defs = models_json_schema(models, ref_template=_REF)
    schemas: dict[str, Any] = dict(defs["$defs"]) | scheduled_schemas()
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"enum": [c.value for c in ErrorCode]},
                    "message": {"type": "string"},
                    "retry_after": {"type": "integer"},
                },
            }
        },
    }
    schemas["Sent"] = {
        "type": "object",
        "required": ["id", "recipients"],
        "properties": {
            "id": {"type": "integer", "description": "the notification's id"},
            "recipients": {"type": "integer", "description": "users it was stored for"},
        },
    }
    schemas["Notification"] = {
        "type": "object",
        "required": ["id", "kind", "type", "title", "message", "from", "room", "timestamp"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": [k.value for k in Kind]},
            "type": {"enum": [t.value for t in NotificationType]},
            "title": {"type": "string"},
            "message": {"type": "string"},
            "from": {"type": "string"},
            "sender": {"type": "string"},
            "room": {"type": ["string", "null"]},
            "timestamp": {"type": "string", "format": "date-time"},
            "priority": {"enum": [p.value for p in Priority], "description": "absent: default"},
            "click": {"type": "string", "description": "absent: none"},
            "actions": {"type": "array", "maxItems": MAX_ACTIONS, "items": {"type": "object"}},
            "format": {"enum": [f.value for f in TextFormat], "description": "absent: plain"},
            "key": {"type": "string", "description": "the sender's key; absent: none"},
            "replaces": {"type": "integer", "description": "the earlier version of this key this one replaces"},
            "edited": {"const": True, "description": "with `replaces`: a new version; absent: the first"},
            **openapi_reads.NOTIFICATION_PROPERTIES,
        },
    }
    schemas["Retracted"] = {
        "type": "object",
        "required": ["id", "retracts", "recipients"],
        "properties": {
            "id": {"type": ["integer", "null"], "description": "the `retracted` event's id; null: nothing stored"},
            "retracts": {"type": "array", "items": {"type": "integer"}, "description": "the ids withdrawn"},
            "recipients": {"type": "integer", "description": "users told"},
            "cancelled": {"type": "integer", "description": "scheduled sends of that key cancelled"},
        },
    }
    schemas["Response"] = {
        "type": "object",
        "required": ["id", "notification_id", "label", "from", "to", "title", "room", "timestamp"],
        "properties": {
            "id": {"type": "integer", "description": "the `response` event's id (notifications' sequence)"},
            "notification_id": {"type": "integer"},
            "label": {"type": "string", "description": "the answer: one of the notification's respond buttons"},
            "from": {"type": "string", "description": "who answered"},
            "to": {"type": "string", "description": "the notification's sender"},
            "title": {"type": "string"},
            "room": {"type": ["string", "null"]},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    }
    schemas["Responses"] = {
        "type": "object",
        "required": ["responses"],
        "properties": {"responses": {"type": "array", "items": _ref("Response")}},
    }
    schemas["History"] = {
        "type": "object",
        "required": ["notifications", "next_since", "more"],
        "properties": {
            "notifications": {"type": "array", "items": _ref("Notification")},
            "next_since": {"type": "integer", "description": "pass as `since` for the next page"},
            "more": {"type": "boolean", "description": "true when another page follows"},
        },
    }
    schemas["LoginAnswer"] = {
        "type": "object",
        "required": ["token", "token_id", "user"],
        "properties": {
            "token": {"type": "string", "description": "a new device token, shown once"},
            "token_id": {"type": "integer"},
            "user": {
                "type": "object",
                "required": ["name", "admin"],
                "properties": {"name": {"type": "string"}, "admin": {"type": "boolean"}},
            },
        },
    }
    schemas["Health"] = {
        "type": "object",
        "required": ["status", "store", "version", "uptime_seconds", "connections"],
        "properties": {
            "status": {"enum": ["ok", "degraded"]},
            "store": {"enum": ["ok", "unavailable"]},
            "version": {"type": "string"},
            "uptime_seconds": {"type": "number"},
            "connections": {"type": "integer"},
        },
    }
    return {**schemas, **openapi_reads.schemas()}


def _paths() -> dict[str, Any]:
    return {
        **scheduled_paths(_errors),
        "/api/login": {
            "post": {
                "summary": "Sign in with a password; returns a new device token",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Login")}}},
                "responses": {
                    "200": _json(_ref("LoginAnswer"), "signed in"),
                    **_errors(400, 401, 408, 413, 415, 429),
                    "401": _json(
                        _ref("Error"),
                        "unauthorized: wrong user name or password; password_expired: a one-time password already used",
                    ),
                },
            }
        },
        "/api/logout": {
            "post": {
                "summary": "Revoke the bearer token; its live sessions are disconnected",
                "security": _BEARER,
                "responses": {
                    "200": _json({"type": "object", "properties": {"ok": {"const": True}}}, "revoked"),
                    **_errors(401),
                },
            }
        },
        "/api/health": {
            "get": {
                "summary": "Store reachable, uptime, version",
                "responses": {
                    "200": _json(_ref("Health"), "healthy"),
                    "503": _json(_ref("Health"), "the store is unreachable"),
                },
            }
        },
        "/api/notifications": {
            "post": {
                "summary": "Send a notification to a user, a room, or everyone (admins); now, or later",
                "security": _BEARER,
                "parameters": [p for p in SCHEDULE_PARAMETERS if p["in"] == "header"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"anyOf": [_ref("HttpNotification"), _ref("ScheduledHttp")]}}
                    },
                },
                "responses": {
                    "201": _SENT,
                    "202": SCHEDULED_ANSWER,
                    **_errors(400, 401, 403, 404, 408, 409, 413, 415, 429, 503),
                },
            },
            "get": {
                "summary": "The caller's own notifications after `since`, oldest first (device tokens only)",
                "security": _BEARER,
                "parameters": [
                    {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
                    },
                ],
                "responses": {"200": _json(_ref("History"), "one page"), **_errors(400, 401, 403)},
            },
        },
        "/api/notifications/{id}/responses": {
            "get": {
                "summary": "The answers to a notification the caller sent (its respond buttons), oldest first",
                "security": _BEARER,
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {
                    "200": _json(_ref("Responses"), "the answers so far (none: an empty list)"),
                    **_errors(400, 401),
                    "404": _json(_ref("Error"), "not_found: no notification of that id sent by the caller"),
                },
            }
        },
        "/api/notifications/keys/{key}": {
            "delete": {
                "summary": "Retract what the caller sent with a key to a user, a room or everyone, from every device",
                "security": _BEARER,
                "parameters": [
                    {
                        "name": "key",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": KEY_PATTERN},
                    },
                    {"name": "to", "in": "query", "schema": {"type": "string"}, "description": "it went to this user"},
                    {"name": "room", "in": "query", "schema": {"type": "string"}, "description": "to this room"},
                    {"name": "everyone", "in": "query", "schema": {"enum": ["true", "false"]}, "description": "to all"},
                ],
                "responses": {
                    "200": _json(_ref("Retracted"), "withdrawn: every recipient's devices are told (`retracted`)"),
                    **_errors(400, 401, 429, 503),
                    "404": _json(_ref("Error"), "not_found: the caller sent nothing with that key there"),
                },
            }
        },
        "/api/notify/{user}": {
            "post": {
                "summary": "Send the request body as a notification to a user (curl-friendly)",
                "security": _BEARER,
                "parameters": [
                    {"name": "user", "in": "path", "required": True, "schema": {"type": "string"}},
                    *_TEXT_SEND_PARAMETERS,
                ],
                "requestBody": _TEXT_BODY,
                "responses": {
                    "201": _SENT,
                    "202": SCHEDULED_ANSWER,
                    **_errors(400, 401, 403, 404, 408, 409, 413, 429, 503),
                },
            }
        },
        "/api/notify/room/{room}": {
            "post": {
                "summary": "Send the request body as a notification to a room (curl-friendly)",
                "security": _BEARER,
                "parameters": [
                    {"name": "room", "in": "path", "required": True, "schema": {"type": "string"}},
                    *_TEXT_SEND_PARAMETERS,
                ],
                "requestBody": _TEXT_BODY,
                "responses": {
                    "201": _SENT,
                    "202": SCHEDULED_ANSWER,
                    **_errors(400, 401, 403, 404, 408, 409, 413, 429, 503),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (text exposition format)",
                "responses": {
                    "200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}
                },
            }
        },
        OPENAPI_PATH: {
            "get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "the OpenAPI document")},
            }
        },
    }


def document(config: HubConfig | None = None) -> dict[str, Any]:
    """The document of a hub with `config` (its browser routes depend on it; default: the defaults)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lan-notify hub HTTP API",
            "version": __version__,
            "description": "Send notifications from scripts; the real-time side is Socket.IO (docs/protocol.md). "
            "Any endpoint answers 403 `forbidden` to a Host name or a browser Origin the hub does not serve, "
            "and 503 `unavailable` (429 `too_many_connections` per address) when it is at its connection "
            "limits, except /api/health.",
        },
        "paths": {**_paths(), **openapi_reads.paths(_errors), **browser.openapi_paths(config or HubConfig())},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a device token, or a send-only token (`notify-hub token create NAME --send-only`)",
                }
            },
        },
    }


def add_routes(app: web.Application, config: HubConfig) -> None:
    served = document(config)

    async def openapi_json(request: web.Request) -> web.Response:
        return web.json_response(served)

    app.router.add_get(OPENAPI_PATH, json_errors(openapi_json), allow_head=False)

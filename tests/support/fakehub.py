"""A small stand-in hub speaking the real protocol over real Socket.IO and HTTP, on a free port.

It exists so `desktop.net` can be tested before (and independently of) the real hub; the
integration tests against `hub.app.create_app` cover the real thing. Every change it sees
pokes it (a `tests.support.waiting.Changes`), so tests wait on conditions (`await hub.until(...)`), never on
the clock.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import socketio
from aiohttp import web
from pydantic import ValidationError

from hub.protocol import DELIVERY_EVENT, Event, Kind, Respond
from hub.validation import describe_validation_error
from tests.support.waiting import Changes


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve an aiohttp app on 127.0.0.1, on a port the OS picks; returns the runner and the base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


class FakeHub(Changes):
    def __init__(self, users: dict[str, str] | None = None) -> None:
        super().__init__()
        self.users = users or {"alice": "wonderland", "bob": "builder"}
        self.tokens: dict[str, str] = {}  # token -> user
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        self.app = web.Application()
        self.sio.attach(self.app)
        self.app.router.add_post("/api/login", self._login)
        self.app.router.add_post("/api/logout", self._logout)
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.stored: list[dict[str, Any]] = []
        self.pruned_upto = 0
        self.sessions: dict[str, str] = {}  # sid -> user
        self.auths: list[Any] = []
        self.acks: list[int] = []
        self.logouts: list[str] = []
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on(Event.ACK.value, self._ack)
        self.sio.on(Event.RESPOND.value, self._respond)
        #: Every `respond` the hub answered, as `(user, payload)`.
        self.responds: list[tuple[str, Any]] = []

    # ------------------------------------------------------------------ life

    async def start(self) -> str:
        self.runner, self.url = await serve(self.app)
        return self.url

    async def stop(self) -> None:
        await self.sio.shutdown()
        if self.runner is not None:
            await self.runner.cleanup()

    # ------------------------------------------------------------------ HTTP

    async def _login(self, request: web.Request) -> web.Response:
        body = await request.json()
        name, password = body.get("username"), body.get("password")
        if self.users.get(name) != password:
            error = {"code": "unauthorized", "message": "wrong username or password"}
            return web.json_response({"error": error}, status=401)
        token = f"tok-{name}-{next(self._tokens)}"
        self.tokens[token] = name
        return web.json_response({"token": token, "user": {"name": name, "admin": name == "alice"}})

    async def _logout(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.tokens.pop(token, None) is None:
            return web.json_response({"error": {"code": "unauthorized", "message": "unknown token"}}, status=401)
        self.logouts.append(token)
        for sid, user in list(self.sessions.items()):
            if user not in self.tokens.values():
                await self.sio.disconnect(sid)
        return web.json_response({"ok": True})

    # ------------------------------------------------------------------ Socket.IO

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        self.auths.append(auth)
        token = auth.get("token") if isinstance(auth, dict) else None
        user = self.tokens.get(token) if isinstance(token, str) else None
        if user is None:
            message = "this device token is not valid (unknown or revoked): sign in again"
            raise socketio.exceptions.ConnectionRefusedError(message, {"code": "unauthorized", "message": message})
        self.sessions[sid] = user
        last_id = auth.get("last_id") if isinstance(auth, dict) else None
        self.sio.start_background_task(self._greet, sid, user, last_id)

    async def _greet(self, sid: str, user: str, last_id: int | None) -> None:
        online = sorted(set(self.sessions.values()))
        welcome = {"message": f"Welcome, {user}!", "user": {"name": user, "admin": user == "alice"}, "online": online}
        await self.sio.emit(Event.WELCOME.value, {**welcome, "limits": {}}, to=sid)
        since = last_id or 0
        if since < self.pruned_upto:
            gap = {"since": since, "upto": self.pruned_upto, "message": "removed by retention"}
            await self.sio.emit(Event.GAP.value, gap, to=sid)
        for note in self.stored:
            if note["id"] > since and note["id"] > self.pruned_upto and self._addressed(note, user):
                await self.sio.emit(self._event(note), note, to=sid)
        self.poke()

    async def _disconnect(self, sid: str, *args: Any) -> None:
        self.sessions.pop(sid, None)
        self.poke()

    async def _ack(self, sid: str, data: Any) -> dict[str, Any]:
        self.acks.append(int(data["id"]))
        self.poke()
        return {"ok": True}

    # ------------------------------------------------------------------ test controls

    @staticmethod
    def _addressed(note: dict[str, Any], user: str) -> bool:
        if "notification_id" in note:  # a response: for the sender and the one who answered
            return user in {note["to"], note["from"]}
        return bool(note["kind"] != "direct" or note["_to"] == user)

    @staticmethod
    def _event(note: dict[str, Any]) -> str:
        return Event.RESPONSE.value if "notification_id" in note else DELIVERY_EVENT[Kind(note["kind"])].value

    async def _respond(self, sid: str, data: Any) -> dict[str, Any]:
        """`respond {id, label}` as docs/protocol.md says the hub answers it (hub/delivery/answers.py)."""
        user = self.sessions[sid]
        self.responds.append((user, data))
        self.poke()
        try:
            asked = Respond.model_validate(data)
        except ValidationError as exc:
            code, message = describe_validation_error(exc)
            return {"ok": False, "error": {"code": code.value, "message": message}}
        note = next((n for n in self.stored if n["id"] == asked.id and "notification_id" not in n), None)
        if note is None or not self._addressed(note, user):
            return {"ok": False, "error": {"code": "not_found", "message": f"no notification {asked.id} of yours"}}
        labels = [a["label"] for a in note.get("actions", []) if a.get("action") == "respond"]
        if asked.label not in labels:
            return {"ok": False, "error": {"code": "invalid_payload", "message": f"label: not one of {labels}"}}
        before = next((r for r in self.stored if r.get("notification_id") == asked.id and r["from"] == user), None)
        if before is not None:
            message = f"you already answered this notification ({before['label']})"
            return {"ok": False, "error": {"code": "conflict", "message": message}}
        response = await self.answer(note, by=user, label=asked.label)
        return {"ok": True, "response": response}

    def next_id(self) -> int:
        """An id from the sequence notifications and responses share."""
        return next(self._ids)

    async def answer(self, note: dict[str, Any], *, by: str, label: str) -> dict[str, Any]:
        """Store `by`'s answer to `note` and emit it as a `response` to the sender and to `by`."""
        response = {
            "id": self.next_id(),
            "notification_id": note["id"],
            "label": label,
            "from": by,
            "to": note["from"],
            "title": note["title"] or note["message"].splitlines()[0][:200],
            "room": note["room"],
            "timestamp": datetime.now(UTC).isoformat(),
        }
        self.stored.append(response)
        await self.deliver(response)
        return response

    def make(self, to: str, ntype: str = "info", **fields: Any) -> dict[str, Any]:
        nid = next(self._ids)
        note: dict[str, Any] = {
            "id": nid,
            "kind": "direct",
            "type": ntype,
            "title": f"Title {nid}",
            "message": f"Message {nid}",
            "from": "bob",
            "sender": "bob",
            "room": None,
            "timestamp": datetime.now(UTC).isoformat(),
            "_to": to,
        }
        note.update(fields)
        return note

    async def send(self, to: str, ntype: str = "info", **fields: Any) -> dict[str, Any]:
        """Store a notification and deliver it to the user's connected sessions (queued when none)."""
        note = self.make(to, ntype, **fields)
        self.stored.append(note)
        await self.deliver(note)
        return note

    async def deliver(self, note: dict[str, Any]) -> None:
        """Emit a notification again, as-is (to test duplicates)."""
        for sid, user in list(self.sessions.items()):
            if self._addressed(note, user):
                await self.sio.emit(self._event(note), note, to=sid)
        self.poke()

    async def emit_all(self, event: str, data: Any) -> None:
        for sid in list(self.sessions):
            await self.sio.emit(event, data, to=sid)

    async def kick_all(self) -> None:
        for sid in list(self.sessions):
            await self.sio.disconnect(sid)

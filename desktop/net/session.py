"""One signed-in hub + user: its local history, its inbox and its live connection. No Qt.

The app opens a `HubSession` after a sign-in (or a silent one from the keyring) and closes it on
sign-out, on a refused token and on quit. The toast policy and the unread counter outlive
sessions (they belong to the screen); everything else here belongs to one hub + user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from desktop.core.compose import ComposeDraft, Limits, TargetKind, keeps_sent, request_for, sent_notification
from desktop.core.connection import ConnectionStatus
from desktop.core.directory import Directory
from desktop.core.dnd import Sink
from desktop.core.history import AsyncHistory, history_path
from desktop.core.inbox import Inbox
from desktop.core.models import ReceivedNotification, ReceivedResponse
from desktop.core.readstate import mark_all_request, mark_requests
from desktop.core.unread import UnreadCounter
from desktop.errors import CertificateError, HubClientError, HubUnreachableError
from desktop.net.client import HubClient
from desktop.net.presence import Welcome
from hub.protocol import Event, Kind, NotificationType

log = logging.getLogger(__name__)


class HubSession:
    def __init__(self, hub_url: str, username: str, token: str, history: AsyncHistory, inbox: Inbox[Sink]) -> None:
        self.hub_url = hub_url
        self.username = username
        self.token = token
        self.history = history
        self.inbox = inbox
        self.client: HubClient | None = None
        self.directory = Directory(username)
        self.limits = Limits()
        #: How to reach the hub over HTTPS (`HubTrust.ssl_for`), for the HTTP API beside the connection.
        self.ssl: Any = True
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(
        cls,
        *,
        hub_url: str,
        username: str,
        token: str,
        data_dir: Path,
        toasts: Sink,
        unread: UnreadCounter,
        on_state: Callable[[ConnectionStatus], None],
        directory: Directory | None = None,
        ssl: Any = True,
        on_untrusted: Callable[[CertificateError], None] | None = None,
    ) -> HubSession:
        """Open the history and connect (the connection keeps trying in the background)."""
        history = await AsyncHistory.open(history_path(data_dir, hub_url, username))
        inbox = Inbox(history, unread, toasts)
        session = cls(hub_url, username, token, history, inbox)
        session.ssl = ssl
        if directory is not None:
            directory.reset(username)
            session.directory = directory
        last_id = await inbox.load()
        session.client = HubClient(
            hub_url,
            token,
            last_id=last_id or 0,
            on_notification=session._received,
            on_gap=inbox.gap,
            on_response=session._answered,
            on_retract=inbox.retracted,
            on_read=inbox.read_elsewhere,
            on_receipt=inbox.receipt,
            on_state=on_state,
            on_welcome=session._welcomed,
            on_presence=session._presence,
            ssl=ssl,
            on_untrusted=on_untrusted or (lambda _: None),
        )
        session.client.start()
        log.info("signed in as %s at %s (resuming after #%s)", username, hub_url, last_id or 0)
        return session

    # ------------------------------------------------------------------ the hub's view of people and rooms

    async def _received(self, notification: ReceivedNotification) -> bool:
        new = await self.inbox.receive(notification)
        if new and notification.kind is Kind.NOTICE and notification.room:
            # "bob joined ops": a room's members changed (maybe ours, from another device): refresh the rooms.
            self._spawn(self._refresh_rooms())
        return new

    async def _answered(self, response: ReceivedResponse) -> None:
        await self.inbox.response(response, me=self.username)

    async def respond(self, notification_id: int, label: str) -> ReceivedResponse:
        """Answer a notification with one of its `respond` buttons (`respond {id, label}`); the hub sends the
        answer to the sender. Returns it as kept in the history; raises `HubRefusedError` (e.g. `conflict`:
        answered before) or `HubUnreachableError`."""
        answer = await self._client().call(Event.RESPOND.value, {"id": notification_id, "label": label})
        try:
            response = ReceivedResponse.from_wire(answer.get("response") or {})
        except ValueError as exc:
            raise HubClientError(f"the hub's answer to respond was not understood: {exc}") from None
        await self.inbox.response(response, me=self.username)
        return response

    async def _refresh_rooms(self) -> None:
        try:
            self.directory.set_rooms(await self._client().list_rooms())
        except HubClientError as exc:
            log.info("could not list rooms: %s", exc)

    def _welcomed(self, welcome: Welcome) -> None:
        self.limits = Limits.from_welcome(welcome.limits)
        self.directory.set_identity(welcome.username or self.username, welcome.admin)
        self.inbox.welcome(welcome.unread, welcome.unread_upto)
        self._spawn(self._refresh_quietly())

    def _presence(self, online: frozenset[str], whole: bool) -> None:
        """Who is online: the hub's list at a connect (`whole`: nobody "came online") or a change."""
        if whole:
            self.directory.set_online(online, initial=True)
        elif online != self.directory.online:
            self.directory.set_online(online)

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except HubClientError as exc:
            log.info("could not list users and rooms: %s", exc)

    async def refresh(self) -> None:
        """Ask the hub for its users and its rooms (at connect, and when a menu opens). Who is online
        is not asked: the hub's presence events keep it, and a connect wave asks nothing per device."""
        client = self._client()
        self.directory.set_users(await client.call(Event.LIST_USERS.value))
        self.directory.set_rooms(await client.list_rooms())

    async def send(self, draft: ComposeDraft) -> dict[str, Any]:
        """Send a draft; returns the hub's answer or raises `HubRefusedError` / `HubUnreachableError`."""
        event, payload = request_for(draft)
        answer = await self._client().call(event, payload)
        if keeps_sent(draft, answer, self.username):
            sent = sent_notification(draft, int(answer["id"]), self.username)
            await self.history.add_sent(sent, draft.to.label)
            if draft.to.kind is not TargetKind.USER:
                # our own copy comes too (to us as a member, or as one of everyone): it is read, on every device
                await self.mark_read([sent.id])
        return answer

    async def join_room(self, room: str) -> None:
        client = self._client()
        await client.call(Event.JOIN_ROOM.value, {"room": room})
        self.directory.set_member(room, True)
        self.directory.set_rooms(await client.list_rooms())

    async def leave_room(self, room: str) -> None:
        client = self._client()
        await client.call(Event.LEAVE_ROOM.value, {"room": room})
        self.directory.set_member(room, False)
        self.directory.set_rooms(await client.list_rooms())

    # ------------------------------------------------------------------ read state on every device

    async def mark_read(self, ids: Sequence[int]) -> int:
        """Mark these read here, and tell the hub (in the background) so every device of ours marks
        them (one message, or one per 500 ids); a hub out of reach is logged: the marks stay on this
        computer. Returns how many were unread here."""
        count = await self.inbox.set_read(ids, True)
        self.inbox.own_marks.sent(ids)
        self._spawn(self._tell_hub(*mark_requests(ids)))
        return count

    async def mark_all_read(self, *, types: Collection[NotificationType] | None = None, search: str = "") -> int:
        """Mark read what a filter shows: without one, "all up to the newest" as one message; with one,
        the ids it showed unread. Returns how many were unread."""
        filtered = types is not None or bool(search)
        ids = await self.history.unread_ids(types=types, search=search) if filtered else []
        upto = await self.history.last_id()
        count = await self.inbox.mark_all_read(types=types, search=search)
        if filtered:
            self.inbox.own_marks.sent(ids)
            self._spawn(self._tell_hub(*mark_requests(ids)))
        elif upto is not None:
            self.inbox.own_marks.sent(upto=upto)
            self._spawn(self._tell_hub(mark_all_request(upto)))
        return count

    async def _tell_hub(self, *payloads: dict[str, Any]) -> None:
        for payload in payloads:
            try:
                await self._client().call(Event.MARK_READ.value, payload)
            except HubClientError as exc:
                log.info("could not tell the hub of read marks: %s", exc)
                return

    def _client(self) -> HubClient:
        if self.client is None:
            raise HubUnreachableError("signed out")
        return self.client

    @property
    def status(self) -> ConnectionStatus:
        return self.client.status if self.client is not None else ConnectionStatus()

    async def close(self) -> None:
        """Disconnect and close the history; safe to call twice."""
        client, self.client = self.client, None
        for task in list(self._tasks):
            task.cancel()
        if client is not None:
            await client.stop()
        await self.history.close()

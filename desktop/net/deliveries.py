"""What the hub delivers to one device: each notification (and each answer to one, a `response`, and
each withdrawal, a `retracted`: their ids come from the same sequence) handed on once, in arrival
order, and acked cumulatively once handled; gap reports in the same order.

Socket.IO runs each incoming event in its own task; notifications are processed one at a time in
arrival order (a FIFO lock), so an id is acked only after every earlier one was handled. When handling
one fails, nothing after it may be acked either: the connection is dropped, and the resume point sent
on reconnect (`last_id`) has the hub replay the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, TypeVar

import socketio

from desktop.core.edits import Retraction
from desktop.core.models import Gap, ReceivedNotification, ReceivedResponse
from desktop.core.readstate import ReadMarks, Receipt
from hub.protocol import Event

log = logging.getLogger(__name__)
R = TypeVar("R", ReceivedResponse, ReadMarks, Receipt, Retraction)

#: Notification ids remembered to drop a duplicate (a replay overlapping what arrived live).
SEEN_MEMORY: Final = 10_000


class Deliveries:
    def __init__(
        self,
        *,
        last_id: int | None,
        on_notification: Callable[[ReceivedNotification], Awaitable[object]],
        on_gap: Callable[[Gap], Awaitable[object]],
        socket: Callable[[], socketio.AsyncClient | None],
        drop_connection: Callable[[], Coroutine[Any, Any, None]],
        on_response: Callable[[ReceivedResponse], Awaitable[object]] | None = None,
        on_retract: Callable[[Retraction], Awaitable[object]] | None = None,
        on_read: Callable[[ReadMarks], Awaitable[object]] | None = None,
        on_receipt: Callable[[Receipt], Awaitable[object]] | None = None,
    ) -> None:
        """`socket` is the live connection (acks go there); `drop_connection` closes it as if it were lost."""
        self.last_id = last_id
        self._acking = False  # set per connection: giving a resume point means we ack what we get
        self._acked = last_id or 0
        self._on_notification = on_notification
        self._on_gap = on_gap
        self._on_response = on_response
        self._on_retract = on_retract
        self._on_read = on_read
        self._on_receipt = on_receipt
        self._socket = socket
        self._drop_connection = drop_connection
        self._order = asyncio.Lock()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._resyncing = False
        self._ack_task: asyncio.Task[None] | None = None

    def resume_point(self) -> dict[str, Any]:
        """What a (re)connect's `auth` says of this device's place: `{last_id}`, or nothing (live only)."""
        self._acking = self.last_id is not None
        return {"last_id": self.last_id} if self.last_id is not None else {}

    def new_connection(self) -> None:
        self._resyncing = False

    def stop(self) -> None:
        if self._ack_task is not None:
            self._ack_task.cancel()

    async def notification(self, data: Any) -> None:
        try:
            notification = ReceivedNotification.from_wire(data)
        except (ValueError, TypeError) as exc:
            log.warning("ignored a malformed notification: %s", exc)
            return
        await self._handle(notification.id, lambda: self._on_notification(notification))

    async def response(self, data: Any) -> None:
        """A `response`: someone answered a notification. Ordered and acked as notifications are."""
        await self._row("response", ReceivedResponse.from_wire, data, self._on_response)

    async def read(self, data: Any) -> None:
        """A `read`: marks made on one of the user's devices. Ordered and acked as notifications are."""
        await self._row("read event", ReadMarks.from_wire, data, self._on_read)

    async def receipt(self, data: Any) -> None:
        """A `receipt`: what we sent was delivered or seen. Ordered and acked as notifications are."""
        await self._row("receipt", Receipt.from_wire, data, self._on_receipt)

    async def retracted(self, data: Any) -> None:
        """A `retracted`: the sender withdrew notifications. Ordered and acked as notifications are."""
        await self._row("retraction", Retraction.from_wire, data, self._on_retract)

    async def _row(
        self, what: str, parse: Callable[[Any], R], data: Any, handler: Callable[[R], Awaitable[object]] | None
    ) -> None:
        """A row of the id sequence other than a notification: parsed, then handled in its turn."""
        try:
            row = parse(data if isinstance(data, dict) else {})
        except (ValueError, TypeError) as exc:
            log.warning("ignored a malformed %s: %s", what, exc)
            return
        await self._handle(row.id, (lambda: handler(row)) if handler is not None else None)

    async def _handle(self, item_id: int, handle: Callable[[], Awaitable[object]] | None) -> None:
        async with self._order:
            if self._resyncing or item_id in self._seen:
                return  # a duplicate, or after a failure: the replay on reconnect brings it again
            try:
                if handle is not None:
                    await handle()
            except Exception:
                # Acks are cumulative, so nothing after this one may be acked either: drop the
                # connection and resume from the last id handled; the hub replays the rest.
                log.exception("handling delivery %s failed; resyncing", item_id)
                self._resyncing = True
                asyncio.get_running_loop().create_task(self._drop_connection(), name="hub-resync")
                return
            self._remember(item_id)
            if self.last_id is None or item_id > self.last_id:
                self.last_id = item_id
        self._schedule_ack()

    async def gap(self, data: Any) -> None:
        try:
            gap = Gap.from_wire(data if isinstance(data, dict) else {})
        except ValueError as exc:
            log.warning("ignored a malformed gap report: %s", exc)
            return
        async with self._order:
            await self._on_gap(gap)

    def _remember(self, notification_id: int) -> None:
        self._seen[notification_id] = None
        while len(self._seen) > SEEN_MEMORY:
            self._seen.popitem(last=False)

    def _schedule_ack(self) -> None:
        if not self._acking or (self._ack_task is not None and not self._ack_task.done()):
            return
        self._ack_task = asyncio.get_running_loop().create_task(self._flush_acks(), name="hub-ack")

    async def _flush_acks(self) -> None:
        # One ack covers every notification handled so far (acks are cumulative).
        while self.last_id is not None and self.last_id > self._acked:
            upto = self.last_id
            sio = self._socket()
            if sio is None or not sio.connected:
                return  # the next connect sends last_id instead
            try:
                await sio.emit(Event.ACK.value, {"id": upto})
            except socketio.exceptions.SocketIOError:
                return
            self._acked = upto

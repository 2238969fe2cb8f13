"""How a Socket.IO send is answered once the pipeline is done with it.

A `SendAnswer` stands in for the sender's future (`hub.delivery.ports.Waiter`): the deliverer
settles it as it hands the notification out, and it writes the ack to the sender's connection
there and then. A batch's answers are plain calls in one loop turn, and a sender's acks go out in
that turn's one write to its connection (hub/transport/engine.py), with no future, done-callback
or scheduled callback per notification.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hub.errors import Unavailable
from hub.protocol import sent_ack
from hub.store import Stored

#: Writes an ack: (the Engine.IO connection's sid, the ack id, its arguments).
AckWriter = Callable[[str, int, list[Any]], None]
#: The failed answer's body for (the Socket.IO sid, the exception, whether an ack is wanted); tells
#: a client that wants no ack by an `error` event.
Refuser = Callable[[str, BaseException, bool], dict[str, Any]]


class SendAnswer:
    """The answer to one send: `{ok: true, id, recipients}` once stored, or the refusal.

    A client that asked for no ack (`ack_id` None) hears of a failure only, as an `error` event.
    Settled once: a later settlement is ignored."""

    __slots__ = ("_ack", "_ack_id", "_eio_sid", "_refuse", "_settled", "_sid")

    def __init__(self, sid: str, eio_sid: str, ack_id: int | None, ack: AckWriter, refuse: Refuser) -> None:
        self._sid = sid
        self._eio_sid = eio_sid
        self._ack_id = ack_id
        self._ack = ack
        self._refuse = refuse
        self._settled = False

    def done(self) -> bool:
        return self._settled

    def set_result(self, result: Stored, /) -> None:
        if self._settled:
            return
        self._settled = True
        if self._ack_id is not None:
            self._ack(self._eio_sid, self._ack_id, [sent_ack(result.notification.id, len(result.recipients))])

    def set_exception(self, exception: BaseException, /) -> None:
        if self._settled:
            return
        self._settled = True
        body = self._refuse(self._sid, exception, self._ack_id is not None)
        if self._ack_id is not None:
            self._ack(self._eio_sid, self._ack_id, [body])

    def settle(self, future: asyncio.Future[Stored]) -> None:
        """Settled as `future` was (a send that had to wait, and was queued with a future)."""
        if future.cancelled():
            self.set_exception(Unavailable("the hub stopped before storing this notification"))
        elif (error := future.exception()) is not None:
            self.set_exception(error)
        else:
            self.set_result(future.result())

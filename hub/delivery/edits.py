"""Retracting by key: only the account that sent a key withdraws it, from every device.

Updating needs nothing here: a send with a key goes through `Sender` like any other, and the
transaction that stores it supersedes the sender's earlier notification of that key to the same
addressee (`hub.store.edits`). A retraction is a `retract` control notification through the same
pipeline: the transaction that stores it deletes what it withdraws, it goes to whoever still had
that (and to the addressee), and it is replayed, acked and resumed as a notification is.

Whose key it is goes by the sender's account id. A key someone else sent, a key never sent and a
key already retracted get the same answer (`not_found`), so nobody learns what others sent.

Scheduled sends register `pending` hooks (`add_pending`): a retraction first cancels what is still
waiting under that key, and succeeds with nothing stored when something was cancelled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hub.delivery.limits import SendLimits
from hub.delivery.sending import Sender
from hub.delivery.sessions import Actor
from hub.delivery.users import UserCache
from hub.edits import Retract
from hub.errors import NotFound
from hub.protocol import Kind, NotificationType
from hub.store import NewNotification, Store
from hub.store.edits import EVERYONE, KeyRef
from hub.timeutil import utc_now_iso

#: Cancels what is waiting to be sent under a key (sender id, key, addressee); how many it cancelled.
PendingHook = Callable[[KeyRef], Awaitable[int]]


class Edits:
    def __init__(self, store: Store, users: UserCache, limits: SendLimits, sender: Sender) -> None:
        self._store = store
        self._users = users
        self._limits = limits
        self._sender = sender
        self._pending: list[PendingHook] = []

    def add_pending(self, hook: PendingHook) -> None:
        """Have a retraction also cancel sends still pending under its key (the scheduler's seam)."""
        self._pending.append(hook)

    async def retract(self, actor: Actor, payload: Retract) -> dict[str, Any]:
        """Withdraw what `actor` sent with `payload.key` to its addressee; the ack's body."""
        me = actor.user
        to_user_id: int | None = None
        if payload.to is not None:
            user = await self._users.named(payload.to)
            if user is None:
                raise NotFound(self._nothing(payload))
            to_user_id = user.id
        where = (
            EVERYONE if payload.everyone else f"user:{to_user_id}" if to_user_id is not None else f"room:{payload.room}"
        )
        ref: KeyRef = (me.id, payload.key, where)
        await self._limits.check(actor)  # before anything changes: a refused retraction cancels nothing
        cancelled = 0
        for hook in self._pending:
            cancelled += await hook(ref)
        if not await self._store.edits.live(ref):
            if cancelled:
                return {"ok": True, "id": None, "retracts": [], "recipients": 0, "cancelled": cancelled}
            raise NotFound(self._nothing(payload))
        draft = NewNotification(
            kind=Kind.RETRACT,
            type=NotificationType.INFO,
            title="",
            message="",
            sender=me.name,
            timestamp=utc_now_iso(),
            to_user_id=to_user_id,
            room=payload.room,
            sender_id=me.id,
            key=payload.key,
        )
        stored = await self._sender.submit(draft)
        note = stored.notification
        return {
            "ok": True,
            "id": note.id,
            "retracts": list(note.retracts or ()),
            "recipients": len(stored.recipients),
            "cancelled": cancelled,
        }

    @staticmethod
    def _nothing(payload: Retract) -> str:
        return f"you have sent nothing with key {payload.key!r} to {payload.where()} (or it was retracted)"

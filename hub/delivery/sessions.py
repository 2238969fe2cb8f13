"""Who is asking (`Actor`), and one connected client (`Session`). In memory, per hub process."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from hub.store import User


@dataclass(eq=False, slots=True)
class Actor:
    """Who is asking: a connected client, or an HTTP request with a token. `Sender` takes this."""

    user: User
    #: In open mode a client names itself; such an actor never gets admin rights.
    claimed: bool = False
    #: Held from validation until a send is queued, so one client's sends keep their order.
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def admin(self) -> bool:
        return self.user.admin and not self.claimed


@dataclass(eq=False, slots=True)
class Session(Actor):
    """One connected Socket.IO client (a tab, a tray app, a script)."""

    sid: str = ""
    #: The delivery-cursor key: one per device token (or per claimed name in open mode).
    device: str = ""
    token_id: int | None = None
    #: True when the client tells the hub what it has (`last_id` at connect, `ack` events).
    acking: bool = False
    resume_from: int | None = None
    #: Told of presence in `presence` batches, not one `user_online` / `user_offline` per change.
    batched: bool = False
    #: Its `welcome` carries the `online` list (asked for, or not asked and not batched).
    listed: bool = True
    last_sent: int = 0
    acked: int = 0
    syncing: bool = True
    #: Set when the client is gone; a replay still running for it stops and moves no cursor.
    closed: bool = False
    #: For clients that never ack: (time, last id sent then), about one entry a second, so the hub
    #: can tell what was sent long enough ago that a dead connection would have been noticed since.
    #: Made on the first send: an empty deque is ~600 bytes, and most idle connections have none.
    trail: deque[tuple[float, int]] | None = None

    pending: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)

    def sent_before(self, moment: float) -> int | None:
        """The last id sent at or before `moment` (None: nothing that old, or nothing since the last
        answer), dropping older entries. The caller confirms what this returns: once that is the
        last id sent, the trail goes, so a client sent nothing since costs the cursors' walk nothing."""
        trail = self.trail
        if trail is None:
            return None
        while len(trail) > 1 and trail[1][0] <= moment:
            trail.popleft()
        if trail[0][0] > moment:
            return None
        if len(trail) == 1:
            self.trail = None
        return trail[0][1]

    def note_sent(self, now: float, nid: int) -> None:
        trail = self.trail
        if trail is None:
            self.trail = deque([(now, nid)])
        elif trail and now - trail[-1][0] < 1.0:
            trail[-1] = (trail[-1][0], nid)
        else:
            trail.append((now, nid))

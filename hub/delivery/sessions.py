"""Who is asking (`Actor`), and one connected client (`Session`). In memory, per hub process."""

from __future__ import annotations

import asyncio
import math
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
    #: For clients that never ack: when its replay ended and it went live (`Replay.catch_up`; never
    #: while it replays), and the last id it had been sent by then. What it is sent live after that
    #: is written as the hub hands each notification out, so the hub's one log of those moments
    #: (`HandOuts`) says what it was sent by when: no record per session per send.
    live_since: float = math.inf
    live_from: int = 0
    #: The last id taken as received (its cursor as this session moved it): the cursors' walk skips
    #: a session with nothing sent since.
    confirmed: int = 0

    pending: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)

    def went_live(self, now: float) -> None:
        """Its replay is over: from now on it is sent each notification as the hub hands it out."""
        self.live_since = now
        self.live_from = self.last_sent

    def sent_before(self, moment: float, handed_out: int) -> int:
        """The last id this session was sent at or before `moment`, given `handed_out`, the last id the
        hub handed out by then (`HandOuts.upto`); 0 if it was still replaying then."""
        if self.live_since > moment:
            return 0
        sent = self.last_sent
        return max(self.live_from, handed_out if handed_out < sent else sent)


class HandOuts:
    """When this hub handed out which notifications: (time, last id handed out), one entry a second.

    The deliverer hands notifications out in id order, and writes each to every live session it is
    for as it does, so "the last id handed out at or before t" bounds what any live session was sent
    by t. One entry per second for the whole hub replaces a record per session per send (5,000
    records for one broadcast to 5,000 sessions, and a deque per session that was sent anything).
    An entry carries the time of the first hand-out it covers and the last id handed out within the
    second after it, so an id may be up to a second younger than its entry's time (the cursors'
    window allows for it)."""

    __slots__ = ("_ids", "_times")

    def __init__(self) -> None:
        self._times: deque[float] = deque()
        self._ids: deque[int] = deque()

    def note(self, now: float, nid: int) -> None:
        times = self._times
        if times and now - times[-1] < 1.0:
            self._ids[-1] = nid
        else:
            times.append(now)
            self._ids.append(nid)

    def upto(self, moment: float) -> int:
        """The last id handed out at or before `moment` (0: none), forgetting older entries: callers
        ask for moments that only move forward."""
        times, ids = self._times, self._ids
        while len(times) > 1 and times[1] <= moment:
            times.popleft()
            ids.popleft()
        if not times or times[0] > moment:
            return 0
        return ids[0]

"""Delivery cursors: per device, the last notification it is known to have, saved about once a second.

A client that acks moves its cursor itself. For one that never acks, the hub counts as received
what it sent longer ago than `unnoticed_window`: had the connection died before, the hub would have
noticed by then, and a client that reconnects gets back what was sent within the window.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.config import HEARTBEAT_TICKS, HubConfig
from hub.delivery.presence import Presence
from hub.delivery.sessions import HandOuts, Session
from hub.errors import HubError
from hub.store import Store

#: Cursors saved per store transaction, at most. Every device that was sent something moves its
#: cursor each second (5,000 rows a second with 5,000 acking devices under load); the store's thread
#: does one call at a time, and the senders' group commits wait behind each, so a flush goes in
#: transactions of this many rows, with the commits in between.
FLUSH_ROWS = 1024


class Cursors:
    def __init__(
        self,
        config: HubConfig,
        store: Store,
        presence: Presence,
        clock: Callable[[], float],
        handed_out: HandOuts,
    ) -> None:
        self._store = store
        self._presence = presence
        self._clock = clock
        #: When the hub handed out what (`Fanout.handed_out`): what a live session was sent by when.
        self.handed_out = handed_out
        # A connection that died can go unnoticed this long: the next ping, up to a tick of the ping
        # wheel late, its timeout, and up to one more timeout for python-engineio's service task to
        # look. The extra second is because what the hub handed out is noted about once a second
        # (`HandOuts` folds hand-outs less than 1 s apart into one entry), so the entry for a send
        # may carry a time up to a second before it. What a client that never acks was
        # sent within the window is not taken as received (see `confirm_sent`).
        ping_late = config.ping_interval / HEARTBEAT_TICKS
        self.unnoticed_window = config.ping_interval + ping_late + 2 * config.ping_timeout + 1.0
        self._saved: dict[str, int] = {}
        self._dirty: dict[str, tuple[int, int]] = {}

    def horizon(self) -> float:
        """What was sent at or before this moment counts as received by a client that never acks."""
        return self._clock() - self.unnoticed_window

    def last_saved(self, device: str) -> int:
        """The device's cursor as this hub knows it (0: not moved since the hub started)."""
        return self._saved.get(device, 0)

    def confirm(self, session: Session, nid: int) -> None:
        if nid:
            self.advance(session, nid)

    def confirm_sent(self) -> None:
        """Move the cursors of clients that never ack to what they were sent before the window."""
        horizon = self.horizon()
        handed_out = self.handed_out.upto(horizon)
        # Every second, over every session: one with nothing sent since its cursor last moved costs
        # a comparison; the others a few attribute looks.
        for session in self._presence.sessions.values():
            if session.last_sent > session.confirmed and not session.acking:
                self.confirm(session, session.sent_before(horizon, handed_out))

    def sent_before_window(self, session: Session) -> int:
        """What `session` was sent before the window, so has received unless it says otherwise."""
        horizon = self.horizon()
        return session.sent_before(horizon, self.handed_out.upto(horizon))

    def advance(self, session: Session, nid: int) -> None:
        if nid > session.confirmed:
            session.confirmed = nid
        if nid > self._saved.get(session.device, 0):
            self._saved[session.device] = nid
            self._dirty[session.device] = (session.user.id, nid)

    def ack(self, session: Session, nid: int) -> None:
        """The client says it has everything up to `nid`; from now on it is taken at its word, up to
        what it was sent."""
        session.acking = True
        nid = min(nid, session.last_sent)
        if nid > session.acked:
            session.acked = nid
            self.advance(session, nid)

    def left(self, session: Session, *, clean: bool) -> None:
        """The client is gone. `clean`: it said goodbye itself, so it had read what it was sent."""
        if not session.acking:
            self.confirm(session, session.last_sent if clean else self.sent_before_window(session))

    async def flush(self) -> None:
        """Save the cursors that moved, FLUSH_ROWS to a transaction; those not saved (the store
        failed) are tried again next time."""
        self.confirm_sent()
        if not self._dirty:
            return
        dirty, self._dirty = list(self._dirty.items()), {}
        for start in range(0, len(dirty), FLUSH_ROWS):
            try:
                await self._store.save_cursors(dict(dirty[start : start + FLUSH_ROWS]))
            except HubError:
                for device, value in dirty[start:]:
                    self._dirty.setdefault(device, value)
                raise

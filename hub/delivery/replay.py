"""Replay: what a device missed, from the store, then live with no gap and no repeat."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from hub.delivery.cursors import Cursors
from hub.delivery.ports import Outbox
from hub.delivery.sessions import Session
from hub.errors import HubError
from hub.protocol import DELIVERY_EVENT, Event
from hub.store import Store

log = logging.getLogger(__name__)

REPLAY_PAGE = 500


class Replay:
    def __init__(self, store: Store, outbox: Outbox, cursors: Cursors, clock: Callable[[], float]) -> None:
        self._store = store
        self._outbox = outbox
        self._cursors = cursors
        self._clock = clock

    async def catch_up(self, session: Session, since: int | None) -> None:
        """Replay from the store, then go live with no gap and no repeat.

        Live notifications that arrive meanwhile wait in `pending`; the session leaves syncing
        mode only when `pending` is empty, with no await in between, so a live delivery can never
        overtake one still waiting. If the store fails, the client is disconnected and replays on
        its next connect instead of silently missing anything.
        """
        session.syncing = True
        session.live_since = math.inf  # what it is sent now is not live until the replay is over
        try:
            await self._pages(session, since)
            while session.pending and not session.closed:
                pending, session.pending = session.pending, []
                for event, data, nid in pending:
                    if nid > session.last_sent:
                        await self.send_one(session, event, data, nid)
        except HubError as exc:
            log.warning("replay for %s failed (%s); disconnecting it so it retries", session.user.name, exc.message)
            session.pending.clear()
            await self._outbox.disconnect(session.sid)
        finally:
            session.syncing = False
            session.went_live(self._clock())

    async def sync(self, session: Session, since: int) -> None:
        """Replay everything after `since` again (a client that lost its local state)."""
        session.acking = True
        session.last_sent = since
        await self.catch_up(session, since)

    async def _pages(self, session: Session, since: int | None) -> None:
        if since is None:
            stored = await self._store.cursor(session.device, session.user.id)
            since = max(stored, self._cursors.last_saved(session.device))
        pruned = await self._store.pruned_upto(session.user.id)
        if since < pruned:
            await self._outbox.emit(
                session.sid,
                Event.GAP,
                {
                    "since": since,
                    "upto": pruned,
                    "message": "some notifications were removed by retention before this device received them",
                },
            )
            since = pruned
        session.last_sent = max(session.last_sent, since)
        session.acked = max(session.acked, since)  # what it resumes from, it has: its acks start there
        session.confirmed = max(session.confirmed, since)  # and its cursor is there: nothing to confirm
        while True:
            page = await self._store.replay(session.user.id, since, REPLAY_PAGE)
            if session.closed:
                return
            for note in page:
                if note.id > session.last_sent:
                    await self.send_one(session, DELIVERY_EVENT[note.kind], note.wire(), note.id)
                    await self._outbox.drain(session.sid)  # a long replay goes at the client's pace
            if len(page) < REPLAY_PAGE:
                break
            since = page[-1].id

    async def send_one(self, session: Session, event: str, data: dict[str, Any], nid: int) -> None:
        if session.closed:
            return
        await self._outbox.emit(session.sid, event, data)
        session.last_sent = nid

"""Fan-out: a stored notification to the live sessions of its recipients, in one write per batch of sids."""

from __future__ import annotations

from collections.abc import Callable

from hub.delivery.ports import Outbox
from hub.delivery.presence import Presence
from hub.delivery.presence_batches import PresenceBatches
from hub.delivery.sessions import HandOuts
from hub.protocol import DELIVERY_EVENT, Event, Notification, presence_body
from hub.store import Stored
from hub.store.base import TO_EVERYONE

#: What handing one notification out found: how many devices of its recipients are connected here
#: (those sent it now, those still replaying and those that had it already), and how many of its
#: recipients have none (it waits in the store for them). What the metrics count (`HubMetrics.handed_out`).
Reach = tuple[int, int]


class Fanout:
    """Hands notifications to live sessions. A session still replaying what it missed gets them in
    `pending` instead, and flushes those it has not already replayed (`Replay.catch_up`)."""

    def __init__(
        self, presence: Presence, outbox: Outbox, clock: Callable[[], float], batches: PresenceBatches
    ) -> None:
        self.presence = presence
        self.batches = batches
        self.outbox = outbox
        self.clock = clock
        #: Told of every stored notification this hub hands out, in id order (`Reads.noted`).
        self.noted: Callable[[Notification], None] | None = None
        #: When each was handed out: what the live sessions that never ack were sent by when (`Cursors`).
        self.handed_out = HandOuts()

    async def deliver(self, item: Stored) -> Reach:
        """Send one stored notification to every live session of its recipients that lacks it."""
        note = item.notification
        if self.noted is not None:
            self.noted(note)
        event = DELIVERY_EVENT[note.kind]
        data = note.wire()
        nid = note.id
        recipients = item.recipients
        # One pass over the recipients' sessions, then the frame queued for all of them in one loop
        # (written at the end of this loop turn). A live session is marked sent in the pass; when it
        # was sent is the hub's one entry for this hand-out (`HandOuts`), not a record per session.
        online = self.presence.by_user
        sids: list[str] = []
        add = sids.append
        devices = 0
        if note.kind in TO_EVERYONE:
            # Its recipients are every user there when it was stored: only those online get a frame,
            # so walk them, not everyone. A user who is online but not a recipient (created since)
            # does not have it, as the store says (`everyone_after_floor`), and is not sent it.
            # (A set of them per notification: ~60 µs at 5,000 users, and nothing kept after it.)
            members = frozenset(recipients)
            reached = [sessions for user_id, sessions in online.items() if user_id in members]
            offline = len(recipients) - len(reached)
        else:
            reached = []
            offline = 0
            get = online.get
            for user_id in recipients:
                sessions = get(user_id)
                if sessions is None:
                    offline += 1
                else:
                    reached.append(sessions)
        for sessions in reached:
            devices += len(sessions)
            for session in sessions:
                if session.syncing:
                    session.pending.append((event, data, nid))
                elif nid > session.last_sent:
                    session.last_sent = nid
                    add(session.sid)
        if sids:
            await self.outbox.emit_many(sids, event, data)
            self.handed_out.note(self.clock(), nid)
        return devices, offline

    async def tell_presence(self, user_id: int, name: str, *, online: bool) -> None:
        """A user came online or went offline: every plain session here but the user's own is told now
        (`user_online` / `user_offline`), the batched ones at the next flush (`PresenceBatches`)."""
        self.batches.changed(name, online=online)
        sids = [sid for sid, session in self.presence.plain.items() if session.user.id != user_id]
        if sids:
            event = Event.USER_ONLINE if online else Event.USER_OFFLINE
            await self.outbox.emit_many(sids, event, presence_body(name))

"""Read state shared with the hub: the marks this device sends, the `read` events it gets, and which
unread count the badge shows (docs/protocol.md, "Read state and receipts"). No Qt, no I/O.

At connect the badge shows the hub's count from `welcome` (`unread`, covering ids up to
`unread_upto`): the catch-up after it adds only what is newer. From the first change on (a mark
here, a `read` event, a delete) the badge counts the history, which every `read` event keeps in step
with the hub. "Mark as unread" stays on this computer (the hub's read state only moves forward), so
the echo of a mark this device made is not applied again (`OwnMarks`): it would undo an unread mark
made since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hub.readstate import MAX_READ_IDS

#: Ids per `mark_read` message (the hub's limit): a larger selection goes as several.
IDS_PER_MARK: Final = MAX_READ_IDS


@dataclass(frozen=True, slots=True)
class ReadMarks:
    """A `read` event: marks made on one of the user's devices, and the count after them."""

    id: int
    ids: tuple[int, ...]
    #: "All up to": everything of the user's up to this id is read; None for a mark of `ids`.
    upto: int | None
    unread: int
    unread_upto: int

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ReadMarks:
        """Raises `ValueError` on a malformed event."""
        try:
            ids = tuple(int(i) for i in data.get("ids") or ())
            upto = int(data["upto"]) if data.get("all") else None
            marks = cls(int(data["id"]), ids, upto, int(data["unread"]), int(data["unread_upto"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed read event: {exc}") from None
        if marks.unread < 0 or (upto is None and not ids):
            raise ValueError("malformed read event: no marks")
        return marks


def mark_requests(ids: Sequence[int]) -> list[dict[str, Any]]:
    """`mark_read` payloads for these ids: one message, or one per `IDS_PER_MARK`."""
    unique = sorted(set(ids))
    return [{"ids": unique[at : at + IDS_PER_MARK]} for at in range(0, len(unique), IDS_PER_MARK)]


def mark_all_request(upto: int) -> dict[str, Any]:
    """ "Mark all read": everything up to the newest id this device has, as one message."""
    return {"all": True, "upto": upto}


class HubCount:
    """Whether the badge shows the hub's count from `welcome`, and so whether an arriving notification
    adds to it."""

    def __init__(self) -> None:
        #: The newest id the hub's count covers; None: the badge counts the history.
        self.upto: int | None = None

    def welcome(self, unread: int | None, upto: int | None) -> int | None:
        """A `welcome`: its count, for the badge (None from a hub that does not count)."""
        if unread is None or upto is None:
            return None
        self.upto = upto
        return unread

    def counts(self, notification_id: int) -> bool:
        """Whether a notification received adds to the badge: not when the hub's count has it."""
        return self.upto is None or notification_id > self.upto


#: Own marks remembered to know their echo, at most (past it, the oldest are forgotten).
OWN_MARKS: Final = 5000


class OwnMarks:
    """The marks this device sent, until the hub's `read` event for them (their echo) comes back."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.uptos: set[int] = set()

    def sent(self, ids: Sequence[int] = (), upto: int | None = None) -> None:
        if len(self.ids) + len(ids) > OWN_MARKS:
            self.ids.clear()
        self.ids.update(ids)
        if upto is not None:
            self.uptos.add(upto)

    def news(self, marks: ReadMarks) -> tuple[list[int], int | None]:
        """What of a `read` event is news here (ids, and "all up to"): not the echo of our own."""
        ids = [i for i in marks.ids if i not in self.ids]
        self.ids.difference_update(marks.ids)
        upto = marks.upto
        if upto is not None and upto in self.uptos:
            self.uptos.discard(upto)
            upto = None
        return ids, upto


@dataclass(frozen=True, slots=True)
class Receipt:
    """A `receipt` event: a notification we sent with `receipt: true` was delivered or seen."""

    id: int
    notification_id: int
    status: str
    #: Who, when the hub may name them (None: counts only).
    user: str | None
    addressees: int
    delivered: int
    delivered_devices: int
    seen: int

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Receipt:
        """Raises `ValueError` on a malformed event."""
        try:
            user = data.get("user")
            receipt = cls(
                int(data["id"]),
                int(data["notification_id"]),
                str(data["status"]),
                str(user) if isinstance(user, str) else None,
                int(data["addressees"]),
                int(data["delivered"]),
                int(data["delivered_devices"]),
                int(data["seen"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed receipt: {exc}") from None
        if receipt.status not in {"delivered", "seen"}:
            raise ValueError(f"malformed receipt: status {receipt.status!r}")
        return receipt


@dataclass(frozen=True, slots=True)
class ReceiptState:
    """What a sender knows of a notification's receipts: the latest totals and the names told."""

    notification_id: int
    addressees: int = 0
    delivered: int = 0
    delivered_devices: int = 0
    seen: int = 0
    #: The receipt event these totals came from (a replayed older one changes no total).
    event_id: int = 0
    delivered_to: tuple[str, ...] = ()
    seen_by: tuple[str, ...] = ()

    def with_receipt(self, r: Receipt) -> ReceiptState:
        """These totals and names, with a receipt event taken in (in any order, any number of times)."""
        newer = r.id > self.event_id
        delivered_to, seen_by = set(self.delivered_to), set(self.seen_by)
        if r.user is not None:
            (seen_by if r.status == "seen" else delivered_to).add(r.user)
        return ReceiptState(
            self.notification_id,
            r.addressees if newer else self.addressees,
            r.delivered if newer else self.delivered,
            r.delivered_devices if newer else self.delivered_devices,
            r.seen if newer else self.seen,
            max(r.id, self.event_id),
            tuple(sorted(delivered_to)),
            tuple(sorted(seen_by)),
        )

    def text(self) -> str:
        """ "Delivered to bob (2 devices) · Seen by bob", or in counts: "Delivered to 3 of 12 · Seen by 2 of 12"."""
        if not self.delivered:
            delivered = "Not delivered yet"
        elif self.addressees == 1 and len(self.delivered_to) == 1:
            devices = f" ({self.delivered_devices} devices)" if self.delivered_devices > 1 else ""
            delivered = f"Delivered to {self.delivered_to[0]}{devices}"
        else:
            delivered = f"Delivered to {self.delivered} of {self.addressees}"
        if self.seen_by:
            seen = f"Seen by {', '.join(self.seen_by)}"
        elif self.seen:
            seen = f"Seen by {self.seen} of {self.addressees}"
        else:
            seen = "Not seen yet"
        return f"{delivered} · {seen}"

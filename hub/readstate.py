"""Read state and receipts on the wire: what `mark_read`, `seen` and `POST /api/read` take, and the
`read` and `receipt` control rows the hub tells devices.

Pydantic and the standard library only, as `hub.rich`. A read mark is one message whatever it
covers: a list of ids, or everything up to an id. A control row is stored in the notifications'
one id sequence (kind `read` or `receipt`) so that it replays, acks and resumes as a notification
does; its event's fields are the row's `control` object (`hub.protocol.Notification.wire`).
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from hub.payload import Payload
from hub.protocol import Kind

#: Most ids one `mark_read {ids}` or `seen {ids}` names (a longer list: mark all up to an id).
MAX_READ_IDS: Final = 500
#: Receipts name the users (besides counting them) when the notification was addressed to at most this many.
MAX_NAMED_RECIPIENTS: Final = 10
#: The kinds a person reads: only these count as unread (control rows, answers and notices never do).
READABLE: Final = frozenset({Kind.DIRECT, Kind.ROOM, Kind.EVERYONE, Kind.ANNOUNCEMENT})

_ID = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
Ids = Annotated[list[_ID], Field(min_length=1, max_length=MAX_READ_IDS)]


class MarkRead(Payload):
    """`mark_read` and `POST /api/read`: `{ids: [..]}`, or `{all: true, upto: ID}` (everything the
    user has up to that id: "Mark all read" as one message)."""

    ids: Ids | None = None
    all: Annotated[bool, Field(strict=True)] = False
    upto: _ID | None = None

    @model_validator(mode="after")
    def _one_form(self) -> MarkRead:
        if self.all == (self.ids is not None):
            raise PydanticCustomError("one_form", "give either ids: [..] or all: true with upto")
        if self.all and self.upto is None:
            raise PydanticCustomError("upto_missing", "all: true needs upto (the newest id the client has)")
        return self

    def unique_ids(self) -> list[int]:
        return sorted(set(self.ids or ()))


class Seen(Payload):
    """`seen {ids}`: the client showed these notifications (it tells the senders who asked for receipts)."""

    ids: Ids

    def unique_ids(self) -> list[int]:
        return sorted(set(self.ids))


Status = Literal["delivered", "seen"]


def read_control(ids: list[int] | None, upto: int | None, unread: int, counted_upto: int) -> dict[str, Any]:
    """The `read` event's fields: the marks (`ids`, or `all` and `upto`) and the user's unread count
    right after them, counting what was stored up to `unread_upto`."""
    marks: dict[str, Any] = {"ids": ids} if ids is not None else {"all": True, "upto": upto}
    return {**marks, "unread": unread, "unread_upto": counted_upto}


def receipt_control(
    notification_id: int, status: Status, user: str | None, devices: int, tally: dict[str, Any]
) -> dict[str, Any]:
    """The `receipt` event's fields: what happened (`status`) for whom (`user`: None when names are
    not given), how many of their devices have it, and the notification's totals so far."""
    return {"notification_id": notification_id, "status": status, "user": user, "devices": devices, **tally}


def _receipt_from_http(value: object) -> object:
    text = value.strip().lower() if isinstance(value, str) else value
    if text in {"yes", "true", "1"}:
        return True
    if text in {"no", "false", "0", ""}:
        return False
    raise PydanticCustomError("invalid_receipt", "X-Receipt must be yes or no (true/false, 1/0)")


class ReceiptHeader(Payload):
    """`X-Receipt: yes` (or `?receipt=yes`) on an HTTP send: the sender asks for receipts."""

    receipt: Annotated[bool, BeforeValidator(_receipt_from_http)]


class ReceiptsRef(Payload):
    """`GET /api/notifications/{id}/receipts`: the notification's id, from the path."""

    id: Annotated[int, Field(ge=1, le=2**63 - 1)]

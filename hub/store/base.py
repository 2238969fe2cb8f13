"""The store interface: accounts, device tokens, rooms, notifications and delivery cursors.

One Protocol, two implementations: `SqliteStore` (one hub, the default) and `PostgresStore` (shared
by several hubs, see docs/deployment.md). Everything that must survive a restart lives here; the
service keeps only what is live (sessions, presence, rate-limit buckets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from hub.protocol import Kind, Notification, NotificationType

if TYPE_CHECKING:
    from hub.store.answers import AnswersPart
    from hub.store.edits import EditsPart
    from hub.store.reads import ReadsPart
    from hub.store.schedule import SchedulePart


class TokenKind(StrEnum):
    DEVICE = "device"  # may connect and receive
    SEND = "send"  # may only send (scripts, CI)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    admin: bool
    has_password: bool = True


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user_id: int
    label: str
    kind: TokenKind
    created_at: str
    last_used_at: str | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class Room:
    name: str
    restricted: bool
    members: tuple[str, ...] = ()
    #: The user who made it by joining (it goes when its last member leaves, and an admin's
    #: `room create` takes it over); None for a room an admin made.
    made_by: str | None = None


#: Kinds stored once for every user (one row, no inbox rows; store schema 2).
TO_EVERYONE = frozenset({Kind.EVERYONE, Kind.ANNOUNCEMENT})
#: Kinds addressed to a list of users (`NewNotification.audience`): answers and control rows.
TO_AUDIENCE = frozenset({Kind.RESPONSE, Kind.READ, Kind.RECEIPT})
#: Kinds that are live only: stored without inbox rows (the row gives the id and its place in the
#: order, and goes at the next prune), delivered to the recipients' devices online at that moment,
#: never replayed. The hub's notices ("bob joined dev"): any number of joins stores nothing in anyone's
#: inbox, so it cannot push what people sent out of `retention_count`.
LIVE_ONLY = frozenset({Kind.NOTICE})
#: Control rows: they tell devices about other notifications, and count neither as unread nor in metrics.
CONTROL = frozenset({Kind.RETRACT, Kind.READ, Kind.RECEIPT})


class NewNotification(NamedTuple):
    """A notification to store. Exactly one of `to_user_id`, `room`, `everyone` addresses it.

    NewNotification and Stored are named tuples, immutable as frozen dataclasses are, and made in a
    third of the time: one of each per notification sent."""

    kind: Kind
    type: NotificationType
    title: str
    message: str
    sender: str
    timestamp: str
    to_user_id: int | None = None
    room: str | None = None
    #: For NOTICE: the user the notice is about, who does not receive it.
    about_user_id: int | None = None
    #: What differs from a plain notification (`RichFields.rich_wire()`), or for RESPONSE
    #: `{"answer": {...}}` (`hub.rich.Answer`); None for a plain notification.
    rich: dict[str, Any] | None = None
    #: For RESPONSE: the users it goes to (the sender and the answered notification's recipients).
    audience: tuple[int, ...] = ()
    #: The sending account's id (None for the hub's own notes): owns the notification's key.
    sender_id: int | None = None
    #: The sender's key: a later send with the same key to the same addressee replaces this one. For
    #: RETRACT: the key withdrawn (`to_user_id`, `room` or neither, everyone, name the addressee).
    key: str | None = None
    #: For a scheduled send being delivered: its `scheduled` row, removed in the same transaction.
    schedule_id: int | None = None


class Stored(NamedTuple):
    """A stored notification and the users it is for (for a notification to everyone: every user
    there when it was stored, though it is stored once)."""

    notification: Notification
    recipients: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """One committed group of notifications: ids `(prev, head]`, in order."""

    prev: int
    head: int
    items: list[Stored]


@dataclass(frozen=True, slots=True)
class PruneResult:
    removed_deliveries: int
    removed_notifications: int


class Store(Protocol):
    @property
    def answers(self) -> AnswersPart:
        """Answers to `respond` buttons (`hub.store.answers`)."""

    @property
    def edits(self) -> EditsPart:
        """Notifications by key (`hub.store.edits`)."""

    @property
    def reads(self) -> ReadsPart:
        """Read marks and receipts (`hub.store.reads`)."""

    @property
    def schedule(self) -> SchedulePart:
        """Scheduled sends (`hub.store.schedule`)."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def check(self) -> None:
        """Raise if the store cannot be used (for health checks)."""

    def where(self) -> str:
        """Where the store is, for logs (never a password)."""

    # accounts
    async def create_user(self, name: str, password_hash: str | None, *, admin: bool) -> User: ...
    async def get_user(self, name: str) -> User | None: ...
    async def get_users(self, names: Sequence[str]) -> list[User]:
        """The users of those names that exist, in no particular order (one query for many)."""

    async def get_user_by_id(self, user_id: int) -> User | None: ...
    async def password_hash(self, name: str) -> str | None: ...
    async def list_users(self) -> list[User]: ...
    async def remove_user(self, name: str) -> bool: ...
    async def set_password(self, name: str, password_hash: str, *, expected: str | None = None) -> bool:
        """Set the user's password hash; False when there is no such user, or, with `expected`, when
        the stored hash is no longer `expected` (a compare-and-set: one of two writers wins)."""
        ...

    async def ensure_user(self, name: str) -> User:
        """Open mode: the user of that name, created without a password when new."""

    # device tokens
    async def create_token(self, user_id: int, token_hash: str, label: str, kind: TokenKind) -> TokenInfo: ...
    async def token_by_hash(self, token_hash: str) -> tuple[TokenInfo, User] | None: ...
    async def list_tokens(self, user_id: int) -> list[TokenInfo]: ...
    async def revoke_token(self, token_id: int) -> TokenInfo | None: ...
    async def revocations_after(self, seq: int) -> tuple[int, list[int]]:
        """Token ids revoked after `seq` (a revocation log position) and the newest position."""

    # rooms
    async def create_room(self, name: str, *, restricted: bool, members: Sequence[int]) -> Room:
        """An admin's room. A room of that name made by a user by joining is taken over: it becomes
        the admin's, restricted to `members` when given (and then only they stay in it). A room an
        admin made raises Conflict."""

    async def get_room(self, name: str) -> Room | None: ...
    async def list_rooms(self, after: str = "", limit: int | None = None) -> list[Room]:
        """Rooms by name, those after `after`, at most `limit` (None: all)."""

    async def remove_room(self, name: str) -> bool: ...
    async def may_join(self, room: str, user_id: int) -> bool: ...
    async def join_room(self, room: str, user_id: int) -> bool:
        """Add the user to the room's members (creating an open room made by that user); False when
        already a member."""

    async def leave_room(self, room: str, user_id: int) -> bool:
        """Remove the user from the room's members; a room made by joining goes with its last member."""

    async def rooms_made_by(self, user_id: int) -> int:
        """How many rooms the user made by joining that are still there."""

    async def rooms_of(self, user_id: int) -> list[str]: ...

    # notifications
    async def add(self, new: Sequence[NewNotification]) -> list[Stored]:
        """Store `new` in one transaction (group commit); durable when this returns."""

    async def add_batch(self, new: Sequence[NewNotification]) -> StoredBatch:
        """`add`, also saying which ids the batch took: `(prev, head]`."""

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]: ...
    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]: ...
    async def pruned_upto(self, user_id: int) -> int: ...
    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult: ...

    # delivery cursors (per device)
    async def cursor(self, device: str, user_id: int) -> int:
        """The device's resume point; a new device starts where the user's retained inbox starts."""

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        """`{device: (user_id, last_id)}`; a cursor never moves backwards."""


def last_use_is_stale(last_used_at: str | None, now: str) -> bool:
    """Whether a token's `last_used_at` is worth a write: it is kept to the hour, not per connect
    (each write is a commit, and a connect wave is thousands of connects)."""
    return last_used_at is None or last_used_at[:13] != now[:13]

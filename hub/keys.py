"""Keys on the wire: the `key` a sender gives a notification, and what a delivered one says of it.

A later notification from the same account, with the same key, to the same addressee (a user, a
room, everyone) replaces the earlier one; a `retract` withdraws it (`hub.edits` has that event's
payload, `hub.delivery.edits` the rules). Field types only, on the standard library and pydantic,
so that `hub.protocol` builds its send payloads and `Notification` from them. `docs/protocol.md`,
"Update and retract by key", says the same for people.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: What a key looks like: 1 to 64 characters, letters, digits and `_ . : -`, starting with a letter or digit.
KEY_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
#: The HTTP header that gives a send's key (as `X-Title` gives its title).
KEY_HEADER: Final = "X-Key"

Key = Annotated[str, StringConstraints(strict=True, pattern=KEY_PATTERN)]


class Keyed(BaseModel):
    """The `key` of a send (every send path: Socket.IO, HTTP JSON, `X-Key`). None: a notification
    nobody can update or retract."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    key: Key | None = None


#: The fields `key_wire` may send.
KEY_FIELDS: Final = frozenset({"key", "replaces", "edited", "retracts"})


class KeyFields(BaseModel):
    """What a delivered notification says about its key, on the wire only when it has one.

    `replaces` names the notification this one is a new version of (`edited` is then true); a
    `retract` notification (the `retracted` event) names in `retracts` the ids it withdraws.
    `sender_id` is the sending account's id: kept by the hub for ownership, never sent."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    key: str | None = None
    replaces: int | None = None
    edited: bool = False
    retracts: tuple[int, ...] | None = None
    sender_id: int | None = Field(default=None, exclude=True)

    def key_wire(self) -> dict[str, Any]:
        """The key fields as sent to clients: none for a notification without a key."""
        if self.__pydantic_fields_set__.isdisjoint(KEY_FIELDS):  # none given (the usual notification)
            return {}
        out: dict[str, Any] = {}
        if self.key is not None:
            out["key"] = self.key
        if self.replaces is not None:
            out["replaces"] = self.replaces
            out["edited"] = True
        if self.retracts is not None:
            out["retracts"] = list(self.retracts)
        return out

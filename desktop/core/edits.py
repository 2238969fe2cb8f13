"""Updates and retractions by key, on the app's side (no Qt): what a `retracted` event says, the key
fields a notification carries, and how an edited one is marked.

A sender may give a notification a key; a later one from it with the same key `replaces` the earlier
(its toast shows the new version in place, its history entry becomes the new one, marked edited),
and a `retracted` event withdraws it (its toast closes, its history entry goes). See
docs/protocol.md, "Update and retract by key".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from hub.keys import KeyFields

#: How the history marks a notification that replaced an earlier version of itself.
EDITED: Final = "edited"


@dataclass(frozen=True, slots=True)
class Retraction:
    """The sender withdrew the notifications `retracts` (a `retracted` event; its id is in the
    notifications' sequence, so it is ordered and acked as they are)."""

    id: int
    key: str
    retracts: tuple[int, ...]
    sender: str
    #: The room the key was sent to; None for a direct notification or one to everyone.
    room: str | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Retraction:
        """Parse a `retracted` event. Raises `ValueError` on a malformed payload."""
        try:
            ids = tuple(int(i) for i in data["retracts"])
            room = data.get("room")
            return cls(
                id=int(data["id"]),
                key=str(data["key"]),
                retracts=ids,
                sender=str(data["from"]),
                room=room if isinstance(room, str) else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed retraction: {exc}") from None


def key_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """A notification's key fields (`key`, `replaces`, `edited`), each kept only if it is valid."""
    out: dict[str, Any] = {}
    for name in ("key", "replaces", "edited"):
        if name in data:
            try:
                out[name] = getattr(KeyFields.model_validate({name: data[name]}), name)
            except ValueError:
                pass
    return out


def edited_note(edited: bool) -> str:
    """What follows a notification's time where it is listed: " · edited" for a new version."""
    return f" · {EDITED}" if edited else ""

"""The `retract` event's payload and `DELETE /api/notifications/keys/{key}`'s query: which key, to
which addressee. Pydantic only, as `hub.rich`; the key's own type is in `hub.keys`.

A sender retracts what it sent with a key to one addressee: exactly one of `to` (a user), `room`
or `everyone: true`, as a send names it. The rules (only the sending account, the `retracted`
control notification) are in `hub.delivery.edits`; `docs/protocol.md`, "Update and retract by
key", says the same for people.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from hub.keys import Key
from hub.protocol import RoomName, UserName


class Retract(BaseModel):
    """`retract {key, to | room | everyone: true}`."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    key: Key
    to: UserName | None = Field(default=None, validation_alias=AliasChoices("to", "userId"))
    room: RoomName | None = None
    everyone: Annotated[bool, Field(strict=True)] = False

    @model_validator(mode="after")
    def _one_target(self) -> Retract:
        if (self.to is not None) + (self.room is not None) + self.everyone != 1:
            raise PydanticCustomError("one_target", "give exactly one of to, room or everyone: true")
        return self

    def where(self) -> str:
        """The addressee in words, for messages."""
        return self.to if self.to is not None else f"room {self.room}" if self.room is not None else "everyone"


def _query_flag(value: Any) -> Any:
    """`?everyone=true` (or yes, 1; false, no, 0): a query string has no booleans."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0", ""}:
            return False
        raise PydanticCustomError("invalid_flag", "everyone must be true or false")
    return value


class HttpRetract(Retract):
    """`DELETE /api/notifications/keys/{key}?to=USER | room=ROOM | everyone=true`."""

    everyone: Annotated[bool, BeforeValidator(_query_flag), Field(strict=True)] = False

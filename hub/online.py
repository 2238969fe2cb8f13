"""Who is online, on the wire: how a client asks to hear of it at connect, and `list_online`'s pages.

On pydantic only (`hub.protocol` builds its connect models on these)."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import Field, StringConstraints

from hub.payload import Payload

#: How a client hears who comes and goes: `events`, the seed's `user_online` / `user_offline` per change
#: (the default), or `batched`, one `presence {online, offline, full}` per interval.
PresenceMode = Literal["events", "batched"]
#: Whether `welcome` carries the `online` list: given, as asked; not given, with `events` presence (the
#: seed's clients read it) and not with `batched` (its first `presence` event has everyone instead).
WelcomeOnline = Annotated[bool | None, Field(strict=True)]

#: Names one `list_online` answer holds: by default, and at most.
ONLINE_PAGE: Final = 500
MAX_ONLINE_PAGE: Final = 2000


class OnlinePage(Payload):
    """`list_online`: `{after?, limit?}`, who is online by name after `after` (the `next` of the page
    before: a name, compared as text); no payload is the first page."""

    after: Annotated[str, StringConstraints(strict=True, max_length=64)] = ""
    limit: Annotated[int, Field(strict=True, ge=1, le=MAX_ONLINE_PAGE)] = ONLINE_PAGE

"""Lists a client may ask for: users, who is online, rooms."""

from __future__ import annotations

from typing import Any

from hub.config import HubConfig
from hub.delivery.presence import Presence
from hub.delivery.sessions import Session
from hub.online import OnlinePage
from hub.protocol import RoomPage
from hub.store import Store, TokenKind, User


class Roster:
    def __init__(self, config: HubConfig, store: Store, presence: Presence) -> None:
        self._config = config
        self._store = store
        self._presence = presence

    async def list_users(self) -> dict[str, Any]:
        users = await self._store.list_users()
        return {
            "ok": True,
            "users": [
                {
                    "name": u.name,
                    "admin": u.admin,
                    "online": self._presence.is_online(u.id),
                    "receives": await self._receives(u),
                }
                for u in users
            ],
        }

    async def _receives(self, user: User) -> bool:
        """Whether anything sent to the user can reach them: they can sign in (a password, or any name on an
        open hub) or have a device token. A script's account, with send-only tokens only, cannot."""
        if user.has_password or self._config.open or self._presence.is_online(user.id):
            return True
        return any(t.kind is TokenKind.DEVICE and not t.revoked for t in await self._store.list_tokens(user.id))

    async def list_online(self, session: Session, page: OnlinePage) -> dict[str, Any]:
        """One page of who is online, by name; `more` and `next` (the `after` of the next page) say
        whether there are others. A client that asks with no payload gets the first page."""
        names, more = self._presence.online_page(page.after, page.limit)
        return {"ok": True, "online": names, "more": more, "next": names[-1] if more else None}

    async def list_rooms(self, session: Session, page: RoomPage) -> dict[str, Any]:
        """One page of rooms by name; `more` and `next` (the `after` of the next page) say whether
        there are others. A client that asks with no payload gets the first page."""
        rooms = await self._store.list_rooms(page.after, page.limit + 1)
        more = len(rooms) > page.limit
        rooms = rooms[: page.limit]
        me = session.user.name
        return {
            "ok": True,
            "rooms": [
                {"name": r.name, "restricted": r.restricted, "member": me in r.members, "members": len(r.members)}
                for r in rooms
            ],
            "more": more,
            "next": rooms[-1].name if more else None,
        }

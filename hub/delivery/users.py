"""Users by name, from memory: who a direct notification is for, without a store round trip per send."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from hub.errors import HubError
from hub.store import Store, User

#: How long a recipient looked up by name is trusted before the store is asked again, in the
#: background: the send does not wait for it. A user removed by the admin CLI meanwhile makes a send
#: fail as "could not be stored" instead of `not_found` until that answer is in.
USER_CACHE_SECONDS = 5.0
#: Stale names looked up again per store call, at most. The store's thread answers one call at a
#: time, and every group commit waits behind the call before it: one call for 5,000 names held it
#: 15-80 ms (the direct bench at N = 5,000, every USER_CACHE_SECONDS), one for 256 about a millisecond.
REFRESH_NAMES = 256


class UserCache:
    """Every user known from the start, each looked up again in the background once stale.

    What it may get wrong: a user removed by the admin CLI is still found for up to
    USER_CACHE_SECONDS, plus the time the background lookup takes."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self._users: dict[str, tuple[User, float]] = {}
        #: The background job looking the stale entries up again (cancelled at `close`).
        self._stale_job: asyncio.Future[None] | None = None

    async def prime(self) -> None:
        """Every user known from the start: a first send to someone costs no store round trip, which
        held that sender's next sends behind the store's commits (a LAN hub has hundreds of users,
        ~100 bytes each)."""
        now = self._clock()
        self._users = {user.name: (user, now) for user in await self._store.list_users()}

    async def named(self, name: str) -> User | None:
        """The user called `name`, from memory once known. A connection's events are handled in
        order, so a store round trip here holds that sender's next send behind the store's commits:
        an entry older than USER_CACHE_SECONDS is still used, and every stale entry is looked up
        again in the background (were stale entries looked up in the send, every sender would slow
        to one send per commit when they all went stale at once)."""
        user = self.cached(name)
        if user is None:
            user = await self._store.get_user(name)
            if user is not None:
                self._users[name] = (user, self._clock())
        return user

    def cached(self, name: str) -> User | None:
        """The user called `name` if it is in memory (None: not known here, ask `named`); a stale
        entry is used, and looked up again in the background, as in `named`."""
        cached = self._users.get(name)
        if cached is None:
            return None
        user, at = cached
        if self._clock() - at >= USER_CACHE_SECONDS and (self._stale_job is None or self._stale_job.done()):
            self._stale_job = asyncio.ensure_future(self._refresh_stale())
        return user

    async def refreshed(self) -> None:
        """Wait for the background lookup under way, if any."""
        if self._stale_job is not None:
            await self._stale_job

    async def _refresh_stale(self) -> None:
        """Look every stale entry up again, REFRESH_NAMES to a store call, one call after another.
        Entries filled together (all of them at the start) go stale together: one name at a time,
        as the sends come, many recipients would make many lookups a second, each queued between
        the store's commits; all of them in one call would hold the commits behind it."""
        now = self._clock()
        names = [name for name, (_, at) in self._users.items() if now - at >= USER_CACHE_SECONDS]
        for start in range(0, len(names), REFRESH_NAMES):
            chunk = names[start : start + REFRESH_NAMES]
            try:
                found = {user.name: user for user in await self._store.get_users(chunk)}
            except HubError:
                # The entries are used as they are until USER_CACHE_SECONDS from now: a store that
                # is down is not asked again by every send, nor for the rest of the names.
                self._renew(names[start:], None)
                return
            self._renew(chunk, found)

    def _renew(self, names: list[str], found: dict[str, User] | None) -> None:
        """The names' entries as the store answered (`found`; None: kept as they are), fresh from now."""
        now = self._clock()
        for name in names:
            cached = self._users.get(name)
            if cached is None:
                continue
            user = cached[0] if found is None else found.get(name)
            if user is None:
                del self._users[name]
            else:
                self._users[name] = (user, now)

    async def close(self) -> None:
        if self._stale_job is not None:
            self._stale_job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stale_job

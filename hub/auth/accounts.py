"""Accounts and device tokens: the operations shared by the HTTP API and the admin CLI.

One-time passwords (`one_time_password`, what a hosting notify-tray gives an invited teammate) are
stored as a password hash with a mark in front, in the manner of shadow(5)'s `!` for a locked
password: `?HASH` signs in once, and that sign-in turns it into `!HASH`. A used one no longer signs
in, but a sign-in that gives it is told so (`password_expired`) instead of "wrong password", so the
teammate knows to ask the admin for a new one. Setting a password replaces either.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

from hub.auth.passwords import generate_password, hash_password, verify_password
from hub.auth.tokens import hash_token, new_token
from hub.errors import Conflict, NotFound, PasswordExpired, Unauthorized
from hub.store import Store, TokenInfo, TokenKind, User

#: The marks in front of a one-time password's hash: not used yet, and used.
ONE_TIME: Final = "?"
USED: Final = "!"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as issued: the secret is shown once and never stored."""

    secret: str
    info: TokenInfo
    user: User


class Accounts:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add_user(
        self, name: str, password: str | None, *, admin: bool, token_only: bool = False
    ) -> tuple[User, str | None]:
        """Create a user; returns the generated password when none was given. A `token_only` user
        has no password: it signs in with device tokens only (a script's account) until `passwd`."""
        generated = None
        password_hash = None
        if not token_only:
            if password is None:
                password = generated = generate_password()
            password_hash = await asyncio.to_thread(hash_password, password)
        existing = await self.store.get_user(name)
        if existing is not None:
            raise Conflict(f"a user named {name!r} already exists")
        return await self.store.create_user(name, password_hash, admin=admin), generated

    async def set_password(self, name: str, password: str | None) -> str | None:
        generated = None
        if password is None:
            password = generated = generate_password()
        password_hash = await asyncio.to_thread(hash_password, password)
        if not await self.store.set_password(name, password_hash):
            raise NotFound(f"there is no user named {name!r}")
        return generated

    async def revoke_device_tokens(self, name: str) -> tuple[list[TokenInfo], list[TokenInfo]]:
        """Revoke the user's device tokens, what a password sign-in hands out (a running hub
        disconnects their sessions). Returns those revoked and the send-only tokens kept: only an
        admin makes those (for scripts), so a password that leaked never made one."""
        user = await self.user(name)
        revoked, kept = [], []
        for token in await self.store.list_tokens(user.id):
            if token.revoked:
                continue
            if token.kind is TokenKind.SEND:
                kept.append(token)
            else:
                revoked.append(await self.store.revoke_token(token.id) or token)
        return revoked, kept

    async def one_time_password(self, name: str) -> str:
        """Give the user a new generated password that signs in once (their device tokens stay); returns it."""
        password = generate_password()
        password_hash = await asyncio.to_thread(hash_password, password)
        if not await self.store.set_password(name, ONE_TIME + password_hash):
            raise NotFound(f"there is no user named {name!r}")
        return password

    async def user(self, name: str) -> User:
        user = await self.store.get_user(name)
        if user is None:
            raise NotFound(f"there is no user named {name!r}")
        return user

    async def issue_token(self, name: str, label: str, kind: TokenKind = TokenKind.DEVICE) -> IssuedToken:
        user = await self.user(name)
        secret = new_token()
        info = await self.store.create_token(user.id, hash_token(secret), label, kind)
        return IssuedToken(secret=secret, info=info, user=user)

    async def login(self, name: str, password: str, device: str) -> IssuedToken:
        """Check a password (off the event loop: argon2 is slow on purpose) and issue a device token."""
        stored_hash = await self.store.password_hash(name)
        mark = stored_hash[0] if stored_hash and stored_hash[0] in {ONE_TIME, USED} else ""
        password_hash = stored_hash[len(mark) :] if stored_hash is not None else None
        matches = await asyncio.to_thread(verify_password, password_hash, password)
        if matches and mark == USED:
            raise PasswordExpired("this one-time password was already used: ask your hub's admin for a new one")
        if not matches or mark == USED:
            raise Unauthorized("wrong user name or password")
        if mark == ONE_TIME and password_hash:
            # Marked used only if it is still the one checked: of two sign-ins with it at once, one
            # wins and the other is told it was used (as is one that finds it replaced meanwhile).
            if not await self.store.set_password(name, USED + password_hash, expected=stored_hash):
                raise PasswordExpired("this one-time password was already used: ask your hub's admin for a new one")
        return await self.issue_token(name, device or "device")

    async def token_owner(self, secret: str) -> tuple[TokenInfo, User]:
        found = await self.store.token_by_hash(hash_token(secret))
        if found is None:
            raise Unauthorized("this token is not valid (unknown or revoked)")
        return found

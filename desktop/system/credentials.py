"""Where the device token lives: the OS keyring, or this session's memory when there is none.

Only the token is ever stored (never the password), under the service `lan-notify` with one
entry per hub + user (`alice@http://hub:8765`): the format of `hub.auth.keyring_entry`, which `notify-hub send`
reads too. Nothing here writes a secret to disk or QSettings.

Keyring calls can block (a D-Bus unlock prompt nobody sees), so each runs on its own daemon thread
and is given up after a timeout; a hung call cannot keep the app from quitting.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Final, Protocol, TypeVar

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
from keyring.backend import KeyringBackend

from desktop.errors import CredentialError, KeyringTimeoutError, KeyringUnavailableError
from hub.auth import KEYRING_SERVICE, keyring_user

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0

NO_KEYRING_MESSAGE: Final = "No system keyring is available on this computer, so your sign-in cannot be saved."
TIMEOUT_MESSAGE: Final = (
    "The system keyring did not answer in time (it may be waiting for its password in a window you cannot see)."
)
LOCKED_MESSAGE: Final = "The system keyring is locked, and it was not unlocked when asked."
REFUSED_MESSAGE: Final = "The system keyring could not keep your sign-in."
#: What follows any of the above once the app keeps the token in memory instead.
SESSION_ONLY: Final = (
    "You stay signed in until you quit; next time you will be asked for your password again. Once the keyring "
    "works, choose “Try the keyring again” in Settings."
)


class CredentialStore(Protocol):
    """Keeps device tokens, one per hub + user."""

    @property
    def persistent(self) -> bool:
        """True when a stored token survives a restart."""
        ...

    @property
    def notice(self) -> str:
        """Why tokens are not kept across restarts, in plain words; empty while they are."""
        ...

    async def get_token(self, hub_url: str, username: str) -> str | None: ...

    async def set_token(self, hub_url: str, username: str, token: str) -> None: ...

    async def delete_token(self, hub_url: str, username: str) -> None: ...


class MemoryCredentialStore:
    """Tokens for this session only (the fallback without a keyring, and a fake for tests)."""

    persistent = False
    notice = ""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    async def get_token(self, hub_url: str, username: str) -> str | None:
        return self._tokens.get(keyring_user(hub_url, username))

    async def set_token(self, hub_url: str, username: str, token: str) -> None:
        self._tokens[keyring_user(hub_url, username)] = token

    async def delete_token(self, hub_url: str, username: str) -> None:
        self._tokens.pop(keyring_user(hub_url, username), None)


_T = TypeVar("_T")


def _settle(future: asyncio.Future[_T], result: _T | None, error: BaseException | None) -> None:
    if future.done():
        return  # the caller already gave up (timeout)
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


async def _in_thread(fn: Callable[[], _T], timeout: float) -> _T:
    """Run a blocking call on a daemon thread; give up waiting after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def run() -> None:
        result: _T | None = None
        error: BaseException | None = None
        try:
            result = fn()
        except BaseException as exc:
            error = exc
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:
            pass  # the loop closed while the keyring hung: nobody is waiting any more

    threading.Thread(target=run, name="keyring-call", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        raise KeyringTimeoutError(TIMEOUT_MESSAGE) from None


def _is_unusable(backend: KeyringBackend) -> bool:
    # fail.Keyring: keyring found nothing; null.Keyring: keyring explicitly switched off.
    return isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring)


class KeyringCredentialStore:
    """Tokens in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    persistent = True
    notice = ""

    def __init__(self, backend: KeyringBackend | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._backend = backend
        self._timeout = timeout

    def _keyring(self) -> KeyringBackend:
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        if _is_unusable(backend):
            raise KeyringUnavailableError(NO_KEYRING_MESSAGE)
        return backend

    async def _call(self, action: Callable[[KeyringBackend], _T]) -> _T:
        def blocking() -> _T:
            backend = self._keyring()
            try:
                return action(backend)
            except keyring.errors.NoKeyringError:
                raise KeyringUnavailableError(NO_KEYRING_MESSAGE) from None
            except keyring.errors.KeyringLocked as exc:
                log.warning("the keyring is locked: %s", exc)
                raise CredentialError(LOCKED_MESSAGE) from None
            except keyring.errors.KeyringError as exc:
                # InitError ("Failed to unlock the collection!", "Prompt dismissed"): said in words, logged as is.
                log.warning("the keyring refused: %s: %s", type(exc).__name__, exc)
                locked = "unlock" in str(exc).lower() or "dismissed" in str(exc).lower()
                raise CredentialError(LOCKED_MESSAGE if locked else REFUSED_MESSAGE) from None

        return await _in_thread(blocking, self._timeout)

    async def backend_name(self) -> str:
        """The keyring in use, e.g. 'SecretService Keyring'; raises if there is none."""
        return await self._call(lambda backend: str(backend.name))

    async def get_token(self, hub_url: str, username: str) -> str | None:
        key = keyring_user(hub_url, username)
        return await self._call(lambda backend: backend.get_password(KEYRING_SERVICE, key))

    async def set_token(self, hub_url: str, username: str, token: str) -> None:
        key = keyring_user(hub_url, username)
        await self._call(lambda backend: backend.set_password(KEYRING_SERVICE, key, token))

    async def delete_token(self, hub_url: str, username: str) -> None:
        key = keyring_user(hub_url, username)

        def delete(backend: KeyringBackend) -> None:
            try:
                backend.delete_password(KEYRING_SERVICE, key)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored: already signed out

        await self._call(delete)


class SessionFallbackStore:
    """The keyring when it works; otherwise this session's memory, with a notice for the user.

    `reason` is empty while the keyring works, and says why not once it did not; `notice` adds what that
    means for the user.
    """

    def __init__(self, keyring_store: KeyringCredentialStore, memory: MemoryCredentialStore | None = None) -> None:
        self._keyring = keyring_store
        self._memory = memory or MemoryCredentialStore()
        self.reason = ""

    @property
    def persistent(self) -> bool:
        return not self.reason

    @property
    def notice(self) -> str:
        return f"{self.reason} {SESSION_ONLY}" if self.reason else ""

    def _fall_back(self, exc: CredentialError) -> None:
        if not self.reason:
            log.warning("keyring unusable, keeping the token in memory: %s", exc)
        self.reason = str(exc)

    async def retry(self, hub_url: str, username: str, token: str) -> bool:
        """Try the keyring again (unlocked since, say): keep this session's token there. True once it is kept."""
        try:
            await self._keyring.set_token(hub_url, username, token)
        except CredentialError as exc:
            self.reason = ""  # said again, with today's reason
            self._fall_back(exc)
            return False
        self.reason = ""
        log.info("the keyring works again: the sign-in is kept there")
        return True

    async def get_token(self, hub_url: str, username: str) -> str | None:
        token = await self._memory.get_token(hub_url, username)
        if token is not None or self.reason:
            return token
        try:
            return await self._keyring.get_token(hub_url, username)
        except CredentialError as exc:
            self._fall_back(exc)
            return None

    async def set_token(self, hub_url: str, username: str, token: str) -> None:
        if not self.reason:
            try:
                await self._keyring.set_token(hub_url, username, token)
                return
            except CredentialError as exc:
                self._fall_back(exc)
        await self._memory.set_token(hub_url, username, token)

    async def delete_token(self, hub_url: str, username: str) -> None:
        await self._memory.delete_token(hub_url, username)
        if not self.reason:
            try:
                await self._keyring.delete_token(hub_url, username)
            except CredentialError as exc:
                self._fall_back(exc)

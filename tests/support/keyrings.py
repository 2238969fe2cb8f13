"""Keyring backends for tests, held in memory: see what would be stored, or meet a keyring that hangs or
is locked. The app's `KeyringCredentialStore(backend)` takes one directly; no test reaches a real keyring
by accident (tests/desktop/conftest.py sets the null backend). `EnvKeyring` is for a subprocess, which
loads it by name."""

from __future__ import annotations

import os
import threading

from keyring.backend import KeyringBackend

from hub.auth import KEYRING_SERVICE


class DictKeyring(KeyringBackend):
    """A keyring backend in a dict, to see exactly what would be stored."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not there")


class HangingKeyring(DictKeyring):
    """Blocks like a keyring waiting on an unlock prompt nobody answers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait()
        return None


class LockedKeyring(DictKeyring):
    """Secret Service's answer when its unlock prompt was dismissed, until `locked` is False."""

    locked = True

    def set_password(self, service: str, username: str, password: str) -> None:
        from keyring.errors import InitError

        if self.locked:
            raise InitError("Failed to unlock the collection: Prompt dismissed")
        super().set_password(service, username, password)


class EnvKeyring(KeyringBackend):
    """For a `notify-hub send` subprocess (`PYTHON_KEYRING_BACKEND=tests.support.keyrings.EnvKeyring`): one
    entry, `FAKE_KEYRING_KEY` (`USER@HUB_URL`) -> `FAKE_KEYRING_TOKEN`, under the tray app's service name."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        if service == KEYRING_SERVICE and username == os.environ.get("FAKE_KEYRING_KEY"):
            return os.environ.get("FAKE_KEYRING_TOKEN")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError

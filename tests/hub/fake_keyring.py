"""A keyring backend for `notify-hub send` subprocesses: `PYTHON_KEYRING_BACKEND=tests.hub.fake_keyring.EnvKeyring`.

It holds one entry, `FAKE_KEYRING_KEY` (`USER@HUB_URL`) -> `FAKE_KEYRING_TOKEN`, under the service name
the tray app uses.
"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class EnvKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        if service == "lan-notify" and username == os.environ.get("FAKE_KEYRING_KEY"):
            return os.environ.get("FAKE_KEYRING_TOKEN")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError

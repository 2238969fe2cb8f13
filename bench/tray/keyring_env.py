"""A keyring backend for the bench's `notify-tray` process: the device token comes from BENCH_TRAY_TOKEN.

Set with PYTHON_KEYRING_BACKEND=bench.tray.keyring_env.EnvKeyring, so the app signs in silently, as it
does from a real keyring, with no D-Bus session or keyring daemon to start.
"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class EnvKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # keyring reads it as a class property

    def __init__(self) -> None:
        super().__init__()
        self._saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._saved.get((service, username)) or os.environ.get("BENCH_TRAY_TOKEN")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._saved.pop((service, username), None)

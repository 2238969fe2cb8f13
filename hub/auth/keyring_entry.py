"""Where a device token sits in the OS keyring: one service, one entry per user of a hub.

The tray app (`desktop.system.credentials`) keeps its token there when it signs in, and `notify-hub send`
reads it back, so a script run by the same person needs no token of its own. Both take the format from
here. Stdlib only: `notify-hub` is installed without the tray app's extra (and without `keyring` itself).
"""

from __future__ import annotations

from typing import Final

#: The keyring service every entry is filed under.
KEYRING_SERVICE: Final = "lan-notify"


def keyring_user(hub_url: str, username: str) -> str:
    """The entry's user name for one user of one hub: `alice@http://hub:8765` (no trailing slash)."""
    return f"{username}@{hub_url.strip().rstrip('/')}"

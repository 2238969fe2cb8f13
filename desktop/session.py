"""One signed-in hub + user: its local history, its inbox and its live connection. No Qt.

The app opens a `Session` after a sign-in (or a silent one from the keyring) and closes it on
sign-out, on a refused token and on quit. The toast policy and the unread counter outlive
sessions (they belong to the screen); everything else here belongs to one hub + user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from desktop.core.connection import ConnectionStatus
from desktop.core.history import AsyncHistory, history_path
from desktop.core.inbox import Inbox
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.net.client import HubClient

log = logging.getLogger(__name__)


class Session:
    def __init__(self, hub_url: str, username: str, token: str, history: AsyncHistory, inbox: Inbox) -> None:
        self.hub_url = hub_url
        self.username = username
        self.token = token
        self.history = history
        self.inbox = inbox
        self.client: HubClient | None = None

    @classmethod
    async def open(
        cls,
        *,
        hub_url: str,
        username: str,
        token: str,
        data_dir: Path,
        toasts: ToastPolicy,
        unread: UnreadCounter,
        on_state: Callable[[ConnectionStatus], None],
    ) -> Session:
        """Open the history and connect (the connection keeps trying in the background)."""
        history = await AsyncHistory.open(history_path(data_dir, hub_url, username))
        inbox = Inbox(history, unread, toasts)
        session = cls(hub_url, username, token, history, inbox)
        last_id = await inbox.load()
        session.client = HubClient(
            hub_url,
            token,
            last_id=last_id or 0,
            on_notification=inbox.receive,
            on_gap=inbox.gap,
            on_state=on_state,
        )
        session.client.start()
        log.info("signed in as %s at %s (resuming after #%s)", username, hub_url, last_id or 0)
        return session

    @property
    def status(self) -> ConnectionStatus:
        return self.client.status if self.client is not None else ConnectionStatus()

    async def close(self) -> None:
        """Disconnect and close the history; safe to call twice."""
        client, self.client = self.client, None
        if client is not None:
            await client.stop()
        await self.history.close()

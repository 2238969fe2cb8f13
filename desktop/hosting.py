"""Host a hub on this computer: the real hub (`RunningHub`) in-process, on the app's own event loop.

`LocalHub.start()` opens the hub's store under the app's data directory, listens on the chosen
interface (all of them by default, so teammates on the LAN can join), and creates the local user
as an admin on first run. The app signs itself in with `device_token()`; "Invite teammate…" is
`invite()`, which creates a user with a generated one-time password (`retire_password()` ends it once the
teammate has signed in). No Qt here.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import shlex
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from desktop.errors import HostError
from hub.accounts import Accounts
from hub.app import STORE
from hub.config import ConfigError, HubConfig, default_data_dir, env_name, load_config
from hub.errors import Conflict, NotFound
from hub.protocol import NAME_PATTERN
from hub.server import RunningHub

log = logging.getLogger(__name__)

DEFAULT_PORT: Final = 8765
ALL_INTERFACES: Final = "0.0.0.0"


def local_username() -> str:
    """The OS user's name, made a valid hub user name ('Jane Doe' -> 'jane.doe')."""
    try:
        raw = getpass.getuser()
    except (KeyError, OSError):
        raw = "me"
    name = re.sub(r"[^A-Za-z0-9_.@-]+", ".", raw.strip().lower()).strip(".-_@")[:64]
    return name if re.fullmatch(NAME_PATTERN, name) else "me"


def lan_address() -> str:
    """This computer's address on the LAN (the interface that routes outwards), or 127.0.0.1.

    A UDP "connect" sends nothing; it only asks the OS which local address it would use.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = str(probe.getsockname()[0])
        except OSError:
            address = ""
    if address and not address.startswith("0."):
        return address
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Hosted:
    """A running hosted hub, as the app shows it."""

    local_url: str  # how this app connects (loopback)
    lan_url: str  # how teammates connect
    username: str  # the local admin
    created_user: bool  # first run: the local user was just created
    data_dir: Path  # where its store lives

    @property
    def user_add_command(self) -> str:
        """The `notify-hub` command line that adds a user to this hub (its store, from this computer)."""
        if self.data_dir == default_hub_dir():
            return "notify-hub user add NAME"
        return f"notify-hub --data-dir {shlex.quote(str(self.data_dir))} user add NAME"

    @property
    def join_hint(self) -> str:
        return (
            f"Teammates join with notify-tray: hub address {self.lan_url}, with a user made by "
            f"“Invite teammate…” (or `{self.user_add_command}` on this computer)."
        )


def default_hub_dir() -> Path:
    """Where a hosted hub keeps its store by default: the same place as `notify-hub` on this computer
    (`LAN_NOTIFY_DATA_DIR`, with `~` expanded as the hub does, else ~/.local/share/lan-notify/hub), so its
    commands work on it as they are."""
    configured = os.environ.get(env_name("data_dir"))
    return Path(configured).expanduser() if configured else default_data_dir()


def _announce_setting() -> bool:
    """`LAN_NOTIFY_ANNOUNCE` as `notify-hub serve` reads it (default on): a hosted hub is announced on the
    LAN, so that teammates' sign-in dialogs list it."""
    name = env_name("announce")
    try:
        return load_config(env={name: os.environ[name]} if name in os.environ else {}).announce
    except ConfigError as exc:
        log.warning("%s; announcing the hosted hub", exc)
        return True


class LocalHub:
    def __init__(
        self, data_dir: Path, *, host: str = ALL_INTERFACES, port: int = DEFAULT_PORT, username: str = ""
    ) -> None:
        self.config = HubConfig(host=host, port=port, data_dir=data_dir, announce=_announce_setting())
        self.username = username or local_username()
        self._running: RunningHub | None = None
        self.hosted: Hosted | None = None

    @property
    def running(self) -> bool:
        return self._running is not None

    @property
    def accounts(self) -> Accounts:
        if self._running is None:
            raise HostError("the hub on this computer is not running")
        return Accounts(self._running.app[STORE])

    async def start(self) -> Hosted:
        if self.hosted is not None:
            return self.hosted
        try:
            self.config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the store's: private
            running = RunningHub(self.config)
            url = await running.start()
        except OSError as exc:
            raise HostError(
                f"could not start a hub on {self.config.host}:{self.config.port} ({exc.strerror or exc}); "
                "is another hub already running here? Choose another port in Settings."
            ) from None
        self._running = running
        port = url.rsplit(":", 1)[1]
        wildcard = self.config.host in {ALL_INTERFACES, "", "::"}
        loopback = self.config.host if not wildcard else "127.0.0.1"
        lan_host = lan_address() if wildcard else self.config.host
        created = False
        try:
            await self.accounts.user(self.username)
        except NotFound:
            await self.accounts.add_user(self.username, None, admin=True)
            created = True
            log.info("created the local admin %s", self.username)
        self.hosted = Hosted(
            local_url=f"http://{loopback}:{port}",
            lan_url=f"http://{lan_host}:{port}",
            username=self.username,
            created_user=created,
            data_dir=self.config.data_dir,
        )
        log.info("hosting a hub: %s (LAN: %s)", self.hosted.local_url, self.hosted.lan_url)
        return self.hosted

    async def device_token(self, label: str) -> str:
        """A new device token for the local user (the app signs itself in with it)."""
        return (await self.accounts.issue_token(self.username, label)).secret

    async def invite(self, name: str) -> str:
        """Create a teammate with a generated password; returns the password (shown once, never stored here)."""
        if not re.fullmatch(NAME_PATTERN, name):
            raise HostError("a user name is letters, digits and . _ @ - (up to 64), starting with a letter or digit")
        try:
            _, password = await self.accounts.add_user(name, None, admin=False)
        except Conflict as exc:
            raise HostError(exc.message) from None
        assert password is not None
        return password

    async def retire_password(self, name: str) -> None:
        """An invited teammate has signed in: their one-time password stops working (their device stays signed in).

        The password is replaced by a generated one that nobody sees; device tokens are not touched.
        """
        try:
            await self.accounts.set_password(name, None)
        except NotFound as exc:
            raise HostError(exc.message) from None

    async def stop(self) -> None:
        running, self._running = self._running, None
        self.hosted = None
        if running is not None:
            await running.stop()

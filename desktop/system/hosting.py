"""Host a hub on this computer: the real hub (`RunningHub`) in-process, on the app's own event loop.

`LocalHub.start()` opens the hub's store under the app's data directory, listens on the chosen
interface (all of them by default, so teammates on the LAN can join), and creates the local user
as an admin on first run. The app signs itself in with `device_token()`; "Invite" is `invite()`,
which creates a user with a generated one-time password, and "Reset password…" is
`reset_password()`, which gives an existing user a new one. The hub itself ends a one-time
password when it is used to sign in. No Qt here.
"""

from __future__ import annotations

import errno
import getpass
import ipaddress
import logging
import os
import re
import shlex
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from desktop.errors import HostError, PortInUseError, UserExistsError
from hub.auth import Accounts
from hub.config import HubConfig, default_data_dir, env_name, load_config
from hub.errors import CannotListen, ConfigError, Conflict, NotFound, StoreError
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
    interface: str = ALL_INTERFACES  # the address it listens on

    @property
    def user_add_command(self) -> str:
        """The `notify-hub` command line that adds a user to this hub (its store, from this computer)."""
        if self.data_dir == default_hub_dir():
            return "notify-hub user add NAME"
        return f"notify-hub --data-dir {shlex.quote(str(self.data_dir))} user add NAME"

    @property
    def join_hint(self) -> str:
        return (
            "Teammates sign in to this address with notify-tray, with a user name and a one-time password from "
            "you: type a name below and choose Invite. (On this computer, the command "
            f"“{self.user_add_command}” makes a user too.)"
        )

    @property
    def lan_warning(self) -> str:
        """Why teammates cannot reach the LAN address, in words; "" when they can."""
        if _is_loopback(self.interface):
            return (
                f"Other computers cannot reach this hub: it listens on {self.interface}, which is this computer "
                "only. To let teammates join, set “Listen on” to every interface in Settings (Startup and "
                "hosting), then quit and start lan-notify again."
            )
        host = self.lan_url.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
        if _is_loopback(host):
            return (
                f"Other computers cannot reach {self.lan_url}: this computer has no address on a network "
                "right now. Connect it to the LAN, then quit and start lan-notify again."
            )
        return ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cannot_host_text(error: HostError, *, port_from_command_line: bool) -> str:
    """Why hosting failed and what to do, in one paragraph: a busy port names where to choose another."""
    if not isinstance(error, PortInUseError):
        return f"Could not host a hub here. {error}"
    other = error.port + 1 if 0 < error.port < 65535 else 8766
    if port_from_command_line:
        advice = (
            f"Start lan-notify with another one: notify-tray --host-port {other}, or LAN_NOTIFY_PORT={other} make run."
        )
    else:
        advice = "Choose another one in Settings (Startup and hosting), then host again."
    return f"Could not host a hub here. {error} {advice}"


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
        return self._running.accounts

    async def start(self) -> Hosted:
        if self.hosted is not None:
            return self.hosted
        try:
            self.config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the store's: private
            running = RunningHub(self.config)
            url = await running.start()
        except CannotListen as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(self.config.host, self.config.port) from None
            raise HostError(
                f"The hub cannot listen on {self.config.host}:{self.config.port}: {exc.strerror or exc}."
            ) from None
        except (OSError, StoreError) as exc:
            raise HostError(
                f"The hub's data folder {self.config.data_dir} cannot be used: {getattr(exc, 'strerror', '') or exc}."
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
            interface=self.config.host,
        )
        log.info("hosting a hub: %s (LAN: %s)", self.hosted.local_url, self.hosted.lan_url)
        return self.hosted

    async def device_token(self, label: str) -> str:
        """A new device token for the local user (the app signs itself in with it)."""
        return (await self.accounts.issue_token(self.username, label)).secret

    async def invite(self, name: str) -> str:
        """Create a teammate with a one-time password; returns it (shown once, never stored here).

        Raises `UserExistsError` when the name is taken (the app offers a new password instead)."""
        if not re.fullmatch(NAME_PATTERN, name):
            raise HostError("A user name is letters, digits and . _ @ - (up to 64), and starts with a letter or digit.")
        try:
            await self.accounts.add_user(name, None, admin=False, token_only=True)
        except Conflict:
            raise UserExistsError(name) from None
        return await self.accounts.one_time_password(name)

    async def reset_password(self, name: str) -> str:
        """A new one-time password for an existing user (their signed-in devices stay signed in); returns it."""
        try:
            return await self.accounts.one_time_password(name)
        except NotFound:
            raise HostError(f"There is no user named {name!r} on this hub.") from None

    async def teammates(self) -> list[str]:
        """Every user but the local admin, by name (whom "Reset password…" can give a new password)."""
        return [u.name for u in await self.accounts.store.list_users() if u.name != self.username]

    async def stop(self) -> None:
        running, self._running = self._running, None
        self.hosted = None
        if running is not None:
            await running.stop()

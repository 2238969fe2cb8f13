"""Hub configuration: one frozen dataclass built from defaults < TOML file < `LAN_NOTIFY_*` env < flags.

Every field is a TOML key of the same name, an environment variable `LAN_NOTIFY_<NAME>` and a
`notify-hub serve --<name>` flag (underscores become dashes). `docs/configuration.md` lists them; a
test keeps it true.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.errors import ConfigError

ENV_PREFIX = "LAN_NOTIFY_"
#: The hub's pings go out on a wheel that turns this many times per `ping_interval` (one timer for
#: every connection): a ping is at most `ping_interval / HEARTBEAT_TICKS` late.
HEARTBEAT_TICKS = 20
#: The SQLite store's checkpointer: its interval (ms) and its bound on the WAL (pages), least and most.
#: Under 10 ms it would checkpoint about as often as a busy store commits; past a minute, or a million
#: pages (4 GiB), the WAL of a busy hub could grow by gigabytes before it starts again.
WAL_CHECKPOINT_MS_RANGE = (10, 60_000)
WAL_RESTART_PAGES_RANGE = (64, 1_048_576)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lan-notify" / "hub"


@dataclass(frozen=True, slots=True)
class HubConfig:
    host: str = field(default="127.0.0.1", metadata={"help": "address to listen on (0.0.0.0 for the whole LAN)"})
    port: int = field(default=8765, metadata={"help": "TCP port (0 picks a free one)"})
    data_dir: Path = field(default_factory=default_data_dir, metadata={"help": "where the SQLite store lives"})
    open: bool = field(
        default=False,
        metadata={"help": "trusted-LAN/demo mode: clients name themselves, no token needed (logs a warning)"},
    )
    rate_burst: int = field(default=60, metadata={"help": "notifications a user may send in a burst"})
    rate_refill_per_second: float = field(
        default=0.2, metadata={"help": "notifications per second added back to a user's burst"}
    )
    retention_days: int = field(default=30, metadata={"help": "days a stored notification is kept for replay"})
    retention_count: int = field(default=1000, metadata={"help": "notifications kept per user for replay"})
    ping_interval: float = field(default=25.0, metadata={"help": "Socket.IO heartbeat interval, seconds"})
    ping_timeout: float = field(default=20.0, metadata={"help": "Socket.IO heartbeat timeout, seconds"})
    cors_origins: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "allowed browser origins, comma-separated ('*' for any; empty: same origin)",
            "empty": "(empty: same origin only)",
        },
    )
    trusted_proxies: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the "
            "client, e.g. for per-address login limits; empty: the header is ignored",
            "empty": "(empty: X-Forwarded-For ignored)",
        },
    )
    websocket_compression: bool = field(
        default=False, metadata={"help": "negotiate permessage-deflate on websockets (costs CPU and ~90 KB a client)"}
    )
    max_send_buffer: int = field(
        default=8 * 1024 * 1024,
        metadata={"help": "bytes waiting for a client that stops reading before the hub closes its connection"},
    )
    max_send_buffer_total: int = field(
        default=64 * 1024 * 1024,
        metadata={
            "help": "bytes waiting for all clients together; past it the connections with the most unsent are closed"
        },
    )
    sign_in_timeout: float = field(
        default=45.0,
        metadata={"help": "seconds a connection may stay open without signing in before the hub closes it"},
    )
    http_idle_timeout: float = field(
        default=15.0,
        metadata={
            "help": "seconds an HTTP connection may go without a complete request: before the first, between "
            "keep-alive requests, and while its headers trickle in"
        },
    )
    http_body_timeout: float = field(default=20.0, metadata={"help": "seconds a request body may take to arrive"})
    max_connections: int = field(
        default=0,
        metadata={
            "help": "connections served at once; past it only /api/health and admins get in "
            "(0: the open-file limit minus the files the hub holds and a reserve of 128)"
        },
    )
    max_connections_per_user: int = field(
        default=64, metadata={"help": "Socket.IO connections one account may hold at once"}
    )
    max_pending_per_address: int = field(
        default=64,
        metadata={"help": "connections from one address that have not signed in yet; past it new ones are refused"},
    )
    allowed_hosts: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "host names clients may reach the hub by, besides IP addresses, localhost and this "
            "machine's own names, comma-separated ('.lan' for a domain, '*' for any; guards against DNS rebinding)",
            "empty": "(empty: IP addresses, localhost and this machine's names)",
        },
    )
    revocation_poll_seconds: float = field(
        default=1.0, metadata={"help": "how often the hub looks for tokens revoked by the admin CLI"}
    )
    presence_interval_seconds: float = field(
        default=0.25,
        metadata={"help": "how often clients that asked for batched presence are told who came and went, at most"},
    )
    commit_linger_ms: float = field(
        default=5.0,
        metadata={
            "help": "while sends keep arriving, the longest a small batch of them may wait for more to store in "
            "the same commit, in milliseconds (0: never waits), 0 to 100"
        },
    )
    wal_checkpoint_ms: float = field(
        default=200.0,
        metadata={
            "help": "SQLite store: milliseconds from the first write after a checkpoint of its write-ahead log to "
            "the next (a copy into the database file, on a thread of its own; none while idle), 10 to 60000"
        },
    )
    wal_restart_pages: int = field(
        default=4096,
        metadata={
            "help": "SQLite store: the write-ahead log's length in 4 KiB pages past which it is started again "
            "between two commits, and the size its file is cut back to; 64 to 1048576"
        },
    )
    log_level: str = field(default="info", metadata={"help": "debug, info, warning or error"})
    log_format: str = field(default="text", metadata={"help": "text, or json: one JSON object per line"})
    tls_cert: str = field(
        default="", metadata={"help": "PEM certificate (chain) file: serve HTTPS/WSS (needs tls_key)"}
    )
    tls_key: str = field(default="", metadata={"help": "PEM private key file of tls_cert"})
    database: str = field(
        default="",
        metadata={
            "help": "PostgreSQL URL (postgresql://user:pw@host/db): a store shared by several hubs; empty: SQLite"
        },
    )
    redis: str = field(
        default="",
        metadata={"help": "Redis URL (redis://host:6379/0) to run several hubs as one cluster; needs --database"},
    )
    cluster_ttl_seconds: float = field(
        default=10.0,
        metadata={"help": "with Redis: seconds after which a silent hub counts as gone (its users offline)"},
    )
    announce: bool = field(
        default=True,
        metadata={
            "help": "announce the hub on the LAN by mDNS/DNS-SD (_lan-notify._tcp: name, port, TLS fingerprint) so "
            "the tray app lists it at sign-in; a hub on a loopback address is never announced"
        },
    )
    announce_name: str = field(
        default="", metadata={"help": "the name the hub is announced under; empty: 'lan-notify on HOSTNAME'"}
    )
    membership_burst: int = field(
        default=20, metadata={"help": "room joins and leaves a user may make in a burst (a bucket apart from sends)"}
    )
    membership_refill_per_second: float = field(
        default=0.2, metadata={"help": "room joins and leaves per second added back to a user's burst"}
    )
    read_burst: int = field(
        default=200,
        metadata={"help": "read marks and seen reports a user may make in a burst (a bucket apart from sends)"},
    )
    read_refill_per_second: float = field(
        default=5.0, metadata={"help": "read marks and seen reports per second added back to a user's burst"}
    )
    rooms_per_user: int = field(
        default=20,
        metadata={
            "help": "rooms a user may make by joining a name no room has (a room made so goes when its last member "
            "leaves); 0: only admins make rooms, with notify-hub room create"
        },
    )
    public: str = field(
        default="",
        metadata={
            "help": "a folder of files served at / as express.static serves one (e.g. the seed guide's public/); "
            "the hub's own paths win; empty: none (see docs/web.md)"
        },
    )
    schedule_min_seconds: float = field(
        default=10.0,
        metadata={"help": "the soonest a send may be scheduled, seconds ahead (at most 10); lower it only for tests"},
    )
    schedule_max_pending: int = field(
        default=100, metadata={"help": "scheduled notifications one account may have pending at once (0: none)"}
    )
    web_app: bool = field(
        default=True, metadata={"help": "serve the web app at /app/ (and at / when no public folder has an index.html)"}
    )

    def with_changes(self, **changes: Any) -> HubConfig:
        return dataclasses.replace(self, **changes)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "hub.sqlite3"


FIELDS: dict[str, dataclasses.Field[Any]] = {f.name: f for f in dataclasses.fields(HubConfig)}
_HINTS = typing.get_type_hints(HubConfig)


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _coerce(name: str, raw: Any, source: str) -> Any:
    hint = _HINTS[name]
    try:
        if hint is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(f"expected true or false, got {raw!r}")
        if hint is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError("expected a whole number")  # int() would cut 100.7 to 100
            return int(raw)
        if hint is float:
            if isinstance(raw, bool):
                raise ValueError("expected a number")
            return float(raw)
        if hint is Path:
            return Path(str(raw)).expanduser()
        if typing.get_origin(hint) is tuple:
            items = raw.split(",") if isinstance(raw, str) else raw
            if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
                raise ValueError("expected a list of text, or comma-separated text")
            return tuple(item.strip() for item in items if item.strip())
        if hint is str:
            if not isinstance(raw, str):
                raise ValueError("expected text")
            return raw
    except ValueError as exc:
        raise ConfigError(f"{name} (from {source}): {exc}") from None
    raise ConfigError(f"{name}: unsupported type {hint}")  # pragma: no cover


def _check(config: HubConfig) -> HubConfig:
    problems = []
    if not 0 <= config.port <= 65535:
        problems.append("port must be between 0 and 65535")
    if config.max_send_buffer < 64 * 1024:
        problems.append("max_send_buffer must be at least 65536 (64 KiB)")
    if config.ping_interval < 1 or config.ping_timeout <= 0:
        # python-engineio tells clients the interval in whole seconds: 0.5 would read as 0.
        problems.append("ping_interval must be at least 1 second and ping_timeout positive")
    if config.rate_burst < 1:
        problems.append("rate_burst must be at least 1")
    if config.rate_refill_per_second <= 0:
        problems.append("rate_refill_per_second must be positive")
    if config.retention_days < 1 or config.retention_count < 1:
        problems.append("retention_days and retention_count must be at least 1")
    if config.cluster_ttl_seconds <= 0:
        problems.append("cluster_ttl_seconds must be positive")
    problems.extend(_room_problems(config))
    if not 0 < config.schedule_min_seconds <= 10 or config.schedule_max_pending < 0:
        problems.append("schedule_min_seconds must be more than 0 and at most 10; schedule_max_pending 0 or more")
    if config.ping_interval <= 0 or config.ping_timeout <= 0:
        problems.append("ping_interval and ping_timeout must be positive")
    if config.log_level not in {"debug", "info", "warning", "error"}:
        problems.append("log_level must be debug, info, warning or error")
    if config.log_format not in {"text", "json"}:
        problems.append("log_format must be text or json")
    if bool(config.tls_cert) != bool(config.tls_key):
        problems.append("tls_cert and tls_key go together: give both or neither")
    if config.database and not config.database.startswith(("postgresql://", "postgres://")):
        problems.append("database must be a postgresql:// URL (or empty for SQLite)")
    if config.redis and not config.database:
        problems.append("redis needs a shared database: set database to a postgresql:// URL too")
    for proxy in config.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            problems.append(f"trusted_proxies: {proxy!r} is not an IP address or network")
    problems += _connection_problems(config)
    if problems:
        raise ConfigError("; ".join(problems))
    return config


def _room_problems(config: HubConfig) -> list[str]:
    problems = []
    if config.membership_burst < 1 or config.membership_refill_per_second <= 0:
        problems.append("membership_burst must be at least 1 and membership_refill_per_second positive")
    if config.read_burst < 1 or config.read_refill_per_second <= 0:
        problems.append("read_burst must be at least 1 and read_refill_per_second positive")
    if config.rooms_per_user < 0:
        problems.append("rooms_per_user must be 0 (only admins make rooms) or more")
    return problems


def _connection_problems(config: HubConfig) -> list[str]:
    """The connection limits and timeouts that cannot be used."""
    problems = []
    if config.max_send_buffer_total < config.max_send_buffer:
        problems.append("max_send_buffer_total must be at least max_send_buffer")
    for name in ("sign_in_timeout", "http_idle_timeout", "http_body_timeout", "presence_interval_seconds"):
        if getattr(config, name) <= 0:
            problems.append(f"{name} must be positive")
    if not 0 <= config.commit_linger_ms <= 100:
        problems.append("commit_linger_ms must be between 0 and 100")
    if not WAL_CHECKPOINT_MS_RANGE[0] <= config.wal_checkpoint_ms <= WAL_CHECKPOINT_MS_RANGE[1]:
        problems.append(
            f"wal_checkpoint_ms must be between {WAL_CHECKPOINT_MS_RANGE[0]} and {WAL_CHECKPOINT_MS_RANGE[1]}"
        )
    if not WAL_RESTART_PAGES_RANGE[0] <= config.wal_restart_pages <= WAL_RESTART_PAGES_RANGE[1]:
        problems.append(
            f"wal_restart_pages must be between {WAL_RESTART_PAGES_RANGE[0]} and {WAL_RESTART_PAGES_RANGE[1]}"
        )
    if config.max_connections < 0:
        problems.append("max_connections must be 0 (automatic) or more")
    if config.max_connections_per_user < 1 or config.max_pending_per_address < 1:
        problems.append("max_connections_per_user and max_pending_per_address must be at least 1")
    for host in config.allowed_hosts:
        if host != "*" and not _HOST_NAME.fullmatch(host.lower()):
            problems.append(f"allowed_hosts: {host!r} is not a host name (or '.domain', or '*')")
    return problems


#: A host name or a domain with a leading dot; letters, digits, '-' and '.' (IDNs in their xn-- form).
_HOST_NAME = re.compile(r"\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?")


def load_config(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> HubConfig:
    """Build the configuration. `overrides` are command-line values; None means "not given"."""
    values: dict[str, Any] = {}
    if config_file is not None:
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc}") from None
        section = data.get("hub", data)
        if not isinstance(section, dict):
            raise ConfigError(f"[hub] in {config_file} must be a table")
        if section is not data:
            stray = [key for key in data if key != "hub"]
            if stray:
                raise ConfigError(
                    f"key {stray[0]!r} is outside the [hub] table in {config_file}: put every setting under [hub]"
                )
        for key, raw in section.items():
            name = key.replace("-", "_")
            if name not in FIELDS:
                raise ConfigError(f"unknown key {key!r} in {config_file}")
            values[name] = _coerce(name, raw, str(config_file))
    environ = os.environ if env is None else env
    for name in FIELDS:
        if env_name(name) in environ:
            values[name] = _coerce(name, environ[env_name(name)], env_name(name))
    for name, raw in (overrides or {}).items():
        if raw is not None:
            values[name] = _coerce(name, raw, "--" + name.replace("_", "-"))
    return _check(HubConfig(**values))


def field_type_name(name: str) -> str:
    hint = _HINTS[name]
    if typing.get_origin(hint) is tuple:
        return "list"
    if isinstance(hint, types.GenericAlias):  # pragma: no cover
        return str(hint)
    return {bool: "bool", int: "int", float: "float", str: "str", Path: "path"}[hint]


def _shown_default(name: str) -> str:
    value = getattr(HubConfig(), name)
    if name == "data_dir":
        return "`~/.local/share/lan-notify/hub` (`$XDG_DATA_HOME/lan-notify/hub`)"
    if isinstance(value, tuple):
        return str(FIELDS[name].metadata["empty"]) if not value else f"`{','.join(value)}`"
    if value == "":
        return "(none)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def markdown_table() -> str:
    """The settings table of docs/configuration.md (a test checks the doc contains exactly this)."""
    lines = [
        "| TOML key | flag (`notify-hub serve`) | environment | type | default | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in FIELDS.items():
        flag = "--" + name.replace("_", "-")
        lines.append(
            f"| `{name}` | `{flag}` | `{env_name(name)}` | {field_type_name(name)} | {_shown_default(name)} "
            f"| {f.metadata.get('help', '')} |"
        )
    return "\n".join(lines) + "\n"

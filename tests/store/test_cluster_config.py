"""The scale-out settings: `database` and `redis`, checked early, never shown with their password."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import load_config
from hub.errors import ConfigError
from tests.support.cli import notify_hub


def test_database_and_redis_come_from_the_environment() -> None:
    config = load_config(
        env={"LAN_NOTIFY_DATABASE": "postgresql://hub@db/notify", "LAN_NOTIFY_REDIS": "redis://r:6379/0"}
    )
    assert (config.database, config.redis) == ("postgresql://hub@db/notify", "redis://r:6379/0")


def test_database_and_redis_come_from_a_toml_file(tmp_path: Path) -> None:
    toml = tmp_path / "hub.toml"
    toml.write_text('[hub]\ndatabase = "postgresql://hub@db/notify"\nredis = "redis://r:6379/0"\n')
    config = load_config(config_file=toml, env={})
    assert (config.database, config.redis) == ("postgresql://hub@db/notify", "redis://r:6379/0")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LAN_NOTIFY_REDIS": "redis://r:6379/0"}, "redis needs a shared database"),
        ({"LAN_NOTIFY_DATABASE": "mysql://db/notify"}, "database must be a postgresql:// URL"),
        ({"LAN_NOTIFY_CLUSTER_TTL_SECONDS": "0"}, "cluster_ttl_seconds must be positive"),
    ],
)
def test_unusable_scale_out_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(env=env)


async def test_print_config_hides_passwords() -> None:
    # A subprocess, as a user runs it: `main` configures the process's logging, which would stay so
    # for the tests after it.
    result = await notify_hub(
        "serve",
        "--database",
        "postgresql://hub:s3cret@db/notify",
        "--redis",
        "redis://:hunter2@r:6379/0",
        "--print-config",
    )

    assert result.code == 0 and "s3cret" not in result.out and "hunter2" not in result.out
    assert "database = 'postgresql://hub@db/notify'" in result.out

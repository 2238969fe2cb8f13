"""Configuration: defaults < TOML < LAN_NOTIFY_* environment < flags, with clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.config import FIELDS, ConfigError, load_config, markdown_table


def test_defaults_suit_a_lan() -> None:
    config = load_config(env={})
    assert (config.host, config.port, config.open) == ("127.0.0.1", 8765, False)
    assert (config.rate_burst, config.rate_refill_per_second) == (60, 0.2)


def test_precedence_toml_then_env_then_flags(tmp_path: Path) -> None:
    toml = tmp_path / "hub.toml"
    toml.write_text('[hub]\nport = 9000\nhost = "0.0.0.0"\nrate-burst = 5\ncors_origins = ["http://a"]\n')

    config = load_config(
        config_file=toml,
        env={"LAN_NOTIFY_PORT": "9001", "LAN_NOTIFY_OPEN": "yes"},
        overrides={"port": "9002", "host": None},
    )

    assert (config.port, config.host, config.rate_burst, config.open) == (9002, "0.0.0.0", 5, True)
    assert config.cors_origins == ("http://a",)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LAN_NOTIFY_PORT": "eighty"}, "port (from LAN_NOTIFY_PORT)"),
        ({"LAN_NOTIFY_OPEN": "maybe"}, "expected true or false"),
        ({"LAN_NOTIFY_PORT": "70000"}, "port must be between"),
        ({"LAN_NOTIFY_LOG_LEVEL": "loud"}, "log_level"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(env=env)


def test_unknown_toml_key_is_an_error(tmp_path: Path) -> None:
    toml = tmp_path / "hub.toml"
    toml.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'prot'"):
        load_config(config_file=toml, env={})


def test_configuration_doc_has_the_table_of_every_setting() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    assert markdown_table() in doc, (
        "regenerate the table: python -c 'import hub.config as c; print(c.markdown_table())'"
    )
    assert len(FIELDS) == markdown_table().count("\n") - 2

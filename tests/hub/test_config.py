"""Configuration: defaults < TOML < LAN_NOTIFY_* environment < flags, with clear errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.config import FIELDS, load_config, markdown_table
from hub.errors import ConfigError


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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('port = 9000\n[hub]\nhost = "0.0.0.0"\n', "'port' is outside the [hub] table"),
        ("hub = 5\n", "must be a table"),
        ("cors_origins = 5\n", "cors_origins (from"),
        ('cors_origins = ["http://a", 5]\n', "expected a list of text"),
        ('port = "x\n', "cannot read config file"),
    ],
)
def test_toml_mistakes_are_errors_not_silently_ignored(tmp_path: Path, text: str, message: str) -> None:
    toml = tmp_path / "hub.toml"
    toml.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(config_file=toml, env={})


def test_serve_reads_a_toml_file_and_the_environment_and_flags_win(tmp_path: Path) -> None:
    """The same precedence through `notify-hub serve` itself, as an operator runs it."""
    toml = tmp_path / "hub.toml"
    toml.write_text('[hub]\nport = 9000\nopen = true\nrate-burst = 5\ncors_origins = ["http://a.lan"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}

    def effective(*args: str, **extra_env: str) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "hub", "serve", "--config", str(toml), "--print-config", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={**env, **extra_env},
        )
        return dict(line.split(" = ", 1) for line in done.stdout.splitlines())

    from_file = effective()
    assert (from_file["port"], from_file["open"], from_file["rate_burst"]) == ("9000", "True", "5")
    assert from_file["cors_origins"] == "('http://a.lan',)"
    from_env = effective(LAN_NOTIFY_PORT="9001", LAN_NOTIFY_RATE_BURST="7")
    assert (from_env["port"], from_env["rate_burst"]) == ("9001", "7")
    from_flags = effective("--port", "9002", "--no-open", LAN_NOTIFY_PORT="9001")
    assert (from_flags["port"], from_flags["open"]) == ("9002", "False")

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
        ("wal_restart_pages = 100.7\n", "expected a whole number"),
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

    def effective(*args: str, **extra_env: str) -> dict[str, str]:
        return _printed_config("--config", str(toml), *args, **extra_env)

    from_file = effective()
    assert (from_file["port"], from_file["open"], from_file["rate_burst"]) == ("9000", "True", "5")
    assert from_file["cors_origins"] == "('http://a.lan',)"
    from_env = effective(LAN_NOTIFY_PORT="9001", LAN_NOTIFY_RATE_BURST="7")
    assert (from_env["port"], from_env["rate_burst"]) == ("9001", "7")
    from_flags = effective("--port", "9002", "--no-open", LAN_NOTIFY_PORT="9001")
    assert (from_flags["port"], from_flags["open"]) == ("9002", "False")


def test_the_wal_settings_come_from_the_environment_and_the_flags() -> None:
    """`wal_checkpoint_ms` and `wal_restart_pages`, as `notify-hub serve` reads them (the flag wins)."""
    defaults = _printed_config()
    assert (defaults["wal_checkpoint_ms"], defaults["wal_restart_pages"]) == ("200.0", "4096")
    from_env = _printed_config(LAN_NOTIFY_WAL_CHECKPOINT_MS="50", LAN_NOTIFY_WAL_RESTART_PAGES="1024")
    assert (from_env["wal_checkpoint_ms"], from_env["wal_restart_pages"]) == ("50.0", "1024")
    from_flags = _printed_config(
        "--wal-checkpoint-ms", "1000", "--wal-restart-pages", "128", LAN_NOTIFY_WAL_RESTART_PAGES="1024"
    )
    assert (from_flags["wal_checkpoint_ms"], from_flags["wal_restart_pages"]) == ("1000.0", "128")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("wal_checkpoint_ms", "0", "wal_checkpoint_ms must be between 10 and 60000"),
        ("wal_checkpoint_ms", "-200", "wal_checkpoint_ms must be between 10 and 60000"),
        ("wal_checkpoint_ms", "86400000", "wal_checkpoint_ms must be between 10 and 60000"),
        ("wal_checkpoint_ms", "nan", "wal_checkpoint_ms must be between 10 and 60000"),
        ("wal_checkpoint_ms", "soon", "wal_checkpoint_ms (from LAN_NOTIFY_WAL_CHECKPOINT_MS): could not convert"),
        ("wal_restart_pages", "0", "wal_restart_pages must be between 64 and 1048576"),
        ("wal_restart_pages", "-1", "wal_restart_pages must be between 64 and 1048576"),
        ("wal_restart_pages", "2000000000", "wal_restart_pages must be between 64 and 1048576"),
        ("wal_restart_pages", "4096.5", "wal_restart_pages (from LAN_NOTIFY_WAL_RESTART_PAGES): invalid literal"),
    ],
)
def test_a_wal_setting_that_cannot_be_used_is_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(env={"LAN_NOTIFY_" + name.upper(): value})


def test_serve_refuses_a_bad_wal_setting_in_one_line_before_it_opens_anything(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}
    done = subprocess.run(
        [sys.executable, "-m", "hub", "serve", "--data-dir", str(tmp_path / "hub"), "--wal-restart-pages", "8"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == ("notify-hub: error: wal_restart_pages must be between 64 and 1048576"), (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "hub").exists(), "no store was made"


def _printed_config(*args: str, **extra_env: str) -> dict[str, str]:
    """What `notify-hub serve --print-config ARGS` says, with no LAN_NOTIFY_ variable but `extra_env`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}
    done = subprocess.run(
        [sys.executable, "-m", "hub", "serve", "--print-config", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**env, **extra_env},
    )
    return dict(line.split(" = ", 1) for line in done.stdout.splitlines())

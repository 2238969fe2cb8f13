"""`notify-hub` admin commands, run as a user would: in a subprocess."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path


def hub_cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_users_tokens_and_rooms_round_trip(tmp_path: Path) -> None:
    added = hub_cli(tmp_path, "user", "add", "alice", "--admin")
    assert added.returncode == 0 and "created admin alice" in added.stderr
    generated = added.stdout.strip()
    assert len(generated) >= 16, "a generated password is printed once"
    assert hub_cli(tmp_path, "user", "add", "bob", "--password-stdin", stdin="bobs password\n").stdout == ""

    listed = hub_cli(tmp_path, "user", "list").stdout.splitlines()
    assert listed == ["alice\tadmin", "bob"]

    token = hub_cli(tmp_path, "token", "create", "bob", "--label", "laptop").stdout.strip()
    assert token.startswith("lnt_")
    tokens = hub_cli(tmp_path, "token", "list", "bob").stdout
    assert "laptop" in tokens and "active" in tokens and token not in tokens, "secrets are never listed"
    assert hub_cli(tmp_path, "token", "revoke", "1").returncode == 0
    assert "revoked" in hub_cli(tmp_path, "token", "list", "bob").stdout

    assert hub_cli(tmp_path, "room", "create", "ops", "--members", "alice,bob").returncode == 0
    assert hub_cli(tmp_path, "room", "list").stdout == "ops\trestricted\talice, bob\n"


def test_errors_are_one_clear_line_and_a_failing_status(tmp_path: Path) -> None:
    hub_cli(tmp_path, "user", "add", "alice", "--password-stdin", stdin="pw\n")

    duplicate = hub_cli(tmp_path, "user", "add", "alice", "--password-stdin", stdin="pw\n")
    missing = hub_cli(tmp_path, "token", "create", "nobody")
    bad_name = hub_cli(tmp_path, "user", "add", "no spaces please")
    no_room_member = hub_cli(tmp_path, "room", "create", "ops", "--members", "ghost")

    assert (duplicate.returncode, duplicate.stderr) == (1, "notify-hub: a user named 'alice' already exists\n")
    assert (missing.returncode, missing.stderr) == (1, "notify-hub: there is no user named 'nobody'\n")
    assert bad_name.returncode != 0 and "not a valid user name" in bad_name.stderr
    assert no_room_member.returncode == 1 and "ghost" in no_room_member.stderr


def test_password_change_takes_effect(tmp_path: Path) -> None:
    hub_cli(tmp_path, "user", "add", "alice", "--password-stdin", stdin="old\n")
    changed = hub_cli(tmp_path, "user", "passwd", "alice", "--password-stdin", stdin="new password\n")
    assert changed.returncode == 0 and "password changed" in changed.stderr


def test_a_password_change_revokes_the_device_tokens_and_keeps_send_only_ones(tmp_path: Path) -> None:
    hub_cli(tmp_path, "user", "add", "alice", "--password-stdin", stdin="old\n")
    for args in (("--label", "laptop"), ("--label", "phone"), ("--label", "ci", "--send-only")):
        assert hub_cli(tmp_path, "token", "create", "alice", *args).returncode == 0

    changed = hub_cli(tmp_path, "user", "passwd", "alice", "--password-stdin", stdin="new password\n")

    assert changed.returncode == 0
    assert "revoked 2 device tokens of alice (1, 2): a running hub disconnects those devices" in changed.stderr
    assert "kept send-only tokens 3 (ci); revoke one with: notify-hub token revoke ID" in changed.stderr
    states = [line.split("\t")[-1] for line in hub_cli(tmp_path, "token", "list", "alice").stdout.splitlines()[1:]]
    assert states == ["revoked", "revoked", "active"]


def test_a_password_change_with_keep_tokens_leaves_them_valid(tmp_path: Path) -> None:
    hub_cli(tmp_path, "user", "add", "alice", "--password-stdin", stdin="old\n")
    hub_cli(tmp_path, "token", "create", "alice", "--label", "laptop")

    changed = hub_cli(tmp_path, "user", "passwd", "alice", "--keep-tokens", "--password-stdin", stdin="new\n")

    assert changed.returncode == 0
    assert "device tokens of alice kept (--keep-tokens): their devices stay signed in" in changed.stderr
    assert hub_cli(tmp_path, "token", "list", "alice").stdout.splitlines()[1].endswith("\tactive")
    helped = hub_cli(tmp_path, "user", "passwd", "--help").stdout
    assert "--keep-tokens" in helped and "device tokens" in helped and "revoked" in helped


def test_a_token_only_user_has_no_password_until_given_one(tmp_path: Path) -> None:
    added = hub_cli(tmp_path, "user", "add", "ci", "--no-password")
    assert added.returncode == 0 and added.stdout == "", "no password is generated or printed"
    assert "created user ci (no password: it signs in with device tokens only)" in added.stderr
    assert hub_cli(tmp_path, "user", "list").stdout == "ci\tno password\n"
    assert hub_cli(tmp_path, "token", "create", "ci", "--send-only").stdout.startswith("lnt_")

    both = hub_cli(tmp_path, "user", "add", "x", "--no-password", "--password-stdin", stdin="pw\n")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr

    assert hub_cli(tmp_path, "user", "passwd", "ci", "--password-stdin", stdin="now one\n").returncode == 0
    assert hub_cli(tmp_path, "user", "list").stdout == "ci\n"


def test_help_describes_the_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hub", "--help"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    for word in ("serve", "user", "token", "room", "examples:"):
        assert word in out
    serve = subprocess.run(
        [sys.executable, "-m", "hub", "serve", "--help"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert "--open" in serve and "LAN_NOTIFY_RATE_BURST" in serve


def test_a_store_from_a_newer_lan_notify_is_refused_in_one_line(tmp_path: Path) -> None:
    import sqlite3

    from hub.store.sqlite.migrations import SCHEMA_VERSION

    assert hub_cli(tmp_path, "user", "add", "alice", "--password-stdin", stdin="pw\n").returncode == 0
    with sqlite3.connect(tmp_path / "hub.sqlite3") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    for args in (("user", "list"), ("serve", "--port", "0")):
        refused = hub_cli(tmp_path, *args)
        assert refused.returncode == 2, args
        assert refused.stderr.strip().splitlines()[-1].startswith("notify-hub: this store has schema version")
        assert "Traceback" not in refused.stderr


def test_serve_says_in_one_line_when_its_address_or_data_directory_cannot_be_used(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        in_use = hub_cli(tmp_path / "hub", "serve", "--port", str(port))
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    bad_dir = hub_cli(not_a_dir, "serve", "--port", "0")
    bad_dir_admin = hub_cli(not_a_dir, "user", "list")

    assert in_use.returncode == 2
    assert in_use.stderr.splitlines()[-1] == (
        f"notify-hub: port {port} is already in use on this computer (another hub, or another program, listens "
        f"there). Stop it, or choose another port: LAN_NOTIFY_PORT={port + 1} make run, or notify-hub serve "
        f"--port {port + 1}."
    )
    assert "listening" not in in_use.stdout + in_use.stderr
    for refused in (bad_dir, bad_dir_admin):
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert refused.stderr.splitlines()[-1].startswith(f"notify-hub: cannot open the store at {not_a_dir}")


def test_a_store_file_that_cannot_be_opened_is_named_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "hub.sqlite3"
    store.write_bytes(b"this is not an SQLite database, whatever its name says. " * 4)

    for args in (("user", "list"), ("serve", "--port", "0")):
        refused = hub_cli(tmp_path, *args)
        assert refused.returncode == 2, args
        assert "Traceback" not in refused.stderr
        assert (
            refused.stderr.strip().splitlines()[-1]
            == f"notify-hub: cannot open the store at {store}: file is not a database"
        )
        assert store.read_bytes().startswith(b"this is not an SQLite database")  # left as it was

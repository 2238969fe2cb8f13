"""The token store: a real Secret Service (gnome-keyring), no keyring at all, and the fallbacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from desktop.errors import CredentialError, KeyringTimeoutError, KeyringUnavailableError
from desktop.system.credentials import (
    NO_KEYRING_MESSAGE,
    SESSION_ONLY,
    KeyringCredentialStore,
    MemoryCredentialStore,
    SessionFallbackStore,
)
from hub.auth import KEYRING_SERVICE, keyring_user
from tests.support.keyrings import DictKeyring, HangingKeyring, LockedKeyring

ROOT = Path(__file__).resolve().parents[2]
HUB = "http://hub.lan:8765"


def test_one_entry_per_hub_and_user() -> None:
    assert keyring_user("http://host:8765/", "alice") == "alice@http://host:8765"


async def test_memory_store_round_trip() -> None:
    store = MemoryCredentialStore()
    assert not store.persistent
    await store.set_token(HUB, "alice", "t1")
    await store.set_token(HUB, "bob", "t2")
    assert await store.get_token(HUB, "alice") == "t1"
    await store.delete_token(HUB, "alice")
    await store.delete_token(HUB, "alice")
    assert await store.get_token(HUB, "alice") is None
    assert await store.get_token(HUB, "bob") == "t2"


async def test_keyring_store_keeps_only_the_token_under_the_service_name() -> None:
    backend = DictKeyring()
    store = KeyringCredentialStore(backend)
    await store.set_token(HUB, "alice", "tok-1")
    assert backend.entries == {(KEYRING_SERVICE, "alice@http://hub.lan:8765"): "tok-1"}
    assert await store.get_token(HUB, "alice") == "tok-1"
    await store.delete_token(HUB, "alice")
    await store.delete_token(HUB, "alice")  # signing out twice is fine
    assert backend.entries == {}


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])  # type: ignore[no-untyped-call]
async def test_no_keyring_is_said_in_plain_words(backend: KeyringBackend) -> None:
    store = KeyringCredentialStore(backend)
    with pytest.raises(KeyringUnavailableError) as info:
        await store.set_token(HUB, "alice", "tok")
    assert str(info.value) == NO_KEYRING_MESSAGE
    assert "No system keyring is available" in NO_KEYRING_MESSAGE


async def test_a_hanging_keyring_times_out() -> None:
    backend = HangingKeyring()
    store = KeyringCredentialStore(backend, timeout=0.05)
    try:
        with pytest.raises(KeyringTimeoutError, match="did not answer"):
            await store.get_token(HUB, "alice")
    finally:
        backend.release.set()


async def test_a_locked_keyring_is_a_credential_error_without_the_token() -> None:
    store = KeyringCredentialStore(LockedKeyring())
    with pytest.raises(CredentialError) as info:
        await store.set_token(HUB, "alice", "secret-token-value")
    assert str(info.value) == "The system keyring is locked, and it was not unlocked when asked."
    assert "secret-token-value" not in str(info.value)


async def test_fallback_keeps_the_token_for_this_session_without_a_keyring() -> None:
    store = SessionFallbackStore(KeyringCredentialStore(fail.Keyring()))  # type: ignore[no-untyped-call]
    assert store.persistent
    await store.set_token(HUB, "alice", "tok")
    assert not store.persistent
    assert store.notice == f"{NO_KEYRING_MESSAGE} {SESSION_ONLY}"
    assert await store.get_token(HUB, "alice") == "tok"
    await store.delete_token(HUB, "alice")
    assert await store.get_token(HUB, "alice") is None


async def test_the_keyring_can_be_tried_again_once_it_is_unlocked() -> None:
    backend = LockedKeyring()
    store = SessionFallbackStore(KeyringCredentialStore(backend))
    await store.set_token(HUB, "alice", "tok")
    assert not store.persistent and store.notice.startswith("The system keyring is locked")
    assert "Failed to unlock the collection" not in store.notice  # the library's words stay in the log
    assert "“Try the keyring again” in Settings" in store.notice

    assert await store.retry(HUB, "alice", "tok") is False  # still locked: said again, still this session only
    assert not store.persistent and store.notice.startswith("The system keyring is locked")
    backend.locked = False  # the user unlocked it meanwhile
    assert await store.retry(HUB, "alice", "tok") is True
    assert store.persistent and store.notice == "" and backend.entries
    restarted = SessionFallbackStore(KeyringCredentialStore(backend))
    assert await restarted.get_token(HUB, "alice") == "tok"  # the next start signs in silently again


async def test_fallback_uses_the_keyring_when_it_works() -> None:
    backend = DictKeyring()
    store = SessionFallbackStore(KeyringCredentialStore(backend))
    await store.set_token(HUB, "alice", "tok")
    assert backend.entries
    assert store.persistent and store.notice == ""
    restarted = SessionFallbackStore(KeyringCredentialStore(backend))
    assert await restarted.get_token(HUB, "alice") == "tok"
    await restarted.delete_token(HUB, "alice")
    assert backend.entries == {}


async def test_fallback_on_a_read_failure_asks_again_later() -> None:
    backend = HangingKeyring()
    store = SessionFallbackStore(KeyringCredentialStore(backend, timeout=0.05))
    try:
        assert await store.get_token(HUB, "alice") is None
    finally:
        backend.release.set()
    assert "did not answer" in store.notice
    await store.set_token(HUB, "alice", "tok")
    assert await store.get_token(HUB, "alice") == "tok"
    assert backend.entries == {}


# --------------------------------------------------------------------------- real keyrings, in child processes


def _probe_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"}}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(home / ".local/share"), **extra)
    env.pop("DISPLAY", None)  # a locked keyring must fail fast, never wait on a prompt
    return env


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "home"
    path.mkdir()
    yield path


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-daemon and gnome-keyring (apt-get install dbus-daemon gnome-keyring)",
)
def test_real_secret_service_store_read_back_sign_out(home: Path) -> None:
    py = f"{sys.executable} -m tests.support.keyring_probe"
    script = (
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3; "
        f"{py} backend && {py} set && {py} get && {py} delete && {py} get"
    )
    out = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script],
        cwd=ROOT,
        env=_probe_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    steps = [json.loads(line) for line in out.stdout.splitlines()]
    assert steps == [
        {"backend": "SecretService Keyring"},
        {"ok": True},
        {"token": "device-token-for-the-probe"},  # read back by a new process: a restart signs in silently
        {"ok": True},
        {"token": None},  # sign out deleted it
    ]
    # The secret lives in gnome-keyring's own encrypted file, not in anything of ours.
    assert not any(b"device-token-for-the-probe" in p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_no_keyring_backend_at_all(home: Path) -> None:
    env = _probe_env(home, DBUS_SESSION_BUS_ADDRESS="disabled:")
    run = [sys.executable, "-m", "tests.support.keyring_probe"]
    set_out = subprocess.run([*run, "set"], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(set_out.stdout) == {"error": "KeyringUnavailableError", "message": NO_KEYRING_MESSAGE}
    fallback = subprocess.run(
        [*run, "fallback"], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(fallback.stdout) == {
        "token": "device-token-for-the-probe",
        "persistent": False,
        "notice": f"{NO_KEYRING_MESSAGE} {SESSION_ONLY}",
    }
    assert not any(b"device-token-for-the-probe" in p.read_bytes() for p in home.rglob("*") if p.is_file())

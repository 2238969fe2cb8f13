"""`notify-hub send` as a user runs it (a subprocess) against a real hub, over HTTP and over TLS."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub import tls
from hub.store import TokenKind
from tests.support.cli import notify_hub
from tests.support.clients import Client
from tests.support.http import call
from tests.support.hubs import Hub

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Certificate:
    cert: Path
    key: Path
    fingerprint: str


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Certificate]:
    """Made by the project's own command, as an operator would."""
    out = tmp_path_factory.mktemp("tls")
    made = asyncio.run(
        notify_hub("tls", "self-signed", "--host", "localhost", "--host", "127.0.0.1", "--out", str(out))
    )
    assert made.code == 0, made.err
    cert, key = out / "cert.pem", out / "key.pem"
    assert made.out.strip() == tls.fingerprint(tls.pem_to_der(cert.read_bytes()))
    assert key.stat().st_mode & 0o077 == 0, "the private key is readable by its owner only"
    yield Certificate(cert, key, made.out.strip())


async def test_send_to_a_user_reaches_their_client(hub: Hub) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))

    result = await notify_hub(
        "send", "--hub", hub.url, "--token", token, "--to", "bob", "--type", "error", "--title", "CI", "Build failed"
    )

    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("sent notification ") and result.out.endswith(" to 1 recipient\n")
    note = await bob.next("notification")
    assert (note["from"], note["type"], note["title"], note["message"]) == ("alice", "error", "CI", "Build failed")


async def test_text_from_stdin_token_from_environment_to_a_room(hub: Hub) -> None:
    await hub.user("cron")
    token = (await hub.accounts.issue_token("cron", "crontab", TokenKind.SEND)).secret
    bob = await hub.client(await hub.user("bob"))
    await bob.call("join_room", {"room": "ops"})

    result = await notify_hub(
        "send", "--hub", hub.url + "/", "--room", "ops", "-", stdin="Disk full\n", env={"LAN_NOTIFY_TOKEN": token}
    )

    assert result.code == 0, result.err
    note = await bob.next("room_notification")
    assert (note["room"], note["message"], note["from"]) == ("ops", "Disk full", "cron")


async def test_token_from_the_tray_apps_keyring_entry(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.support.keyrings.EnvKeyring",
        "FAKE_KEYRING_KEY": f"alice@{hub.url}",
        "FAKE_KEYRING_TOKEN": token,
    }

    result = await notify_hub("send", "--hub", hub.url, "--user", "alice", "--to", "bob", "from keyring", env=env)

    assert result.code == 0, result.err
    inbox = await call(hub, "GET", "/api/notifications", token=await hub.token("bob"))
    assert [(n["from"], n["message"]) for n in inbox.body["notifications"]] == [("alice", "from keyring")]


async def test_the_hubs_refusal_is_printed_with_a_failing_status(hub: Hub) -> None:
    token = await hub.user("alice")

    unknown = await notify_hub("send", "--hub", hub.url, "--token", token, "--to", "ghost", "hello")
    everyone = await notify_hub("send", "--hub", hub.url, "--token", token, "--everyone", "hello")
    bad_token = await notify_hub("send", "--hub", hub.url, "--token", "lnt_wrong", "--to", "alice", "hello")

    assert (unknown.code, unknown.out) == (1, "")
    assert unknown.err == "notify-hub: there is no user named 'ghost' (not_found, HTTP 404)\n"
    assert everyone.code == 1 and "only admins may send to everyone" in everyone.err
    assert bad_token.code == 1 and "unauthorized" in bad_token.err and "lnt_wrong" not in bad_token.err


async def test_usage_errors(hub: Hub) -> None:
    no_token = await notify_hub("send", "--hub", hub.url, "--to", "alice", "hello")
    no_target = await notify_hub("send", "--hub", hub.url, "--token", "t", "hello")
    unreachable = await notify_hub("send", "--hub", "http://127.0.0.1:1", "--token", "t", "--to", "a", "x")

    assert no_token.code == 2 and "no token" in no_token.err
    assert no_target.code == 2 and "--to" in no_target.err
    assert unreachable.code == 3 and "cannot reach the hub" in unreachable.err


async def tls_hub(hub_factory: Any, certificate: Certificate) -> Hub:
    hub: Hub = await hub_factory(tls_cert=str(certificate.cert), tls_key=str(certificate.key))
    assert hub.url.startswith("https://127.0.0.1:")
    return hub


async def wss_client(session: aiohttp.ClientSession, hub: Hub, token: str) -> Client:
    """A Socket.IO client over WSS, using an HTTP session that trusts the hub's certificate."""
    client = Client(hub.url, http_session=session)
    hub.clients.append(client)
    await client.connect({"token": token})
    await client.next("welcome")
    return client


async def test_over_tls_with_a_ca_file_or_a_pinned_fingerprint(hub_factory: Any, certificate: Certificate) -> None:
    hub = await tls_hub(hub_factory, certificate)
    token = await hub.user("alice")
    bob_token = await hub.user("bob")
    context = ssl.create_default_context(cafile=str(certificate.cert))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:
        bob = await wss_client(session, hub, bob_token)

        with_ca = await notify_hub(
            "send", "--hub", hub.url, "--token", token, "--ca-file", str(certificate.cert), "--to", "bob", "via CA"
        )
        pinned = await notify_hub(
            "send", "--hub", hub.url, "--token", token, "--fingerprint", certificate.fingerprint, "--to", "bob", "pin"
        )

        assert (with_ca.code, pinned.code) == (0, 0), with_ca.err + pinned.err
        assert [(await bob.next("notification"))["message"] for _ in range(2)] == ["via CA", "pin"]
        await bob.close()


async def test_tls_refusals_are_clear_and_nothing_is_sent(hub_factory: Any, certificate: Certificate) -> None:
    hub = await tls_hub(hub_factory, certificate)
    token = await hub.user("alice")
    wrong = f"{int(certificate.fingerprint[:2], 16) ^ 0xFF:02X}" + certificate.fingerprint[2:]

    mismatch = await notify_hub(
        "send", "--hub", hub.url, "--token", token, "--fingerprint", wrong, "--to", "alice", "x"
    )
    unverified = await notify_hub("send", "--hub", hub.url, "--token", token, "--to", "alice", "x")
    malformed = await notify_hub(
        "send", "--hub", hub.url, "--token", token, "--fingerprint", "abc", "--to", "alice", "x"
    )

    assert mismatch.code == 3 and "refusing to send" in mismatch.err and certificate.fingerprint in mismatch.err
    assert unverified.code == 3 and "cannot verify the hub's certificate" in unverified.err
    assert malformed.code == 2 and "fingerprint" in malformed.err
    context = ssl.create_default_context(cafile=str(certificate.cert))
    inbox = await call(hub, "GET", "/api/notifications", token=token, ssl=context)
    assert inbox.body["notifications"] == [], "a refused send never reached the hub"


async def test_peer_certificate_helper_reads_the_fingerprint_to_pin(hub_factory: Any, certificate: Certificate) -> None:
    hub = await tls_hub(hub_factory, certificate)
    port = int(hub.url.rsplit(":", 1)[1])

    der = await tls.peer_certificate("127.0.0.1", port)

    assert tls.fingerprint(der) == certificate.fingerprint
    assert tls.fingerprint_matches(der, certificate.fingerprint.lower().replace(":", ""))
    assert not tls.fingerprint_matches(der, "00" * 32)


async def test_serve_refuses_unusable_tls_files(tmp_path: Path, certificate: Certificate) -> None:
    missing = await notify_hub(
        "--data-dir", str(tmp_path), "serve", "--port", "0", "--tls-cert", str(tmp_path / "no.pem"), "--tls-key", "k"
    )
    half = await notify_hub("--data-dir", str(tmp_path), "serve", "--port", "0", "--tls-cert", str(certificate.cert))

    assert missing.code == 2 and "no.pem" in missing.err
    assert half.code == 2 and "tls_cert and tls_key go together" in half.err


async def test_token_create_send_only(tmp_path: Path) -> None:
    await notify_hub("--data-dir", str(tmp_path), "user", "add", "ci", "--password-stdin", stdin="pw\n")

    made = await notify_hub("--data-dir", str(tmp_path), "token", "create", "ci", "--send-only", "--label", "jenkins")
    listed = await notify_hub("--data-dir", str(tmp_path), "token", "list", "ci")

    assert made.code == 0 and made.out.startswith("lnt_") and "send-only token" in made.err
    assert "\tsend\tjenkins\t" in listed.out


def test_the_operations_doc_lists_exactly_the_send_options() -> None:
    import re

    from hub.cli.main import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    send = commands.choices["send"]  # type: ignore[index]
    options = {s for action in send._actions for s in action.option_strings if s.startswith("--")} - {"--help"}
    doc = (ROOT / "docs" / "operations.md").read_text()
    table = doc.split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"`(--[a-z-]+)", table)) | set(re.findall(r" / `(--[a-z-]+)", table))
    assert documented == options
    help_text = send.format_help()
    for option in options:
        assert option in help_text


async def test_self_signed_never_overwrites_without_force(tmp_path: Path) -> None:
    first = await notify_hub("tls", "self-signed", "--host", "hub.lan", "--out", str(tmp_path))
    again = await notify_hub("tls", "self-signed", "--host", "hub.lan", "--out", str(tmp_path))
    forced = await notify_hub("tls", "self-signed", "--host", "hub.lan", "--out", str(tmp_path), "--force")

    assert first.code == 0 and again.code == 1 and "--force" in again.err
    assert forced.code == 0 and forced.out != first.out, "a new key, a new fingerprint"
    assert forced.out.strip() == tls.fingerprint(tls.pem_to_der((tmp_path / "cert.pem").read_bytes()))


# --------------------------------------------------------------------------- buttons and --wait


async def test_send_with_buttons_waits_for_a_persons_answer(hub: Hub) -> None:
    """A CI job asks and waits; bob presses Approve in his (python-socketio) client."""
    await hub.user("ci")
    token = (await hub.accounts.issue_token("ci", "pipeline", TokenKind.SEND)).secret
    bob = await hub.client(await hub.user("bob"))
    args = ("send", "--hub", hub.url, "--token", token, "--to", "bob", "--title", "Deploy 2.14?")
    rich = ("--priority", "4", "--click", "https://ci.lan/118", "--view", "Logs=https://ci.lan/118/log?a=b")

    waiting = asyncio.ensure_future(
        notify_hub(*args, *rich, "--respond", "Approve", "--respond", "Reject", "--markdown", "--wait", "1m", "**go?**")
    )
    note = await bob.next("notification")
    pressed = await bob.call("respond", {"id": note["id"], "label": "Approve"})
    result = await waiting

    assert pressed["ok"], pressed
    assert (result.code, result.err) == (0, "")
    assert result.out == f"sent notification {note['id']} to 1 recipient\nbob: Approve\n"
    assert (note["priority"], note["click"], note["format"], note["message"]) == (
        "high",
        "https://ci.lan/118",
        "markdown",
        "**go?**",
    )
    assert note["actions"] == [
        {"action": "view", "label": "Logs", "url": "https://ci.lan/118/log?a=b"},
        {"action": "respond", "label": "Approve"},
        {"action": "respond", "label": "Reject"},
    ]


async def test_wait_without_an_answer_fails_and_bad_button_options_are_usage_errors(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    base = ("send", "--hub", hub.url, "--token", token, "--to", "bob")

    unanswered = await notify_hub(*base, "--respond", "Approve", "--wait", "1s", "deploy?")
    no_button = await notify_hub(*base, "--wait", "10m", "deploy?")
    bad_view = await notify_hub(*base, "--view", "https://ci.lan", "deploy?")
    bad_wait = await notify_hub(*base, "--respond", "Approve", "--wait", "soon", "deploy?")
    refused = await notify_hub(*base, "--click", "javascript:alert(1)", "deploy?")

    assert unanswered.code == 4 and unanswered.err == "notify-hub: nobody answered within 1s\n"
    assert no_button.code == 2 and "--wait needs at least one --respond" in no_button.err
    assert bad_view.code == 2 and "--view takes LABEL=URL" in bad_view.err
    assert bad_wait.code == 2 and "'soon' is not a duration" in bad_wait.err
    assert refused.code == 1 and "click: URL must be an http, https or mailto URL" in refused.err

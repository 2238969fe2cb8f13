"""`make screenshots`, the dialogs: sign-in (with the hubs found on the LAN, and a used one-time password), the
menu signed out, the settings' three tabs, and the hub's window (an invite, a taken name, a loopback address).

What needs a LAN runs in a network namespace of the test's own (tests/support/netns.py), where this computer
is 192.168.1.20 and nothing leaves: the hubs that announce themselves there, and the app hosting a hub on every
interface. Like tests/desktop/test_screenshots.py, each test checks only that its scene was reached.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from hub import tls
from tests.support.e2e import Desktop, Process, Reports, needs_xdotool, quit_app, second_start, xdotool
from tests.support.hubs import Hub
from tests.support.netns import enter, require_namespaces, unshare_command
from tests.support.shots import Shots, open_tray_menu, tray_box

pytestmark = [pytest.mark.screenshots, needs_xdotool]

LAN_ADDRESS = "192.168.1.20"  # this computer, on the namespace's make-believe LAN


async def namespace(desktop: Desktop) -> list[str]:
    """A network namespace for this desktop's processes (held by a child of ours); the prefix that enters it."""
    require_namespaces()
    held = unshare_command("sh", "-c", "echo ready && exec cat", lan_address=LAN_ADDRESS)
    holder = await desktop.spawn("netns", *held, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert holder.proc.stdout is not None
    assert await asyncio.wait_for(holder.proc.stdout.readline(), 10) == b"ready\n"  # set up: its LAN is there
    return enter(holder.proc.pid)


async def announced_hub(desktop: Desktop, inside: list[str], name: str, data_dir: Path, *args: str) -> Process:
    """`notify-hub serve` in the namespace, on every interface, announcing itself as `name`."""
    hub = await desktop.spawn(name, *inside, sys.executable, "-m", "hub", "serve", "--host", "0.0.0.0",
                              "--data-dir", str(data_dir), "--announce", "--announce-name", name, *args,
                              stdout=asyncio.subprocess.PIPE)  # fmt: skip
    assert hub.proc.stdout is not None
    assert b"listening on" in await asyncio.wait_for(hub.proc.stdout.readline(), 30)
    return hub


async def focus(shots: Shots, title: str) -> None:
    await xdotool(shots.desktop, "search", "--name", f"^{title}$", "windowfocus", "--sync")


async def test_sign_in_with_the_hubs_found_on_the_lan(shots: Shots, tmp_path: Path) -> None:
    desktop = shots.desktop
    inside = await namespace(desktop)
    cert, key = tls.self_signed([LAN_ADDRESS])
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    await announced_hub(desktop, inside, "Office hub", tmp_path / "office", "--port", "8765",
                        "--tls-cert", str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem"))  # fmt: skip
    await announced_hub(desktop, inside, "Build lab", tmp_path / "lab", "--port", "8766")

    app, reports = await desktop.launch_app(tmp_path / "data", prefix=inside, env={"LAN_NOTIFY_DISCOVERY": "true"})
    await reports.until({"event": "sign_in_requested"})
    first = await reports.until({"event": "hubs_found"})
    found = first
    for _ in range(10):  # each event is a change of the list; a few at most
        if len(found["hubs"]) == 2:
            break
        found = await reports.until({"event": "hubs_found"}, after=reports.events.index(found) + 1)
    assert [hub["name"] for hub in found["hubs"]] == ["Build lab", "Office hub"]
    # The list appeared with the first hub, and the dialog grew to hold it: drawn again at its new size.
    grown = await reports.until({"event": "painted", "what": "signin"}, after=reports.events.index(first))
    await shots.reported("signin-hubs", grown)
    await quit_app(app, reports)


async def test_sign_in_with_a_used_one_time_password_and_the_menu_signed_out(hub: Hub, shots: Shots) -> None:
    desktop = shots.desktop
    await hub.accounts.add_user("bob", None, admin=False, token_only=True)  # invited: a one-time password
    password = await hub.accounts.one_time_password("bob")
    await hub.accounts.login("bob", password, "bob's first laptop")  # used once, on another computer

    app, reports = await desktop.launch_app(desktop.home / "data")
    await reports.until({"event": "painted", "what": "signin"})
    await focus(shots, "Sign in to lan-notify")
    for key, text in (("Tab", hub.url), ("Tab", "bob"), ("Return", password)):
        await xdotool(desktop, "type", "--delay", "5", text)
        await xdotool(desktop, "key", key)
    failed = await reports.until({"event": "sign_in_failed"})
    assert failed["code"] == "password_expired"
    grown = await reports.until({"event": "painted", "what": "signin"}, after=reports.events.index(failed))
    await shots.reported("signin-used-password", grown)

    # Closed, the dialog leaves the tray icon, whose menu offers "Sign in…".
    await xdotool(desktop, "key", "Escape")
    centre, menu = await open_tray_menu(shots, reports)
    await shots.around("tray-menu-signed-out", tray_box(centre), menu["geometry"])
    await xdotool(desktop, "key", "Escape")
    await quit_app(app, reports)


async def hosting(shots: Shots, *extra: str, env: dict[str, str] | None = None) -> tuple[Process, Reports]:
    """The app hosting a hub in the namespace, on port 8765 there, signed in as its admin alice."""
    desktop = shots.desktop
    desktop.env.update(USER="alice", LOGNAME="alice")  # the local admin's name; a second start finds the app by it
    # The hosted hub's store (DATA/hub) is notify-hub's own on this computer: the join hint needs no --data-dir.
    desktop.env["LAN_NOTIFY_DATA_DIR"] = str(desktop.home / "data" / "hub")
    app, reports = await desktop.launch_app(desktop.home / "data", "--host", "--host-port", "8765", *extra,
                                            prefix=await namespace(desktop), env=env)  # fmt: skip
    await reports.until({"event": "hosting"})
    await reports.until({"event": "state", "state": "connected"})
    return app, reports


async def hub_window(shots: Shots, reports: Reports) -> None:
    """`notify-tray --host` to the running app: the hub's window, its invite field ready for a name."""
    mark = len(reports.events)
    await second_start(shots.desktop, shots.desktop.home / "data", "--host")
    await reports.until({"event": "painted", "what": "host"}, after=mark)
    await focus(shots, "Hub on this computer")


async def invite(shots: Shots, reports: Reports, name: str, outcome: str = "invited") -> dict[str, Any]:
    """Invite `name` in the hub's window; once the app reports `outcome` (`invited`, `invite_failed`), the
    window's `painted` report after it grew to show it."""
    await xdotool(shots.desktop, "type", "--delay", "5", name)
    await xdotool(shots.desktop, "key", "Return")
    said = await reports.until({"event": outcome, "user": name})
    return await reports.until({"event": "painted", "what": "host"}, after=reports.events.index(said))


async def settings(shots: Shots, reports: Reports, tab: str) -> None:
    """`notify-tray --settings TAB`, pictured as settings-TAB, then closed."""
    mark = len(reports.events)
    await second_start(shots.desktop, shots.desktop.home / "data", "--settings", tab)
    await shots.reported(f"settings-{tab}", await reports.until({"event": "painted", "what": "settings"}, after=mark))
    await focus(shots, "lan-notify settings")
    await xdotool(shots.desktop, "key", "Escape")


async def test_hosting_an_invite_and_the_settings_with_the_keyring_failing(shots: Shots) -> None:
    # A computer whose keyring does not work: the sign-in is kept for this session only.
    app, reports = await hosting(shots, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert (await reports.until({"event": "hosting"}))["lan_url"] == f"http://{LAN_ADDRESS}:8765"
    assert (await reports.until({"event": "signed_in"}))["keyring"] is False

    await hub_window(shots, reports)
    await shots.reported("host-invite", await invite(shots, reports, "bob"))
    await xdotool(shots.desktop, "key", "Escape")

    await settings(shots, reports, "account")  # "Try the keyring again"
    await settings(shots, reports, "notifications")
    await quit_app(app, reports)


async def test_hosting_on_a_loopback_address_a_taken_name_and_where_the_hub_listens(shots: Shots) -> None:
    app, reports = await hosting(shots)
    await hub_window(shots, reports)
    await invite(shots, reports, "bob")
    await quit_app(app, reports)

    # Started again on this computer's loopback only (the setting says every interface).
    app, reports = await hosting(shots, "--host-interface", "127.0.0.1")
    await hub_window(shots, reports)
    taken = await invite(shots, reports, "bob", "invite_failed")  # bob exists: a new password is offered instead
    await shots.reported("host-taken-name", taken)
    await xdotool(shots.desktop, "key", "Escape")
    await settings(shots, reports, "hosting")  # "listens on 127.0.0.1"
    await quit_app(app, reports)

"""The sign-in dialog lists the hubs found on the LAN while it is open; picking one fills in its address,
and the trust prompt shows whether a hub's certificate is the one it announced (never pinning it by itself)."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.app.discovery_flow import DiscoveryFlow
from desktop.app.trust_flow import TrustFlow
from desktop.core.preferences import Preferences
from desktop.core.trust import MemoryPins, answer, prompt_for, two_lines
from desktop.errors import CertificateUntrustedError
from desktop.net.discovery import FoundHub, discovery_enabled
from desktop.system.report import Reporter
from desktop.ui.signin import SignInDialog

ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"  # git-ignored, as the e2e tests' screenshots

FP = ":".join(["AB"] * 32)
OTHER = ":".join(["CD"] * 32)
OFFICE = FoundHub("Office hub", "192.0.2.10", 8765, True, FP, "0.1.0")
HOME = FoundHub("lan-notify on kitchen", "192.0.2.11", 8765, False, "", "0.1.0")


class FakeBrowser:
    """Stands in for HubBrowser (mDNS needs a network: tests/desktop/test_discovery.py uses a real one)."""

    def __init__(self, on_change: Callable[[list[FoundHub]], None]) -> None:
        self.on_change = on_change
        self.running = False
        self.starts = self.stops = 0

    async def start(self) -> None:
        self.running, self.starts = True, self.starts + 1

    async def stop(self) -> None:
        self.running, self.stops = False, self.stops + 1


class Flow:
    def __init__(self, qtbot: QtBot) -> None:
        self.dialog = SignInDialog()
        qtbot.addWidget(self.dialog)
        self.stream = io.StringIO()
        self.tasks: list[asyncio.Task[None]] = []
        self.browsers: list[FakeBrowser] = []

        def factory(on_change: Callable[[list[FoundHub]], None]) -> Any:
            self.browsers.append(FakeBrowser(on_change))
            return self.browsers[-1]

        self.flow = DiscoveryFlow(
            dialog=self.dialog, report=Reporter(self.stream), spawn=self.spawn, browser_factory=factory, enabled=True
        )

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.get_running_loop().create_task(coro))

    async def settle(self) -> None:
        await asyncio.wait_for(asyncio.gather(*self.tasks), 10)


async def test_the_dialog_lists_found_hubs_while_open_and_a_pick_fills_in_the_address(qtbot: QtBot) -> None:
    flow = Flow(qtbot)
    browser = flow.browsers[0]
    assert flow.dialog.found.heading.text().startswith("Looking for hubs")

    flow.dialog.show()
    await flow.settle()
    assert browser.running and browser.starts == 1

    browser.on_change([HOME, OFFICE])
    items = [flow.dialog.found.list.item(i).text() for i in range(flow.dialog.found.list.count())]
    assert items == [HOME.label, OFFICE.label] and flow.dialog.found.list.isVisible()
    assert "Office hub  (192.0.2.10:8765, TLS)" in items
    assert flow.flow.announced_fingerprint("https://192.0.2.10:8765/") == FP
    assert json.loads(flow.stream.getvalue().splitlines()[-1])["event"] == "hubs_found"

    flow.dialog.username.setText("bob")
    office = flow.dialog.found.list.item(1)
    QTest.mouseClick(
        flow.dialog.found.list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=flow.dialog.found.list.visualItemRect(office).center(),
    )
    assert flow.dialog.hub.text() == "https://192.0.2.10:8765"
    assert flow.dialog.password.hasFocus() or not flow.dialog.isActiveWindow()
    ARTIFACTS.mkdir(exist_ok=True)
    flow.dialog.grab().save(str(ARTIFACTS / "sign-in-found-hubs.png"))

    flow.dialog.hide()  # signed in, or cancelled: no more mDNS traffic
    await flow.settle()
    assert not browser.running and flow.dialog.found.list.count() == 0
    assert flow.flow.announced_fingerprint("https://192.0.2.10:8765") == FP  # remembered for the trust prompt


def test_without_discovery_the_list_is_not_shown(qtbot: QtBot) -> None:
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    DiscoveryFlow(dialog=dialog, report=Reporter(None), spawn=lambda coro: coro.close(), enabled=False)
    dialog.show()
    assert not dialog.found.isVisible()
    assert not discovery_enabled({"LAN_NOTIFY_DISCOVERY": "false"}) and discovery_enabled({})


def untrusted(fingerprint: str = FP) -> CertificateUntrustedError:
    return CertificateUntrustedError(
        "untrusted", hub_url="https://192.0.2.10:8765", fingerprint=fingerprint, reason="self-signed certificate"
    )


def test_the_prompt_says_whether_the_certificate_is_the_announced_one_and_pins_only_on_the_users_word() -> None:
    same = prompt_for(untrusted(FP), announced=FP.lower().replace(":", ""))
    assert same.announced_matches is True and "also the fingerprint the hub announced" in same.text
    assert "still compare it with the one the hub's owner reads out" in same.text

    different = prompt_for(untrusted(FP), announced=OTHER)
    assert different.announced_matches is False
    assert "Warning: the hub announced a different fingerprint on your network" in different.text
    assert two_lines(OTHER) in different.text

    assert prompt_for(untrusted(FP)).announcement_note == ""

    pins = MemoryPins()
    assert not answer(same, False, pins) and pins.pinned("https://192.0.2.10:8765") is None  # seen is not trusted
    assert answer(same, True, pins) and pins.pinned("https://192.0.2.10:8765") == FP


class Asked(Reporter):
    """Sets `asked` when the trust flow reports that it is asking (right before the dialog opens)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.asked = asyncio.Event()

    def event(self, name: str, **fields: Any) -> None:
        if name == "certificate_untrusted":
            self.asked.set()


async def test_the_trust_dialog_shows_the_announcement_note(qtbot: QtBot, tmp_path: Path) -> None:
    prefs = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    reporter = Asked()
    flow = TrustFlow(prefs=prefs, report=reporter, announced=lambda url: OTHER)
    qtbot.addWidget(flow.dialog)
    asking = asyncio.get_running_loop().create_task(flow.resolve(untrusted(FP)))
    await asyncio.wait_for(reporter.asked.wait(), 10)
    assert flow.dialog.isVisible() and "announced a different fingerprint" in flow.dialog.text.text()
    qtbot.waitExposed(flow.dialog)
    ARTIFACTS.mkdir(exist_ok=True)
    flow.dialog.grab().save(str(ARTIFACTS / "trust-announced-mismatch.png"))
    flow.dialog.refuse_button.click()
    assert await asyncio.wait_for(asking, 10) is False and prefs.pins.pinned("https://192.0.2.10:8765") is None

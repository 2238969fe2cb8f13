"""A real browser for the tests: Debian's Chromium, driven by Playwright (its Python package, which runs
the playwright-core driver) over the DevTools protocol.

One Chromium process for the run (`ChromiumProcess`, started by the session-scoped `chromium`
fixture of tests/web/conftest.py) and one Playwright connection to it, shared by the tests of
tests/web, which run on one event loop for that; each test gets fresh browser contexts (no shared
storage), closed after it. Playwright's own browser download is never used: the binary
is /usr/bin/chromium (`apt-get install chromium`, done by scripts/bootstrap.sh).

Headless Chromium has no notification server, so every page gets `window.Notification` replaced by
a recorder (`RECORDER`) that keeps each call in `window.__notifications`; `background=True` also
makes the page believe another window has the focus, as when the user works elsewhere.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.support.servers import unavailable
from tests.support.waiting import WAIT

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

#: Runs before any script of each page: records Notification calls and CSP violations.
RECORDER = """
(() => {
  const calls = [];
  const shown = [];
  let permission = "default";
  class RecordingNotification {
    constructor(title, options = {}) {
      calls.push({
        title, body: options.body ?? "", tag: options.tag ?? "", icon: options.icon ?? "",
        requireInteraction: options.requireInteraction ?? false, silent: options.silent ?? false,
      });
      this.onclick = null;
      shown.push(this);
    }
    close() { this.closed = true; }
    static get permission() { return permission; }
    static requestPermission() { permission = "granted"; return Promise.resolve(permission); }
  }
  Object.defineProperty(window, "Notification", { value: RecordingNotification, configurable: true, writable: true });
  window.__notifications = calls;
  window.__shownNotifications = shown; // the objects, so a test can "click" one (its onclick)
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
})();
"""
#: The user is in another window: the page is hidden and has no focus.
BACKGROUND = """
Object.defineProperty(Document.prototype, "visibilityState", { get: () => "hidden", configurable: true });
Object.defineProperty(Document.prototype, "hidden", { get: () => true, configurable: true });
Document.prototype.hasFocus = () => false;
"""


def chromium_binary() -> str:
    """/usr/bin/chromium and the playwright package, or skip (fail with CI=true)."""
    binary = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if binary is None:
        unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable("the playwright package is not installed (pip install lan-notify[test])")
    assert binary is not None
    return binary


class ChromiumProcess:
    """Headless Chromium with its DevTools endpoint on a free loopback port, in a fresh profile."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.profile = Path(tempfile.mkdtemp(prefix="lan-notify-chromium-"))
        self.endpoint = ""
        self._ready = threading.Event()
        self._log: list[str] = []
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> str:
        self._proc = subprocess.Popen(
            [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(WAIT * 3) or not self.endpoint:
            self.stop()
            raise AssertionError("Chromium did not start:\n" + "".join(self._log[-30:]))
        return self.endpoint

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:  # read to the end, so Chromium never blocks on a full pipe
            self._log.append(line)
            if line.startswith("DevTools listening on "):
                self.endpoint = line.split(" on ", 1)[1].strip()
                self._ready.set()
        self._ready.set()

    def stop(self) -> None:
        proc = self._proc
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(WAIT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(WAIT)
            if self._reader is not None:
                self._reader.join(WAIT)  # it reads to the end of the closed pipe
            assert proc.stderr is not None
            proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Browser:
    """A test's connection to the module's Chromium: `page()` opens pages in fresh contexts."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        #: Uncaught script errors (a bug in the page); console errors (failed loads, e.g. while the hub
        #: is down, are expected in some tests) are kept apart.
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []

    async def page(
        self, url: str | None = None, *, viewport: dict[str, int] = DESKTOP, background: bool = False
    ) -> Any:
        context = await self.browser.new_context(viewport=viewport, device_scale_factor=1)
        context.set_default_timeout(WAIT * 1000)
        self.contexts.append(context)
        await context.add_init_script(RECORDER + (BACKGROUND if background else ""))
        page = await context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None)
        if url is not None:
            await page.goto(url)
        return page

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@asynccontextmanager
async def connect(endpoint: str) -> AsyncIterator[Any]:
    """Playwright's driver, connected to the Chromium at `endpoint` (the browser tests share one)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.connect_over_cdp(endpoint, timeout=WAIT * 1000)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(
    page: Any, hub_url: str, name: str, password: str = "correct horse", *, remember: bool = True
) -> None:
    """Open the hub's address, sign in with the form, and wait until the app is connected."""
    await page.goto(hub_url + "/")
    await page.fill("#signin-user", name)
    await page.fill("#signin-password", password)
    await page.set_checked("#signin-remember", remember)
    await page.click("#signin-submit")
    await page.wait_for_selector('#status[data-state="connected"]')


async def stored_session(page: Any) -> dict[str, Any]:
    """What the app keeps in the browser's storage (token, user, resume point)."""
    raw = await page.evaluate(
        "localStorage.getItem('lan-notify.session') || sessionStorage.getItem('lan-notify.session')"
    )
    return dict(json.loads(raw)) if raw else {}


async def send_from_form(
    page: Any,
    target: str,
    message: str,
    *,
    kind: str = "user",
    title: str = "",
    when: str = "now",
    at: str = "",
    receipt: bool = False,
) -> None:
    """Fill the web app's send form as a person would and press Send (its answer shows in #send-result)."""
    await page.select_option("#send-kind", kind)
    await page.fill("#send-target", target)
    await page.fill("#send-title", title)
    await page.fill("#send-message", message)
    await page.set_checked("#send-receipt", receipt)
    await page.select_option("#send-when", when)
    if at:
        await page.fill("#send-at", at)
    await page.click("#send-submit")

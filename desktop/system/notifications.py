"""The desktop's own notification service: freedesktop Notifications over the session D-Bus, on asyncio.

GNOME, KDE, dunst, mako and the others implement the freedesktop Desktop Notifications
specification (1.2) at `org.freedesktop.Notifications`. This speaks it with jeepney's asyncio
router: every call is awaited on the running loop (the app's qasync loop) and nothing blocks it.
(PySide6's QtDBus was tried and sent the wrong argument types.) No Qt here.

    service = await DesktopNotifications.connect()     # None: no session bus, or no service running on it
    service.capabilities                               # e.g. {"actions", "body", "body-markup", ...}
    nid = await service.notify(bubble)                 # bubble.replaces: update one in place
    await service.close(nid)
    service.on_action = lambda nid, key: ...           # ActionInvoked ("default": the bubble was clicked)
    service.on_closed = lambda nid, reason: ...        # NotificationClosed (CloseReason)
    await service.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from jeepney import DBusAddress, HeaderFields, MatchRule, Message, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.asyncio import DBusRouter, Proxy, open_dbus_router
from jeepney.io.common import RouterClosed
from jeepney.wrappers import DBusErrorResponse

from desktop.core.bubbles import Bubble, CloseReason

log = logging.getLogger(__name__)

BUS_NAME: Final = "org.freedesktop.Notifications"
OBJECT_PATH: Final = "/org/freedesktop/Notifications"
INTERFACE: Final = "org.freedesktop.Notifications"
#: How long a call may take before the service counts as gone (a hung service must not hang the app).
CALL_TIMEOUT: Final = 5.0


class NotificationServiceError(Exception):
    """The notification service failed a call, or went away."""


class NotificationRefusedError(NotificationServiceError):
    """The service answered a call with an error."""


def hints_for(bubble: Bubble, capabilities: frozenset[str]) -> dict[str, tuple[str, Any]]:
    """The `a{sv}` hints: variants as jeepney writes them, (signature, value)."""
    hints: dict[str, tuple[str, Any]] = {"urgency": ("y", int(bubble.urgency))}
    if bubble.category:
        hints["category"] = ("s", bubble.category)
    if bubble.desktop_entry:
        hints["desktop-entry"] = ("s", bubble.desktop_entry)
    if "sound" in capabilities:
        if bubble.sound is None:
            hints["suppress-sound"] = ("b", True)
        elif bubble.sound:
            hints["sound-name"] = ("s", bubble.sound)
    return hints


def notify_arguments(bubble: Bubble, capabilities: frozenset[str]) -> tuple[Any, ...]:
    """`Notify`'s arguments (signature susssasa{sv}i), keeping to what the service can do."""
    actions = [part for pair in bubble.actions for part in pair] if "actions" in capabilities else []
    return (bubble.app_name, bubble.replaces, bubble.app_icon, bubble.summary, bubble.body, actions,
            hints_for(bubble, capabilities), bubble.expire_ms)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ServerInfo:
    name: str
    vendor: str
    version: str
    spec_version: str


ActionListener = Callable[[int, str], None]
ClosedListener = Callable[[int, CloseReason], None]


def _ignore(*_: object) -> None:
    pass


class DesktopNotifications:
    """A connection to the session bus's notification service; `connect()` makes one."""

    def __init__(self, router: DBusRouter, owner: str, capabilities: frozenset[str], server: ServerInfo) -> None:
        self._router = router
        self._owner = owner  # the service's unique bus name: only its signals count
        self.capabilities = capabilities
        self.server = server
        self.on_action: ActionListener = _ignore
        self.on_closed: ClosedListener = _ignore
        self._address = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        self._signals: asyncio.Queue[Message] = asyncio.Queue()
        self._listener: asyncio.Task[None] | None = None
        self._closing: contextlib.AsyncExitStack | None = None

    @classmethod
    async def connect(cls, bus: str = "SESSION", *, activate: bool = False) -> DesktopNotifications | None:
        """Connect to the service on the session bus; None when there is no bus or no service on it.

        Only a running service counts, unless `activate`: then the bus may start one it knows how to
        (D-Bus activation, as a desktop that starts dunst on demand does)."""
        stack = contextlib.AsyncExitStack()
        try:
            router = await asyncio.wait_for(stack.enter_async_context(open_dbus_router(bus)), CALL_TIMEOUT)
            bus_proxy = Proxy(message_bus, router)
            if activate:
                with contextlib.suppress(DBusErrorResponse):  # not activatable: maybe it runs anyway
                    await asyncio.wait_for(bus_proxy.StartServiceByName(BUS_NAME), CALL_TIMEOUT)
            (owner,) = await asyncio.wait_for(bus_proxy.GetNameOwner(BUS_NAME), CALL_TIMEOUT)
            service = cls(router, str(owner), frozenset(), ServerInfo("", "", "", ""))
            capabilities = await service._call("GetCapabilities", "")
            service.capabilities = frozenset(str(c) for c in capabilities[0])
            name, vendor, version, spec = await service._call("GetServerInformation", "")
            service.server = ServerInfo(str(name), str(vendor), str(version), str(spec))
            await service._subscribe(bus_proxy)
        except Exception:  # no bus, no service, a service that answers nonsense: the app shows its own toasts
            log.info("no desktop notification service on the %s bus", bus.lower(), exc_info=True)
            await stack.aclose()
            return None
        service._closing = stack
        log.info("desktop notifications: %s %s (%s), capabilities %s", service.server.vendor, service.server.name,
                 service.server.version, " ".join(sorted(service.capabilities)))  # fmt: skip
        return service

    async def notify(self, bubble: Bubble) -> int:
        """Show a bubble (or replace `bubble.replaces`); returns its id."""
        (nid,) = await self._call("Notify", "susssasa{sv}i", *notify_arguments(bubble, self.capabilities))
        return int(nid)

    async def close(self, nid: int) -> None:
        """Take a bubble away (the service then says NotificationClosed, reason CLOSED). One that is gone
        already is no error: the specification has the service answer that with an error."""
        try:
            await self._call("CloseNotification", "u", nid)
        except NotificationRefusedError:
            log.debug("notification %d was closed already", nid)

    async def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        closing, self._closing = self._closing, None
        if closing is not None:
            with contextlib.suppress(OSError, EOFError):
                await closing.aclose()

    # ------------------------------------------------------------------ internals

    async def _call(self, method: str, signature: str, *body: Any) -> tuple[Any, ...]:
        message = new_method_call(self._address, method, signature or None, body)
        try:
            reply = await asyncio.wait_for(self._router.send_and_get_reply(message), CALL_TIMEOUT)
        except (OSError, EOFError, TimeoutError, RouterClosed) as exc:
            raise NotificationServiceError(f"the notification service did not answer {method}: {exc!r}") from exc
        if reply.header.message_type is MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name, "an error")
            raise NotificationRefusedError(f"the notification service refused {method}: {name} {reply.body!r}")
        return tuple(reply.body)

    async def _subscribe(self, bus_proxy: Proxy) -> None:
        for member in ("ActionInvoked", "NotificationClosed"):
            rule = MatchRule(type="signal", interface=INTERFACE, member=member, path=OBJECT_PATH)
            self._router.filter(rule, queue=self._signals)
            await asyncio.wait_for(bus_proxy.AddMatch(rule), CALL_TIMEOUT)
        self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        while True:
            message = await self._signals.get()
            if message.header.fields.get(HeaderFields.sender) != self._owner:
                continue  # only the service itself speaks for its bubbles
            member = message.header.fields.get(HeaderFields.member)
            try:
                if member == "ActionInvoked":
                    nid, key = message.body
                    self.on_action(int(nid), str(key))
                elif member == "NotificationClosed":
                    nid, reason = message.body
                    self.on_closed(int(nid), _reason(reason))
            except Exception:  # a listener's bug must not end the listening
                log.exception("handling %s from the notification service failed", member)


def _reason(value: Any) -> CloseReason:
    try:
        return CloseReason(int(value))
    except ValueError:
        return CloseReason.UNDEFINED

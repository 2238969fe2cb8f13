"""`HubClient`: one signed-in device's live connection to the hub.

It connects with `auth={"token", "last_id", "presence": "batched"}` (a callable, so every reconnect
sends the newest resume point; who is online comes in `presence` batches), reconnects with backoff
until stopped or refused, hands each notification to `on_notification` once (by id), then acks it
cumulatively (`desktop.net.deliveries`), and reports state, presence and gaps through callbacks. It
never imports Qt; the app wires the callbacks to the UI.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import socketio

from desktop.core.connection import Backoff, ConnectionState, ConnectionStateMachine, ConnectionStatus
from desktop.core.edits import Retraction
from desktop.core.models import Gap, ReceivedNotification, ReceivedResponse
from desktop.core.readstate import ReadMarks, Receipt
from desktop.errors import CertificateError, HubClientError, HubRefusedError, HubResponseError, HubUnreachableError
from desktop.net import tls
from desktop.net.deliveries import Deliveries
from desktop.net.presence import Presence, Welcome
from hub.protocol import DELIVERY_EVENT, MAX_ROOM_PAGE, ErrorCode, Event

log = logging.getLogger(__name__)
#: python-socketio's own lines (one per packet at INFO): quiet unless `notify-tray -v`.
socketio_log = logging.getLogger("desktop.net.socketio")

#: Connect refusals that retrying cannot fix: the user has to sign in again.
REFUSED_CODES: Final = frozenset({ErrorCode.UNAUTHORIZED.value, ErrorCode.FORBIDDEN.value})
#: Pages of rooms asked for at most (a hub holds at most its users x `rooms_per_user` rooms made by
#: joining, plus the admins'): 50,000 rooms.
MAX_ROOM_PAGES: Final = 100


async def _nothing(_: Any) -> None:
    return None


def _ignore(*_: Any) -> None:
    return None


def refusal_of(data: Any) -> dict[str, Any]:
    """The `{code, message}` of a refused connect, however the server wrapped it.

    python-socketio sends `ConnectionRefusedError(message, body)` as `{message, data: body}`.
    """
    if not isinstance(data, dict):
        return {"message": str(data)}
    inner = data.get("data")
    if isinstance(inner, dict) and "code" in inner:
        return {"message": data.get("message", ""), **inner}
    return dict(data)


SocketFactory = Callable[[], socketio.AsyncClient]
Sleep = Callable[[float], Awaitable[None]]


class HubClient:
    def __init__(
        self,
        hub_url: str,
        token: str,
        *,
        last_id: int | None = 0,
        on_notification: Callable[[ReceivedNotification], Awaitable[object]] = _nothing,
        on_gap: Callable[[Gap], Awaitable[object]] = _nothing,
        on_response: Callable[[ReceivedResponse], Awaitable[object]] = _nothing,
        on_retract: Callable[[Retraction], Awaitable[object]] = _nothing,
        on_read: Callable[[ReadMarks], Awaitable[object]] = _nothing,
        on_receipt: Callable[[Receipt], Awaitable[object]] = _nothing,
        on_state: Callable[[ConnectionStatus], None] = _ignore,
        on_presence: Callable[[frozenset[str], bool], None] = _ignore,
        on_welcome: Callable[[Welcome], None] = _ignore,
        on_hub_error: Callable[[str, str], None] = _ignore,
        backoff: Backoff | None = None,
        sleep: Sleep = asyncio.sleep,
        connect_timeout: float = 10.0,
        socket_factory: SocketFactory | None = None,
        ssl: Any = True,
        on_untrusted: Callable[[CertificateError], None] = _ignore,
    ) -> None:
        self.hub_url = hub_url
        self._token = token
        self._presence = Presence(on_presence=on_presence, on_welcome=on_welcome)
        self._on_hub_error = on_hub_error
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._connect_timeout = connect_timeout
        self._ssl = ssl  # from HubTrust.ssl_for: a pinned fingerprint, a CA file's context, or True
        self._on_untrusted = on_untrusted
        # handle_sigint=False: python-socketio would otherwise take over SIGINT (and asyncio's signal wakeup fd).
        self._socket_factory = socket_factory or (
            lambda: socketio.AsyncClient(
                reconnection=False, handle_sigint=False, logger=socketio_log, http_session=tls.session_factory(ssl)
            )
        )
        self.machine = ConnectionStateMachine()
        self.machine.subscribe(on_state)
        self._sio: socketio.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._dropped = asyncio.Event()
        self._stopping = False
        self._refusal: dict[str, Any] | None = None
        self._deliveries = Deliveries(
            last_id=last_id,
            on_notification=on_notification,
            on_gap=on_gap,
            socket=lambda: self._sio,
            drop_connection=self._drop_connection,
            on_response=on_response,
            on_retract=on_retract,
            on_read=on_read,
            on_receipt=on_receipt,
        )

    # ------------------------------------------------------------------ public

    @property
    def status(self) -> ConnectionStatus:
        return self.machine.status

    @property
    def last_id(self) -> int | None:
        """The newest notification id handled: the resume point sent on every (re)connect."""
        return self._deliveries.last_id

    @property
    def online(self) -> frozenset[str]:
        return self._presence.online

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the client is already started")
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._supervise(), name="hub-client")

    def retry_now(self) -> None:
        """Skip the rest of the backoff wait (the network came back, the machine woke up)."""
        self._wake.set()

    async def stop(self) -> None:
        """Disconnect and stop reconnecting (sign-out, quit)."""
        # The loop is told too, not only cancelled: a cancel that lands as python-socketio's connect completes
        # is lost on Python 3.11 (its asyncio.wait_for swallows it), and the loop would then wait forever.
        self._stopping = True
        self._dropped.set()
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        await self._disconnect()
        self._deliveries.stop()
        self.machine.stopped()

    async def list_rooms(self) -> dict[str, Any]:
        """Every room, asked for page by page (`list_rooms {after, limit}`), as one `{rooms}` answer.
        A hub from before paging answers the whole list to the first request, with no `more`."""
        rooms: list[Any] = []
        request: dict[str, Any] = {"limit": MAX_ROOM_PAGE}
        for _ in range(MAX_ROOM_PAGES):
            answer = await self.call(Event.LIST_ROOMS.value, request)
            page = answer.get("rooms")
            if isinstance(page, list):
                rooms.extend(page)
            after = answer.get("next")
            if not answer.get("more") or not isinstance(after, str) or after <= request.get("after", ""):
                break
            request = {"after": after, "limit": MAX_ROOM_PAGE}
        return {**answer, "rooms": rooms}

    async def call(self, event: str, data: Any = None, *, timeout: float = 10.0) -> dict[str, Any]:
        """Send one request and return the hub's `{ok: true, ...}` answer.

        Raises `HubRefusedError` (with the hub's code, message and `retry_after`) on `{ok: false}`
        and `HubUnreachableError` when there is no live connection or no answer in time.
        """
        sio = self._sio
        # CONNECTED is reported once the hub accepted the connection (its `connect` handler), a moment before
        # python-socketio's connect() returns and sets `sio.connected`: requests work from the first.
        if sio is None or self.machine.state is not ConnectionState.CONNECTED:
            raise HubUnreachableError("lan-notify is not connected to the hub right now: try again when it is back.")
        try:
            if data is None:
                answer = await sio.call(event, timeout=timeout)
            else:
                answer = await sio.call(event, data, timeout=timeout)
        except socketio.exceptions.TimeoutError:
            raise HubUnreachableError("The hub did not answer in time: try again.") from None
        except socketio.exceptions.SocketIOError:
            raise HubUnreachableError("The connection to the hub was lost: try again when it is back.") from None
        if not isinstance(answer, dict):
            raise HubResponseError(f"The hub answered {event} with something lan-notify does not understand.")
        if answer.get("ok") is False:
            error = answer.get("error")
            body: dict[str, Any] = error if isinstance(error, dict) else {}
            retry = body.get("retry_after")
            raise HubRefusedError(
                str(body.get("code") or "error"),
                str(body.get("message") or "the hub refused the request"),
                retry_after=float(retry) if isinstance(retry, int | float) else None,
            )
        return answer

    async def wait_stopped(self) -> None:
        """Return once the client gave up for good (the hub refused the token) or was stopped."""
        if self._task is not None:
            await asyncio.shield(self._task)

    # ------------------------------------------------------------------ the connection loop

    def _auth(self) -> dict[str, Any]:
        # Who is online comes in `presence` events, a few per connect wave; a hub that does not batch
        # ignores the key and sends its list and `user_online` / `user_offline`, which are followed too.
        return {"token": self._token, **self._deliveries.resume_point(), "presence": "batched"}

    async def _supervise(self) -> None:
        self.machine.start()
        while not self._stopping:
            self._refusal = None
            self._dropped.clear()
            sio = self._new_socket()
            try:
                await sio.connect(self.hub_url, auth=self._auth, wait_timeout=self._connect_timeout, retry=False)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # ConnectionError mostly; anything else must not end the loop silently
                if not isinstance(exc, socketio.exceptions.ConnectionError):
                    log.warning("unexpected error while connecting to %s", self.hub_url, exc_info=True)
                await self._disconnect()
                refusal = self._refusal
                if refusal is not None and refusal.get("code") in REFUSED_CODES:
                    log.info("hub refused the token: %s (%s)", refusal.get("code"), refusal.get("message"))
                    self.machine.auth_refused("the hub no longer accepts this computer's sign-in")
                    return
                hub_answered = refusal is not None and "code" in refusal
                untrusted = None if hub_answered else await self._certificate_problem()
                if untrusted is not None:  # retrying cannot fix it: the user decides
                    log.warning("the hub's certificate is not trusted: %s", untrusted)
                    self.machine.failed(str(untrusted))
                    self._on_untrusted(untrusted)
                    return
                reason = self._describe_failure(exc, refusal)
                log.info("connect failed: %s", reason)
                if self.machine.state is ConnectionState.CONNECTED:  # connected, then dropped at once
                    self.machine.dropped(reason)
                else:
                    self.machine.failed(reason)
                await self._pause(self._backoff.next_delay())
                continue
            if self.machine.state is not ConnectionState.CONNECTED:
                self.machine.connected()
            self._backoff.reset()
            await self._dropped.wait()
            await self._disconnect()
            await self._pause(self._backoff.next_delay())

    async def _certificate_problem(self) -> CertificateError | None:
        """After a failed connect to an https hub: was its certificate refused? (Socket.IO hides why.)"""
        try:
            await tls.probe(self.hub_url, self._ssl, timeout=self._connect_timeout)
        except CertificateError as exc:
            return exc
        except HubClientError:
            return None
        return None

    def _describe_failure(self, exc: Exception, refusal: dict[str, Any] | None) -> str:
        if refusal is not None and refusal.get("code") and refusal.get("message"):
            return str(refusal["message"])  # the hub answered, and said why (e.g. unavailable)
        log.debug("connect to %s failed: %s", self.hub_url, exc)
        return f"cannot reach the hub at {self.hub_url}"

    async def _pause(self, delay: float) -> None:
        if self._stopping:
            return
        self._wake.clear()
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    async def _drop_connection(self) -> None:
        """Close the live connection as if it was lost: the supervisor reconnects after a backoff."""
        sio = self._sio
        if sio is not None:
            await sio.disconnect()

    async def _disconnect(self) -> None:
        sio, self._sio = self._sio, None
        if sio is not None:
            try:
                await sio.disconnect()
            except Exception:  # the transport may already be gone
                log.debug("disconnect failed", exc_info=True)

    # ------------------------------------------------------------------ Socket.IO handlers

    def _new_socket(self) -> socketio.AsyncClient:
        sio = self._socket_factory()
        self._sio = sio
        self._deliveries.new_connection()

        async def on_connect() -> None:
            if self.machine.state is not ConnectionState.CONNECTED:
                self.machine.connected()

        async def on_connect_error(data: Any = None) -> None:
            self._refusal = refusal_of(data)

        async def on_disconnect(reason: Any = None) -> None:
            if sio is not self._sio:
                return  # an old socket we already replaced
            if self.machine.state is ConnectionState.CONNECTED:
                self.machine.dropped(f"connection lost ({reason})" if reason else "connection lost")
            self._dropped.set()

        async def on_delivery(data: Any) -> None:
            await self._deliveries.notification(data)

        sio.on("connect", on_connect)
        sio.on("connect_error", on_connect_error)
        sio.on("disconnect", on_disconnect)
        for event in DELIVERY_EVENT.values():
            sio.on(event.value, on_delivery)
        sio.on(Event.WELCOME.value, self._presence.welcome)
        sio.on(Event.USER_ONLINE.value, self._presence.user_online)
        sio.on(Event.USER_OFFLINE.value, self._presence.user_offline)
        sio.on(Event.PRESENCE.value, self._presence.batch)
        sio.on(Event.GAP.value, self._deliveries.gap)
        sio.on(Event.RESPONSE.value, self._deliveries.response)
        sio.on(Event.RETRACTED.value, self._deliveries.retracted)
        sio.on(Event.READ.value, self._deliveries.read)
        sio.on(Event.RECEIPT.value, self._deliveries.receipt)
        sio.on(Event.ERROR.value, self._handle_error)
        return sio

    async def _handle_error(self, data: Any) -> None:
        if isinstance(data, dict):
            code, message = str(data.get("code", "error")), str(data.get("message", ""))
        else:
            code, message = "error", str(data)
        log.warning("hub error %s: %s", code, message)
        self._on_hub_error(code, message)

"""Logging for `notify-hub`: one line per event, as text or as JSON (`--log-format json`).

Configured only by the command line (`hub.cli`); library code just uses `logging.getLogger`.
Nothing the hub logs contains a token or a password; as a second line of defence the formatters
blank anything shaped like a device token (`lnt_...`), e.g. in python-socketio's debug packet logs.

The lines are written by a thread of their own (`LogWriter`), never by the event loop: a write to
stderr blocks while the reader is behind, and a pipe nobody reads (a hub started as
`notify-hub serve | less`, or under a supervisor that stopped reading) fills after ~64 KB, and a
write from the event loop would then freeze the whole hub. When the writer is that far behind, new
lines are dropped and counted, and a warning says how many once it can write again.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from hub.redaction import redact_secrets

#: Line breaks and other control characters a message may carry (from a client, in a name or an
#: event): in a text log they would start a line that looks like the hub's own.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")

#: Third-party loggers that log every packet at INFO: kept to warnings unless debugging.
NOISY = ("hub.socketio", "hub.engineio", "aiohttp.access")

_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def one_line(text: str) -> str:
    """`text` with line breaks and control characters escaped (`\\n`, `\\x1b`): one record, one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message`, the message on one line; a traceback follows on lines of its own."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line(redact_secrets(record.message))
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return redact_secrets(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", ...extra fields, "exception"?}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact_secrets(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | None) else repr(value)
        if record.exc_info:
            entry["exception"] = redact_secrets(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=repr)


#: Records waiting for the writer before new ones are dropped (a few MB of lines at most).
MAX_WAITING = 10_000
#: How long stopping waits for the waiting lines to be written (a stalled stream never takes them).
STOP_SECONDS = 5.0


class LogWriter:
    """Writes log records to a handler from a thread of its own; `Handoff` gives it the records.

    Owned by whoever starts it (`configure`'s caller), which stops it on exit: `stop` writes what is
    still waiting, for at most STOP_SECONDS, and the thread is a daemon, so a stalled stream cannot
    keep the process alive. (The standard library's QueueHandler and QueueListener do not: on a full
    queue the handler writes a traceback to stderr for each record, `QueueListener.stop` can wait for
    ever, and `QueueHandler.prepare` folds the traceback into the message, which JSON lines keep apart.)"""

    def __init__(self, handler: logging.Handler, capacity: int = MAX_WAITING) -> None:
        self.handler = handler
        self._waiting: queue.Queue[logging.LogRecord | None] = queue.Queue(capacity)
        self._dropped = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="hub-log-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, record: logging.LogRecord) -> None:
        """Queue a record for writing, or drop it (counted) when the writer is MAX_WAITING behind."""
        try:
            self._waiting.put_nowait(record)
        except queue.Full:
            with self._lock:
                self._dropped += 1

    def stop(self) -> None:
        try:
            self._waiting.put(None, timeout=STOP_SECONDS)
        except queue.Full:
            return
        self._thread.join(STOP_SECONDS)

    def _run(self) -> None:
        while (record := self._waiting.get()) is not None:
            self._tell_dropped()
            self.handler.handle(record)
        self._tell_dropped()
        self.handler.flush()

    def _tell_dropped(self) -> None:
        with self._lock:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            self.handler.handle(
                logging.makeLogRecord(
                    {
                        "name": __name__,
                        "levelno": logging.WARNING,
                        "levelname": "WARNING",
                        "msg": "%d log lines were dropped: the log output was not read fast enough",
                        "args": (dropped,),
                    }
                )
            )


class Handoff(logging.Handler):
    """The handler the loggers see: it gives each record to a `LogWriter` and returns at once."""

    def __init__(self, writer: LogWriter) -> None:
        super().__init__()
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        # The message is made now, from the arguments as they are now; the writer formats the rest.
        try:
            record.msg = record.getMessage()
        except Exception:
            self.handleError(record)
            return
        record.args = None
        self.writer.offer(record)


def configure(level: str = "info", fmt: str = "text", stream: TextIO | None = None) -> Callable[[], None]:
    """Send every log record to `stream` (stderr) as text or JSON lines, written by a `LogWriter`.
    Returns the function that stops the writer; call it on exit, or the last lines may be lost."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    writer = LogWriter(handler)
    writer.start()
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(Handoff(writer))
    root.setLevel(getattr(logging, level.upper()))
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "debug" else logging.WARNING)
    return writer.stop

"""The hub's exceptions: one root for everything it raises on purpose.

    HubError                        root: anything the hub raises on purpose (has `message`)
    ├── RequestError                refused with a stable wire code: `code`, `http_status`, `body()`
    │   ├── InvalidPayload          invalid_payload          400
    │   ├── TooLarge                too_large                413
    │   ├── Unauthorized            unauthorized             401
    │   │   └── PasswordExpired     password_expired         401  a one-time password already used
    │   ├── Forbidden               forbidden                403
    │   ├── NotFound                not_found                404
    │   ├── Conflict                conflict                 409  the name is taken
    │   ├── RateLimited             rate_limited             429  carries retry_after seconds
    │   │   ├── MembershipRateLimited                             room joins and leaves
    │   │   ├── ReadRateLimited                                   read marks and seen reports
    │   │   └── SignInThrottled                                   sign-in attempts
    │   ├── UnknownEvent            unknown_event            404
    │   ├── Unavailable             unavailable              503  the store cannot take writes; the hub is full
    │   ├── TooManyConnections      too_many_connections     429
    │   ├── UnsupportedMediaType    unsupported_media_type   415
    │   └── RequestTimeout          timeout                  408  a request body that did not arrive in time
    ├── ConfigError                 also ValueError: a setting that cannot be used (names the key and source)
    │   └── TlsConfigError          a certificate, key or CA file that cannot be used
    │       └── FingerprintError    not a SHA-256 fingerprint
    ├── CannotListen                also OSError: the host and port cannot be listened on
    ├── NoCertificate               also ConnectionError: a TLS server presented no certificate
    ├── StoreError                  the store cannot be opened or used as asked
    │   ├── SchemaTooNew            also RuntimeError: written by a newer lan-notify (refused, untouched)
    │   ├── StoreInUse              also RuntimeError: open in another process, or being restored
    │   └── BackupError             also RuntimeError: a backup or restore that cannot be done
    └── SendFailed                  `notify-hub send`: the hub refused (carries the HTTP status)

Only `RequestError`s reach the wire: the Socket.IO and HTTP layers turn them into
`{ok: false, error: {code, message}}` or an HTTP status with the same body. A `RequestError` raised
as is (no subclass) answers `internal` with its message. The second bases keep `except ValueError`,
`except OSError` and `except ConnectionError` around the hub's calls working.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from hub.protocol import ErrorCode, error_body


class HubError(Exception):
    """Anything the hub raises on purpose; `message` is what a person is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestError(HubError):
    """A request refused with a stable code, on the wire and over HTTP."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL
    http_status: ClassVar[int] = 500

    def extra(self) -> dict[str, Any]:
        return {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, **self.extra())


class InvalidPayload(RequestError):
    code = ErrorCode.INVALID_PAYLOAD
    http_status = 400


class TooLarge(RequestError):
    code = ErrorCode.TOO_LARGE
    http_status = 413


class Unauthorized(RequestError):
    code = ErrorCode.UNAUTHORIZED
    http_status = 401


class PasswordExpired(Unauthorized):
    """A sign-in with a one-time password that was already used: right password, no longer valid."""

    code = ErrorCode.PASSWORD_EXPIRED


class Forbidden(RequestError):
    code = ErrorCode.FORBIDDEN
    http_status = 403


class NotFound(RequestError):
    code = ErrorCode.NOT_FOUND
    http_status = 404


class Conflict(RequestError):
    code = ErrorCode.CONFLICT
    http_status = 409


class RateLimited(RequestError):
    code = ErrorCode.RATE_LIMITED
    http_status = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"too many notifications: try again in {self.retry_after} s")

    def extra(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class MembershipRateLimited(RateLimited):
    """Too many room joins and leaves: their own bucket per user, apart from the sends'."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.message = f"too many room joins and leaves: try again in {self.retry_after} s"
        self.args = (self.message,)


class ReadRateLimited(RateLimited):
    """Too many read marks and `seen` reports: their own bucket per user, apart from the sends'."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.message = f"too many read marks: try again in {self.retry_after} s"
        self.args = (self.message,)


class UnknownEvent(RequestError):
    code = ErrorCode.UNKNOWN_EVENT
    http_status = 404


class Unavailable(RequestError):
    code = ErrorCode.UNAVAILABLE
    http_status = 503


class SignInThrottled(RateLimited):
    """Too many sign-in attempts (the code is still `rate_limited`)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.message = f"too many sign-in attempts: try again in {self.retry_after} s"
        self.args = (self.message,)


class TooManyConnections(RequestError):
    code = ErrorCode.TOO_MANY_CONNECTIONS
    http_status = 429


class UnsupportedMediaType(RequestError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    http_status = 415


class RequestTimeout(RequestError):
    code = ErrorCode.TIMEOUT
    http_status = 408


class ConfigError(HubError, ValueError):
    """A configuration value that cannot be used; the message names the key and the source."""


class TlsConfigError(ConfigError):
    """A TLS certificate, key or CA file that cannot be used; the message names the file."""


class FingerprintError(TlsConfigError):
    """A fingerprint that is not 32 bytes of hex."""


class CannotListen(HubError, OSError):
    """The hub's host and port cannot be listened on: in use, an unknown host name, no permission."""

    def __init__(self, errno: int | None, strerror: str) -> None:
        OSError.__init__(self, errno, strerror)
        self.message = strerror


class NoCertificate(HubError, ConnectionError):
    """A TLS server that presented no certificate."""


class StoreError(HubError):
    """The store cannot be opened or used as asked."""


class SchemaTooNew(StoreError, RuntimeError):
    """The store was written by a newer lan-notify (SQLite file or PostgreSQL database): refuse rather
    than guess."""


class StoreInUse(StoreError, RuntimeError):
    """The store is open in another process (or being restored): the message says which case and what to do."""


class BackupError(StoreError, RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


class SendFailed(HubError):
    """`notify-hub send`: the hub refused the notification; `status` is the HTTP status it answered."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

"""The hub's exceptions: one root, one class per stable wire code.

    HubError                      code
    ├── InvalidPayload            invalid_payload
    ├── TooLarge                  too_large
    ├── Unauthorized              unauthorized
    │   └── PasswordExpired       password_expired (a one-time password that was already used)
    ├── Forbidden                 forbidden
    ├── NotFound                  not_found
    ├── Conflict                  conflict (the name is taken)
    ├── RateLimited               rate_limited (carries retry_after seconds)
    │   └── MembershipRateLimited rate_limited, for room joins and leaves
    │   └── SignInThrottled       rate_limited (sign-in attempts)
    ├── UnknownEvent              unknown_event
    ├── Unavailable               unavailable (the store cannot take writes; the hub is full)
    ├── TooManyConnections        too_many_connections
    ├── UnsupportedMediaType      unsupported_media_type
    └── RequestTimeout            timeout (a request body that did not arrive in time)

Raise these from the service; the Socket.IO and HTTP layers turn them into
`{ok: false, error: {code, message}}` or an HTTP status with the same body.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from hub.protocol import ErrorCode, error_body


class HubError(Exception):
    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extra(self) -> dict[str, Any]:
        return {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, **self.extra())


class InvalidPayload(HubError):
    code = ErrorCode.INVALID_PAYLOAD
    http_status = 400


class TooLarge(HubError):
    code = ErrorCode.TOO_LARGE
    http_status = 413


class Unauthorized(HubError):
    code = ErrorCode.UNAUTHORIZED
    http_status = 401


class PasswordExpired(Unauthorized):
    """A sign-in with a one-time password that was already used: right password, no longer valid."""

    code = ErrorCode.PASSWORD_EXPIRED


class Forbidden(HubError):
    code = ErrorCode.FORBIDDEN
    http_status = 403


class NotFound(HubError):
    code = ErrorCode.NOT_FOUND
    http_status = 404


class Conflict(HubError):
    code = ErrorCode.CONFLICT
    http_status = 409


class RateLimited(HubError):
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


class UnknownEvent(HubError):
    code = ErrorCode.UNKNOWN_EVENT
    http_status = 404


class Unavailable(HubError):
    code = ErrorCode.UNAVAILABLE
    http_status = 503


class SignInThrottled(RateLimited):
    """Too many sign-in attempts (the code is still `rate_limited`)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.message = f"too many sign-in attempts: try again in {self.retry_after} s"
        self.args = (self.message,)


class TooManyConnections(HubError):
    code = ErrorCode.TOO_MANY_CONNECTIONS
    http_status = 429


class UnsupportedMediaType(HubError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    http_status = 415


class RequestTimeout(HubError):
    code = ErrorCode.TIMEOUT
    http_status = 408

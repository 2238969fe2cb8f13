"""The desktop app's exceptions: one root, one branch per concern.

::

    DesktopError
     ├── CredentialError              the token store
     │    ├── KeyringUnavailableError     no OS keyring backend (keep the token for this session only)
     │    └── KeyringTimeoutError         the keyring did not answer (e.g. a password prompt nobody sees)
     ├── HistoryError                 the local history database
     │    └── SchemaTooNewError           written by a newer version of the app
     ├── InvalidTransitionError       a connection state change that cannot happen
     ├── HostError                    hosting a hub on this computer
     └── HubError                     talking to the hub
          ├── HubUnreachableError         no answer (network, wrong address, hub down)
          ├── LoginRefusedError           wrong name/password or revoked token (has `code`)
          ├── HubResponseError            the hub answered something we do not understand
          └── HubRefusedError             the hub answered a request with `{ok: false}` (has `code`, `retry_after`)

Every message is a plain sentence a user can read; none ever contains a token or a password.
"""

from __future__ import annotations


class DesktopError(Exception):
    """Root of every error the desktop app raises on purpose."""


class CredentialError(DesktopError):
    pass


class KeyringUnavailableError(CredentialError):
    pass


class KeyringTimeoutError(CredentialError):
    pass


class HistoryError(DesktopError):
    pass


class SchemaTooNewError(HistoryError):
    pass


class InvalidTransitionError(DesktopError):
    pass


class HubError(DesktopError):
    pass


class HubUnreachableError(HubError):
    pass


class LoginRefusedError(HubError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class HubResponseError(HubError):
    pass


class HubRefusedError(HubError):
    """The hub refused a request (send, join...): its stable `code`, its `message`, maybe `retry_after` seconds."""

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class HostError(DesktopError):
    """Hosting a hub on this computer failed (port taken, data dir not writable...)."""

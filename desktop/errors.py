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
     │    ├── PortInUseError              the port is taken (has `interface`, `port`)
     │    └── UserExistsError             "Invite" with a name that is taken (has `name`)
     └── HubClientError               talking to the hub (the hub's own errors are `hub.errors.HubError`)
          ├── HubUnreachableError         no answer (network, wrong address, hub down)
          ├── LoginRefusedError           wrong name/password or revoked token (has `code`)
          ├── HubResponseError            the hub answered something we do not understand
          ├── HubRefusedError             the hub answered a request with `{ok: false}` (has `code`, `retry_after`)
          └── CertificateError            the hub's TLS certificate is not trusted (has `hub_url`, `fingerprint`)
               ├── CertificateUntrustedError   no CA vouches for it and no fingerprint is pinned (ask: TOFU)
               └── CertificateChangedError     it is not the pinned one (refuse, warn)

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


class HubClientError(DesktopError):
    pass


class HubUnreachableError(HubClientError):
    pass


class LoginRefusedError(HubClientError):
    """The hub refused a sign-in: its stable `code` (`unauthorized`, `password_expired`...), its `message`."""

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class HubResponseError(HubClientError):
    pass


class HubRefusedError(HubClientError):
    """The hub refused a request (send, join...): its stable `code`, its `message`, maybe `retry_after` seconds."""

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class HostError(DesktopError):
    """Hosting a hub on this computer failed (port taken, data dir not writable...)."""


class PortInUseError(HostError):
    """Another hub, or another program, already listens on the hosted hub's port."""

    def __init__(self, interface: str, port: int) -> None:
        super().__init__(f"Port {port} is already in use on this computer, by another hub or another program.")
        self.interface = interface
        self.port = port


class UserExistsError(HostError):
    """The hosted hub already has a user of that name (an invite would make a second one)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"There is already a user named {name!r} on this hub.")
        self.name = name


class CertificateError(HubClientError):
    """The hub's certificate is not trusted; `fingerprint` is the SHA-256 one it presented ('' if unknown)."""

    def __init__(self, message: str, *, hub_url: str, fingerprint: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.hub_url = hub_url
        self.fingerprint = fingerprint
        self.reason = reason  # e.g. "self-signed certificate", from the TLS library


class CertificateUntrustedError(CertificateError):
    """Verification failed (self-signed, unknown CA, wrong name) and no fingerprint is pinned for this hub."""


class CertificateChangedError(CertificateError):
    """The hub presented another certificate than the pinned one (`pinned`)."""

    def __init__(self, message: str, *, hub_url: str, fingerprint: str, pinned: str) -> None:
        super().__init__(message, hub_url=hub_url, fingerprint=fingerprint)
        self.pinned = pinned

"""The security headers of the web app's files (`/app/`).

The app is plain files and ES modules from the hub's own origin, and it inserts every notification as
text, so its policy can forbid everything else:

- no inline script or style, no `eval`, nothing from another origin (`default-src 'none'` and
  `'self'` only for what the app loads: its scripts, styles, icons, manifest, and its connections
  to the hub's API and Socket.IO);
- Trusted Types required for the DOM's script sinks (`innerHTML`, `document.write`, ...) and no
  policy that could make one: a line of the app that set HTML would throw instead of rendering it;
- never framed (`frame-ancestors 'none'` and `X-Frame-Options: DENY`, against clickjacking), no
  `<base>`, no form posts anywhere, no `Referer` sent, no content sniffing, a browsing context
  group of its own;
- `Cache-Control: no-cache`: the browser revalidates each file (ETag, 304), so an upgraded hub's
  app is never half old, half new.

The `--public` folder gets none of this but `nosniff`: it is the operator's own pages, served as
`express.static` serves them (the seed guide's page has an inline script).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ]
)

APP_HEADERS: Final[Mapping[str, str]] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cache-Control": "no-cache",
}

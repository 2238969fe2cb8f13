"""`/socket.io/socket.io.js` and its siblings: the official Socket.IO browser client, served as the
JavaScript socket.io server serves it, so a page written for that server loads it from the hub.

The files come from the npm package `socket.io-client` (its `dist/` folder), which
`scripts/bootstrap.sh` installs into `hub/http/browser/vendor/` from `package-lock.json` and the wheel ships
with its licence (`LICENSES` below); the repository holds none of it. As the JavaScript server does,
the hub answers with the package's version as a strong ETag (304 when the browser has it),
`Cache-Control: public, max-age=0`, and `application/javascript` (the `.map` files:
`application/json`). A hub installed without the package answers these names 404 and says how to
install it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from aiohttp import web

from hub.errors import NotFound

log = logging.getLogger(__name__)

#: What the JavaScript socket.io server (4.x, `CLIENT_FILES` in its lib/index.ts) serves under its path.
CLIENT_FILES: Final = frozenset(
    {
        "socket.io.js",
        "socket.io.js.map",
        "socket.io.min.js",
        "socket.io.min.js.map",
        "socket.io.esm.min.js",
        "socket.io.esm.min.js.map",
        "socket.io.msgpack.min.js",
        "socket.io.msgpack.min.js.map",
    }
)
PACKAGE: Final = "vendor/node_modules/socket.io-client"
#: The licences of what the client's bundles contain, shipped beside them.
LICENSES: Final = (
    "vendor/node_modules/socket.io-client/LICENSE",
    "vendor/node_modules/engine.io-client/LICENSE",
    "vendor/node_modules/engine.io-parser/LICENSE",
    "vendor/node_modules/socket.io-parser/LICENSE",
    "vendor/node_modules/@socket.io/component-emitter/LICENSE",
    "vendor/node_modules/debug/LICENSE",
    "vendor/node_modules/ms/license.md",
)
INSTALL_HINT: Final = "run scripts/bootstrap.sh (npm ci --prefix hub/http/browser/vendor) before building or installing"


class ClientFiles:
    """The installed client's files, read once each and kept (about 1.5 MB for all eight)."""

    def __init__(self, root: Traversable | None = None) -> None:
        self._root = root if root is not None else resources.files("hub.http.browser").joinpath(PACKAGE)
        self._cache: dict[str, bytes] = {}

    @cached_property
    def version(self) -> str | None:
        """The package's version, or None when it is not installed."""
        try:
            data = json.loads(self._root.joinpath("package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        version = data.get("version") if isinstance(data, dict) else None
        return version if isinstance(version, str) else None

    def read(self, name: str) -> bytes:
        if name not in self._cache:
            self._cache[name] = self._root.joinpath("dist", name).read_bytes()
        return self._cache[name]

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["file"]
        if name not in CLIENT_FILES:
            raise web.HTTPNotFound()
        version = self.version
        if version is None:
            raise NotFound(f"the Socket.IO browser client is not installed with this hub: {INSTALL_HINT}")
        etag = f'"{version}"'
        headers = {
            "ETag": etag,
            "Cache-Control": "public, max-age=0",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("If-None-Match", "").strip() in (etag, f"W/{etag}"):
            return web.Response(status=304, headers=headers)
        kind = "application/json" if name.endswith(".map") else "application/javascript"
        body = self._cache.get(name)
        if body is None:  # the first time: read on a worker thread, not the event loop
            body = await asyncio.get_running_loop().run_in_executor(None, self.read, name)
        response = web.Response(body=body, headers=headers, content_type=kind, charset="utf-8")
        response.enable_compression()  # gzip or deflate, as the client accepts (the JavaScript server too)
        return response


def warn_if_missing(files: ClientFiles) -> None:
    if files.version is None:
        log.warning(
            "the Socket.IO browser client is missing, so /socket.io/socket.io.js and the web app will not load: %s",
            INSTALL_HINT,
        )

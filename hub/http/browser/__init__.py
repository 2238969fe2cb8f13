"""What the hub serves to browsers: the web app, a `--public` folder, and the Socket.IO client.

    /socket.io/socket.io.js ...   the official browser client (client_js.py), as socket.io serves it
    /app/                         the web app (static/): plain files and ES modules, no build step,
                                  with a strict Content-Security-Policy (headers.py)
    /app/icons/types/NAME.svg     the notification types' icons, the tray app's own (resources/)
    /app/vendor/markdown-it.min.js  the npm package markdown-it's browser bundle (the web app's Markdown
                                  parser), from hub/http/browser/vendor like the Socket.IO client
    /                             with `--public DIR`: that folder, as express.static serves one
                                  (files.py); its index.html, if any, is the hub's front page.
                                  Otherwise, and when the folder has no index.html: a redirect to /app/

The hub's own paths (/api/, /app/, /socket.io/, /metrics) come first: a file of the public folder at
one of them is never served. The web app speaks only the documented protocol (docs/protocol.md);
it has no endpoint of its own.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from hub.config import HubConfig
from hub.errors import ConfigError, NotFound
from hub.http.browser.client_js import CLIENT_FILES, INSTALL_HINT, ClientFiles, warn_if_missing
from hub.http.browser.files import Folder
from hub.http.browser.headers import APP_HEADERS
from hub.http.errors import json_errors

log = logging.getLogger(__name__)

APP_PATH: Final = "/app/"
#: markdown-it's browser bundle (a classic script defining `markdownit`), served at /app/vendor/.
MARKDOWN_DIST: Final = ("vendor", "node_modules", "markdown-it", "dist")
MARKDOWN_FILES: Final = frozenset({"markdown-it.min.js"})


def package_dir(package: str, *parts: str) -> Path:
    """A folder shipped in a package, as a real path (the wheel installs it as files)."""
    root = resources.files(package).joinpath(*parts)
    if not isinstance(root, Path):  # pragma: no cover - only a zipped install
        raise RuntimeError(f"{package}/{'/'.join(parts)} must be installed as files, not inside a zip")
    return root


def vendor_folder(parts: tuple[str, ...]) -> Folder | None:
    """A folder of an npm package bootstrap installed in hub/http/browser/vendor, or None (a warning) without it."""
    try:
        return Folder(package_dir("hub.http.browser", *parts))
    except OSError:
        log.warning("%s is missing, so the web app shows Markdown as plain text: %s", "/".join(parts), INSTALL_HINT)
        return None


def public_folder(config: HubConfig) -> Folder | None:
    if not config.public:
        return None
    path = Path(config.public).expanduser()
    try:
        return Folder(path)
    except OSError:
        raise ConfigError(f"public: {str(path)!r} is not a folder the hub can read") from None


def add_routes(app: web.Application, config: HubConfig) -> None:
    """Add the browser-facing routes; call after the API's and before the fallback."""
    client = ClientFiles()
    warn_if_missing(client)
    app.router.add_get("/socket.io/{file}", json_errors(client.handle))
    public = public_folder(config)

    async def to_app(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(APP_PATH)

    if config.web_app:
        site = Folder(package_dir("hub.http.browser", "static"))
        icons = Folder(package_dir("resources", "icons", "types"))

        async def app_file(request: web.Request) -> web.StreamResponse:
            return await site.response(request, request.match_info["path"], APP_HEADERS)

        async def type_icon(request: web.Request) -> web.StreamResponse:
            return await icons.response(request, request.match_info["path"], APP_HEADERS)

        async def vendor_file(request: web.Request) -> web.StreamResponse:
            name = request.match_info["path"]
            if name not in MARKDOWN_FILES or markdown_dist is None:
                raise NotFound(f"no such file (the web app's Markdown parser: {INSTALL_HINT})")
            return await markdown_dist.response(request, name, APP_HEADERS)

        markdown_dist = vendor_folder(MARKDOWN_DIST)

        app.router.add_get("/app", json_errors(to_app))
        app.router.add_get("/app/icons/types/{path}", json_errors(type_icon))
        app.router.add_get("/app/vendor/{path}", json_errors(vendor_file))
        app.router.add_get("/app/{path:[\\s\\S]*}", json_errors(app_file))

    if public is not None:
        folder = public

        async def public_file(request: web.Request) -> web.StreamResponse:
            tail = request.match_info["path"]
            try:
                return await folder.response(request, tail, {})
            except web.HTTPNotFound:
                if tail == "" and config.web_app:
                    raise web.HTTPFound(APP_PATH) from None
                raise

        app.router.add_get("/{path:[\\s\\S]*}", json_errors(public_file))
    elif config.web_app:
        app.router.add_get("/", json_errors(to_app))


def _files(summary: str, parameter: str, responses: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI entry of a GET route that serves files, by one path parameter."""
    schema: dict[str, Any] = {"enum": sorted(CLIENT_FILES)} if parameter == "file" else {"type": "string"}
    return {
        "get": {
            "summary": summary,
            "tags": ["web"],
            "parameters": [{"name": parameter, "in": "path", "required": True, "schema": schema}],
            "responses": {
                **responses,
                "304": {"description": "not modified (the browser's copy, by ETag or Last-Modified, is current)"},
                "404": {"description": "not_found: no such file (JSON error body)"},
            },
        }
    }


def openapi_paths(config: HubConfig) -> dict[str, Any]:
    """The OpenAPI entries of the routes `add_routes` makes for `config`."""
    redirect = {"302": {"description": "to the web app, /app/"}}
    paths: dict[str, Any] = {
        "/socket.io/{file}": _files(
            "The official Socket.IO browser client, served as the socket.io server serves it",
            "file",
            {"200": {"description": "the file", "content": {"application/javascript": {}}}},
        )
    }
    if config.web_app:
        paths["/app"] = {"get": {"summary": "Redirects to /app/", "tags": ["web"], "responses": redirect}}
        paths["/app/icons/types/{path}"] = _files(
            "A notification type's icon (SVG)",
            "path",
            {"200": {"description": "the icon", "content": {"image/svg+xml": {}}}},
        )
        paths["/app/vendor/{path}"] = _files(
            "The web app's Markdown parser, the npm package markdown-it's browser bundle (markdown-it.min.js)",
            "path",
            {"200": {"description": "the script", "content": {"application/javascript": {}}}},
        )
        paths["/app/{path}"] = _files(
            "The web app (docs/web.md): its page, modules, styles, manifest and icons",
            "path",
            {"200": {"description": "the file"}},
        )
    if config.public:
        paths["/{path}"] = _files(
            "A file of the --public folder; / is its index.html (else a redirect to /app/)",
            "path",
            {
                "200": {"description": "the file"},
                "301": {"description": "a folder asked without its trailing slash"},
                **redirect,
            },
        )
    elif config.web_app:
        paths["/"] = {"get": {"summary": "Redirects to the web app, /app/", "tags": ["web"], "responses": redirect}}
    return paths

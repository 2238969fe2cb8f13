"""A folder of files served over HTTP as `express.static` serves one, and no more than that.

- Only files inside the folder: a URL segment that is empty, `.`, `..`, starts with a dot (dotfiles
  and dot-folders such as `.git`), or holds a backslash or NUL is refused, and the resolved file,
  symbolic links followed, must still lie inside the folder (a link pointing out of it is refused).
- A folder gives its `index.html`; a folder asked without its trailing slash is redirected to it
  (301, as express does); there is never a listing.
- Regular files only (no devices, sockets or pipes), sent by aiohttp's `FileResponse`: `ETag` and
  `Last-Modified` with 304 answers to `If-None-Match` / `If-Modified-Since`, `Range`, `HEAD`, and a
  pre-compressed `NAME.gz` / `NAME.br` beside a file when the client accepts it (never through a link).
- A `Content-Type` from the fixed table below (so it does not depend on the machine's
  /etc/mime.types), `; charset=utf-8` on text, and `X-Content-Type-Options: nosniff`.

The look-up touches the disk, so it runs on a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aiohttp import web

#: Types by extension for what web pages are made of. Anything else: the standard library's guess,
#: else application/octet-stream.
TYPES: Final[Mapping[str, str]] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
_TEXT_APPLICATIONS: Final = frozenset(
    {"application/json", "application/manifest+json", "application/xml", "image/svg+xml"}
)
INDEX: Final = "index.html"


def content_type(name: str) -> str:
    """The Content-Type header for a file name, with a charset for text."""
    suffix = Path(name).suffix.lower()
    kind = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_APPLICATIONS:
        return f"{kind}; charset=utf-8"
    return kind


@dataclass(frozen=True, slots=True)
class Found:
    """What a URL path names in the folder: a file to send, or a folder to redirect to (with a slash)."""

    path: Path | None = None
    add_slash: bool = False


NOTHING: Final = Found()


class Folder:
    """A folder whose files are served below some URL prefix."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve(strict=True)
        if not self.root.is_dir():
            raise NotADirectoryError(str(root))

    def locate(self, tail: str) -> Found:
        """What the decoded URL path `tail` (below the prefix; '' is the folder itself) names."""
        segments = tail.split("/")
        inner = segments[:-1] if segments[-1] == "" else segments  # a trailing slash: a folder
        if any(not _safe(segment) for segment in inner):
            return NOTHING
        real = self._inside(self.root.joinpath(*inner))
        if real is not None and real.is_dir():
            if tail and not tail.endswith("/"):
                return Found(add_slash=True)
            real = self._inside(real / INDEX)
        return Found(path=real) if real is not None and real.is_file() else NOTHING

    def _inside(self, path: Path) -> Path | None:
        """`path` with every link resolved, when that lies in the folder and is no dotfile."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):  # missing, a loop of links (RuntimeError before 3.13)
            return None
        if not real.is_relative_to(self.root):
            return None  # a link out of the folder
        if any(part.startswith(".") for part in real.relative_to(self.root).parts):
            return None  # a link to a dotfile in it
        return real

    async def response(self, request: web.Request, tail: str, headers: Mapping[str, str]) -> web.StreamResponse:
        """The file's response, a redirect to the folder's slash form, or `web.HTTPNotFound` raised."""
        found = await asyncio.get_running_loop().run_in_executor(None, self.locate, tail)
        if found.add_slash:
            # Empty segments are refused above, so this is never a `//host` (another site's) address.
            query = f"?{request.rel_url.raw_query_string}" if request.rel_url.raw_query_string else ""
            raise web.HTTPMovedPermanently(location=f"{request.rel_url.raw_path}/{query}")
        if found.path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(
            found.path,
            headers={
                "Content-Type": content_type(found.path.name),
                "Cache-Control": "public, max-age=0",
                "X-Content-Type-Options": "nosniff",
                **headers,
            },
        )


def _safe(segment: str) -> bool:
    return bool(segment) and not segment.startswith(".") and "\\" not in segment and "\x00" not in segment

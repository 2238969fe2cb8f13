"""What the hub serves to browsers over plain HTTP: a `--public` folder as express.static serves one
(safe paths only, types, caching, no listings), the official Socket.IO client at /socket.io/, the
web app's files and their security headers."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from yarl import URL

from hub.config import HubConfig
from hub.errors import ConfigError
from hub.http.browser.client_js import CLIENT_FILES, ClientFiles
from hub.http.browser.headers import CONTENT_SECURITY_POLICY
from hub.server import RunningHub
from tests.support.hubs import Hub


@dataclass
class Got:
    status: int
    headers: Any
    body: bytes


async def fetch(hub: Hub, path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Got:
    """One request with `path` sent exactly as written (no normalising of `..` or `%2e`), no redirects followed."""
    async with (
        aiohttp.ClientSession(auto_decompress=True) as http,
        http.request(method, URL(hub.url + path, encoded=True), headers=headers, allow_redirects=False) as response,
    ):
        return Got(response.status, response.headers, await response.read())


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A public folder: pages, a sub-folder with and one without index.html, dotfiles, links in and out."""
    root = tmp_path / "public"
    (root / "docs").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / ".git").mkdir()
    (root / "index.html").write_text("<h1>front page</h1>")
    (root / "docs" / "index.html").write_text("<h1>docs</h1>")
    (root / "app.js").write_text("console.log('hi');")
    (root / "style.css").write_text("body {}")
    (root / "data.json").write_text("{}")
    (root / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "manifest.webmanifest").write_text("{}")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "blob.xyz123").write_bytes(b"\x00\x01")
    (root / "space name.txt").write_text("spaced")
    (root / ".env").write_text("SECRET=1")
    (root / ".git" / "config").write_text("[core]")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the folder")
    (root / "escape.txt").symlink_to(secret)
    (root / "escape-dir").symlink_to(tmp_path)
    (root / "alias.js").symlink_to(root / "app.js")
    (root / "dotlink").symlink_to(root / ".env")
    return root


@pytest_asyncio.fixture(loop_scope="session")  # as every async fixture of tests/web (its conftest.py)
async def public_hub(hub_factory: Any, site: Path) -> Hub:
    hub: Hub = await hub_factory(public=str(site))
    return hub


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/", "text/html; charset=utf-8", b"<h1>front page</h1>"),
        ("/index.html", "text/html; charset=utf-8", b"<h1>front page</h1>"),
        ("/docs/", "text/html; charset=utf-8", b"<h1>docs</h1>"),
        ("/app.js", "text/javascript; charset=utf-8", b"console.log('hi');"),
        ("/style.css", "text/css; charset=utf-8", b"body {}"),
        ("/data.json", "application/json; charset=utf-8", b"{}"),
        ("/logo.svg", "image/svg+xml; charset=utf-8", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("/manifest.webmanifest", "application/manifest+json; charset=utf-8", b"{}"),
        ("/photo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("/blob.xyz123", "application/octet-stream", b"\x00\x01"),
        ("/space%20name.txt", "text/plain; charset=utf-8", b"spaced"),
        ("/alias.js", "text/javascript; charset=utf-8", b"console.log('hi');"),  # a link that stays inside
    ],
)
async def test_public_files_are_served_with_their_type(
    public_hub: Hub, path: str, content_type: str, body: bytes
) -> None:
    got = await fetch(public_hub, path)
    assert (got.status, got.headers["Content-Type"], got.body) == (200, content_type, body)
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"] == "public, max-age=0"
    assert "Content-Security-Policy" not in got.headers  # the operator's pages, as express.static serves them


@pytest.mark.parametrize(
    "path",
    [
        "/.env",
        "/.git/config",
        "/%2eenv",
        "/docs/..%2f.env",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/docs/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/docs%5c..%5c.env",
        "//etc/passwd",
        "/%2f%2fetc/passwd",
        "/escape.txt",
        "/escape-dir/secret.txt",
        "/dotlink",
        "/index.html%00.txt",
        "/empty/",
        "/nothing-here.html",
    ],
)
async def test_nothing_outside_the_folder_nor_any_dotfile_or_listing_is_served(public_hub: Hub, path: str) -> None:
    got = await fetch(public_hub, path)
    assert got.status == 404, (path, got.status, got.body[:100])
    assert b"outside the folder" not in got.body and b"SECRET" not in got.body and b"[core]" not in got.body
    assert got.headers["Content-Type"].startswith("application/json")  # the hub's JSON error, not a listing


async def test_a_folder_without_its_slash_is_redirected_to_it(public_hub: Hub) -> None:
    got = await fetch(public_hub, "/docs?lang=en")
    assert (got.status, got.headers["Location"]) == (301, "/docs/?lang=en")


async def test_etag_and_last_modified_answer_304(public_hub: Hub, site: Path) -> None:
    first = await fetch(public_hub, "/app.js")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    assert (await fetch(public_hub, "/app.js", headers={"If-None-Match": etag})).status == 304
    assert (await fetch(public_hub, "/app.js", headers={"If-Modified-Since": modified})).status == 304
    os.utime(site / "app.js", (0, 0))  # the file changed: a full answer again
    again = await fetch(public_hub, "/app.js", headers={"If-None-Match": etag})
    assert again.status == 200 and again.headers["ETag"] != etag


async def test_head_and_ranges_work_and_other_methods_find_nothing(public_hub: Hub) -> None:
    head = await fetch(public_hub, "/app.js", method="HEAD")
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", "18")
    part = await fetch(public_hub, "/app.js", headers={"Range": "bytes=0-6"})
    assert (part.status, part.body) == (206, b"console")
    post = await fetch(public_hub, "/app.js", method="POST")  # express.static passes it on: nothing takes it
    assert (post.status, post.body) == (
        404,
        b'{"error": {"code": "not_found", "message": "no such endpoint: POST /app.js"}}',
    )


async def test_the_hubs_own_paths_win_over_the_folder(hub_factory: Any, site: Path) -> None:
    (site / "api").mkdir()
    (site / "api" / "health").write_text("shadowed")
    (site / "app").mkdir()
    (site / "app" / "index.html").write_text("shadowed")
    hub = await hub_factory(public=str(site))

    assert (await fetch(hub, "/api/health")).headers["Content-Type"].startswith("application/json")
    assert b"lan-notify" in (await fetch(hub, "/app/")).body
    assert (await fetch(hub, "/api/nope")).status == 404


async def test_without_an_index_the_front_page_is_the_web_app(hub_factory: Any, site: Path) -> None:
    (site / "index.html").unlink()
    hub = await hub_factory(public=str(site))
    got = await fetch(hub, "/")
    assert (got.status, got.headers["Location"]) == (302, "/app/")
    assert (await fetch(hub, "/app.js")).status == 200


async def test_without_a_public_folder_the_front_page_is_the_web_app(hub: Hub) -> None:
    got = await fetch(hub, "/")
    assert (got.status, got.headers["Location"]) == (302, "/app/")
    assert (await fetch(hub, "/app")).headers["Location"] == "/app/"
    assert (await fetch(hub, "/index.html")).status == 404


async def test_with_the_web_app_off_nothing_of_it_is_served(hub_factory: Any) -> None:
    hub = await hub_factory(web_app=False)
    for path in ("/", "/app/", "/app/js/main.js"):
        assert (await fetch(hub, path)).status == 404, path
    assert (await fetch(hub, "/socket.io/socket.io.js")).status == 200  # pages of the public folder use it


async def test_a_public_folder_that_is_not_there_stops_the_hub(tmp_path: Path) -> None:
    config = HubConfig(port=0, data_dir=tmp_path / "hub", public=str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"public: .*missing.* is not a folder"):
        RunningHub(config)


# --------------------------------------------------------------------------- the Socket.IO client


@pytest.mark.parametrize("name", sorted(CLIENT_FILES))
async def test_the_socket_io_client_files_are_served_as_socket_io_does(hub: Hub, name: str) -> None:
    version = ClientFiles().version
    got = await fetch(hub, f"/socket.io/{name}")
    kind = "application/json" if name.endswith(".map") else "application/javascript"
    assert (got.status, got.headers["Content-Type"]) == (200, f"{kind}; charset=utf-8")
    assert got.headers["ETag"] == f'"{version}"'
    assert got.headers["Cache-Control"] == "public, max-age=0"
    if not name.endswith(".map"):
        assert got.body.startswith(f"/*!\n * Socket.IO v{version}\n".encode())
    assert (await fetch(hub, f"/socket.io/{name}", headers={"If-None-Match": f'"{version}"'})).status == 304
    assert (await fetch(hub, f"/socket.io/{name}", headers={"If-None-Match": f'W/"{version}"'})).status == 304


async def test_the_client_is_compressed_for_browsers_that_accept_it(hub: Hub) -> None:
    got = await fetch(hub, "/socket.io/socket.io.min.js", headers={"Accept-Encoding": "gzip"})
    assert got.headers["Content-Encoding"] == "gzip"
    assert got.body.startswith(b"/*!\n * Socket.IO v")  # aiohttp undid it


async def test_other_names_under_socket_io_are_not_found(hub: Hub) -> None:
    for path in ("/socket.io/socket.io.cjs", "/socket.io/..%2fhub.sqlite3", "/socket.io/package.json"):
        assert (await fetch(hub, path)).status == 404, path


async def test_the_markdown_parser_is_served_and_nothing_else_of_the_vendor_folder(hub: Hub) -> None:
    got = await fetch(hub, "/app/vendor/markdown-it.min.js")
    assert (got.status, got.headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    assert got.body.startswith(b"/*! markdown-it ")
    for path in ("/app/vendor/markdown-it.js", "/app/vendor/package.json", "/app/vendor/..%2fpackage-lock.json"):
        assert (await fetch(hub, path)).status == 404, path


def test_the_wheel_ships_the_markdown_parser_with_its_licences() -> None:
    root = Path(__file__).resolve().parents[2]
    shipped = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    wanted = [p for p in shipped["hub.http.browser"] if "markdown-it" in p or "LICENSE" in p or "license" in p]
    assert "vendor/node_modules/markdown-it/dist/markdown-it.min.js" in wanted
    for name in ("markdown-it", "entities", "linkify-it", "mdurl", "punycode.js", "uc.micro"):
        [licence] = [p for p in wanted if p.startswith(f"vendor/node_modules/{name}/") and "LICEN" in p.upper()]
        assert (root / "hub" / "http" / "browser" / licence).is_file(), licence


def test_a_hub_without_the_client_says_how_to_install_it(tmp_path: Path) -> None:
    assert ClientFiles(tmp_path).version is None  # an empty folder: no package.json


async def test_the_socket_io_endpoint_itself_still_answers(hub: Hub) -> None:
    got = await fetch(hub, "/socket.io/?EIO=4&transport=polling")
    assert got.status == 200 and got.body.startswith(b"0{")


# --------------------------------------------------------------------------- the web app's headers


@pytest.mark.parametrize(
    "path",
    [
        "/app/",
        "/app/js/main.js",
        "/app/app.css",
        "/app/manifest.webmanifest",
        "/app/icons/types/error.svg",
        "/app/vendor/markdown-it.min.js",
    ],
)
async def test_the_web_app_is_sent_with_its_security_headers(hub: Hub, path: str) -> None:
    got = await fetch(hub, path)
    assert got.status == 200
    assert got.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert got.headers["X-Frame-Options"] == "DENY"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Referrer-Policy"] == "no-referrer"
    assert got.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert got.headers["Cache-Control"] == "no-cache"
    assert "ETag" in got.headers


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


class _Inline(HTMLParser):
    """Collects what a strict CSP would block in a page: inline scripts and styles, handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if (tag == "script" and "src" not in names) or tag == "style":
            self.found.append(f"<{tag}> inline")
        self.found += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]


def test_the_web_app_has_no_inline_script_or_style_and_sets_no_html() -> None:
    static = Path(__file__).resolve().parents[2] / "hub" / "http" / "browser" / "static"
    parser = _Inline()
    parser.feed((static / "index.html").read_text())
    assert parser.found == []
    for module in static.rglob("*.js"):
        code = "\n".join(line for line in module.read_text().splitlines() if not line.lstrip().startswith("//"))
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, (module.name, sink)

"""Sign-in and sign-out over HTTP, against the stand-in hub on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from desktop.errors import HubResponseError, HubUnreachableError, LoginRefusedError
from desktop.net.http import login, logout, normalize_hub_url
from tests.support.fakehub import FakeHub, serve
from tests.support.ports import free_port


@pytest.fixture
async def hub() -> AsyncIterator[FakeHub]:
    fake = FakeHub()
    await fake.start()
    yield fake
    await fake.stop()


async def test_login_returns_a_device_token(hub: FakeHub) -> None:
    result = await login(hub.url, "alice", "wonderland", device="laptop")
    assert result.username == "alice"
    assert result.admin
    assert hub.tokens[result.token] == "alice"
    assert result.token not in repr(result)


async def test_wrong_password_is_refused_with_the_hubs_words(hub: FakeHub) -> None:
    with pytest.raises(LoginRefusedError) as info:
        await login(hub.url, "alice", "nope")
    assert info.value.code == "unauthorized"
    assert str(info.value) == "wrong username or password"


async def test_logout_revokes_the_token(hub: FakeHub) -> None:
    result = await login(hub.url, "bob", "builder")
    await logout(hub.url, result.token)
    assert result.token not in hub.tokens
    await logout(hub.url, result.token)  # already revoked: fine


async def test_an_unreachable_hub() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(HubUnreachableError) as unreachable:
        await login(url, "alice", "x")
    # Said for a person: what happened and what to do, without the library's exception name.
    assert str(unreachable.value) == f"Cannot reach the hub at {url}: check the address, and that the hub is running."
    with pytest.raises(HubUnreachableError):
        await logout(url, "tok")


async def test_something_that_is_not_a_hub() -> None:
    app = web.Application()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>router login</html>", content_type="text/html")

    async def weird(request: web.Request) -> web.Response:
        return web.json_response({"hello": "world"})

    app.router.add_post("/api/login", page)
    app.router.add_post("/x/api/login", weird)
    app.router.add_post("/api/logout", page)
    runner, url = await serve(app)
    try:
        with pytest.raises(HubResponseError, match=r"is not a lan-notify hub's: check the hub address\."):
            await login(f"{url}", "alice", "x")
        with pytest.raises(HubResponseError, match="no token"):
            await login(f"{url}/x", "alice", "x")
        with pytest.raises(HubResponseError, match="HTTP 404"):
            await logout(f"{url}/nothing-here", "tok")
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("hub.lan:8765", "http://hub.lan:8765"),
        (" http://hub.lan:8765/ ", "http://hub.lan:8765"),
        ("https://hub.example.org", "https://hub.example.org"),
    ],
)
def test_normalize_hub_url(typed: str, url: str) -> None:
    assert normalize_hub_url(typed) == url


@pytest.mark.parametrize("typed", ["", "   ", "ftp://hub"])
def test_normalize_hub_url_refuses(typed: str) -> None:
    with pytest.raises(ValueError):
        normalize_hub_url(typed)

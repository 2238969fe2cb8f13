"""The canary for a library upgrade: every private (or undocumented) name of python-engineio,
python-socketio, aiohttp and pydantic the hub uses is listed in one module per library
(hub/transport/*_internals.py, hub/pydantic_internals.py), and each is still there, as the
hub expects it, in the releases installed. A failure names the library, its installed and tested
releases, the name and the module to revisit (docs/deployment.md, "Upgrading a pinned library")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.pydantic_internals import PYDANTIC
from hub.surface import Kind, Library, Private, check, installed
from hub.transport.aiohttp_internals import AIOHTTP
from hub.transport.engineio_internals import ENGINEIO
from hub.transport.socketio_internals import SOCKETIO

LIBRARIES = (ENGINEIO, SOCKETIO, AIOHTTP, PYDANTIC)
ENTRIES = [(library, entry) for library in LIBRARIES for entry in library.surface]
HUB = Path(__file__).resolve().parents[2] / "hub"


@pytest.mark.parametrize(
    ("library", "entry"),
    ENTRIES,
    ids=[f"{lib.distribution}:{e.owner.rsplit('.', 1)[-1]}.{e.name}:{e.kind.value}" for lib, e in ENTRIES],
)
def test_every_library_internal_the_hub_uses_is_still_there(library: Library, entry: Private) -> None:
    problem = check(library, entry)
    assert problem is None, problem


def test_a_missing_name_fails_with_the_release_the_name_and_the_file_to_revisit() -> None:
    gone = Private("engineio.async_socket.AsyncSocket", "_no_such_hook", Kind.CALLABLE, "(self)", "a test")
    problem = check(ENGINEIO, gone)
    assert problem is not None
    assert f"python-engineio {installed('python-engineio')} (tested: 4.15.1)" in problem
    assert "engineio.async_socket.AsyncSocket._no_such_hook is gone" in problem
    assert "Revisit hub/transport/engineio_internals.py" in problem


def test_a_changed_signature_an_attribute_gone_or_changed_copied_code_fail() -> None:
    signature = Private(
        "socketio.async_server.AsyncServer", "_handle_ack", Kind.CALLABLE, "(self, eio_sid, data)", "a test"
    )
    problem = check(SOCKETIO, signature)
    assert problem is not None and "has the signature (self, eio_sid, namespace, id, data)" in problem
    assert "python-socketio" in problem and "hub/transport/socketio_internals.py" in problem

    attribute = Private("aiohttp.web_protocol.RequestHandler", "_no_such_slot", Kind.ATTRIBUTE, "", "a test")
    problem = check(AIOHTTP, attribute)
    assert problem is not None and "RequestHandler._no_such_slot is gone" in problem

    copied = Private("engineio.async_socket.AsyncSocket", "_websocket_handler", Kind.SOURCE, "0" * 16, "a test")
    problem = check(ENGINEIO, copied)
    assert problem is not None and "changed (source hash" in problem and "compare it with the copy" in problem

    module = Private("engineio.no_such_module", "Anything", Kind.CLASS, "", "a test")
    problem = check(ENGINEIO, module)
    assert problem is not None and "engineio.no_such_module is gone" in problem


def test_the_tested_releases_are_the_ones_installed() -> None:
    """The lock installs the releases the surface was checked against; moving one means checking
    its surface again and saying so in `tested`."""
    assert {lib.distribution: installed(lib.distribution) for lib in LIBRARIES} == {
        lib.distribution: lib.tested for lib in LIBRARIES
    }


def test_no_hub_module_reaches_a_private_name_outside_the_internals_modules() -> None:
    """A private name of a library appears (as `._name` or `def _name`) only in the library's
    internals module, or in a module its SURFACE entry names as a user."""
    private = [
        entry
        for lib in LIBRARIES
        for entry in lib.surface
        if entry.name.startswith("_") and not entry.name.endswith("__")
    ]
    found = []
    for path in sorted(HUB.rglob("*.py")):
        if path.name.endswith("_internals.py"):
            continue
        text = path.read_text()
        where = path.relative_to(HUB.parent).as_posix()
        for entry in private:
            if where in entry.used_for:
                continue
            for match in re.finditer(rf"(\.|def ){re.escape(entry.name)}\b", text):
                found.append(f"{where}:{text.count(chr(10), 0, match.start()) + 1}: {entry.name}")
    assert found == []

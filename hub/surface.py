"""What the hub relies on inside a library, written down so that a library upgrade is checked.

Each `*_internals.py` module (hub/transport/ and hub/pydantic_internals.py) lists, in its
`SURFACE`, every private (or internal, undocumented) name of one library the hub uses: what it is,
what the hub expects of it (a signature, an attribute, a hash of code the hub copied), what it is
used for and which public API would replace it. `check` compares one entry with the library
installed; `tests/hub/test_library_internals.py` runs it over every entry.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
from dataclasses import dataclass
from enum import Enum
from importlib import metadata
from typing import Any


class Kind(Enum):
    #: A function or method; `expected` is `str(inspect.signature(...))`.
    CALLABLE = "callable"
    #: A class attribute, or an instance attribute the class's code assigns (`self.name = ...`);
    #: `expected` is empty.
    ATTRIBUTE = "attribute"
    #: Code the hub copied; `expected` is `source_hash(...)` of the library's original.
    SOURCE = "source"
    #: A class the hub subclasses or instantiates; `expected` is empty.
    CLASS = "class"


@dataclass(frozen=True, slots=True)
class Private:
    """One name inside a library that the hub uses."""

    #: Dotted path of the module or class that holds `name` (`engineio.async_socket.AsyncSocket`).
    owner: str
    name: str
    kind: Kind
    #: The signature or source hash the hub was written against ("" for attributes and classes).
    expected: str
    #: What the hub uses it for, and where (module, class or function of ours).
    used_for: str
    #: The public API that would replace it; "none" when there is none today.
    replacement: str = "none"


def attribute(owner: str, name: str, used_for: str, replacement: str = "none") -> Private:
    """An attribute entry (nothing to compare but its presence)."""
    return Private(owner, name, Kind.ATTRIBUTE, "", used_for, replacement)


@dataclass(frozen=True, slots=True)
class Library:
    #: The distribution's name, as pip knows it.
    distribution: str
    #: The release the entries were checked against.
    tested: str
    #: Our module to revisit when an entry no longer holds.
    revisit: str
    surface: tuple[Private, ...]


def source_hash(obj: Any) -> str:
    """A short hash of an object's source code, blind to blank lines and trailing spaces."""
    lines = [line.rstrip() for line in inspect.getsource(obj).splitlines() if line.strip()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def resolve(dotted: str) -> Any:
    """The module or class a dotted path names (`package.module.Class`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            found = getattr(found, part)
        return found
    raise ImportError(f"no module in {dotted!r}")


def _assigned(owner: Any, name: str) -> bool:
    """Whether a class of `owner`'s MRO assigns `self.<name>` in its code."""
    pattern = re.compile(rf"\bself\.{re.escape(name)}\s*(:[^=\n]*)?=(?!=)")
    for cls in inspect.getmro(owner) if inspect.isclass(owner) else ():
        try:
            if pattern.search(inspect.getsource(cls)):
                return True
        except (OSError, TypeError):  # a class written in C, or builtins
            continue
    return False


def _what_is_wrong(entry: Private) -> str | None:
    try:
        owner = resolve(entry.owner)
    except (ImportError, AttributeError) as exc:
        return f"{entry.owner} is gone ({exc})"
    if entry.kind is Kind.ATTRIBUTE:
        if hasattr(owner, entry.name) or _assigned(owner, entry.name):
            return None
        return f"{entry.owner}.{entry.name} is gone"
    if not hasattr(owner, entry.name):
        return f"{entry.owner}.{entry.name} is gone"
    found = inspect.getattr_static(owner, entry.name)
    if entry.kind is Kind.CLASS:
        return None if inspect.isclass(found) else f"{entry.owner}.{entry.name} is no longer a class"
    if entry.kind is Kind.CALLABLE:
        actual = str(inspect.signature(getattr(owner, entry.name)))
        if actual != entry.expected:
            return f"{entry.owner}.{entry.name} has the signature {actual}, the hub expects {entry.expected}"
        return None
    actual = source_hash(getattr(owner, entry.name))
    if actual != entry.expected:
        return (
            f"{entry.owner}.{entry.name} changed (source hash {actual}, the hub's copy was made from "
            f"{entry.expected}): compare it with the copy"
        )
    return None


def installed(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def check(library: Library, entry: Private) -> str | None:
    """None if `entry` still holds in the installed release, else a message naming the library, its
    installed and tested releases, the name and the module to revisit."""
    wrong = _what_is_wrong(entry)
    if wrong is None:
        return None
    return (
        f"{library.distribution} {installed(library.distribution)} (tested: {library.tested}): {wrong}. "
        f"Used for: {entry.used_for}. Public replacement: {entry.replacement}. Revisit {library.revisit}."
    )

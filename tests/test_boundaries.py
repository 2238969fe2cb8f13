"""Boundaries: the hub imports without loading Qt; its packages import each other in one direction; tests
share helpers through tests/support/; modules and classes of hub/ and desktop/ stay small enough to read."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path


def test_hub_does_not_load_qt() -> None:
    code = (
        "import sys, hub.app, hub.cli, hub.delivery, hub.protocol\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'qasync')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def _hub_imports(tree: ast.Module) -> list[str]:
    """Every `hub...` module a file imports, at the top or inside a function (a cycle hidden in a
    function is still a cycle), but not under `if TYPE_CHECKING:`."""
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    names: list[str] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [f"hub.{a.name}" for a in node.names] if node.module == "hub" else [node.module]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return [name for name in names if name.split(".")[0] == "hub"]


def test_the_hubs_packages_import_each_other_in_one_direction() -> None:
    """No import cycle between hub's packages and top-level modules (docs/architecture.md, "Which way
    the imports go"): a cycle makes one side wait on the other at import time, and hides which one
    is the lower layer."""
    root = Path(__file__).resolve().parent.parent
    edges: dict[str, set[str]] = {}
    for path in sorted((root / "hub").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        unit = parts[1] if len(parts) > 1 else "hub"
        for name in _hub_imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = name.split(".")[1] if "." in name else "hub"
            if target != unit:
                edges.setdefault(unit, set()).add(target)
    assert {"transport", "delivery", "store", "http"} <= edges.keys()

    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(unit: str, trail: list[str]) -> None:
        if unit in trail:
            cycles.append([*trail[trail.index(unit) :], unit])
            return
        if unit in done:
            return
        for target in sorted(edges.get(unit, ())):
            visit(target, [*trail, unit])
        done.add(unit)

    for unit in sorted(edges):
        visit(unit, [])
    assert cycles == []


def test_tests_share_helpers_through_tests_support_not_each_other() -> None:
    """No module of tests/ imports a test module or a conftest (a conftest holds fixtures, not helpers);
    what several folders share lives in tests/support/, which imports nothing else of tests/. A helper
    beside the tests of one folder (tests/fuzz/strategies.py, tests/web/browser.py) serves that folder only."""
    tests = Path(__file__).resolve().parent
    paths = sorted(p for p in tests.rglob("*.py") if "node_modules" not in p.parts)
    assert len(paths) > 150
    offenders: dict[str, list[str]] = {}
    for path in paths:
        relative = path.relative_to(tests)
        folder = relative.parts[0] if len(relative.parts) > 1 else None
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        bad = []
        for name in names:
            parts = name.split(".")
            if parts[0] != "tests":
                continue
            if re.search(r"(^|\.)(test_\w+|conftest)$", name):
                bad.append(name)  # a test module or a conftest
            elif len(parts) < 2 or parts[1] not in {"support", folder}:
                bad.append(name)  # another folder's own helper
            elif folder == "support" and parts[1] != "support":
                bad.append(name)  # tests/support/ stands on its own
        if bad:
            offenders[str(relative)] = sorted(bad)
    assert offenders == {}


MAX_MODULE_LINES = 450
MAX_CLASS_LINES = 300

#: Classes allowed past MAX_CLASS_LINES, each with the reason it is not split.
LONG_CLASSES = {
    # python-engineio's Socket subclass: its overrides (receive, send, close, the websocket handler)
    # and the direct write path share one connection's state, and a mixin would only hide that.
    "hub/transport/engine.py:HubSocket": 330,
}


def test_modules_and_classes_stay_small_enough_to_read() -> None:
    """A module past MAX_MODULE_LINES or a class past MAX_CLASS_LINES holds more than one concern:
    split it by responsibility (docs/architecture.md) rather than raise the limit."""
    root = Path(__file__).resolve().parent.parent
    paths = sorted(p for folder in ("hub", "desktop") for p in (root / folder).rglob("*.py"))
    assert len(paths) > 100
    too_long: dict[str, int] = {}
    for path in paths:
        relative = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            too_long[relative] = lines
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                name = f"{relative}:{node.name}"
                lines = node.end_lineno - node.lineno + 1
                if lines > LONG_CLASSES.get(name, MAX_CLASS_LINES):
                    too_long[name] = lines
    assert too_long == {}

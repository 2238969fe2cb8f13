"""Boundaries: the hub imports without loading Qt; the desktop tests share helpers through tests/support/."""

from __future__ import annotations

import subprocess
import sys


def test_hub_does_not_load_qt() -> None:
    code = (
        "import sys, hub.app, hub.cli, hub.service, hub.protocol\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'qasync')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_desktop_tests_share_helpers_through_tests_support_not_each_other() -> None:
    """A test module is never imported by another: what tests share lives in tests/support/."""
    import ast
    import re
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    paths = sorted([*(tests / "desktop").rglob("*.py"), *(tests / "support").rglob("*.py")])
    assert len(paths) > 50
    offenders: dict[str, list[str]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        bad = sorted(name for name in names if re.search(r"(^|\.)test_\w+$", name))
        if bad:
            offenders[str(path.relative_to(tests))] = bad
    # The hub's own test helpers move to tests/support/ with the hub's tests; this one is theirs.
    assert offenders == {"desktop/test_logging.py": ["tests.hub.test_logs"]}

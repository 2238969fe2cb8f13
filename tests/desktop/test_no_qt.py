"""Qt stops at the UI: the logic and network packages import without loading PySide6."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import importlib, json, pkgutil, sys
import desktop.core, desktop.net
names = ["desktop.errors", "desktop.credentials", "desktop.session", "desktop.hosting", "desktop.sound",
         "desktop.autostart", "hub.protocol", "resources"]
for package in (desktop.core, desktop.net):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "PyQt", "shiboken", "qasync")))
print(json.dumps({"imported": names, "qt": qt}))
"""


def test_core_and_net_do_not_load_qt() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    result = json.loads(out.stdout)
    assert "desktop.core.toasts" in result["imported"]
    assert "desktop.core.history" in result["imported"]
    assert {"desktop.core.dnd", "desktop.core.compose", "desktop.hosting"} <= set(result["imported"])
    assert result["qt"] == []

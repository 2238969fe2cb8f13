"""Qt stops at the UI: the logic, network and system packages import, whole, without loading PySide6."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import importlib, json, pkgutil, sys
import desktop.core, desktop.net, desktop.system
names = ["desktop.errors", "hub.protocol", "resources"]
for package in (desktop.core, desktop.net, desktop.system):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "PyQt", "shiboken", "qasync")))
print(json.dumps({"imported": names, "qt": qt}))
"""


def test_core_net_and_system_do_not_load_qt() -> None:
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
    assert {"desktop.core.dnd", "desktop.core.compose", "desktop.system.hosting"} <= set(result["imported"])
    assert {"desktop.net.session", "desktop.system.credentials", "desktop.system.notifications"} <= set(
        result["imported"]
    )
    assert result["qt"] == []

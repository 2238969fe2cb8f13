"""The Qt line of desktop/: Qt is imported only by `desktop.ui` (the widgets) and `desktop.app` (the composition
root and the flows that wire widgets to logic); the logic, network and system packages import, whole, without
loading PySide6; and each package imports only the ones below it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "desktop"
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qasync")
#: What each package of desktop/ may import of desktop/ (besides itself and `desktop.errors`).
BELOW = {
    "core": set(),
    "net": {"core"},
    "system": {"core"},
    "ui": {"core", "net"},
    "app": {"core", "net", "system", "ui"},
}

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


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (in functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


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


def test_only_ui_and_app_import_qt() -> None:
    outside = [p for p in modules(DESKTOP) if p.relative_to(DESKTOP).parts[0] not in {"ui", "app"}]
    assert len(outside) > 30  # every Qt-free module, not an empty glob
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in imports(p) if m.split(".")[0] in QT)
        for p in outside
        if any(m.split(".")[0] in QT for m in imports(p))
    }
    assert offenders == {}


def test_the_flows_wire_widgets_without_importing_qt() -> None:
    """A flow drives widgets from desktop.ui through their methods and signals; it imports no Qt itself."""
    flows = sorted((DESKTOP / "app").glob("*_flow.py"))
    assert len(flows) >= 9
    offenders = {p.name: sorted(m for m in imports(p) if m.split(".")[0] in QT) for p in flows}
    assert {name: qt for name, qt in offenders.items() if qt} == {}


def test_each_package_imports_only_the_packages_below_it() -> None:
    wrong: dict[str, list[str]] = {}
    for package, allowed in BELOW.items():
        for path in modules(DESKTOP / package):
            used = {m.split(".")[1] for m in imports(path) if m.startswith("desktop.") and m.count(".") >= 1}
            bad = sorted(used - allowed - {package, "errors"})
            if bad:
                wrong[str(path.relative_to(ROOT))] = bad
    assert wrong == {}
    top = sorted(p.name for p in DESKTOP.glob("*.py"))
    assert top == ["__init__.py", "errors.py"]  # every other module sits in the package of its side

"""The wheel, as `pip install lan-notify` would get it: the code, the icons and stylesheets the tray
app loads, and both commands. Built from a copy of the source, so the checkout gains no build/."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("hub", "desktop", "resources")


def test_the_wheel_ships_the_code_the_resources_and_both_commands(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for name in SHIPPED:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)

    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]

    [wheel] = dist.glob("lan_notify-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        commands = archive.read(entry_points).decode()
    wanted = {
        path.relative_to(source).as_posix()
        for name in SHIPPED
        for path in (source / name).rglob("*")
        if path.is_file() and path.suffix in {".py", ".svg", ".qss", ".png"}
    }
    assert any(n.startswith("resources/icons/types/") for n in wanted), "the check looks where the icons are"
    assert sorted(wanted - names) == [], "files the wheel leaves out"
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    assert "notify-hub = hub.cli:main" in commands and "notify-tray = desktop.app:main" in commands

"""The wheel, as `pip install lan-notify` would get it: the code, the icons and stylesheets the tray
app loads, the web app and the Socket.IO browser client the hub serves (installed by
scripts/bootstrap.sh, which runs before any build), and both commands. Built from a copy of the
source, so the checkout gains no build/."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from hub.browser.client_js import CLIENT_FILES

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("hub", "desktop", "resources")
CLIENT = "hub/browser/vendor/node_modules/socket.io-client"


def test_the_wheel_ships_the_code_the_resources_and_both_commands(tmp_path: Path) -> None:
    assert (ROOT / CLIENT / "dist").is_dir(), "the Socket.IO client is not installed: run scripts/bootstrap.sh"
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
    wanted |= {p.relative_to(source).as_posix() for p in (source / "hub/browser/static").rglob("*") if p.is_file()}
    wanted |= {f"{CLIENT}/dist/{name}" for name in CLIENT_FILES} | {f"{CLIENT}/LICENSE"}
    assert any(n.startswith("resources/icons/types/") for n in wanted), "the check looks where the icons are"
    assert "hub/browser/static/js/main.js" in wanted
    assert sorted(wanted - names) == [], "files the wheel leaves out"
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    # Of the npm folder, only the client's bundles and the licences of what they hold.
    vendored = {n for n in names if "/node_modules/" in n}
    assert all(
        n.startswith(f"{CLIENT}/dist/") or n.endswith(("LICENSE", "license.md", "/package.json")) for n in vendored
    )
    assert "notify-hub = hub.cli:main" in commands and "notify-tray = desktop.app:main" in commands

"""The wheel, as `pip install lan-notify` / `pipx install lan-notify[desktop]` get it: the code, the icons and
stylesheets the tray app loads, the web app and the Socket.IO browser client the hub serves (installed by
scripts/bootstrap.sh, which runs before any build), both commands, and, installed into a fresh virtualenv outside
the source tree, a hub that serves and takes a send, a tray app that loads its artwork and hosts a hub.

The wheel is built once, from a copy of the source (the checkout gains no build/). The default run installs
it with `--no-deps` into a fresh virtualenv that reads its dependencies from this checkout's .venv (a .pth
line after its own site-packages): fast and offline, yet the code runs from the installed wheel only. The
`slow` variant installs the wheel with its dependencies from the package index, as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.http.browser.client_js import CLIENT_FILES

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("hub", "desktop", "resources")
CLIENT = "hub/http/browser/vendor/node_modules/socket.io-client"
MARKDOWN = "hub/http/browser/vendor/node_modules/markdown-it/dist/markdown-it.min.js"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
TIMEOUT = 120


def run(*argv: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=TIMEOUT, check=False, env=env, cwd=cwd
    )
    assert done.returncode == 0, f"{' '.join(map(str, argv))}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert (ROOT / CLIENT / "dist").is_dir(), "the Socket.IO client is not installed: run scripts/bootstrap.sh"
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    for name in SHIPPED:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", work / "dist", source)
    [built] = (work / "dist").glob("lan_notify-*.whl")
    return built


def test_the_wheel_ships_the_code_the_resources_and_both_commands(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        commands = archive.read(entry_points).decode()
    wanted = {
        path.relative_to(ROOT).as_posix()
        for name in SHIPPED
        for path in (ROOT / name).rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".svg", ".qss", ".png"}
        and "__pycache__" not in path.parts
        and "node_modules" not in path.parts
    }
    wanted |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "hub/http/browser/static").rglob("*") if p.is_file()}
    wanted |= {f"{CLIENT}/dist/{name}" for name in CLIENT_FILES} | {f"{CLIENT}/LICENSE", MARKDOWN}
    assert any(n.startswith("resources/icons/types/") for n in wanted), "the check looks where the icons are"
    assert "resources/icons/app/lan-notify.svg" in wanted
    assert "hub/http/browser/static/js/main.js" in wanted
    assert sorted(wanted - names) == [], "files the wheel leaves out"
    assert not [n for n in names if n.startswith(("tests/", "bench/", "deploy/"))]
    # Of the npm folder, only the Socket.IO client's bundles, the Markdown parser's, and the licences
    # of what they hold.
    vendored = {n for n in names if "/node_modules/" in n}
    licences = ("LICENSE", "license.md", "LICENSE.txt", "LICENSE-MIT.txt", "/package.json")
    assert (
        sorted(n for n in vendored if not (n.startswith(f"{CLIENT}/dist/") or n == MARKDOWN or n.endswith(licences)))
        == []
    )
    assert "notify-hub = hub.cli:main" in commands and "notify-tray = desktop.app:main" in commands


def fresh_venv(path: Path, *, with_pip: bool) -> Path:
    run(sys.executable, "-m", "venv", *([] if with_pip else ["--without-pip"]), path)
    return path / "bin"


def user_env(home: Path) -> dict[str, str]:
    """A user's environment: nothing of this checkout on the path, a home of its own, Qt offscreen, no mDNS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "LAN_NOTIFY_"))}
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(QT_QPA_PLATFORM="offscreen", LAN_NOTIFY_ANNOUNCE="false", LAN_NOTIFY_DISCOVERY="false")
    return env


CHECK_RESOURCES = """
import json, pathlib, sys
import hub, desktop, resources
from PySide6.QtCore import QByteArray
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication
app = QApplication([])
svgs = [resources.type_icon_svg(t) for t in resources.NOTIFICATION_TYPES]
svgs += [resources.tray_icon_svg(s) for s in resources.TRAY_STATES] + [resources.app_icon_svg()]
valid = all(QSvgRenderer(QByteArray(svg)).isValid() for svg in svgs)
print(json.dumps({"files": [hub.__file__, desktop.__file__, resources.__file__], "icons": len(svgs),
                  "valid": valid, "toast_qss": len(resources.stylesheet("toast")), "path": sys.path}))
"""

HOST_A_HUB = """
import asyncio, json, pathlib, sys
from desktop.system.hosting import LocalHub
async def main():
    hub = LocalHub(pathlib.Path(sys.argv[1]), host="127.0.0.1", port=0, username="me")
    hosted = await hub.start()
    token = await hub.device_token("check")
    await hub.stop()
    print(json.dumps({"url": hosted.local_url, "token": bool(token)}))
asyncio.run(main())
"""


def check_installed(bin_dir: Path, home: Path) -> None:
    """What a user of the installed package does, from a folder outside the source tree."""
    env = user_env(home)
    cwd = home
    assert run(bin_dir / "notify-hub", "--version", env=env, cwd=cwd).strip() == f"lan-notify {VERSION}"
    assert run(bin_dir / "notify-tray", "--version", env=env, cwd=cwd).strip() == f"lan-notify {VERSION}"
    assert "--install-desktop-entry" in run(bin_dir / "notify-tray", "--help", env=env, cwd=cwd)

    loaded = json.loads(run(bin_dir / "python", "-c", CHECK_RESOURCES, env=env, cwd=cwd))
    venv = bin_dir.parent.resolve()
    assert all(Path(f).resolve().is_relative_to(venv) for f in loaded["files"]), loaded["files"]
    assert not any(Path(p).resolve() == ROOT for p in loaded["path"] if p), "the source tree is on sys.path"
    assert loaded["valid"] and loaded["icons"] == 10 and loaded["toast_qss"] > 0

    hosted = json.loads(run(bin_dir / "python", "-c", HOST_A_HUB, home / "hosted", env=env, cwd=cwd))
    assert hosted["url"].startswith("http://127.0.0.1:") and hosted["token"]

    data = ["--data-dir", str(home / "hub")]
    run(bin_dir / "notify-hub", *data, "user", "add", "alice", "--no-password", env=env, cwd=cwd)
    token = run(bin_dir / "notify-hub", *data, "token", "create", "alice", "--label", "check", env=env, cwd=cwd)
    with subprocess.Popen(
        [str(bin_dir / "notify-hub"), *data, "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=cwd,
    ) as hub:  # fmt: skip
        try:
            serve_and_send(hub, bin_dir, env, cwd, token.strip())
        finally:
            hub.terminate()
            assert hub.wait(timeout=30) == 0


def serve_and_send(hub: subprocess.Popen[str], bin_dir: Path, env: dict[str, str], cwd: Path, token: str) -> None:
    """`notify-hub serve` answers its health check and takes one send from `notify-hub send`."""
    assert hub.stdout is not None
    line = hub.stdout.readline()  # bounded by the test's timeout
    assert "listening on" in line, line
    url = line.split("listening on", 1)[1].strip()
    with urllib.request.urlopen(f"{url}/api/health", timeout=30) as response:
        health = json.load(response)
    assert (health["status"], health["version"]) == ("ok", VERSION)
    sent = subprocess.run(
        [str(bin_dir / "notify-hub"), "send", "--hub", url, "--to", "alice", "--title", "Hi", "from the wheel"],
        capture_output=True, text=True, timeout=TIMEOUT, env={**env, "LAN_NOTIFY_TOKEN": token}, cwd=cwd,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr


def test_the_wheel_installed_in_a_fresh_venv_outside_the_source_tree_works(wheel: Path, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "venv", with_pip=False)
    target = bin_dir.parent / Path(sysconfig.get_path("purelib")).relative_to(sys.prefix)
    run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--quiet", "--no-deps", wheel)
    # The dependencies from this checkout's virtualenv, after the wheel's own files (and not its editable install,
    # whose .pth file a plain path line does not run).
    (target / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    check_installed(bin_dir, tmp_path / "home")


@pytest.mark.slow
def test_the_wheel_with_its_dependencies_from_the_index_works(wheel: Path, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "venv", with_pip=True)
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", f"{wheel}[desktop]")
    check_installed(bin_dir, tmp_path / "home")


@pytest.fixture(autouse=True)
def _no_build_left_in_the_checkout() -> Iterator[None]:
    yield
    assert not (ROOT / "build").exists()

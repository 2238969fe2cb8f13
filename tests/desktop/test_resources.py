"""The artwork and stylesheets ship as package data and load through one loader."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import resources
from hub.protocol import NotificationType

SVG_NS = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]


def test_every_notification_type_has_artwork() -> None:
    assert set(resources.NOTIFICATION_TYPES) == {t.value for t in NotificationType}
    assert set(resources.ACCENTS) == set(resources.NOTIFICATION_TYPES)


@pytest.mark.parametrize("ntype", resources.NOTIFICATION_TYPES)
def test_type_icon_is_a_square_svg_in_its_accent_colour(ntype: str) -> None:
    root = ET.fromstring(resources.type_icon_svg(ntype))
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 64 64"
    assert root.findtext(f"{SVG_NS}title") == ntype
    fills = {el.get("fill") for el in root.iter()}
    assert resources.ACCENTS[ntype] in fills


@pytest.mark.parametrize("state", resources.TRAY_STATES)
def test_tray_icon_per_state(state: str) -> None:
    root = ET.fromstring(resources.tray_icon_svg(state))
    assert root.get("viewBox") == "0 0 64 64"
    assert root.findtext(f"{SVG_NS}title") == state


def test_tray_states_look_different() -> None:
    icons = {resources.tray_icon_svg(state) for state in resources.TRAY_STATES}
    assert len(icons) == len(resources.TRAY_STATES)


@pytest.mark.parametrize(("count", "shown"), [(1, "1"), (7, "7"), (42, "42"), (99, "99"), (100, "99+"), (5000, "99+")])
def test_badge_shows_the_count_capped_at_99(count: int, shown: str) -> None:
    root = ET.fromstring(resources.badge_svg(count))
    assert root.findtext(f"{SVG_NS}text") == shown


def test_badge_needs_a_positive_count() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        resources.badge_svg(0)


def test_toast_stylesheet_has_an_accent_per_type() -> None:
    qss = resources.stylesheet("toast")
    for ntype, colour in resources.ACCENTS.items():
        assert f'QFrame#toast[ntype="{ntype}"]' in qss
        rule = qss.split(f'QFrame#toast[ntype="{ntype}"]', 1)[1].split("}", 1)[0]
        assert colour in rule


@pytest.mark.parametrize("name", ["../pyproject.toml", "icons/types/nope.svg", "/etc/passwd", ""])
def test_unknown_or_escaping_names_are_refused(name: str) -> None:
    with pytest.raises(resources.ResourceNotFoundError):
        resources.read_bytes(name)


def test_unknown_type_and_state_are_refused() -> None:
    with pytest.raises(resources.ResourceNotFoundError):
        resources.type_icon_svg("urgent")
    with pytest.raises(resources.ResourceNotFoundError):
        resources.tray_icon_svg("asleep")


def test_file_path_gives_a_real_file() -> None:
    with resources.file_path("icons/types/info.svg") as path:
        assert path.read_bytes() == resources.type_icon_svg("info")


def test_loader_works_from_any_working_directory(tmp_path: Path) -> None:
    code = "import resources; print(len(resources.type_icon_svg('error')) > 0, resources.stylesheet('toast')[:2])"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["True", "/*"]


def test_every_svg_renders_with_qt() -> None:
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    blobs = [resources.type_icon_svg(t) for t in resources.NOTIFICATION_TYPES]
    blobs += [resources.tray_icon_svg(s) for s in resources.TRAY_STATES]
    blobs += [resources.badge_svg(3), resources.badge_svg(123), resources.dnd_svg()]
    for blob in blobs:
        renderer = QSvgRenderer(QByteArray(blob))
        assert renderer.isValid()
        assert renderer.viewBox().width() == 64


def test_every_resource_file_is_declared_for_the_wheel() -> None:
    """pyproject's package data covers every artwork and stylesheet file (else an installed app has none)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert any(fnmatch.fnmatch("resources", pattern) for pattern in config["packages"]["find"]["include"])
    patterns = config["package-data"]["resources"]
    folder = ROOT / "resources"
    files = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.suffix != ".py"]
    files = [f for f in files if "__pycache__" not in f]
    assert files and all(
        any(fnmatch.fnmatch(f, pattern) or fnmatch.fnmatch(f, pattern.removeprefix("**/")) for pattern in patterns)
        for f in files
    ), files

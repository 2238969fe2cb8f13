"""docs/desktop.md stays true to the code: every flag, every QSettings key, every reported event."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.app.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "desktop.md").read_text(encoding="utf-8")


def test_every_flag_is_documented_and_every_documented_flag_exists() -> None:
    flags = {
        option
        for action in build_parser()._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    table = {
        flag for row in re.findall(r"^\| (`-[^|]*)\|", DOC, flags=re.M) for flag in re.findall(r"`(--[a-z-]+)", row)
    }
    assert flags == table


def test_every_qsettings_key_is_documented() -> None:
    code = "".join(p.read_text() for p in (ROOT / "desktop").rglob("*.py"))
    keys = set(
        re.findall(r'"((?:hub|toasts|sound|dnd|startup|compose|online|host|tls|notifications)/[a-z_]+)(?:/|")', code)
    )
    keys |= {k.rsplit("/", 1)[0] + "/TYPE" for k in re.findall(r'"((?:toasts/duration|sound)/)\{', code)}
    keys |= {"toasts/duration/TYPE", "sound/TYPE"}
    keys -= {"toasts/duration"}
    documented = set(re.findall(r"^\| `([a-z_]+/[A-Za-z_/]+)` \|", DOC, flags=re.M))
    assert keys <= documented, keys - documented
    assert not any("token" in k or "password" in k for k in documented)


def test_every_reported_event_is_documented() -> None:
    code = "".join(p.read_text() for p in (ROOT / "desktop").rglob("*.py"))
    events = set(re.findall(r'\.event\(\s*"([a-z_]+)"', code, flags=re.S)) | {"toast"}
    documented: set[str] = set()
    for row in re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", DOC, flags=re.M):
        documented |= set(re.findall(r"`([a-z_]+)`", row))
    assert events <= documented, events - documented


def test_every_picture_the_docs_show_exists() -> None:
    """docs/desktop.md and the README show pictures from docs/screenshots/ (`make screenshots` makes them)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = {ROOT / "docs" / p for p in re.findall(r"\((screenshots/[\w.-]+\.png)\)", DOC)}
    shown |= {ROOT / p for p in re.findall(r'src="(docs/screenshots/[\w.-]+\.png)"', readme)}
    assert len(shown) >= 10
    assert [p for p in shown if not p.is_file()] == []

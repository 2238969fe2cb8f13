"""Qt stays in the UI: the hub (and later desktop.net/core) import without loading PySide6."""

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

"""`python -m bench.tray` runs end to end on a small load and prints every figure beside its target
(no figure is asserted: speed is the bench's to print, not the tests')."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bench import run_bench


def test_the_tray_bench_prints_each_figure(tmp_path: Path) -> None:
    out = tmp_path / "tray.json"
    proc = run_bench("bench.tray", "--quick", "--out", str(out), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ")]
    names = [cells[0].strip() for cells in rows]
    for wanted in ("idle RSS", "idle wake-ups", "RSS, 500 in history", "search: search, a word in many",
                   "50 at once, history closed", "50 at once, history open"):  # fmt: skip
        assert wanted in names, names
    figures = json.loads(out.read_text())
    assert figures["idle"]["rss_mb"] > 0 and figures["burst"]["accepted"] == 50
    assert figures["burst_history_open"]["history_rows"] == 50  # the open history followed every arrival
    assert figures["search"]["all_pages"]["rows"] == 500

"""`bench.report --combine`: the top table's rows for seed, floor and hub from runs made separately.

`bench.run` compares two servers per run; at N = 10,000 the seed, the floor and the hub come from a
`--pair seed,hub` run and a `--pair seed,floor` run. Combined, each server's figure is its median
over its runs in both, the ratio is hub/seed, and what a run could not measure is listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.report import combine, main


def _run(kind: str, direct: float | None, connect: float) -> dict[str, Any]:
    return {
        "kind": kind,
        "connect": {"connected": 10_000, "seconds": 10_000 / connect, "per_s": connect},
        "idle_rss": {"settle_ms": 500, "settle_quiet_ms": 500},
        "direct": {"max_sustained_per_s": direct, "steps": []},
    }


def _doc(a: str, b: str, runs_a: list[dict[str, Any]], runs_b: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"pair": {"A": a, "B": b}, "runs": {"10000": {a: runs_a, b: runs_b}}, **extra}


SEED_HUB = _doc("seed", "hub", [_run("seed", None, 12.0)], [_run("hub", 4000, 360.0)])
SEED_HUB["unmeasured"] = ["N=10000 round 1 seed: direct: no step ran: the phase budget of 900 s was spent before it"]
SEED_FLOOR = _doc("seed", "floor", [_run("seed", 8000, 14.0)], [_run("floor", 10000, 1800.0)])


def _rows(table: str) -> dict[str, list[str]]:
    rows = {}
    for line in table.splitlines():
        if line.startswith("| ") and "| 10,000 |" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[2:]
    return rows


def test_separate_runs_make_one_table_with_seed_floor_and_hub() -> None:
    table = combine([SEED_HUB, SEED_FLOOR])
    assert table.splitlines()[0] == "| metric | N | seed | floor | hub | hub/seed | target |"
    rows = _rows(table)
    # The seed's direct figure exists in one run only: that one, not a zero for the other.
    direct = rows["direct notifications/s at p99 < 100 ms (/s)"]
    assert direct == ["8,000", "10,000", "4,000", "0.50x", "≥ 1.0x not met"]
    # Its connect rate, in both runs: the median of the two, with their range.
    assert rows["connect + authenticate (/s)"] == ["13.0 (12.0-14.0)", "1,800", "360", "27.69x", "≥ 1.0x met"]
    assert "- N=10000 round 1 seed: direct: no step ran" in table


def test_a_floor_against_itself_counts_both_copies_as_the_floor() -> None:
    floor_floor = _doc("floor", "floor#2", [_run("floor", 10000, 1800.0)], [_run("floor", 12000, 1900.0)])
    rows = _rows(combine([floor_floor]))
    assert rows["direct notifications/s at p99 < 100 ms (/s)"] == ["11,000 (10,000-12,000)", "n/a", ""]


def test_the_command_prints_the_combined_table(tmp_path: Path, capsys: Any) -> None:
    paths = []
    for name, doc in (("hub.json", SEED_HUB), ("floor.json", SEED_FLOOR)):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps(doc))
    assert main(["--combine", *map(str, paths)]) == 0
    out = capsys.readouterr().out
    assert "| metric | N | seed | floor | hub | hub/seed | target |" in out
    assert json.loads(paths[0].read_text()) == SEED_HUB  # nothing rewritten

"""Headline of a py-spy profile (collapsed stacks, as `run.py --profile` records them).

    python -m bench.profile bench/results/profiles/hub-n1000-r1.txt [--top 25]

Prints the functions with the most samples on top of the stack (self) and anywhere in it
(inclusive), as shares of all samples.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Final

_LINE_NO = re.compile(r":\d+\)$")


def _frame(raw: str) -> str:
    # "func (path/to/module.py:123)" -> "func (module.py)": lines of one function add up.
    name, _, where = raw.partition(" (")
    where = _LINE_NO.sub(")", "(" + where) if where else ""
    short = where.rsplit("/", 1)[-1] if "/" in where else where.lstrip("(")
    return f"{name} ({short.rstrip(')')})" if short else name


def load(path: Path) -> tuple[Counter[str], Counter[str], int]:
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(f) for f in stack.split(";") if f]
        if not frames:
            continue
        total += count
        self_time[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return self_time, inclusive, total


#: Where a Socket.IO hub's time usually goes: (label, substrings of frame names; a sample counts once).
WATCH: Final = (
    ("waiting in epoll (idle)", ("EpollSelector.select",)),
    ("SQLite store calls (its thread)", ("SqliteStore._call",)),
    ("hub fan-out (Fanout.deliver)", ("Fanout.deliver",)),
    ("hub presence news (Fanout.tell_presence)", ("Fanout.tell_presence",)),
    ("python-socketio emit", ("AsyncServer.emit", "AsyncManager.emit")),
    ("engine.io writer tasks + websocket send", ("AsyncSocket._websocket_handler.<locals>.writer",)),
    ("permessage-deflate (zlib)", ("ZLibCompressor",)),
    ("JSON encoding", ("JSONEncoder", "dumps (")),
    ("pydantic validation", ("model_validate", "validate_python")),
    ("incoming websocket reads", ("WebSocketReader", "WebSocketResponse.receive")),
)


def watch_list(path: Path) -> list[tuple[str, float]]:
    total = 0
    counts: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        total += int(count_text)
        for label, needles in WATCH:
            if any(needle in stack for needle in needles):
                counts[label] += int(count_text)
    return [(label, 100 * counts[label] / total if total else 0.0) for label, _ in WATCH]


def headline(path: Path, top: int = 20) -> str:
    self_time, inclusive, total = load(path)
    if not total:
        return f"{path}: no samples"
    lines = [f"{path.name}: {total} samples", "", "incl %  where (watch list)"]
    lines += [f"{share:6.1f}  {label}" for label, share in watch_list(path)]
    lines += ["", "self %  function"]
    lines += [f"{100 * c / total:6.1f}  {f}" for f, c in self_time.most_common(top)]
    lines += ["", "incl %  function"]
    lines += [f"{100 * c / total:6.1f}  {f}" for f, c in inclusive.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    for path in args.files:
        print(headline(path, args.top))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

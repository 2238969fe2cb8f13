"""`python -m bench.multihub` runs end to end on a tiny load and prints a rate for each hub count.

No rate is asserted (this machine is shared): only that every hub count ran and every receiver got
every notification (the benchmark waits for that before it prints a rate).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.servers import require_postgres, require_redis

REPO = Path(__file__).resolve().parents[2]


def test_multihub_bench_reports_a_rate_per_hub_count() -> None:
    require_postgres()
    require_redis()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}
    args = ["--hubs", "1,2", "--receivers", "4", "--senders", "2", "--messages", "5"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.multihub", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    rows = re.findall(r"^\s*(\d+)\s+(\d+)$", done.stdout, re.MULTILINE)
    assert [hubs for hubs, _ in rows] == ["1", "2"], done.stdout
    assert all(int(rate) > 0 for _, rate in rows), done.stdout

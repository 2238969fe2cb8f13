"""`python -m bench.multihub` runs end to end on a tiny load and prints a rate for each hub count.

No rate is asserted (this machine is shared): only that every hub count ran and every receiver got
every notification (the benchmark waits for that before it prints a rate).
"""

from __future__ import annotations

import re

from tests.bench import run_bench
from tests.support.servers import require_postgres, require_redis


def test_multihub_bench_reports_a_rate_per_hub_count() -> None:
    require_postgres()
    require_redis()
    args = ["--hubs", "1,2", "--receivers", "4", "--senders", "2", "--messages", "5"]
    done = run_bench("bench.multihub", *args, timeout=110)

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    rows = re.findall(r"^\s*(\d+)\s+(\d+)$", done.stdout, re.MULTILINE)
    assert [hubs for hubs, _ in rows] == ["1", "2"], done.stdout
    assert all(int(rate) > 0 for _, rate in rows), done.stdout

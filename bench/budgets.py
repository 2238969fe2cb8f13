"""How long a bench run may take: the load generator's two budgets, and its process timeout.

The load generator (bench/loadgen/budget.js) gives the connect wave of the N receivers a budget of
its own, and the scenarios after it (latency, fan-out, direct) another, together. The seed guide's
server tells every client of every new user, so its wave costs O(N²): on a quiet machine 164 s at
N = 5,000 and 781 s at 10,000, on a busy one 9,123 clients in 908 s at 10,000. The connect budget
therefore grows with N²: 60 s + 25 s * (N / 1,000)², i.e. 85 s at 1,000, 685 s at 5,000 and 2,560 s
at 10,000 (three to four times the seed's quiet-machine wave). What a budget cuts short the run
reports as `unmeasured`, per run, and bench.run prints it.
"""

from __future__ import annotations

from typing import Any, Final

CONNECT_BUDGET_BASE_S: Final = 60.0
#: Seconds of connect budget per (N / 1,000)².
CONNECT_BUDGET_SQUARE_S: Final = 25.0
#: The scenarios after the wave, together (the whole run's deadline before the wave had its own).
PHASE_BUDGET_S: Final = 900.0
QUICK_PHASE_BUDGET_S: Final = 120.0
#: The load generator's settleMaxMs by default: how long one wait for quiet may take.
SETTLE_MAX_S: Final = 300.0
#: Waits for quiet outside the budgets, at most: after the senders, after the wave, after latency
#: and fan-out, after the last direct step.
SETTLES: Final = 5
#: For what no budget bounds: starting the processes, a broadcast or a direct step past the deadline.
MARGIN_S: Final = 180.0


def connect_budget_s(n: int) -> float:
    """The connect wave's default budget for N receivers: 60 s + 25 s * (N / 1,000)²."""
    return CONNECT_BUDGET_BASE_S + CONNECT_BUDGET_SQUARE_S * (n / 1000) ** 2


def loadgen_timeout_s(connect_s: float, phase_s: float, settle_max_s: float = SETTLE_MAX_S) -> float:
    """How long bench.run waits for the load generator before it kills it: both budgets, the waits
    for quiet and a margin, so that a run is only ever cut by its own budgets."""
    return connect_s + phase_s + SETTLES * settle_max_s + MARGIN_S


def unmeasured(result: dict[str, Any]) -> list[str]:
    """What a run could not measure, or measured only in part: "scenario: why" per item."""
    return [f"{item['scenario']}: {item['reason']}" for item in result.get("unmeasured") or []]

"""Fuzzing support: campaigns of hypothesis examples against a `LoopHub` (tests/support/hubs.py), what they
tally, and the check every answer of the hub must pass.

Hypothesis does not run async test functions, so each fuzz test owns an event loop: the hub is
started on it once, and every example runs its coroutine on it with `run(...)`. The hub's own tasks
progress whenever the loop runs.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

from hub.protocol import ErrorCode
from tests.support.hubs import LoopHub

DOCUMENTED_CODES = {c.value for c in ErrorCode} - {ErrorCode.INTERNAL.value}


def fuzz_settings(*, slow: bool, default: int = 30, long: int = 400) -> settings:
    """Small example counts in the default run, many under `slow` (`FUZZ_EXAMPLES` sets that count)."""
    count = int(os.environ.get("FUZZ_EXAMPLES", long)) if slow else default
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        derandomize=not slow,  # the default run tries the same inputs every time; `slow` explores
        database=None,
    )


class Tally:
    """What a campaign saw: inputs tried and how the hub answered them."""

    def __init__(self) -> None:
        self.tried = 0
        self.outcomes: dict[str, int] = {}

    def add(self, outcome: str) -> None:
        self.tried += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def line(self, what: str) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(self.outcomes.items()))
        return f"fuzz {what}: {self.tried} inputs tried ({shown})"


def check_answer(answer: Any) -> str:
    """A hub answer to a fuzzed event must be `{ok: true, ...}` or a documented error code."""
    assert isinstance(answer, dict), answer
    if answer.get("ok") is True:
        return "ok"
    assert answer.get("ok") is False, answer
    code = answer["error"]["code"]
    assert code in DOCUMENTED_CODES, answer
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]
    return str(code)


def campaign(
    hub: LoopHub,
    what: str,
    one: Callable[..., Awaitable[str | tuple[str, ...]]],
    *,
    slow: bool,
    default: int = 30,
    after: Callable[[], object] | None = None,
    **strategies: SearchStrategy[Any],
) -> Tally:
    """Run `one(**drawn)` on the hub's loop for each example hypothesis draws from `strategies` (keyword
    by keyword), tallying the outcome(s) it returns; then `after()`, then check that the hub still
    serves a fresh pair of clients. Prints the tally under `what`."""
    tally = Tally()

    @fuzz_settings(slow=slow, default=default)
    @given(**strategies)
    def example(**drawn: Any) -> None:
        outcome = hub.run(one(**drawn))
        for each in (outcome,) if isinstance(outcome, str) else outcome:
            tally.add(each)

    example()
    if after is not None:
        after()
    hub.run(hub.still_serves())
    print(tally.line(what), flush=True)
    return tally

from __future__ import annotations

import pytest

from desktop.core.unread import UnreadCounter


def test_counts_and_resets() -> None:
    seen: list[int] = []
    counter = UnreadCounter()
    counter.subscribe(seen.append)
    counter.add()
    counter.add(3)
    counter.add(0)
    counter.mark_all_read()
    counter.mark_all_read()
    counter.reset_to(7)
    assert seen == [1, 4, 0, 7]
    assert counter.count == 7


def test_no_negative_counts() -> None:
    with pytest.raises(ValueError):
        UnreadCounter(-1)
    with pytest.raises(ValueError):
        UnreadCounter().add(-1)
    with pytest.raises(ValueError):
        UnreadCounter().reset_to(-2)

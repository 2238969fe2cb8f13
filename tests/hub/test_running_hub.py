"""RunningHub's handles for whoever hosts a hub in-process (the tray app, tests): its store and accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import HubConfig
from hub.server import RunningHub


async def test_a_hub_hands_out_its_store_and_accounts_once_started(tmp_path: Path) -> None:
    running = RunningHub(HubConfig(host="127.0.0.1", port=0, data_dir=tmp_path))
    with pytest.raises(RuntimeError, match="the hub is not running"):
        _ = running.store
    with pytest.raises(RuntimeError, match="the hub is not running"):
        _ = running.accounts
    await running.start()
    try:
        user, _ = await running.accounts.add_user("carol", "pass phrase", admin=False)
        assert await running.store.get_user("carol") == user
    finally:
        await running.stop()

"""The real-server fixtures: a missing redis-server or PostgreSQL skips locally but fails in CI."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.servers import require_postgres, require_redis


@pytest.fixture
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("glob.glob", lambda pattern: [])


@pytest.mark.parametrize("require", [require_redis, require_postgres])
def test_a_missing_server_skips_with_a_reason_outside_ci(
    nothing_installed: None, monkeypatch: pytest.MonkeyPatch, require: Callable[[], object]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        require()


@pytest.mark.parametrize("require", [require_redis, require_postgres])
def test_a_missing_server_fails_in_ci(
    nothing_installed: None, monkeypatch: pytest.MonkeyPatch, require: Callable[[], object]
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require()

# The two commands of the README. Both set up what they need first (scripts/bootstrap.sh).
.PHONY: run test test-all setup lock lint bench screenshots

setup:
	@scripts/bootstrap.sh

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh

# Everything, including the long suites (fault runs, load, full benchmark checks).
test-all: setup
	@scripts/test.sh -m "slow or not slow"

# Regenerate the lock the virtualenv installs from (requirements/), after a change to pyproject.toml's dependencies.
lock:
	@scripts/lock.sh

lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench: setup
	@.venv/bin/python -m bench.run

# Pictures of the real tray app under Xvfb for the docs (tests marked `screenshots`), into docs/screenshots/.
screenshots: setup
	@SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest -m screenshots tests/desktop

#!/usr/bin/env bash
# The whole check: lint, format, types, tests. Runs every step and fails if any failed.
# Extra arguments go to pytest (e.g. `scripts/test.sh -m slow`).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
failed=()

step() {
  local name=$1
  shift
  echo "==> $name"
  "$@" || failed+=("$name")
}

step "ruff check" "$BIN/ruff" check .
step "ruff format" "$BIN/ruff" format --check .
step "mypy" "$BIN/mypy"
step "pytest" "$BIN/python" -m pytest "$@"

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all checks passed"

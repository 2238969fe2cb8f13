#!/usr/bin/env bash
# Regenerate the lock that `make run` and `make test` install from (scripts/bootstrap.sh), from pyproject.toml:
# every dependency of the project and of all its extras, pip itself and the build backend, each pinned to one
# release with the hashes of its files. The lock holds for the interpreter and platform that made it, so its
# name says which (scripts/lock_name.py): requirements/cp311-linux-x86_64.txt from CPython 3.11 on Linux x86_64.
#
#   scripts/lock.sh                           pins that still fit pyproject.toml stay; only what it changed moves
#   scripts/lock.sh --upgrade-package aiohttp  move one library (and what it needs) to its newest allowed release
#   scripts/lock.sh --upgrade                  move everything; then run the suite (docs/deployment.md)
#
# Extra arguments go to pip-compile. pip-tools runs from a throwaway virtualenv, pinned here.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PIP_TOOLS="pip-tools==7.7.0"

lock=$("$PYTHON" scripts/lock_name.py)

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
"$PYTHON" -m venv "$tools"
"$tools/bin/python" -m pip install -q --disable-pip-version-check "$PIP_TOOLS"

# Besides pyproject.toml's dependencies: pip (bootstrap installs it first, from the lock) and the build backend
# that `pip install --no-build-isolation -e .` uses (build-system.requires), read from pyproject.toml.
extra=$("$PYTHON" -c 'import tomllib
print("pip")
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')

mkdir -p requirements
echo "lock: writing $lock (a minute or two: it fetches the hashes of every file of every release it pins)"
echo "$extra" | CUSTOM_COMPILE_COMMAND="scripts/lock.sh" "$tools/bin/pip-compile" --quiet pyproject.toml - --all-extras --strip-extras \
  --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
  --output-file "$lock" "$@"
# pip-compile names the standard input "-r -": say what it is.
sed -i -E 's/^( *# *(via )?)-r -$/\1scripts\/lock.sh (pip, build-system.requires)/' "$lock"
echo "lock: done; commit $lock"

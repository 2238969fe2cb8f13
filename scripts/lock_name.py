"""Print the path of the lock for the interpreter that runs this: requirements/<tag>.txt, where the tag names the
implementation and its version, the platform and the machine (requirements/cp311-linux-x86_64.txt for CPython 3.11
on Linux x86_64). A lock holds for the interpreter that made it: scripts/lock.sh writes this file and
scripts/bootstrap.sh installs from it; tests/test_lock.py checks it against pyproject.toml."""

from __future__ import annotations

import platform
import sys

SHORT = {"cpython": "cp", "pypy": "pp"}


def lock_name() -> str:
    implementation = SHORT.get(sys.implementation.name, sys.implementation.name)
    major, minor = sys.version_info[:2]
    return f"requirements/{implementation}{major}{minor}-{sys.platform}-{platform.machine()}.txt"


if __name__ == "__main__":
    print(lock_name())

"""Users and device tokens for the hub, made with its own admin CLI before any timing starts.

`python -m hub --data-dir D user add NAME [--admin] --no-password` and
`python -m hub --data-dir D token create NAME --label L` (the token is the last line it prints).
Every client signs in with its device token, as the hub's apps do once signed in, so no user has a
password: hashing one (argon2, memory-hard on purpose) took ~0.15 s a user, 11 minutes for 5,000.
Thousands of users would take minutes as separate processes, so `python -m bench.provision` runs the
same CLI entry point (`hub.cli.main(argv)`) in a few processes (one per CPU), command after
command; the result is
kept in a template data dir that every run copies, and cached under bench/results/cache keyed on
the hub's store schema and account code, so a second bench run does not provision again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

PROVISION_TIMEOUT_S: Final = 3600


@dataclass(frozen=True)
class Client:
    """One Socket.IO client of the load generator: the user it is, and its device token on the hub."""

    user_id: str
    token: str | None = None

    def wire(self) -> dict[str, str]:
        data = {"userId": self.user_id}
        if self.token is not None:
            data["token"] = self.token
        return data


@dataclass(frozen=True)
class HubClients:
    receivers: list[Client]
    senders: list[Client]
    admin: Client


def _run_cli(main: object, argv: list[str], stdin: str = "") -> str:
    """Run `hub.cli.main(argv)` in this process; return what it printed. Raises on a non-zero exit."""
    out = io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    code: object = 0
    try:
        with contextlib.redirect_stdout(out):
            try:
                code = main(argv)  # type: ignore[operator]
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.stdin = old_stdin
    if code not in (0, None):
        raise RuntimeError(f"hub {' '.join(argv)} exited {code}: {out.getvalue()[-500:]}")
    return out.getvalue()


def _make(data_dir: Path, names: list[str], *, admin: bool) -> list[Client]:
    from hub.cli import main  # the hub's own admin CLI

    base = ["--data-dir", str(data_dir)]
    role = ["--admin"] if admin else []
    made = []
    for name in names:
        _run_cli(main, [*base, "user", "add", name, *role, "--no-password"])
        printed = _run_cli(main, [*base, "token", "create", name, "--label", "bench"])
        lines = [line.strip() for line in printed.splitlines() if line.strip()]
        if not lines:
            raise RuntimeError(f"token create {name} printed nothing")
        made.append(Client(user_id=name, token=lines[-1]))
    return made


def _spawn(data_dir: Path, names: list[str], *, admin: bool, cwd: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "bench.provision", str(data_dir), *(["--admin"] if admin else []), *names]
    return subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _collect(proc: subprocess.Popen[str]) -> list[Client]:
    out, err = proc.communicate(timeout=PROVISION_TIMEOUT_S)
    if proc.returncode != 0:  # the CLI says what went wrong last; it says "created user" for each before
        raise RuntimeError(f"bench.provision exited {proc.returncode}: {err.strip()[-500:]}")
    return [Client(**item) for item in json.loads(out)]


def _provision(data_dir: Path, receivers: int, senders: int, cwd: Path) -> HubClients:
    # The admin first (this also creates the store), then the rest in parallel processes: the store
    # (SQLite, WAL, busy timeout) takes concurrent writers.
    (admin,) = _collect(_spawn(data_dir, ["admin"], admin=True, cwd=cwd))
    sender_proc = _spawn(data_dir, [f"sender{i}" for i in range(senders)], admin=False, cwd=cwd)
    names = [f"u{i}" for i in range(receivers)]
    jobs = max(1, min(len(os.sched_getaffinity(0)), 8))
    chunk = -(-len(names) // jobs) if names else 0
    procs = [_spawn(data_dir, names[i : i + chunk], admin=False, cwd=cwd) for i in range(0, len(names), chunk or 1)]
    made = [client for proc in procs for client in _collect(proc)]
    return HubClients(receivers=made, senders=_collect(sender_proc), admin=admin)


#: What a provisioned data dir depends on: the store's schema and how users and tokens are made.
_FINGERPRINTED = (
    "hub/store/sqlite/migrations.py",
    "hub/store/sqlite/store.py",
    "hub/auth/passwords.py",
    "hub/auth/tokens.py",
    "hub/auth/accounts.py",
    "hub/cli/common.py",
    "hub/cli/users.py",
    "hub/cli/tokens.py",
)


def _hub_fingerprint(repo: Path) -> str:
    """A digest of the `_FINGERPRINTED` files of `repo`. A missing one is an error, not an empty file:
    after a rename the cache key would no longer follow the code it stands for."""
    digest = hashlib.sha256()
    for name in _FINGERPRINTED:
        path = repo / name
        if not path.is_file():
            raise FileNotFoundError(
                f"bench cache fingerprint: {path} is missing; update _FINGERPRINTED in bench/provision.py"
            )
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def provision_hub(template: Path, *, receivers: int, senders: int, cwd: Path) -> HubClients:
    """Fill `template` (a data dir) with users and tokens, reusing a cached one for the same hub source."""
    cache = cwd / "bench" / "results" / "cache" / f"hub-{_hub_fingerprint(cwd)}-{receivers}-{senders}"
    manifest = cache / "clients.json"
    if not manifest.is_file():
        staging = cache.with_name(cache.name + ".tmp")
        if staging.exists():
            shutil.rmtree(staging)
        (staging / "data").mkdir(parents=True)
        print(f"bench: provisioning {receivers} hub users (once; cached in {cache})", file=sys.stderr)
        made = _provision(staging / "data", receivers, senders, cwd)
        (staging / "clients.json").write_text(json.dumps(asdict(made)))
        if cache.exists():
            shutil.rmtree(cache)
        staging.rename(cache)
    data = json.loads(manifest.read_text())
    if template.exists():
        shutil.rmtree(template)
    shutil.copytree(cache / "data", template)

    def clients(items: list[dict[str, str]]) -> list[Client]:
        return [Client(user_id=c["user_id"], token=c["token"]) for c in items]

    return HubClients(
        receivers=clients(data["receivers"]), senders=clients(data["senders"]), admin=clients([data["admin"]])[0]
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    admin = "--admin" in args
    rest = [a for a in args if a != "--admin"]
    if not rest:
        print("usage: python -m bench.provision DATA_DIR [--admin] NAME...", file=sys.stderr)
        return 2
    made = _make(Path(rest[0]), rest[1:], admin=admin)
    print(json.dumps([asdict(c) for c in made]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

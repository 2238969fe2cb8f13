"""Users and device tokens for the hub, made with its own admin CLI before any timing starts.

`python -m hub --data-dir D user add NAME [--admin] --password-stdin` and
`python -m hub --data-dir D token create NAME --label L` (the token is the last line it prints).
Thousands of users would take minutes as separate processes, so `python -m bench.provision` runs the
same CLI entry point (`hub.cli.main(argv)`) in one process, command after command; the result is
kept in a template data dir that every run copies, and cached under bench/results/cache keyed on
the hub's source, so a second bench run does not provision again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

BENCH_PASSWORD: Final = "bench-password-not-secret"
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


def _make(data_dir: Path, receivers: int, senders: int) -> HubClients:
    from hub.cli import main  # the hub's own admin CLI

    base = ["--data-dir", str(data_dir)]

    def user(name: str, *, admin: bool) -> Client:
        role = ["--admin"] if admin else []
        _run_cli(main, [*base, "user", "add", name, *role, "--password-stdin"], BENCH_PASSWORD)
        printed = _run_cli(main, [*base, "token", "create", name, "--label", "bench"])
        lines = [line.strip() for line in printed.splitlines() if line.strip()]
        if not lines:
            raise RuntimeError(f"token create {name} printed nothing")
        return Client(user_id=name, token=lines[-1])

    admin = user("admin", admin=True)
    sender_clients = [user(f"sender{i}", admin=False) for i in range(senders)]
    receiver_clients = []
    for i in range(receivers):
        receiver_clients.append(user(f"u{i}", admin=False))
        if i and i % 500 == 0:
            print(f"bench: provisioned {i}/{receivers} hub users", file=sys.stderr)
    return HubClients(receivers=receiver_clients, senders=sender_clients, admin=admin)


def _hub_fingerprint(repo: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((repo / "hub").rglob("*.py")):
        digest.update(path.relative_to(repo).as_posix().encode())
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
        proc = subprocess.run(
            [sys.executable, "-m", "bench.provision", str(staging / "data"), str(receivers), str(senders)],
            cwd=cwd,
            check=True,
            capture_output=True,
            text=True,
            timeout=PROVISION_TIMEOUT_S,
        )
        (staging / "clients.json").write_text(proc.stdout)
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
    if len(args) != 3:
        print("usage: python -m bench.provision DATA_DIR RECEIVERS SENDERS", file=sys.stderr)
        return 2
    made = _make(Path(args[0]), int(args[1]), int(args[2]))
    print(json.dumps(asdict(made)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What to say when the hub's port is taken, and a check that says it before anything starts.

    python -m hub.portcheck PORT [HOST]    exit 0 when the port is free; else say why and exit 1

`make run` (scripts/run.sh) checks first, so that a taken port is the one thing it says; `notify-hub
serve` says the same when it cannot listen.
"""

from __future__ import annotations

import errno
import socket
import sys

from hub.config import env_name


def port_in_use_text(port: int) -> str:
    other = port + 1 if 0 < port < 65535 else 8766
    return (
        f"port {port} is already in use on this computer (another hub, or another program, listens there). "
        f"Stop it, or choose another port: {env_name('port')}={other} make run, or notify-hub serve --port {other}."
    )


def check(port: int, host: str = "") -> str:
    """Why the hub could not listen on host:port ("" when it could); binds and lets go at once."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the hub does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return port_in_use_text(port)
            return f"cannot listen on port {port}: {exc.strerror or exc}."
    return ""


def main(argv: list[str]) -> int:
    port = int(argv[1])
    problem = check(port, argv[2] if len(argv) > 2 else "")
    if problem:
        print(f"lan-notify: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

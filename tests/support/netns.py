"""A network namespace of the test's own (root only), for whatever must not reach the machine's real network:
mDNS announcements and browsing, a hub listening on every interface.

Its loopback is up and carries multicast (mDNS's group is routed to it). With `lan_address`, the loopback also
holds that address and routes everything else through it, so that a program inside sees a computer on a LAN
(`192.168.1.20`) and nothing leaves the namespace:

    argv = unshare_command("cat", lan_address="192.168.1.20")   # a process that holds the namespace
    inside = enter(pid) + [sys.executable, "-m", "hub", "serve", "--announce"]   # another one in it

Unix sockets on the file system (an X display, a D-Bus bus at a `unix:path=`) are reached from inside as from
outside: a program in the namespace still draws on the test's screen and talks to its bus.
"""

from __future__ import annotations

import os
import shutil

from tests.support.servers import unavailable

SETUP = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"
LAN = " && ip addr add {address}/24 dev lo && ip route add default dev lo src {address}"


def require_namespaces() -> None:
    missing = [tool for tool in ("unshare", "nsenter", "ip") if shutil.which(tool) is None]
    reason = f"missing {', '.join(missing)} (util-linux, iproute2)" if missing else ""
    if not reason and os.geteuid() != 0:
        reason = "a network namespace needs root here"
    if reason:
        unavailable(reason)


def unshare_command(*argv: str, lan_address: str = "") -> list[str]:
    """`argv` run in a new network namespace, set up as the module says."""
    setup = SETUP + (LAN.format(address=lan_address) if lan_address else "")
    return ["unshare", "-n", "--", "sh", "-c", setup + ' && exec "$@"', "ns", *argv]


def enter(pid: int) -> list[str]:
    """A command prefix that runs in the network namespace of process `pid` (nsenter execs: same pid)."""
    return ["nsenter", f"--net=/proc/{pid}/ns/net", "--"]

"""Run by test_credentials.py in a child process with a real (or no) keyring: one step per call.

Usage: python -m tests.support.keyring_probe {backend|set|get|delete|fallback|store|lookup}
Prints one JSON object on stdout.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from desktop.errors import CredentialError
from desktop.system.credentials import KeyringCredentialStore, SessionFallbackStore

HUB = "http://hub.lan:8765"
USER = "alice"
TOKEN = "device-token-for-the-probe"


async def main(step: str) -> dict[str, object]:
    store = KeyringCredentialStore(timeout=20)
    try:
        if step == "backend":
            return {"backend": await store.backend_name()}
        if step == "set":
            await store.set_token(HUB, USER, TOKEN)
            return {"ok": True}
        if step == "get":
            return {"token": await store.get_token(HUB, USER)}
        if step == "delete":
            await store.delete_token(HUB, USER)
            return {"ok": True}
        if step == "store":  # the e2e test signs a device in ahead of the app: PROBE_HUB, PROBE_USER, PROBE_TOKEN
            env = os.environ
            await store.set_token(env["PROBE_HUB"], env["PROBE_USER"], env["PROBE_TOKEN"])
            return {"ok": True}
        if step == "lookup":  # what the app itself stored: PROBE_HUB, PROBE_USER
            return {"token": await store.get_token(os.environ["PROBE_HUB"], os.environ["PROBE_USER"])}
        if step == "fallback":
            fallback = SessionFallbackStore(store)
            await fallback.set_token(HUB, USER, TOKEN)
            return {"token": await fallback.get_token(HUB, USER), "persistent": fallback.persistent,
                    "notice": fallback.notice}  # fmt: skip
    except CredentialError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))

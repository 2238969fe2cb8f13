"""`notify-hub send --key` and `notify-hub retract` as a CI job runs them (subprocesses) against a
real hub: "Build 119 running…" becomes "Build 119 passed" in place, then goes."""

from __future__ import annotations

from tests.support.cli import notify_hub
from tests.support.hubs import Hub


async def test_a_ci_job_updates_then_retracts_its_notification(hub: Hub) -> None:
    token = await hub.user("ci")
    bob = await hub.client(await hub.user("bob"))
    common = ("--hub", hub.url, "--token", token)

    running = await notify_hub("send", *common, "--to", "bob", "--key", "build-119", "Build 119 running…")
    passed = await notify_hub(
        "send", *common, "--to", "bob", "--key", "build-119", "--type", "success", "Build 119 passed"
    )
    first, second = await bob.next("notification"), await bob.next("notification")
    gone = await notify_hub("retract", *common, "--key", "build-119", "--to", "bob")
    told = await bob.next("retracted")
    again = await notify_hub("retract", *common, "--key", "build-119", "--to", "bob")
    usage = await notify_hub("retract", *common, "--key", "build-119")

    assert (running.code, passed.code, gone.code) == (0, 0, 0)
    assert (second["replaces"], second["edited"], second["message"]) == (first["id"], True, "Build 119 passed")
    assert gone.out == f"retracted build-119 ({second['id']}) on 1 recipients' devices\n"
    assert told["retracts"] == [second["id"]]
    assert again.code == 1 and "you have sent nothing with key 'build-119' to bob" in again.err
    assert usage.code == 2 and "one of the arguments --to --room --everyone is required" in usage.err


async def test_a_bad_key_is_refused_before_anything_is_sent(hub: Hub) -> None:
    token = await hub.user("ci")
    await hub.user("bob")

    bad = await notify_hub("send", "--hub", hub.url, "--token", token, "--to", "bob", "--key", "no spaces", "hi")

    assert bad.code == 1 and "key:" in bad.err and "invalid_payload" in bad.err

"""Fault runs (Jepsen-style): steady sends while the hub is SIGKILLed, connections are cut, receivers come
and go and one is frozen past the ping timeout; then a checker counts what was lost, duplicated or
reordered for every sender -> receiver pair. The guarantee under test (docs/protocol.md, "Delivery
guarantees"): an acking client gets every notification addressed to it exactly once, in order.
Meanwhile one receiver, with a second device, marks notifications read (tests/faults/reads.py): at
the end both its devices show the read set the store holds.

Senders also update and retract notifications by key (docs/protocol.md, "Update and retract by
key"), and end with a confirmed last word for every key they used: the checker then verifies that
every device shows, per key, exactly the sender's last word (the last version, or nothing after a
retraction: nothing resurrected). Keyed notifications are left out of the exactly-once count (a
superseded version is, by design, never replayed).

Senders: three Socket.IO clients and one script-style sender over HTTP (`POST /api/notifications`
with a send-only token).

`FAULT_SEED=N` replays a run's random choices (the seed is printed); timing still varies.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub.auth import Accounts
from hub.store import SqliteStore, TokenKind
from tests.faults.agent import parse_line
from tests.faults.reads import Marker, agreeing, disagreement, diverging
from tests.support.hubs import HubProcess
from tests.support.keyboard import KeyBoard
from tests.support.peers import NotSent, Peer, Seen, stop_peer_process
from tests.support.waiting import Changes

ROOT = Path(__file__).resolve().parents[2]
ROOM = "ops"
PING = 1.0  # the hub's ping interval and timeout in these runs, seconds
PAUSE = 2 * PING + 1.0  # a frozen receiver stays frozen this long: past interval + timeout
SETTLE = 60.0  # the most the end of a run waits, in all, for everything confirmed to arrive and agree


@dataclass
class Figures:
    seed: int
    seconds: float
    peers: int
    pairs: int = 0
    sends_ok: int = 0
    sends_unconfirmed: int = 0
    http_sends_ok: int = 0
    kills: int = 0
    cuts: int = 0
    toggles: int = 0
    pauses: int = 0
    reconnects: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    reordered: int = 0
    misdelivered: int = 0
    delivered_without_ok: int = 0
    updates_ok: int = 0
    retracts_ok: int = 0
    #: Keys whose final text on a device is not the sender's last word; of those, shown after a retraction.
    stale_keys: int = 0
    resurrected: int = 0
    #: Keys whose state in the hub is not the sender's last confirmed word because a send of that key
    #: that was never confirmed (its ack lost to a fault) reached the hub after it: the hub's order is
    #: the truth then, and every device must show what the hub holds.
    late_words: int = 0
    #: Keys the hub holds differently from the sender's last word with no unconfirmed send to explain it.
    hub_disagrees: int = 0
    read_marks_ok: int = 0
    read_diverged: int = 0
    #: The reader's devices still show some notification read on one and unread on another at the end.
    read_apart: int = 0
    integrity: str = ""
    actions: list[str] = field(default_factory=list)

    def report(self) -> str:
        shown = {k: v for k, v in self.__dict__.items() if k != "actions"}
        return "fault run: " + json.dumps(shown)


class Remote:
    """The parent's view of an agent subprocess: what it displayed, how often it connected."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[Seen] = []
        self.connects = 0
        self.arrived = Changes()
        self.board = KeyBoard()
        self.up = asyncio.Event()
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.stopped = False

    async def start(self, url: str, token: str, seed: int) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.faults.agent",
            url,
            self.name,
            token,
            str(seed),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            item = parse_line(line)
            if isinstance(item, Seen):
                self.seen.append(item)
                self.board.note(item.id, item.sender, item.key, item.message)
            elif isinstance(item, tuple):
                self.board.retract(*item)
            elif item == "connect":
                self.connects += 1
                self.up.set()
            self.arrived.poke()

    def pause(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    async def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            self.resume()
        await stop_peer_process(self.proc, self._reader, 20)


async def provision(data_dir: Path, names: list[str], admin: str, http_sender: str, twin: str) -> dict[str, str]:
    """Users, one device token each (a send-only token for the HTTP sender; `twin` has a second one,
    `twin/2`), and a restricted room with everyone in it; straight into the store."""
    store = SqliteStore(data_dir / "hub.sqlite3")
    await store.open()
    try:
        accounts = Accounts(store)
        ids = []
        tokens = {}
        for name in names:
            ids.append((await store.create_user(name, None, admin=name == admin)).id)
            kind = TokenKind.SEND if name == http_sender else TokenKind.DEVICE
            tokens[name] = (await accounts.issue_token(name, "fault-run", kind)).secret
        tokens[f"{twin}/2"] = (await accounts.issue_token(twin, "fault-run phone")).secret
        await store.create_room(ROOM, restricted=True, members=ids)
        return tokens
    finally:
        await store.close()


async def fault_run(tmp_path: Path, seconds: float, *, senders: int = 3, receivers: int = 3) -> Figures:
    seed = int(os.environ.get("FAULT_SEED", random.SystemRandom().randrange(2**32)))
    print(f"fault run seed: {seed} (FAULT_SEED={seed} replays the choices)", flush=True)
    rng = random.Random(seed)
    sender_names = [f"s{i}" for i in range(senders)]
    receiver_names = [f"r{i}" for i in range(receivers)]
    frozen_name = "z0"
    http_name = "h0"  # sends over HTTP (POST /api/notifications) with a send-only token
    everyone = sender_names + receiver_names + [frozen_name]
    data_dir = tmp_path / "hub"
    reader = receiver_names[0]  # marks read from one device; its second device, `reader/2`, follows
    tokens = await provision(
        data_dir, [*everyone, http_name], admin=sender_names[0], http_sender=http_name, twin=reader
    )
    room_members = {*everyone, http_name}
    figures = Figures(seed=seed, seconds=seconds, peers=len(everyone))

    hub = HubProcess(  # restarted after each kill on the port its first start got
        data_dir,
        *("--ping-interval", str(PING), "--ping-timeout", str(PING)),
        *("--rate-burst", "1000000", "--rate-refill-per-second", "1000000", "--retention-count", "1000000"),
    )
    url = await hub.start()
    peers = {name: Peer(url, name, tokens[name], rng=random.Random(rng.random())) for name in everyone[:-1]}
    # The reader's two devices poke one `Changes`: a wait for them to agree wakes on either's event.
    both = peers[reader].arrived
    peers[f"{reader}/2"] = Peer(url, reader, tokens[f"{reader}/2"], rng=random.Random(rng.random()), arrived=both)
    devices = [peers[reader], peers[f"{reader}/2"]]
    reading = Marker(peers[reader], random.Random(rng.random()))
    frozen = Remote(frozen_name)
    #: every attempted send by its (unique) text: who it was addressed to; and the confirmed ids.
    intended: dict[str, set[str]] = {}
    confirmed: dict[int, str] = {}
    #: Texts of keyed sends (left out of the exactly-once count), and each (sender, key)'s last
    #: confirmed word: its text, or None once retracted. A key names its addressee (`k1-r0`).
    keyed_texts: set[str] = set()
    last_word: dict[tuple[str, str], str | None] = {}
    #: Keyed sends confirmed by the hub; keys with a retraction that was never confirmed.
    confirmed_words: set[str] = set()
    unconfirmed_retracts: set[tuple[str, str]] = set()
    used_keys: set[tuple[str, str]] = set()
    stop_sending = asyncio.Event()

    async def send(peer: Peer, event: str, data: dict[str, Any], to: set[str]) -> bool:
        intended[data["message"]] = to
        try:
            answer = await peer.send(event, data)
        except NotSent:
            figures.sends_unconfirmed += 1
            return False
        confirmed[int(answer["id"])] = data["message"]
        figures.sends_ok += 1
        return True

    async def keyed(peer: Peer, key: str, text: str | None) -> bool:
        """Update `key` to `text`, or retract it (None); True once confirmed. A retraction refused as
        not_found is confirmed too: an earlier attempt that got no ack retracted it already."""
        to = key.split("-", 1)[1]
        used_keys.add((peer.name, key))
        if text is None:
            try:
                await peer.send("retract", {"key": key, "to": to})
            except NotSent as exc:
                if "not_found" not in str(exc):
                    unconfirmed_retracts.add((peer.name, key))
                    return False
            figures.retracts_ok += 1
        else:
            keyed_texts.add(text)
            if not await send(peer, "send_notification", {"to": to, "key": key, "message": text}, {to}):
                return False
            confirmed_words.add(text)
            figures.updates_ok += 1
        last_word[(peer.name, key)] = text
        return True

    async def sender(peer: Peer, prng: random.Random) -> None:
        seq = 0
        while not stop_sending.is_set():
            if not peer.up.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(peer.up.wait(), 1.0)
                continue
            seq += 1
            text = f"{peer.name}#{seq}"
            roll = prng.random()
            if roll < 0.15:  # update (or, less often, retract) one of a few keys
                key = f"k{prng.randrange(2)}-{prng.choice([*receiver_names, frozen_name])}"
                retract = (peer.name, key) in last_word and prng.random() < 0.3
                await keyed(peer, key, None if retract else text)
            elif roll < 0.6:
                to = prng.choice([*receiver_names, frozen_name])
                await send(peer, "send_notification", {"to": to, "message": text}, {to})
            elif roll < 0.95 or peer.name != sender_names[0]:
                await send(peer, "room_message", {"room": ROOM, "message": text}, room_members)
            else:
                await send(peer, "broadcast", {"message": text}, room_members)
            await asyncio.sleep(prng.uniform(0.0, 0.03))  # workload pacing, not synchronisation

    async def http_send(http: aiohttp.ClientSession, body: dict[str, Any], to: set[str]) -> bool:
        intended[body["message"]] = to
        headers = {"Authorization": f"Bearer {tokens[http_name]}"}
        try:
            async with http.post(url + "/api/notifications", json=body, headers=headers) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError):
            status, answer = 0, None
        if status != 201:
            figures.sends_unconfirmed += 1
            return False
        confirmed[int(answer["id"])] = body["message"]
        figures.sends_ok += 1
        figures.http_sends_ok += 1
        return True

    async def http_sender(prng: random.Random) -> None:
        seq = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            while not stop_sending.is_set():
                seq += 1
                text = f"{http_name}#{seq}"
                if prng.random() < 0.6:
                    to = prng.choice([*receiver_names, frozen_name])
                    ok = await http_send(http, {"to": to, "message": text}, {to})
                else:
                    ok = await http_send(http, {"room": ROOM, "message": text}, room_members)
                # workload pacing (longer while the hub is down), not synchronisation
                await asyncio.sleep(prng.uniform(0.0, 0.03) if ok else 0.1)
            for attempt in range(100):
                if await http_send(http, {"room": ROOM, "message": f"{http_name}#end{attempt}"}, room_members):
                    break
                await asyncio.sleep(0.1)  # the hub may be restarting

    async def chaos(until: float) -> None:
        loop = asyncio.get_running_loop()
        kinds = ["kill", "cut", "toggle", "pause"]
        plan = rng.sample(kinds, len(kinds))  # every kind of fault at least once, in a random order
        while plan or loop.time() < until:
            await asyncio.sleep(rng.uniform(0.3, 1.2))  # workload: time between faults
            kind = plan.pop(0) if plan else rng.choices(kinds, weights=[2, 4, 3, 1])[0]
            if kind == "kill":
                await hub.kill()
                figures.kills += 1
                await asyncio.sleep(rng.uniform(0.0, 0.5))  # the hub stays down a moment
                await hub.start()
                figures.actions.append("kill")
            elif kind == "cut":
                victim = rng.choice(list(peers.values()))
                if victim.cut():
                    figures.cuts += 1
                    figures.actions.append(f"cut {victim.name}")
            elif kind == "toggle":
                victim = peers[rng.choice(receiver_names)]
                await victim.go_offline()
                await asyncio.sleep(rng.uniform(0.1, 1.0))  # offline for a while
                victim.go_online()
                figures.toggles += 1
                figures.actions.append(f"toggle {victim.name}")
            else:
                frozen.pause()
                await asyncio.sleep(PAUSE)  # frozen past ping interval + timeout: the hub drops it
                frozen.resume()
                figures.pauses += 1
                figures.actions.append("pause z0")

    try:
        for peer in peers.values():
            peer.start()
        await frozen.start(url, tokens[frozen_name], rng.randrange(2**32))
        for peer in peers.values():
            await asyncio.wait_for(peer.up.wait(), 30)
        await asyncio.wait_for(frozen.up.wait(), 30)

        sending = [asyncio.ensure_future(sender(peers[name], random.Random(rng.random()))) for name in sender_names]
        sending.append(asyncio.ensure_future(http_sender(random.Random(rng.random()))))
        sending.append(asyncio.ensure_future(reading.run(stop_sending)))
        loop = asyncio.get_running_loop()
        await chaos(loop.time() + seconds)
        stop_sending.set()
        await asyncio.wait_for(asyncio.gather(*sending), 30)

        # The end: one confirmed room message per sender, after every fault; then wait for each peer
        # to show everything confirmed for it (bounded: what does not come is counted as lost).
        for name in sender_names:
            for attempt in range(100):
                await asyncio.wait_for(peers[name].up.wait(), 30)
                marker = {"room": ROOM, "message": f"{name}#end{attempt}"}
                if await send(peers[name], "room_message", marker, room_members):
                    break

        # Each key's last word, confirmed after every fault: a final version or a retraction.
        for sender_name, key in sorted(used_keys):
            final = f"{sender_name}#end-{key}" if rng.random() < 0.5 else None
            for attempt in range(100):
                await asyncio.wait_for(peers[sender_name].up.wait(), 30)
                if await keyed(peers[sender_name], key, final and f"{final}.{attempt}"):
                    break

        def expected_for(name: str) -> set[int]:
            return {nid for nid, text in confirmed.items() if name in intended[text] and text not in keyed_texts}

        def last_words_for(name: str) -> dict[tuple[str, str], str]:
            return {where: t for where, t in last_word.items() if where[1].endswith(f"-{name}") and t is not None}

        # One deadline for all the waits below: a run that does not settle fails with its figures
        # well within the test's timeout rather than waiting SETTLE seconds per peer.
        deadline = loop.time() + SETTLE

        async def settles(changes: Changes, predicate: Callable[[], bool]) -> bool:
            return predicate() or await changes.reached(predicate, max(deadline - loop.time(), 0.1))

        shown_by: list[Peer | Remote] = [*peers.values(), frozen]
        for who in shown_by:
            if not await settles(who.arrived, _has_all(who, expected_for(who.name))):
                print(f"{who.name} still misses some confirmed notifications after {SETTLE} s")
            if not await settles(who.arrived, _shows(who, last_words_for(who.name))):
                print(f"{who.name} does not show every key's last word after {SETTLE} s")
        await reading.finish()
        if not await settles(both, lambda: agreeing(devices)):
            figures.read_apart = 1
            print(f"{reader}'s devices still show different read sets: {disagreement(devices)}")
    finally:
        for peer in peers.values():
            await peer.stop()
        await frozen.stop()
        with contextlib.suppress(Exception):
            await hub.terminate()
        await hub.close()

    store = SqliteStore(data_dir / "hub.sqlite3")
    await store.open()
    figures.integrity = await store.integrity_check()
    figures.read_diverged = await diverging(store, reader, devices, keyed_texts)
    figures.read_marks_ok = reading.confirmed
    await store.close()
    held = await asyncio.to_thread(keyed_in_store, data_dir / "hub.sqlite3")
    hub_word = {where: held.get(where) for where in last_word}
    for where, word in last_word.items():
        if hub_word[where] == word:
            continue
        late = hub_word[where] in keyed_texts - confirmed_words if hub_word[where] is not None else False
        if late or (hub_word[where] is None and where in unconfirmed_retracts):
            figures.late_words += 1
        else:
            figures.hub_disagrees += 1

    check(figures, [*peers.values(), frozen], [*sender_names, http_name], intended, confirmed, keyed_texts)
    every_device: list[Peer | Remote] = [*peers.values(), frozen]
    for who in every_device:
        check_keys(figures, who.board, who.name, hub_word)
    figures.reconnects = sum(p.connects - 1 for p in peers.values()) + frozen.connects - 1
    print(figures.report(), flush=True)
    print("fault run actions: " + ", ".join(figures.actions), flush=True)
    return figures


def check(
    figures: Figures,
    shown_by: list[Peer | Remote],
    senders: list[str],
    intended: dict[str, set[str]],
    confirmed: dict[int, str],
    keyed_texts: set[str],
) -> None:
    """Count, without removing anything, what each peer displayed against what was confirmed for it
    (keyed notifications, which an update may supersede before a device gets them, are `check_keys`')."""
    for who in shown_by:
        ids = [s.id for s in who.seen]
        figures.delivered += len(ids)
        figures.duplicated += sum(n - 1 for n in Counter(ids).values())
        expected = {nid for nid, text in confirmed.items() if who.name in intended[text] and text not in keyed_texts}
        figures.lost += len(expected - set(ids))
        figures.misdelivered += sum(1 for s in who.seen if who.name not in intended.get(s.message, {who.name}))
        figures.delivered_without_ok += len({s.id for s in who.seen if s.id not in confirmed and s.sender in senders})
        for name in senders:
            seqs = [_seq(s.message) for s in who.seen if s.sender == name]
            figures.pairs += 1
            figures.reordered += sum(1 for a, b in itertools.pairwise(seqs) if b < a)


def keyed_in_store(path: Path) -> dict[tuple[str, str], str]:
    """(sender, key) -> the text of the version of each key the hub holds at the end (read-only)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT sender, key, message FROM notifications WHERE key IS NOT NULL AND kind = 'direct'")
        return {(str(sender), str(key)): str(message) for sender, key, message in rows}
    finally:
        db.close()


def check_keys(figures: Figures, board: KeyBoard, name: str, last_word: dict[tuple[str, str], str | None]) -> None:
    """Count the keys addressed to `name` whose final state on its device is not the hub's last word
    (the sender's, unless a send it never saw confirmed reached the hub later: `late_words`)."""
    shown = board.texts()
    for where, word in last_word.items():
        if not where[1].endswith(f"-{name}"):
            continue
        if shown.get(where) != word:
            figures.stale_keys += 1
            figures.resurrected += word is None
    figures.stale_keys += sum(1 for where in shown if where not in last_word)


def _shows(who: Peer | Remote, words: dict[tuple[str, str], str]) -> Callable[[], bool]:
    return lambda: who.board.texts() == words


def _has_all(who: Peer | Remote, ids: set[int]) -> Callable[[], bool]:
    return lambda: ids <= {s.id for s in who.seen}


def _seq(text: str) -> float:
    """The sender's sequence number in `s0#17`; the end markers sort after everything."""
    tail = text.split("#", 1)[1]
    return float("inf") if tail.startswith("end") else float(tail)


def assert_clean(figures: Figures) -> None:
    assert (figures.lost, figures.duplicated, figures.reordered, figures.misdelivered) == (0, 0, 0, 0), figures.report()
    assert (figures.stale_keys, figures.resurrected, figures.hub_disagrees) == (0, 0, 0), figures.report()
    assert figures.updates_ok > 0 and figures.retracts_ok > 0, figures.report()
    assert (figures.read_apart, figures.read_diverged) == (0, 0) and figures.read_marks_ok > 0, figures.report()
    assert figures.integrity == "ok"
    assert (
        figures.sends_ok > 0
        and figures.http_sends_ok > 0
        and figures.kills >= 1
        and figures.cuts >= 1
        and figures.pauses >= 1
    )
    assert figures.toggles >= 1 and figures.reconnects >= figures.kills


async def test_fault_run_short(tmp_path: Path) -> None:
    assert_clean(await fault_run(tmp_path, seconds=8.0))


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_fault_run_long(tmp_path: Path) -> None:
    assert_clean(await fault_run(tmp_path, seconds=float(os.environ.get("FAULT_SECONDS", "180")), receivers=5))

"""The README's walkthroughs work from a clean state: a new data directory, a real hub, the commands
as written (only the port changed), and a python-socketio client printing what arrives."""

from __future__ import annotations

import ast
import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.waiting import WAIT

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "http://127.0.0.1:8765"

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "notify-hub").exists(), reason="the README's commands use .venv/bin (make setup)"
)


def readme_block(heading: str) -> str:
    """The first ```sh block after a heading of README.md."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index(heading) :]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, f"no sh block under {heading!r}"
    return match.group(1)


class Shell:
    """Commands run by bash in their own process group (background jobs included), output read line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.procs: list[asyncio.subprocess.Process] = []
        self.output: dict[int, str] = {}

    async def start(self, script: str) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            script,
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    async def read_until(self, proc: asyncio.subprocess.Process, done: re.Pattern[str], count: int = 1) -> str:
        """All `proc` has printed so far, once `done` matched `count` times in it (shown if it never does).

        Steps that failed (`steps ended: N`, N not 0) fail this at once: a job they started in the
        background keeps the pipe open, so no end of output would say so."""
        assert proc.stdout is not None
        seen = self.output.setdefault(proc.pid, "")
        try:
            while len(done.findall(seen)) < count:
                failed = FAILED.search(seen)
                assert failed is None, f"the commands failed: {failed.group(0) if failed else ''}"
                chunk = await asyncio.wait_for(proc.stdout.readline(), WAIT * 3)
                assert chunk, "the commands ended early"
                seen = self.output[proc.pid] = seen + chunk.decode()
        except BaseException:
            print(seen, file=sys.stderr)
            raise
        return seen

    async def run_steps(self, commands: str) -> asyncio.subprocess.Process:
        """`commands` under `set -e`; the last line they print is `steps ended: STATUS`. (The pipe
        stays open while a background job they started runs, so that is how the status is seen.)"""
        return await self.start(f"trap 'echo \"steps ended: $?\"' EXIT\nset -e\n{commands}")

    async def close(self) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            await asyncio.wait_for(proc.wait(), WAIT * 2)
            if proc.stdout is not None:  # every writer is gone: read to the end so the pipe closes now
                await asyncio.wait_for(proc.stdout.read(), WAIT)


@pytest.fixture
async def shell(tmp_path: Path) -> AsyncIterator[Shell]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAN_NOTIFY_")}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    # A clean state: nothing in the (default) data directory, no keyring.
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "share"))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    shell = Shell(env)
    yield shell
    await shell.close()


#: What examples/listen.py prints for each notification (other programs' output may share its lines).
NOTE = re.compile(r"(?:room_notification|notification): (\{.*?'sender': '[^']*'\})")

ENDED = re.compile(r"steps ended: (\d+)")
FAILED = re.compile(r"steps ended: (?!0\b)\d+")


async def test_send_from_a_script(shell: Shell) -> None:
    hub = await shell.start(".venv/bin/notify-hub serve --port 0")
    listening = re.compile(r"hub listening on (http\S+)")
    url = listening.findall(await shell.read_until(hub, listening))[0]

    # `notify-hub send` finds the hub at its default URL in the README; here the port differs.
    shell.env["LAN_NOTIFY_HUB"] = url
    steps = await shell.run_steps(readme_block("## Send a notification from a script").replace(DEFAULT_URL, url))
    await shell.read_until(steps, NOTE, count=3)
    output = await shell.read_until(steps, ENDED)

    notes = [ast.literal_eval(note) for note in NOTE.findall(output)]
    assert [(n["kind"], n["type"], n["title"], n["message"], n["from"]) for n in notes] == [
        ("direct", "error", "CI", "Build 118 failed", "ci"),
        ("direct", "error", "CI", "Build 119 failed", "ci"),
        ("room", "warning", "", "Disk at 91%", "ci"),
    ]
    assert '{"id": 1, "recipients": 1}' in output
    assert ENDED.findall(output) == ["0"], "every command succeeded"


async def test_what_make_run_prints_without_a_display(shell: Shell) -> None:
    port = free_port()
    shell.env["LAN_NOTIFY_PORT"] = str(port)
    run = await shell.start("scripts/run.sh")
    printed = await shell.read_until(run, re.compile("^lan-notify hub listening on", re.M))
    tried = printed[printed.index("Try it from another terminal") : printed.index("Ctrl+C stops the hub")]
    commands = [line.strip() for line in tried.splitlines()[1:] if line.strip()]
    assert len(commands) == 6, printed

    steps = await shell.run_steps("\n".join(commands))
    await shell.read_until(steps, NOTE)
    output = await shell.read_until(steps, ENDED)

    note = ast.literal_eval(NOTE.findall(output)[0])
    assert (note["from"], note["message"]) == ("alice", "Hello")
    assert ENDED.findall(output) == ["0"], "every command succeeded"


async def test_steps_that_fail_stop_the_wait_at_once(shell: Shell) -> None:
    """A README step that fails (e.g. exit 127, a command not installed) ends the test with the
    status, even while a background job it started keeps the output open."""
    steps = await shell.run_steps("sleep 600 &\nno-such-command-of-the-readme")
    with pytest.raises(AssertionError, match="steps ended: 127"):
        await shell.read_until(steps, NOTE)


#: Commands of the shell itself, and what the README's reader needs before anything else (`make`
#: runs scripts/bootstrap.sh, which installs the rest).
BUILTINS = {"cd", "echo", "export", "set", "trap", "true", "false", "test", "["}
PREREQUISITES = {"make", "python3"}
#: The project's own commands, which the README's install block puts on PATH with pipx.
PROJECT_COMMANDS = {"notify-hub", "notify-tray"}
#: The Debian package of each other command the README runs.
PACKAGE_OF = {"curl": "curl", "pipx": "pipx"}


def readme_commands() -> set[str]:
    """The program each command line of the README's ```sh blocks runs (pipes, `$(...)`, `&&` and
    `;` included; comments and variable assignments left out)."""
    text = (ROOT / "README.md").read_text()
    commands: set[str] = set()
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            code = re.sub(r"(^|\s)#.*", "", line)
            for part in re.split(r"\$\(|\||&&|;|&|\)", code):
                words = [w.strip("\"'") for w in part.split() if not re.match(r"^[A-Z_]+=", w)]
                if words and words[0] and words[0] != "export":
                    commands.add(words[0])
    return commands


def bootstrap_packages() -> set[str]:
    script = (ROOT / "scripts" / "bootstrap.sh").read_text()
    packages: set[str] = set()
    for body in re.findall(r"DEBS\+?=\(([^)]*)\)", script):
        packages.update(re.sub(r"#.*", "", body).split())
    return packages


def test_bootstrap_installs_every_command_the_readme_uses() -> None:
    commands = readme_commands()
    assert {"curl", "make", ".venv/bin/notify-hub"} <= commands, commands  # the parse finds them
    for command in sorted(commands - BUILTINS - PREREQUISITES - PROJECT_COMMANDS):
        if command.startswith((".venv/bin/", "scripts/", "~/")):
            continue  # made by bootstrap's virtualenv, part of the repository, or a virtualenv the README makes
        assert command in PACKAGE_OF, f"the README runs {command!r}: add its Debian package to scripts/bootstrap.sh"
        assert PACKAGE_OF[command] in bootstrap_packages(), f"scripts/bootstrap.sh does not install {command!r}"

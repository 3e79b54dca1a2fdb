"""Finds the `minikafka` command of the npm package and runs a broker as a child process.

The broker reports itself on the first line of its stdout (`minikafka start --port 0 --json`):

    {"event":"ready","bootstrapServers":"127.0.0.1:41235","port":41235,"pid":1234}

and stops cleanly on SIGTERM. Everything else it says goes to stderr, kept in a temporary file and
quoted when a start fails.
"""
from __future__ import annotations

import atexit
import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Mapping, Optional, Sequence

from .control import Clock, Control, Faults, WaitFor

#: The npm package version range `npx` may fetch when nothing else is found.
NPX_PACKAGE = "minikafka@^0.1.0"


class MiniKafkaError(RuntimeError):
    """The broker could not be found or started; the message says what was tried."""


@dataclass(frozen=True)
class Launcher:
    """The command that runs the minikafka CLI (`start ...` is appended), and how it was found."""

    argv: tuple
    found_by: str


def find_node(env: Mapping[str, str]) -> str:
    """MINIKAFKA_NODE when set, else `node` on PATH; a clear error when there is neither."""
    given = env.get("MINIKAFKA_NODE")
    if given:
        if not os.access(given, os.X_OK):
            raise MiniKafkaError(f"MINIKAFKA_NODE={given} is not an executable file")
        return given
    node = shutil.which("node", path=env.get("PATH"))
    if node is None:
        raise MiniKafkaError(
            "minikafka runs on Node.js (20 or newer) and no `node` is on PATH "
            f"(PATH={env.get('PATH', '')}). Install Node.js (https://nodejs.org/) or set "
            "MINIKAFKA_NODE to the node executable."
        )
    return node


def _local_bins(dirs: Iterable[Path]) -> Iterable[Path]:
    """node_modules/.bin/minikafka in each directory and every parent, nearest first."""
    seen = set()
    for start in dirs:
        for d in [start, *start.parents]:
            if d in seen:
                continue
            seen.add(d)
            yield d / "node_modules" / ".bin" / "minikafka"


def find_launcher(search_from: Sequence[Path] = (), env: Optional[Mapping[str, str]] = None) -> Launcher:
    """The minikafka command, first match wins:

    1. MINIKAFKA_COMMAND: the whole command, split like a shell would (e.g.
       "node /src/minikafka/dist/cli.cjs"); nothing else is looked up.
    2. node_modules/.bin/minikafka in one of `search_from` (the test root, then the working
       directory) or a parent: the npm package installed in the project (`npm install -D minikafka`).
    3. `minikafka` on PATH (`npm install -g minikafka`).
    4. `npx --yes minikafka@^0.1.0`: npm fetches the package on first use; every start then pays
       for npm's resolution (about a second), so a local install is the fast way.

    The CLI of 2 and 3 is a JavaScript file run by `node` through its `#!/usr/bin/env node` line;
    it is run here as `<node> <file>` with node from find_node, so a missing Node is reported as
    such (and not as a broker that exits at once).
    """
    env = os.environ if env is None else env
    command = env.get("MINIKAFKA_COMMAND")
    if command:
        return Launcher(tuple(shlex.split(command)), "MINIKAFKA_COMMAND")
    tried = []
    for bin_path in _local_bins([*search_from, Path.cwd()]):
        tried.append(str(bin_path))
        if bin_path.exists():
            return Launcher((find_node(env), str(bin_path.resolve())), f"the npm package in {bin_path.parent.parent.parent}")
    on_path = shutil.which("minikafka", path=env.get("PATH"))
    if on_path is not None:
        return Launcher((find_node(env), str(Path(on_path).resolve())), f"`minikafka` on PATH ({on_path})")
    tried.append("minikafka on PATH")
    find_node(env)
    npx = shutil.which("npx", path=env.get("PATH"))
    if npx is not None:
        return Launcher((npx, "--yes", NPX_PACKAGE), "npx (no local install found: each start pays for npm's resolution)")
    raise MiniKafkaError(
        "cannot find the minikafka command. Install the npm package in the project "
        "(npm install --save-dev minikafka) or set MINIKAFKA_COMMAND. Tried: " + ", ".join(tried) + ", npx on PATH"
    )


def _die_with_parent() -> None:
    """Linux: the broker gets SIGTERM when the process that started it dies, even by SIGKILL."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


_running: "set[MiniKafka]" = set()


@atexit.register
def _stop_all() -> None:
    for broker in list(_running):
        broker.stop()


class MiniKafka:
    """A broker in a child process. `with MiniKafka.start() as kafka:` or `kafka.stop()`."""

    def __init__(self, process: subprocess.Popen, ready: dict, stderr: IO[bytes], launcher: Launcher) -> None:
        self._process = process
        self._stderr = stderr
        self.launcher = launcher
        #: "host:port", ready for any client's bootstrap.servers.
        self.bootstrap_servers: str = ready["bootstrapServers"]
        self.port: int = ready["port"]
        self.pid: int = ready["pid"]
        #: The ready line as the broker printed it (later CLI versions may add fields).
        self.ready: dict = ready
        #: The control API (started with --control-port 0), or None for a CLI too old to serve it.
        self.control_url: Optional[str] = ready.get("controlUrl")
        self.control: Optional[Control] = Control(self.control_url) if self.control_url else None
        self.faults = Faults(self.control) if self.control else None
        self.clock = Clock(self.control) if self.control else None
        self.wait_for = WaitFor(self.control) if self.control else None

    def _control(self) -> Control:
        if self.control is None:
            raise MiniKafkaError("this broker serves no control API (started without --control-port)")
        return self.control

    def reset(self) -> dict:
        """Back to the declared topics (empty): no other topics, groups, offsets, transactions or faults."""
        return self._control().reset()

    def snapshot(self, name: str) -> dict:
        """Saves the cluster as it is now under `name` (records, offsets, configs, ACLs); see restore()."""
        return self._control().snapshot(name)

    def restore(self, name: str) -> dict:
        """Puts the cluster back as snapshot `name` saved it: later topics, records and commits are gone."""
        return self._control().restore(name)

    @classmethod
    def start(
        cls,
        args: Sequence[str] = (),
        launcher: Optional[Launcher] = None,
        timeout: float = 30.0,
        search_from: Sequence[Path] = (),
    ) -> "MiniKafka":
        """Starts `minikafka start --port 0 --control-port 0 --json <args>` and waits for its ready line.

        The control API (reset, faults, clock, waits) is served on a free loopback port unless
        `args` names a --control-port of its own.
        """
        launcher = launcher or find_launcher(search_from)
        control = [] if any(a == "--control-port" or a.startswith("--control-port=") for a in args) else ["--control-port", "0"]
        argv = [*launcher.argv, "start", "--port", "0", *control, "--json", *args]
        stderr = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        except OSError as e:
            stderr.close()
            raise MiniKafkaError(f"cannot run {argv[0]} (found by {launcher.found_by}): {e}") from e
        lines: "queue.Queue[Optional[bytes]]" = queue.Queue()
        # A thread reads stdout: the first line is the answer, later ones are drained so that the
        # broker never blocks on a full pipe. (A thread, not select(): Windows pipes have no select.)
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            process.wait()
            raise MiniKafkaError(f"{shlex.join(argv)} printed no ready line within {timeout} s{_tail(stderr)}") from None
        if first is None:
            code = process.wait()
            raise MiniKafkaError(f"{shlex.join(argv)} exited with {code} before it was ready{_tail(stderr)}")
        try:
            ready = json.loads(first)
            if ready.get("event") != "ready":
                raise ValueError("not a ready event")
        except ValueError:
            process.kill()
            process.wait()
            raise MiniKafkaError(f"{shlex.join(argv)}: the first line on stdout is not the JSON ready line: {first[:200]!r}") from None
        broker = cls(process, ready, stderr, launcher)
        _running.add(broker)
        return broker

    @property
    def returncode(self) -> Optional[int]:
        """None while the broker runs; its exit status once stopped."""
        return self._process.poll()

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM (a clean stop), then SIGKILL after `timeout` s; returns the exit status."""
        _running.discard(self)
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._stderr.close()
        return self._process.returncode

    def __enter__(self) -> "MiniKafka":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MiniKafka(bootstrap_servers={self.bootstrap_servers!r}, pid={self.pid})"


def _pump(stream: IO[bytes], lines: "queue.Queue[Optional[bytes]]") -> None:
    first = True
    for line in stream:
        if first:
            lines.put(line)
            first = False
    if first:
        lines.put(None)


def _tail(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    text = stderr.read()[-4000:].decode("utf-8", "replace").strip()
    return f"; its stderr:\n{text}" if text else " (nothing on stderr)"

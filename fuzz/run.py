"""Run one program on every target: fresh keyspace, one connection per target, pipelined batches.

The raw typed replies are stored in a Trace before anything is compared. A target that crashes or hangs (its reply
is CLOSED with the process gone, or TIMEOUT) has its log tail recorded and is restarted, so a campaign goes on.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from forkdiff.client import Connection
from forkdiff.resp import encode_command
from forkdiff.spec import Spec, load_spec
from forkdiff.types import Command, Kind, Reply

from .programs import Program
from .skips import is_blocking

BLOCKING_GRACE_S = 1.0  # a blocking command's own timeout is tiny; this is the slack before calling it a hang
RESET = Command.of("FLUSHALL")


@dataclass(frozen=True)
class Trace:
    target: str
    replies: tuple[Reply, ...]
    seconds: float = 0.0
    log_tail: str = ""  # the server's last log lines when it crashed or hung during this program
    restarted: bool = False

    @property
    def failed_transport(self) -> bool:
        return any(r.kind in (Kind.CLOSED, Kind.TIMEOUT) for r in self.replies)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"target": self.target, "replies": [r.to_json() for r in self.replies],
                               "seconds": round(self.seconds, 6)}
        if self.log_tail:
            out["log_tail"] = self.log_tail
        return out

    @classmethod
    def from_json(cls, obj: Mapping) -> "Trace":
        return cls(obj["target"], tuple(Reply.from_json(r) for r in obj["replies"]), obj.get("seconds", 0.0),
                   obj.get("log_tail", ""))


def batches(program: Program, spec: Spec) -> list[list[int]]:
    """Step indexes grouped so that a command that may block is sent alone (inside MULTI nothing blocks)."""
    out: list[list[int]] = []
    current: list[int] = []
    in_multi = False
    for i, cmd in enumerate(program.steps):
        name = cmd.name
        blocking = not in_multi and is_blocking(spec.resolve(cmd.args), cmd.args)
        if blocking:
            if current:
                out.append(current)
            out.append([i])
            current = []
        else:
            current.append(i)
        if name == "multi":
            in_multi = True
        elif name in ("exec", "discard"):
            in_multi = False
    if current:
        out.append(current)
    return out


class _Session:
    """One target's connection for one program."""

    def __init__(self, spec_name: str, target: Any, resp: int, timeout: float) -> None:
        self.name, self.target, self.timeout = spec_name, target, timeout
        self.replies: list[Reply] = []
        self.dead: Reply | None = None
        self.started = time.perf_counter()
        try:
            self.conn: Connection | None = Connection(*target.address, timeout=timeout, connect_timeout=timeout)
        except OSError as exc:
            self.conn, self.dead = None, Reply(Kind.CLOSED, f"connect failed: {exc}")
            return
        head = [Command.of("HELLO", "3")] if resp == 3 else []
        self.send(head + [RESET])
        setup = [self.conn.read_reply() for _ in range(len(head) + 1)]
        bad = [r for r in setup if r.is_error or r.kind in (Kind.CLOSED, Kind.TIMEOUT, Kind.PROTOCOL_ERROR)]
        self.reset_failed = bad[0] if bad else None

    def send(self, commands: list[Command]) -> None:
        if self.conn is not None and self.dead is None:
            self.conn.send_raw(b"".join(encode_command(c.args) for c in commands))

    def collect(self, count: int, timeout: float) -> None:
        for _ in range(count):
            if self.dead is not None or self.conn is None:
                self.replies.append(self.dead or Reply(Kind.CLOSED, "no connection"))
                continue
            r = self.conn.read_reply(timeout)
            if r.kind in (Kind.TIMEOUT, Kind.CLOSED):
                self.dead = r  # later replies cannot be paired with their commands any more
            self.replies.append(r)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Runner:
    """Runs programs on started targets (spec name -> Target), keeping them up between programs."""

    def __init__(self, targets: Mapping[str, Any], *, timeout: float = 2.0, spec: Spec | None = None) -> None:
        self.targets = dict(targets)
        self.timeout = timeout
        self.spec = spec or load_spec()
        self.programs = 0
        self.commands = 0
        self.restarts: dict[str, int] = {name: 0 for name in self.targets}

    def run(self, program: Program) -> dict[str, Trace]:
        sessions = self._open(program.resp)
        for group in batches(program, self.spec):
            cmds = [program.steps[i] for i in group]
            blocking = len(group) == 1 and is_blocking(self.spec.resolve(cmds[0].args), cmds[0].args)
            wait = self.timeout + (BLOCKING_GRACE_S if blocking else 0.0)
            for s in sessions:
                s.send(cmds)
            for s in sessions:
                s.collect(len(cmds), wait)
        traces = {s.name: self._finish(s) for s in sessions}
        self.programs += 1
        self.commands += len(program.steps) * len(sessions)
        return traces

    def _open(self, resp: int) -> list[_Session]:
        sessions = []
        for name, target in self.targets.items():
            s = _Session(name, target, resp, self.timeout)
            if s.dead is None and s.reset_failed is not None and s.reset_failed.is_error:
                s.close()  # a target without FLUSHALL (a reference still being built) gets a fresh process instead
                self._restart(name)
                s = _Session(name, self.targets[name], resp, self.timeout)
            sessions.append(s)
        return sessions

    def _finish(self, s: _Session) -> Trace:
        s.close()
        seconds = time.perf_counter() - s.started
        if s.dead is None:
            return Trace(s.name, tuple(s.replies), seconds)
        hung = s.dead.kind is Kind.TIMEOUT
        crashed = not s.target.is_alive()
        if not (hung or crashed):
            return Trace(s.name, tuple(s.replies), seconds)  # the server closed this connection on purpose
        tail = s.target.log_tail() or ("(no log)" if crashed else "")
        self._restart(s.name)
        return Trace(s.name, tuple(s.replies), seconds, log_tail=tail, restarted=True)

    def _restart(self, name: str) -> None:
        self.restarts[name] += 1
        self.targets[name].restart()

    def replay(self, program: Program, times: int) -> Iterable[dict[str, Trace]]:
        for _ in range(times):
            yield self.run(program)

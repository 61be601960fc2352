"""Run programs on every target: each on a fresh keyspace and a reset connection, many programs per pipeline.

A batch of programs goes down one connection per target: before each program RESET (back to a new connection's
state: RESP2, database 0, no transaction, no name), HELLO 3 for a RESP3 program, and FLUSHALL. Everything up to
the next command that may block is written at once, to every target, before any reply is read. The raw typed
replies are stored in a Trace before anything is compared. A target that crashes or hangs (its reply is CLOSED with
the process gone, or TIMEOUT) has its log tail recorded and is restarted, and the programs after the one it failed
in are run again on fresh connections, so a campaign goes on and no reply is paired with the wrong command.
"""
from __future__ import annotations

import bisect
import select
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from forkdiff.resp import ProtocolError, ReplyParser, encode_command
from forkdiff.spec import Spec, load_spec
from forkdiff.types import TRANSPORT, Command, Kind, Reply

from .programs import Program
from .scripts import uses_scripts
from .skips import is_blocking
from .targets import may_flush

BLOCKING_GRACE_S = 1.0  # a blocking command's own timeout is tiny; this is the slack before calling it a hang
FLUSH = Command.of("FLUSHALL")
RESET = Command.of("RESET")
HELLO3 = Command.of("HELLO", "3")
SCRIPT_FLUSH = (Command.of("SCRIPT", "FLUSH"), Command.of("FUNCTION", "FLUSH"))  # caches outlive FLUSHALL
RECV_BYTES = 1 << 18


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


def setup(program: Program) -> list[Command]:
    """What runs before a program on its connection: not part of the program, and never compared."""
    head = [RESET, HELLO3, FLUSH] if program.resp == 3 else [RESET, FLUSH]
    return head + list(SCRIPT_FLUSH) if uses_scripts(program.steps) else head


@dataclass
class _Chunk:
    payload: bytes
    count: int
    blocking: bool


class _Plan:
    """A batch on the wire: chunks written whole, and where each program's setup replies start in the reply stream.

    A command that may block ends its chunk: the commands after it are written once it has answered, as a client
    waiting on it would write them (Redis would hold them until then anyway; a server that leaves a pipeline
    unanswered behind a blocked command is a transport difference of its own, which a conformance case measures,
    and would otherwise hang every program holding one). The wait still overlaps across targets. A chunk ending
    with one is waited for with BLOCKING_GRACE_S more."""

    MAX_PAYLOAD = 1 << 18

    def __init__(self, programs: list[Program], wire: "_Wire", pipelined: bool = True) -> None:
        self.max_payload = self.MAX_PAYLOAD if pipelined else 0  # 0: every command waits for the reply before it
        self.chunks: list[_Chunk] = []
        self.starts: list[int] = []
        self.setups: list[int] = []
        self._parts: list[bytes] = []
        self._size, self._blocking, self._sent = 0, False, 0
        self.names: list[str] = []  # every command's name, in wire order (reply i answers names[i])
        for program in programs:
            self.starts.append(self._sent + len(self._parts))
            head = setup(program)
            self.setups.append(len(head))
            for cmd in head:
                self._add(wire.encoded(cmd)[0], False)
                self.names.append(cmd.name)
            in_multi = False
            for cmd in program.steps:
                data, blocking = wire.encoded(cmd)
                self._add(data, blocking and not in_multi)
                name = cmd.name
                self.names.append(name)
                if pipelined and (blocking and not in_multi or name in wire.stalling):
                    self._flush()
                if name == "multi":
                    in_multi = True
                elif name in ("exec", "discard"):
                    in_multi = False
        self._flush()

    def _add(self, data: bytes, blocking: bool) -> None:
        self._parts.append(data)
        self._size += len(data)
        self._blocking = self._blocking or blocking
        if self._size > self.max_payload:
            self._flush()

    def _flush(self) -> None:
        if self._parts:
            self.chunks.append(_Chunk(b"".join(self._parts), len(self._parts), self._blocking))
            self._sent += len(self._parts)
        self._parts, self._size, self._blocking = [], 0, False

    def program_at(self, reply_index: int) -> int:
        return bisect.bisect_right(self.starts, reply_index) - 1


class _Wire:
    """Each distinct command's encoding and whether it may block, worked out once (programs repeat variants)."""

    LIMIT = 200_000

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.cache: dict[Command, tuple[bytes, bool]] = {}
        # commands after which some target left the rest of a pipeline unanswered: they end a chunk from then on
        self.stalling: set[str] = set()

    def encoded(self, cmd: Command) -> tuple[bytes, bool]:
        hit = self.cache.get(cmd)
        if hit is None:
            if len(self.cache) > self.LIMIT:
                self.cache.clear()
            hit = self.cache[cmd] = (encode_command(cmd.args), is_blocking(self.spec.resolve(cmd.args), cmd.args))
        return hit


class _Session:
    """One target's connection for one batch: raw socket, one incremental parser, replies in order."""

    def __init__(self, spec_name: str, target: Any, timeout: float) -> None:
        self.name, self.target = spec_name, target
        self.replies: list[Reply] = []
        self.dead: Reply | None = None
        self.dead_at = -1  # index of the first reply lost to `dead`
        self.parser = ReplyParser()
        self.started = time.perf_counter()
        self.finished = self.started
        self.sock: socket.socket | None = None
        self.want = 0  # replies expected so far
        try:
            self.sock = socket.create_connection(target.address, timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            self._die(Reply(Kind.CLOSED, f"connect failed: {exc}"))

    def _die(self, reply: Reply) -> None:
        self.dead, self.dead_at = reply, len(self.replies)

    def send(self, payload: bytes) -> None:
        if self.dead is None and self.sock is not None:
            try:
                self.sock.sendall(payload)
            except OSError as exc:
                self._die(Reply(Kind.CLOSED, f"send failed: {exc}"))

    @property
    def pending(self) -> bool:
        return len(self.replies) < self.want

    def drain(self) -> bool:
        """Parse what has arrived, up to `want` replies; True when nothing more is awaited. After a transport
        failure every later reply is that failure: those replies cannot be paired with their commands any more."""
        out, parser, want = self.replies, self.parser, self.want
        while len(out) < want:
            if self.dead is not None:
                out.extend([self.dead] * (want - len(out)))
                break
            try:
                reply = parser.get()
            except ProtocolError as exc:
                self._die(Reply(Kind.PROTOCOL_ERROR, str(exc)))
                continue
            if reply is None:
                return False
            out.append(reply)
        self.finished = time.perf_counter()
        return True

    def receive(self) -> None:
        """One recv on a socket that poll() reported readable."""
        assert self.sock is not None
        try:
            data = self.sock.recv(RECV_BYTES)
        except OSError as exc:
            self._die(Reply(Kind.CLOSED, f"recv failed: {exc}"))
            return
        if not data:
            self._die(Reply(Kind.CLOSED, "connection closed by server"))
            return
        self.parser.feed(data)

    def time_out(self, timeout: float) -> None:
        self._die(Reply(Kind.TIMEOUT, f"no reply within {timeout}s"))

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass


def _collect(wanted: list[tuple[_Session, int]], timeout: float) -> None:
    """More replies (session, how many) from every session, parsed from whichever target answers first (the quick
    servers' replies are parsed while a slower one still works). `timeout`: how long a target may send nothing."""
    poller = select.poll()
    waiting: dict[int, _Session] = {}
    for s, count in wanted:
        s.want += count
        if not s.drain():
            waiting[s.sock.fileno()] = s  # type: ignore[union-attr] - a session without socket is dead
            poller.register(s.sock, select.POLLIN)
    deadline = {fd: time.monotonic() + timeout for fd in waiting}
    while waiting:
        now = time.monotonic()
        events = poller.poll(max(0.0, min(deadline.values()) - now) * 1000)
        now = time.monotonic()
        for fd, _ in events:
            s = waiting[fd]
            s.receive()
            deadline[fd] = now + timeout
            if s.drain():
                poller.unregister(fd)
                del waiting[fd], deadline[fd]
        for fd in [fd for fd, end in deadline.items() if end <= now]:
            waiting[fd].time_out(timeout)
            waiting[fd].drain()
            poller.unregister(fd)
            del waiting[fd], deadline[fd]


@dataclass
class _Lane:
    """One set of target instances and the contiguous part of a batch it runs."""

    index: int
    offset: int
    programs: list[Program]
    plan: _Plan
    sessions: list[_Session]


def split(count: int, parts: int) -> list[tuple[int, int]]:
    """`count` items in `parts` contiguous ranges as even as can be (empty ones left out)."""
    bounds = [count * i // parts for i in range(parts + 1)]
    return [(lo, hi) for lo, hi in zip(bounds, bounds[1:]) if hi > lo]


def lane_reply(lane: "_Lane", name: str) -> str:
    """How one target's instance failed in a lane, in words."""
    s = next(s for s in lane.sessions if s.name == name)
    if s.dead is None:
        return "failed"
    return "hung (no reply in time)" if s.dead.kind is Kind.TIMEOUT else "crashed (connection lost, process gone)"


# Set-up commands a server may lack without harm: RESET (then FLUSHALL and the program's own SELECT still hold) and
# the script-cache flushes (a server without scripts or functions has none to flush). Dragonfly has no RESET.
OPTIONAL_SETUP = frozenset({"reset", "script", "function"})


def _setup_failed(replies: list[Reply], names: list[str]) -> bool:
    """Whether a program's set-up failed: a lost reply, or an error other than a lacking optional command's."""
    for reply, name in zip(replies, names):
        if reply.kind in TRANSPORT:
            return True
        if reply.is_error and not (name in OPTIONAL_SETUP and _lacks(reply.value)):
            return True
    return False


def _lacks(error: str) -> bool:
    text = error.lower()
    return "unknown command" in text or "unknown subcommand" in text or "wrong number of arguments" in text


class Runner:
    """Runs programs on started targets (spec name -> Target), keeping them up between programs.

    `lanes`: further started instances of the same targets (each a mapping with the same names). A batch is split
    among the lanes and runs on them at once: while one instance waits out a blocking command's timeout, the
    others work. Every program still runs once on one instance of every target."""

    MAX_STALLING = 16  # commands that may end a chunk for having stalled a pipeline
    HZ = b"500"  # Redis answers a blocking command's timeout on its cron tick: 2 ms instead of 100 ms at hz 10

    def __init__(self, targets: Mapping[str, Any], *, timeout: float = 2.0, spec: Spec | None = None,
                 lanes: Iterable[Mapping[str, Any]] = (), max_restarts: int = 5) -> None:
        self.targets = dict(targets)
        self.lanes = [self.targets, *(dict(lane) for lane in lanes)]
        if any(set(lane) != set(self.targets) for lane in self.lanes):
            raise ValueError("every lane needs an instance of every target")
        kept = [name for lane in self.lanes for name, t in lane.items() if not may_flush(t)]
        if kept:  # every program starts with FLUSHALL: never on a server whose owner did not allow it
            raise ValueError(f"{kept[0]} was not given ?flush=1, and every program starts with FLUSHALL")
        self.timeout = timeout
        self.spec = spec or load_spec()
        self.programs = 0
        self.commands = 0
        self.restarts: dict[str, int] = {name: 0 for name in self.targets}
        self.max_restarts = max_restarts
        self.quarantined: dict[str, str] = {}  # target -> why it was taken out of the campaign
        self.stalled: dict[str, set[str]] = {}  # target -> commands after which it left a pipeline unanswered
        self.on_batch: Callable[[], None] | None = None  # called after every batch: live progress
        self.pipelined = True  # False: one command per round trip, as redis-cli sends a script
        self._wire = _Wire(self.spec)
        for lane in self.lanes:
            for target in lane.values():
                self._quicken(target)

    def run(self, program: Program) -> dict[str, Trace]:
        return self.run_many([program])[0]

    def run_many(self, programs: Iterable[Program]) -> list[dict[str, Trace]]:
        """Traces of every program, in order. Programs after a transport failure or a failed setup run again."""
        todo = list(programs)
        pending = list(range(len(todo)))
        out: dict[int, dict[str, Trace]] = {}
        fresh: set[tuple[int, str]] = set()  # (lane, target) just restarted: a setup it rejects is accepted once
        while pending:
            done, fresh = self._batch([todo[i] for i in pending], fresh)
            out.update((pending[i], traces) for i, traces in done.items())
            pending = [k for i, k in enumerate(pending) if i not in done]
        return [out[i] for i in range(len(todo))]

    def _batch(self, programs: list[Program],
               fresh: set[tuple[int, str]]) -> tuple[dict[int, dict[str, Trace]], set[tuple[int, str]]]:
        lanes = [_Lane(j, lo, programs[lo:hi], _Plan(programs[lo:hi], self._wire, self.pipelined),
                       [_Session(name, target, self.timeout) for name, target in self.lanes[j].items()])
                 for j, (lo, hi) in enumerate(split(len(programs), len(self.lanes)))]
        for k in range(max(len(lane.plan.chunks) for lane in lanes)):
            chunks = [(lane, lane.plan.chunks[k]) for lane in lanes if k < len(lane.plan.chunks)]
            for lane, chunk in chunks:
                for s in lane.sessions:
                    s.send(chunk.payload)
            blocking = any(chunk.blocking for _, chunk in chunks)
            _collect([(s, chunk.count) for lane, chunk in chunks for s in lane.sessions],
                     self.timeout + (BLOCKING_GRACE_S if blocking else 0.0))
        done: dict[int, dict[str, Trace]] = {}
        restarted: set[tuple[int, str]] = set()
        for lane in lanes:
            for s in lane.sessions:
                s.close()
            done.update(self._lane_traces(lane, fresh))
            restarted |= self._lane_recover(lane, fresh)
        if self.on_batch is not None:
            self.on_batch()
        return done, restarted

    def _lane_traces(self, lane: _Lane, fresh: set[tuple[int, str]]) -> dict[int, dict[str, Trace]]:
        plan, programs, sessions = lane.plan, lane.programs, lane.sessions
        usable, _ = self._usable(plan, programs, sessions, {n for j, n in fresh if j == lane.index})
        total = sum(len(p) for p in programs) or 1
        out = {}
        for i, program in enumerate(programs[:usable]):
            first = plan.starts[i] + plan.setups[i]
            out[lane.offset + i] = {s.name: self._trace(s, plan, i, s.replies[first:first + len(program)],
                                                        (s.finished - s.started) * len(program) / total)
                                    for s in sessions}
        self.programs += usable
        self.commands += sum(len(p) for p in programs[:usable]) * len(sessions)
        return out

    def _lane_recover(self, lane: _Lane, fresh: set[tuple[int, str]]) -> set[tuple[int, str]]:
        """Restart the instances that hung, crashed or rejected a program's setup."""
        _, reject = self._usable(lane.plan, lane.programs, lane.sessions, {n for j, n in fresh if j == lane.index})
        hung = {s.name for s in lane.sessions
                if s.dead is not None and (s.dead.kind is Kind.TIMEOUT or not s.target.is_alive())}
        learned = set()
        for s in lane.sessions:
            answered = any(o is not s and (o.dead is None or o.dead_at > s.dead_at) for o in lane.sessions)
            if s.name in hung and s.dead.kind is Kind.TIMEOUT and 0 < s.dead_at <= len(lane.plan.names) \
                    and answered and len(self._wire.stalling) < self.MAX_STALLING:
                # the others answered where this target went silent: the command it answered last may be one
                # after which it stops reading the pipeline (KeyDB after KEYS): later batches send what follows it
                # once it has answered. Learning that is no failure of the target's, so the restart is not counted
                # towards quarantine.
                name = lane.plan.names[s.dead_at - 1]
                if name not in self._wire.stalling:
                    self._wire.stalling.add(name)
                    self.stalled.setdefault(s.name, set()).add(name)
                    learned.add(s.name)
        for name in hung | reject:
            self._restart(lane.index, name, "rejected a program's setup" if name in reject else
                          f"{lane_reply(lane, name)}", counted=name not in learned)
        return {(lane.index, name) for name in hung | reject if name not in self.quarantined}

    def _usable(self, plan: _Plan, programs: list[Program], sessions: list[_Session],
                fresh: set[str]) -> tuple[int, set[str]]:
        """How many programs, from the first, have trustworthy replies on every target; and the targets to restart
        because they rejected a program's setup (no RESET or FLUSHALL: each program then gets a fresh process)."""
        usable, reject = len(programs), set()
        for s in sessions:
            if s.dead is not None:
                i = plan.program_at(s.dead_at)
                in_setup = s.dead_at < plan.starts[i] + plan.setups[i]
                usable = min(usable, max(1, i if in_setup else i + 1))
            for i in range(min(usable, len(programs))):
                head = s.replies[plan.starts[i]:plan.starts[i] + plan.setups[i]]
                if s.dead is not None and s.dead_at < plan.starts[i] + plan.setups[i]:
                    break
                if _setup_failed(head, plan.names[plan.starts[i]:plan.starts[i] + plan.setups[i]]):
                    if i == 0 and s.name in fresh:
                        usable = 1
                    else:
                        usable, reject = min(usable, max(i, 0)), reject | {s.name}
                    break
        return usable, reject

    def _trace(self, s: _Session, plan: _Plan, index: int, replies: list[Reply], seconds: float) -> Trace:
        if s.dead is None or plan.program_at(s.dead_at) != index:
            return Trace(s.name, tuple(replies), seconds)
        tail = ""
        if s.dead.kind is Kind.TIMEOUT or not s.target.is_alive():
            tail = s.target.log_tail() or ("(no log)" if not s.target.is_alive() else "")
            return Trace(s.name, tuple(replies), seconds, log_tail=tail, restarted=True)
        return Trace(s.name, tuple(replies), seconds)  # the server closed this connection on purpose

    def _restart(self, lane: int, name: str, why: str, counted: bool = True) -> None:
        """Restart one instance, or quarantine the target once it needed more than `max_restarts` restarts (or a
        restart failed): the campaign goes on with the others, and the reason is kept for the summary."""
        if name in self.quarantined:
            return
        self.restarts[name] += counted
        if self.restarts[name] > self.max_restarts:
            self.quarantine(name, f"restarted {self.max_restarts} times and {why} again")
            return
        try:
            self.lanes[lane][name].restart()
        except Exception as exc:  # noqa: BLE001 - whatever a restart raises, the target is out
            self.quarantine(name, f"{why}, and its restart failed: {exc}")
            return
        self._quicken(self.lanes[lane][name])

    def quarantine(self, name: str, reason: str) -> None:
        """Take a target out of every lane (its instances stopped): later programs run on the others only."""
        self.quarantined[name] = reason
        for lane in self.lanes:
            target = lane.pop(name, None)
            if target is not None:
                try:
                    target.stop()
                except Exception:  # noqa: BLE001 - stopping is best effort
                    pass

    def _quicken(self, target: Any) -> None:
        """Best effort: a server that refuses (no CONFIG SET hz) keeps its own timer. An endpoint is someone
        else's server: its settings are left alone."""
        if getattr(target, "spec", "").startswith("tcp://"):
            return
        try:
            with socket.create_connection(target.address, timeout=self.timeout) as sock:
                sock.sendall(encode_command([b"CONFIG", b"SET", b"hz", self.HZ]))
                sock.recv(1024)
        except OSError:
            pass

    def replay(self, program: Program, times: int) -> Iterable[dict[str, Trace]]:
        for _ in range(times):
            yield self.run(program)

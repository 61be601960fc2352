"""The engine: executes one command for one client against the keyspace and returns a reply value.

No sockets and no threads here: the clock (milliseconds) and the random source are injected, so runtimes can wrap
the same engine in any concurrency model and tests can drive it with a manual clock.
"""
from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from time import perf_counter_ns, time_ns
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from forkdiff.spec import CommandSpec, load_spec

from . import errors, repl_stream
from .access import ServerAccessClock
from .blocking import serve_ready_keys
from .client_pause import POSTPONED, holds as pause_holds
from .commands import HANDLERS, load_all
from .config import Config
from .errors import CommandError
from .keyspace import Database, Keyspace
from .maxmemory import over_limit
from .notify import notify_expired, notify_new
from .pubsub import with_own_pushes
from .util import c_string
from .replies import NO_REPLY, Err, Pushes
from .replication import is_readonly_replica, is_replica
from .scripting import declared_flags
from .scripting.busy import BusyScripts

# Commands executed immediately even inside MULTI (as Redis's processCommand does).
_NOT_QUEUED = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})
_CONTAINERS = frozenset({b"config", b"client", b"script", b"function", b"object", b"memory", b"xinfo", b"xgroup",
                         b"command", b"acl", b"cluster", b"latency", b"slowlog", b"pubsub", b"module", b"debug"})
_NO_AUTH_NEEDED = frozenset({"auth", "hello", "quit", "reset"})
# Observers of executed commands, fn(engine, client, spec, argv, duration_us). Every command pays for each entry of
# CALL_HOOKS, so an observer that matters only once something is switched on (MONITOR, client-side caching) is armed
# on the engine when it is (`Engine.arm_call_hook`), and one that looks only at slow calls (the slowlog, the latency
# monitor) is in SLOW_CALL_HOOKS: those run for calls of at least `Engine.slow_call_us`, the least of the thresholds
# they declare (`Engine.slow_call_threshold`). The latency histograms are kept by `call` itself, as Redis's call()
# keeps them (commands/latency.py gives it their table while latency-tracking is on).
CALL_HOOKS: list[Callable[..., None]] = []
SLOW_CALL_HOOKS: list[Callable[..., None]] = []
# fn(engine), run when an engine is made: subsystems that must follow its configuration from the start
ENGINE_SETUP: list[Callable[[Any], None]] = []
# What a RESP2 client subscribed to anything may still run (the "pubsub" flag is kept by the pub/sub module).
_PUBSUB_CONTEXT = frozenset({"ping", "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe",
                             "punsubscribe", "quit", "reset"})


log = logging.getLogger("reference_server")

# What execute finds for a spelling _resolve has not remembered: no argument count is within its bounds.
_UNREMEMBERED = (None, None, None, 1, 0)
# engine.extensions entries whose presence can refuse or hold a command before it runs (see Engine.prechecks)
_PRECHECKED = frozenset({"acl", "client_pause", "replication", "repl_stream"})


class Extensions(dict):
    """engine.extensions: per-subsystem state by name. Putting in or taking out an entry that a check before
    every command looks at (_PRECHECKED) makes the engine look again (`Engine.refresh_prechecks`); reads are a
    plain dict's."""

    def __init__(self, changed: Callable[[], None]) -> None:
        super().__init__()
        self._changed = changed

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        if key in _PRECHECKED:
            self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        if key in _PRECHECKED:
            self._changed()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return default

    def pop(self, key: str, *default: Any) -> Any:
        value = super().pop(key, *default)
        if key in _PRECHECKED:
            self._changed()
        return value

    def popitem(self) -> tuple[str, Any]:
        item = super().popitem()
        self._changed()
        return item

    def clear(self) -> None:
        super().clear()
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> "Extensions":
        self.update(other)
        return self


def internal_error(argv: list[bytes], exc: BaseException) -> Err:
    """The one answer to a command whose execution raised (see errors.INTERNAL_ERROR): logged with the command."""
    name = _sanitize(argv[0][:64]).upper() if argv else "?"
    if len(argv) > 1 and argv[0].lower() in _CONTAINERS:
        name += " " + _sanitize(argv[1][:64]).upper()
    log.error("internal error executing %s: %s", name, exc, exc_info=exc)
    return Err(errors.INTERNAL_ERROR % (name, type(exc).__name__))


class CommandState:
    """What the command executing on one thread fixes: its time, its connection's client (`client`), the client
    running it (`executing`: a script's own client inside a script) and call() nesting. One plain object per
    thread, fetched once per use: attributes of a threading.local cost several times more to read and write."""

    __slots__ = ("now", "client", "executing", "depth")

    def __init__(self) -> None:
        self.now: int | None = None
        self.client: Any = None
        self.executing: Any = None
        self.depth = 0


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.state = CommandState()


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(eq=False)
class ClientState:
    """Everything the server knows about one connection."""

    id: int
    addr: str = "127.0.0.1:0"
    laddr: str = "127.0.0.1:0"
    fd: int = -1
    db: int = 0
    resp: int = 2
    name: bytes = b""
    lib_name: bytes = b""
    lib_ver: bytes = b""
    authenticated: bool = False
    created_ms: int = 0
    last_interaction_ns: int = 0  # (kept in ns: one division less per command; CLIENT LIST's idle reads it)
    last_command: str = "NULL"
    in_multi: bool = False
    queue: list = field(default_factory=list)
    dirty_exec: bool = False  # a command failed while being queued: EXEC aborts
    dirty_cas: bool = False  # a WATCHed key changed: EXEC returns null
    watched: dict = field(default_factory=dict)  # (db index, key) -> expired-at-WATCH-time flag
    reply_mode: str = "on"  # on | off | skip
    no_evict: bool = False
    no_touch: bool = False
    close_after_reply: bool = False
    user: str = "default"
    commands_processed: int = 0  # CLIENT LIST tot-cmds
    net_in: int = 0  # bytes read from the connection (tot-net-in), counted by the runtime
    net_out: int = 0  # bytes written to it (tot-net-out), counted by the runtime
    blocked: Any = None  # the pending blocking operation, if any (see commands that block)
    deliver: Callable[[Any], None] | None = None  # out-of-band replies (unblocked, pushes); set by the runtime
    close: Callable[[], None] | None = None  # closes the connection (CLIENT KILL); set by the runtime
    flags: set = field(default_factory=set)
    extra: dict = field(default_factory=dict)


class Engine:
    def __init__(self, *, clock: Callable[[], int] = wall_clock_ms, rng: random.Random | None = None,
                 config: Config | None = None, databases: int = 16) -> None:
        load_all()
        self.spec = load_spec()
        self.real_clock = clock
        self.wall_clock = clock is wall_clock_ms  # read inline on the hot path (no call)
        self._local = _PerThread()  # per executing thread: its CommandState
        self.command_states = self._local  # the same, for hot paths elsewhere (`.state` is this thread's)
        self.rng = rng or random.Random()
        self.config = config or Config()
        self.keyspace = Keyspace(self.now_ms, databases, self.rng)
        access = ServerAccessClock(self)  # LRU clock or LFU counter, as maxmemory-policy says
        for database in self.keyspace.dbs:  # "expired" keyspace notifications
            database.on_expired = notify_expired(self)
            database.on_new = notify_new(self)
            database.access = access
        self.clients: dict[int, ClientState] = {}
        self._ids = itertools.count(1)
        self.started_ms = clock()
        self.stats: dict[str, int] = {"total_connections_received": 0,
                                      "expired_keys": 0, "keyspace_hits": 0, "keyspace_misses": 0,
                                      "rejected_calls": 0, "failed_calls": 0}
        self.command_stats: dict[str, list[int]] = {}  # name -> [calls, rejected, failed, usec]
        self.error_stats: dict[str, int] = {}  # error code (first word) -> replies sent with it
        self.lastsave = self.started_ms // 1000
        # True while anything engine-wide may refuse or hold a command before it runs: an ACL user lacking a
        # permission, a busy script, CLIENT PAUSE, maxmemory, min-replicas-to-write, a replication role or an
        # attached replica. Kept by refresh_prechecks, which whatever changes one of them calls; while it is
        # False, execute runs a known command of a plain client (logged in, no transaction, no flags) without
        # _dispatch's checks.
        self.prechecks = True
        self.busy = BusyScripts(self)  # the running script, and what others may do beside it
        self.extensions: dict[str, Any] = Extensions(self.refresh_prechecks)  # per-subsystem state (pub/sub…)
        self.ready_lock = threading.Lock()  # serving blocked clients is one critical section in threaded runtimes
        # Threaded runtimes serve blocked clients themselves, once they hold every key the serving may touch.
        self.serve_inline = True
        # argv[0] -> (name, spec, handler, least, most): a command without subcommands and its arity's bounds
        self._resolved: dict[bytes, tuple] = {}
        # The command table. Tests may give one engine a modified copy (a deliberately broken command, to prove a
        # checker is not blind) without touching the shared registry.
        self.handlers = HANDLERS
        self.runtime = "engine"  # the concurrency model serving this engine (set by the runtime)
        self.active_expire_enabled = True  # DEBUG SET-ACTIVE-EXPIRE 0 stops the timer's expiry cycle
        self.call_hooks = list(CALL_HOOKS)  # what observes every command on this engine (see CALL_HOOKS)
        self.slow_call_us = 0  # SLOW_CALL_HOOKS run for calls of at least this many µs
        self._slow_thresholds: dict[str, int | None] = {}
        # command name -> {duration in µs or ~bucket: calls} while latency-tracking is on, and the HDR bucket of a
        # duration in µs
        self.latency_histograms: dict[str, dict[int, int]] | None = None
        self.latency_bucket: Callable[[int], int] | None = None  # set by commands/latency.py with the table
        self.config.listeners.append(lambda _name, _value: self.refresh_prechecks())  # maxmemory, min-replicas…
        self.refresh_prechecks()
        for setup in ENGINE_SETUP:
            setup(self)

    @property
    def handlers(self) -> dict[str, Callable]:
        return self._handlers

    @handlers.setter
    def handlers(self, table: dict[str, Callable]) -> None:
        self._handlers = table
        self._resolved.clear()  # found in the table it replaces

    def refresh_prechecks(self) -> None:
        """Look again at what may refuse or hold a command before it runs (see `prechecks`)."""
        extensions = self.extensions
        acl = extensions.get("acl")
        values = self.config.values
        self.prechecks = ((acl is not None and bool(acl.limited)) or self.busy.running is not None
                          or values["maxmemory"] != "0" or values["min-replicas-to-write"] != "0"
                          or any(name in extensions for name in _PRECHECKED if name != "acl"))

    # -- time --------------------------------------------------------------------------------------------------
    def now_ms(self) -> int:
        """The command's time: fixed while one command (or one EXEC) runs, as Redis caches it."""
        now = self._local.state.now
        return now if now is not None else self.real_clock()

    def refresh_command_time(self) -> None:
        state = self._local.state
        if state.now is not None:
            state.now = self.real_clock()

    @contextmanager
    def outside_command(self) -> Iterator[None]:
        """Execute other clients' commands from inside a running script (its interrupt serves them): the
        script's per-thread command state is set aside meanwhile."""
        local = self._local
        saved, local.state = local.state, CommandState()
        try:
            yield
        finally:
            local.state = saved

    # -- clients -----------------------------------------------------------------------------------------------
    def new_client(self, **kwargs: Any) -> ClientState:
        now = self.real_clock()
        client = ClientState(id=next(self._ids), created_ms=now, last_interaction_ns=now * 1_000_000, **kwargs)
        acl = self.extensions.get("acl")  # made on first ACL use; until then requirepass alone decides
        client.authenticated = acl.default_login() if acl else not self.config.requirepass
        self.clients[client.id] = client
        self.stats["total_connections_received"] += 1
        return client

    def drop_client(self, client: ClientState) -> None:
        from .commands.transactions import unwatch_all
        unwatch_all(self, client)
        if client.blocked is not None:
            client.blocked.cancel(self, client)
        for hook in self.extensions.get("drop_hooks", ()):  # pub/sub, scripting… forget the client
            hook(self, client)
        self.clients.pop(client.id, None)

    def db(self, client: ClientState) -> Database:
        return self.keyspace.dbs[client.db]

    # -- execution ---------------------------------------------------------------------------------------------
    def execute(self, client: ClientState, argv: list[bytes]) -> Any:
        """Run one command line for `client`; returns the reply value (NO_REPLY when nothing is to be sent)."""
        if not argv:
            return NO_REPLY
        state = self._local.state
        outer = state.now is None
        wall = self.wall_clock
        if outer:
            state.now = time_ns() // 1_000_000 if wall else self.real_clock()
            state.client = client
        try:
            try:
                first = argv[0]  # _resolve's remembered spellings first, inline (_UNREMEMBERED fits no arity)
                name, spec, handler, least, most = (self._resolved.get(first, _UNREMEMBERED) if type(first) is bytes
                                                    else _UNREMEMBERED)
                if (least <= len(argv) <= most and outer and not self.prechecks
                        and client.authenticated and not client.in_multi and not client.flags):
                    # A known command of a plain client, from its connection, while nothing engine-wide can refuse
                    # or hold it: none of _dispatch's checks can apply, and `call` at the top level (no caller to
                    # restore, no replica attached: see prechecks) is done here, inline.
                    client.last_command = name
                    state.depth, state.executing = 1, client
                    started = perf_counter_ns()
                    try:
                        reply = handler(self, client, argv)
                    except CommandError as exc:
                        reply = exc.reply
                    except Exception as exc:  # a handler bug, as in call
                        reply = internal_error(argv, exc)
                    finally:
                        state.depth, state.executing = 0, None
                    reply = self._called(client, spec, argv, reply, (perf_counter_ns() - started) // 1000, 0)
                else:
                    reply = self._dispatch(client, argv)
            except Exception as exc:  # a bug outside a handler (checks, hooks): the same policy as inside one
                reply = internal_error(argv, exc)
            if reply is POSTPONED:  # held by CLIENT PAUSE: the connection runs it again when the pause ends
                client.extra["postponed"] = True  # counted as blocked (INFO blocked_clients), as Redis does
                return reply
            extra = client.extra
            if extra:
                extra.pop("postponed", None)
            client.last_interaction_ns = time_ns() if wall else self.real_clock() * 1_000_000
            mode = client.reply_mode
            if mode != "on":
                # CLIENT REPLY SKIP silences itself and then the one command after it; pushes are never silenced
                client.reply_mode = {"skip": "on", "skip-next": "skip"}.get(mode, mode)
                reply = reply if type(reply) is Pushes else NO_REPLY
            if not outer or (not extra and "after_command_hooks" not in self.extensions):
                return reply
            # still the running client: what the hooks push to it (its own invalidations) follows the reply too
            return self._after_command(client, argv, reply)
        finally:
            if outer:
                state.now = state.client = None

    def _after_command(self, client: ClientState, argv: list[bytes], reply: Any) -> Any:
        """Redis's afterCommand: the after-command hooks (client-side caching), then the reply followed by the pushes
        the command sent its own client."""
        for hook in self.extensions.get("after_command_hooks", ()):
            hook(self, client, argv)
        extra = client.extra
        if "pending_pushes" not in extra and "pushes_before_reply" not in extra:
            return reply
        return with_own_pushes(client, reply)

    def _dispatch(self, client: ClientState, argv: list[bytes]) -> Any:
        name, spec, handler, rejection = self._resolve(argv)
        if rejection is not None:
            return self._reject(client, name, rejection)
        if spec.name == "debug" and not self._debug_allowed(client):
            return self._reject(client, name, Err(errors.DEBUG_NOT_ALLOWED))
        if not client.authenticated and spec.name.split("|")[0] not in _NO_AUTH_NEEDED:
            return self._reject(client, name, Err(errors.NOAUTH), spec)
        acl = self.extensions.get("acl")
        if acl is not None and client.user in acl.limited:  # ACL: only users lacking a permission are checked
            denied = acl.check(self, client, spec, argv)
            if denied is not None:
                return self._reject(client, name, denied, spec)
        refusal = self._server_state_refusal(client, spec, argv)
        if refusal is not None:
            return self._reject(client, name, refusal, spec)
        if "pubsub" in client.flags and client.resp == 2 and spec.name not in _PUBSUB_CONTEXT:
            return self._reject(client, name, Err(errors.PUBSUB_CONTEXT % _sanitize(spec.name.encode())), spec)
        if client.in_multi and "no_multi" in spec.flags:
            return self._reject(client, name, Err(errors.NOT_IN_MULTI), spec)
        if self.busy.running is not None and (busy := self.busy.rejection(spec)) is not None:
            return self._reject(client, name, busy, spec)
        if "client_pause" in self.extensions and pause_holds(self, client, spec, argv):
            return POSTPONED
        if client.in_multi and spec.name.split("|")[0] not in _NOT_QUEUED:
            client.queue.append((spec, handler, argv))
            client.last_command = spec.name
            return "QUEUED"
        return self.call(client, spec, handler, argv)

    def _debug_allowed(self, client: ClientState) -> bool:
        """enable-debug-command: yes, or local for connections from the loopback address (Redis's
        allowProtectedAction)."""
        setting = self.config.values["enable-debug-command"]
        return setting == "yes" or (setting == "local" and client.addr.startswith(("127.0.0.1:", "[::1]:", "::1:")))

    def _server_state_refusal(self, client: ClientState, spec: CommandSpec, argv: list[bytes]) -> Err | None:
        """What the server's state refuses before a command runs, in Redis's order: OOM under maxmemory (after
        evicting what the policy allows), then writes on a read-only replica. EXEC answers for its queue."""
        values = self.config.values
        limited = values["maxmemory"] != "0"
        replication = "replication" in self.extensions
        needs_replicas = values["min-replicas-to-write"] != "0" and values["min-replicas-max-lag"] != "0"
        if not limited and not replication and not needs_replicas:
            return None
        flags = declared_flags.command_flags(self, spec.name, spec.flags, argv)
        stale_ok = "stale" in flags
        if spec.name == "exec":
            flags = flags.union(*(queued.flags for queued, _handler, _argv in client.queue))
            stale_ok = all("stale" in queued.flags for queued, _handler, _argv in client.queue)
        if limited and over_limit(self) and "denyoom" in flags:
            return Err(errors.OOM)
        replica = replication and is_replica(self)
        if needs_replicas and not replica and "write" in flags:  # no replica acknowledges: none is good
            return Err(errors.NOREPLICAS)
        if replica and is_readonly_replica(self) and "write" in flags and "master" not in client.flags:
            return Err(errors.READONLY_REPLICA)
        if replica and values["replica-serve-stale-data"] == "no" and not stale_ok:
            return Err(errors.MASTERDOWN)
        return None

    def _reject(self, client: ClientState, name: str, rejection: Err, spec: CommandSpec | None = None) -> Err:
        """Refuse a command before it runs: inside MULTI that dooms the transaction; a refused EXEC ends it."""
        self.stats["rejected_calls"] += 1
        if spec is not None:  # a known command: its own rejected_calls (INFO commandstats)
            self.command_stats.setdefault(spec.name, [0, 0, 0, 0])[1] += 1
        self.count_error(rejection)
        if name == "exec":
            from .commands.transactions import discard_transaction
            discard_transaction(self, client)
            return Err(errors.EXECABORT_BECAUSE % rejection.removeprefix("ERR "))
        if client.in_multi:
            client.dirty_exec = True
        return rejection

    def _resolve(self, argv: list[bytes]) -> tuple[str, CommandSpec | None, Callable | None, Err | None]:
        """`lookup` with the name decoded. A command without subcommands (but DEBUG, which _dispatch checks) is
        found once per spelling of its name while the engine keeps the same command table, and remembered with the
        least and most arguments its arity allows: the arity is still checked on every call."""
        first = argv[0]
        hit = self._resolved.get(first) if type(first) is bytes else None
        if hit is not None and hit[3] <= len(argv) <= hit[4]:  # CommandSpec.arity_ok, as bounds
            return hit[0], hit[1], hit[2], None
        name = first.decode("utf-8", "surrogateescape").lower()
        spec, handler, rejection = self.lookup(name, argv)
        if (rejection is None and spec.name == name and not spec.subcommands and name != "debug"
                and type(first) is bytes and len(self._resolved) < 1024):
            least, most = (spec.arity, spec.arity) if spec.arity > 0 else (-spec.arity, 1 << 62)
            self._resolved[first] = (name, spec, handler, least, most)
        return name, spec, handler, rejection

    def lookup(self, name: str, argv: list[bytes]) -> tuple[CommandSpec | None, Callable | None, Err | None]:
        """Find the handler; the rejection (unknown command/subcommand, wrong arity) as Redis words it."""
        spec = self.spec.get(name)
        handlers = self.handlers
        if spec is None or (name not in handlers and not any(s in handlers for s in spec.subcommands)):
            return None, None, Err(_unknown_command(argv))
        if spec.subcommands and (name not in handlers or len(argv) > 1):  # a handler for the bare container (COMMAND)
            if len(argv) < 2:
                return None, None, Err(errors.WRONG_ARITY % name)
            sub = argv[1].decode("utf-8", "surrogateescape").lower()
            full = f"{name}|{sub}"
            sub_spec = self.spec.get(full)
            if sub_spec is None or full not in handlers:
                return None, None, Err(errors.UNKNOWN_SUBCOMMAND % (_sanitize(argv[1][:128]), name.upper()))
            spec, name = sub_spec, full
        if not spec.arity_ok(len(argv)):
            self.command_stats.setdefault(name, [0, 0, 0, 0])[1] += 1
            return None, None, Err(errors.WRONG_ARITY % name)
        return spec, handlers[name], None

    def call(self, client: ClientState, spec: CommandSpec, handler: Callable, argv: list[bytes]) -> Any:
        """Execute an already-checked command (also used by EXEC for the queued ones)."""
        state = self._local.state
        depth = state.depth
        name = spec.name
        if depth == 0:  # commands run by EXEC or a script leave the client's last command as EXEC/EVAL
            client.last_command = name
        state.depth = depth + 1
        caller, state.executing = state.executing, client
        stream = self.extensions.get("repl_stream")  # a replica attached with SYNC: what the command changes is recorded
        if stream is not None:  # (repl_stream.active, inline)
            if stream.replicas:
                changes = stream.changes
            else:
                stream = None
        started = perf_counter_ns()
        try:
            reply = handler(self, client, argv)
        except CommandError as exc:
            reply = exc.reply
        except Exception as exc:  # a handler bug: logged and answered, the connection lives on
            reply = internal_error(argv, exc)
        finally:
            state.depth = depth
            state.executing = caller
        elapsed_us = (perf_counter_ns() - started) // 1000
        if stream is not None:
            repl_stream.record(self, client, spec, argv, reply, changes, stream)
            if depth == 0:
                repl_stream.end_unit(self, stream)
        return self._called(client, spec, argv, reply, elapsed_us, depth)

    def _called(self, client: ClientState, spec: CommandSpec, argv: list[bytes], reply: Any, elapsed_us: int,
                depth: int) -> Any:
        """What follows every call (Redis's call() after the command's proc): statistics, latency histograms,
        observers, errors counted; at the top level, clients blocked on keys the command fed are served."""
        name = spec.name
        # counted after the call, as Redis does: INFO and CONFIG RESETSTAT do not see their own call (INFO's
        # total_commands_processed is the sum of the calls: see `commands_processed`)
        stats = self.command_stats.get(name) or self.command_stats.setdefault(name, [0, 0, 0, 0])
        stats[0] += 1
        stats[3] += elapsed_us
        client.commands_processed += 1
        histograms = self.latency_histograms
        if histograms is not None and client.blocked is None:  # a blocked call is measured when it is served
            per_command = histograms.get(name)
            if per_command is None:
                per_command = histograms[name] = {}
            # a duration under 1024 µs is kept as it is, a longer one as ~(its bucket): see commands/latency.py
            key = elapsed_us if elapsed_us < 1024 else ~self.latency_bucket(elapsed_us)
            per_command[key] = per_command.get(key, 0) + 1
        if elapsed_us >= self.slow_call_us:
            for hook in SLOW_CALL_HOOKS:
                hook(self, client, spec, argv, elapsed_us)
        for hook in self.call_hooks:
            hook(self, client, spec, argv, elapsed_us)
        if type(reply) is Err:
            stats[2] += 1
            self.stats["failed_calls"] += 1
            self.count_error(reply)
        if depth == 0 and self.keyspace.ready_keys and self.serve_inline:
            self.serve_ready()
        return reply

    def commands_processed(self) -> int:
        """INFO's total_commands_processed: every call counted (Redis counts it where it counts each command's
        calls, and CONFIG RESETSTAT zeroes both)."""
        return sum(stats[0] for stats in list(self.command_stats.values()))

    def slow_call_threshold(self, owner: str, us: int | None) -> None:
        """`owner`'s slow-call threshold in µs (None: it wants no call): SLOW_CALL_HOOKS run for calls of at least
        the least of them."""
        self._slow_thresholds[owner] = us
        wanted = [t for t in self._slow_thresholds.values() if t is not None]
        self.slow_call_us = min(wanted) if wanted else 1 << 62

    def arm_call_hook(self, hook: Callable[..., None]) -> None:
        """From now on `hook` observes every command this engine executes (see CALL_HOOKS)."""
        if hook not in self.call_hooks:
            self.call_hooks.append(hook)

    def current_client(self) -> ClientState | None:
        """The connection whose command runs on this thread (a script's caller, not the script's own client)."""
        return self._local.state.client

    def executing_client(self) -> ClientState | None:
        """The client whose command is executing on this thread: a script's own client inside a script."""
        return self._local.state.executing

    def before_sleep(self, timer: bool = False) -> None:
        """What Redis does before its event loop sleeps again: runtimes call it when a connection has run what it
        had read (and from the timer, `timer`); client-side caching sends its BCAST invalidations here."""
        for hook in self.extensions.get("before_sleep_hooks", ()):
            hook(self, timer)

    def serve_ready(self, caller: ClientState | None = None, argv: list[bytes] = (), reply: Any = None) -> Any:
        """Serve clients blocked on keys that received data (FIFO per key).

        Threaded runtimes serve once the command that fed the keys has returned: given its client, line and reply,
        what the serving sent that client (an invalidation) follows the reply, as it would inside the command."""
        state = self._local.state
        if caller is not None:
            state.client = caller
        self.refresh_command_time()  # each served client runs as a command of its own, at the time it runs
        try:
            with self.ready_lock:
                serve_ready_keys(self)
            if caller is None or reply is POSTPONED:
                return reply
            return self._after_command(caller, argv, reply)
        finally:
            if caller is not None:
                state.client = None

    def count_error(self, text: str) -> None:
        """Every error reply is counted by its code for INFO errorstats (as Redis's afterErrorReply does)."""
        code = text.split(" ", 1)[0]
        self.error_stats[code] = self.error_stats.get(code, 0) + 1
        self.stats["total_error_replies"] = self.stats.get("total_error_replies", 0) + 1

    def active_expire_cycle(self) -> int:
        """Run from the runtime's timer: delete some expired keys in every database."""
        if not self.active_expire_enabled:
            return 0
        state = self._local.state
        state.now = self.real_clock()
        try:
            gone = sum(db.active_expire() for db in self.keyspace.dbs)
            for hook in self.extensions.get("active_expire_hooks", ()):  # hash fields with TTLs (hash_ttl.py)
                hook(self)
        finally:
            state.now = None
        self.stats["expired_keys"] += gone
        return gone


def _sanitize(arg: bytes) -> str:
    """An argument as Redis formats it into an error: a C string (cut at a NUL byte), newlines made spaces so the
    error stays on one line."""
    return c_string(arg).decode("utf-8", "surrogateescape").replace("\r", " ").replace("\n", " ")


def _unknown_command(argv: list[bytes]) -> str:
    shown = ""
    for arg in argv[1:]:
        if len(shown) >= 128:
            break
        shown += "'%s' " % _sanitize(c_string(arg)[: 128 - len(shown)])
    return errors.UNKNOWN_COMMAND % (_sanitize(argv[0][:128]), shown)

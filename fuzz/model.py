"""The sequential model a concurrent history is checked against: the reference engine itself, single-threaded,
with a manual clock. So the model is the real command semantics, not a re-implementation of them.

A model state is the canonical content of the keys an operation group touches — ``((key, type, payload), …)``
sorted by key — read through the engine (GET, LRANGE, HGETALL, SMEMBERS, ZRANGE WITHSCORES) and restored with
writes (SET, RPUSH, HSET, SADD, ZADD). States are hashable, so the search can memoise on them. Every step the
model takes is cached by (state, operation's commands).
"""
from __future__ import annotations

from typing import Any, Iterable

from forkdiff.resp import ReplyParser
from forkdiff.spec import load_spec
from forkdiff.types import Command, Reply
from reference_server.engine import Engine
from reference_server.replies import NO_REPLY, NULL_ARRAY, Err, to_bytes

from .history import Op

MODEL_TIME_MS = 1_700_000_000_000  # a fixed clock: histories are checked without expiry
State = tuple  # ((key, type, payload), ...) sorted by key

# type -> (command reading the whole value, command restoring it)
_READ = {"string": ("GET",), "list": ("LRANGE", 0, -1), "hash": ("HGETALL",), "set": ("SMEMBERS",),
         "zset": ("ZRANGE", 0, -1, "WITHSCORES")}
_RESTORE = {"string": "SET", "list": "RPUSH", "hash": "HSET", "set": "SADD", "zset": "ZADD"}
_ORDERLESS = frozenset({"hash", "set"})  # read in an arbitrary order: sorted into a canonical payload


class EngineModel:
    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or Engine(clock=lambda: MODEL_TIME_MS)
        self.client = self.engine.new_client()
        self.spec = load_spec()
        self.held: State | None = ()  # the state the scratch engine holds now (None: unknown)
        self.steps: dict[tuple, tuple[Reply, State]] = {}

    # -- what the model can check --------------------------------------------------------------------------------
    def missing_commands(self, ops: Iterable[Op]) -> list[str]:
        """Commands of the history the engine does not implement (their replies could not be modelled)."""
        missing: set[str] = set()
        for op in ops:
            for command in op.commands:
                _, _, rejection = self.engine.lookup(command.name, list(command.args))
                if rejection is not None and rejection.startswith("ERR unknown"):
                    missing.add(command.name.upper())
        return sorted(missing)

    def keys_of(self, op: Op) -> frozenset[bytes] | None:
        """The keys an operation touches; None when a command has no key (it may touch anything)."""
        keys: set[bytes] = set()
        for command in op.commands:
            spec = self.spec.resolve(command.args)
            found = spec.keys(command.args) if spec is not None else []
            if not found:
                return None
            keys.update(found)
        return frozenset(keys)

    # -- one step ------------------------------------------------------------------------------------------------
    def step(self, state: State, op: Op) -> tuple[Reply, State]:
        """The reply the operation gets from `state`, and the state after it."""
        memo_key = (state, op.transaction, op.commands)
        known = self.steps.get(memo_key)
        if known is None:
            known = self.steps[memo_key] = self._run(state, op)
        return known

    def _run(self, state: State, op: Op) -> tuple[Reply, State]:
        if self.held != state:
            self.restore(state)
        if op.transaction:
            self._execute(("MULTI",))
            for command in op.commands:
                self._execute(command.args)
            value = self._execute(("EXEC",))
        else:
            value = self._execute(op.commands[0].args)
        touched = self.keys_of(op)
        after = self.snapshot() if touched is None else _merge(state, touched, self.read_keys(touched))
        self.held = after
        return as_reply(value), after

    def _execute(self, args: Iterable[Any]) -> Any:
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        value = self.engine.execute(self.client, argv)
        if value is NO_REPLY and self.client.blocked is not None:
            # would block: in a sequential model the wait ends with nothing to take, as a timeout does
            self.client.blocked.cancel(self.engine, self.client)
            return NULL_ARRAY
        return value

    # -- states through the engine -------------------------------------------------------------------------------
    def snapshot(self) -> State:
        keys = self._execute(("KEYS", "*"))
        return tuple(sorted(self.read_keys(keys)))

    def read_keys(self, keys: Iterable[bytes]) -> list[tuple[bytes, str, Any]]:
        out = []
        for key in keys:
            kind = self._execute(("TYPE", key))
            if kind == "none":
                continue
            payload = self._execute((*_READ[kind][:1], key, *_READ[kind][1:]))
            if kind in _ORDERLESS:
                payload = sorted(zip(payload[::2], payload[1::2])) if kind == "hash" else sorted(payload)
            out.append((key, kind, _frozen(payload)))
        return out

    def restore(self, state: State) -> None:
        self._execute(("FLUSHALL",))
        for key, kind, payload in state:
            values = _flatten(kind, payload)
            reply = self._execute((_RESTORE[kind], key, *values))
            if type(reply) is Err:
                raise RuntimeError(f"the model cannot restore {kind} {key!r}: {reply}")
        self.held = state


def _merge(state: State, touched: frozenset[bytes], fresh: list) -> State:
    kept = [entry for entry in state if entry[0] not in touched]
    return tuple(sorted(kept + fresh))


def _frozen(payload: Any) -> Any:
    if isinstance(payload, list):
        return tuple(_frozen(p) for p in payload)
    return bytes(payload) if isinstance(payload, bytearray) else payload


def _flatten(kind: str, payload: Any) -> list[bytes]:
    if kind == "string":
        return [payload]
    if kind == "hash":
        return [x for pair in payload for x in pair]
    if kind == "zset":  # ZRANGE WITHSCORES gives member, score; ZADD wants score, member
        return [x for member, score in zip(payload[::2], payload[1::2]) for x in (score, member)]
    return list(payload)


def as_reply(value: Any) -> Reply:
    """An engine reply value as the typed reply a RESP2 client reads off the wire."""
    parser = ReplyParser()
    parser.feed(to_bytes(value, 2))
    return parser.get()


def describe_state(state: State) -> str:
    if not state:
        return "(empty keyspace)"
    return ", ".join(f"{Command.of(key)}={_show(kind, payload)}" for key, kind, payload in state)


def _show(kind: str, payload: Any) -> str:
    if kind == "string":
        return str(Command.of(payload))
    return f"{kind}[{' '.join(str(Command.of(p)) if isinstance(p, bytes) else str(p) for p in payload)}]"

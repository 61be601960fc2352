"""Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK…): FIFO per key, served after the command that fed them.

A blocking handler that cannot answer at once calls ``block(...)`` and returns NO_REPLY. After every top-level
command (after a whole EXEC or script, not in the middle of one), ``serve_ready_keys`` offers each key that received
data to its blocked clients, oldest first; ``expire_blocked`` answers the ones whose timeout passed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from . import errors, repl_stream
from .errors import CommandError
from .longdouble import parse_long_double
from .pubsub import with_own_pushes
from .keyspace import type_name
from .replies import NULL_ARRAY, NO_REPLY, Pushes

LLONG_MAX = (1 << 63) - 1


@dataclass(eq=False)
class BlockedOp:
    db: int
    keys: list[bytes]
    deadline_ms: int  # 0 = forever
    try_serve: Callable[[Any, Any], Any]  # (engine, client) -> reply, or None when still nothing to take
    timeout_reply: Any = NULL_ARRAY
    command: str = ""
    unblock_on_nokey: bool = False  # XREADGROUP: re-run (and fail) when the key is deleted, not only when fed
    awaits: str | None = None  # the value type that serves it; a key of another type leaves it waiting

    def wakes_for(self, value: Any) -> bool:
        """Redis re-runs a blocked command only for a key of its type, or for anything when unblock_on_nokey."""
        if self.unblock_on_nokey:
            return True
        return value is not None and (self.awaits is None or type_name(value) == self.awaits)

    def cancel(self, engine: Any, client: Any) -> None:
        db = engine.keyspace[self.db]
        for key in self.keys:
            waiting = db.blocked.get(key)
            if waiting and client in waiting:
                waiting.remove(client)
                if not waiting:
                    del db.blocked[key]
        client.blocked = None


def may_block(client: Any) -> bool:
    """Inside MULTI/EXEC or a script a blocking command answers at once, as if it timed out (CLIENT_DENY_BLOCKING)."""
    return "deny_blocking" not in client.flags


def parse_timeout_ms(engine: Any, arg: bytes) -> int:
    """A timeout in seconds as Redis's getTimeoutFromObjectOrReply reads it: the deadline in ms, 0 = forever."""
    seconds = parse_long_double(arg)
    if seconds is None:
        raise CommandError(errors.BLOCK_TIMEOUT_NOT_FLOAT)
    millis = seconds * 1000
    if millis > LLONG_MAX:
        raise CommandError(errors.BLOCK_TIMEOUT_OUT_OF_RANGE)
    whole = math.ceil(millis) if isinstance(millis, Fraction) or math.isfinite(millis) else millis  # -inf stays
    if whole < 0:
        raise CommandError(errors.BLOCK_TIMEOUT_NEGATIVE)
    if whole == 0:
        return 0
    now = engine.now_ms()
    if whole > LLONG_MAX - now:
        raise CommandError(errors.BLOCK_TIMEOUT_OUT_OF_RANGE)
    return int(whole) + now


_AWAITED_TYPE = {"list": "list", "sorted-set": "zset", "stream": "stream"}  # command group -> value type


def block(engine: Any, client: Any, keys: list[bytes], deadline_ms: int, try_serve: Callable[[Any, Any], Any],
          timeout_reply: Any = NULL_ARRAY, command: str = "", unblock_on_nokey: bool = False) -> Any:
    spec = engine.spec.get(command) if command else None
    awaits = _AWAITED_TYPE.get(spec.group) if spec is not None else None
    op = BlockedOp(client.db, list(dict.fromkeys(keys)), deadline_ms, try_serve, timeout_reply, command,
                   unblock_on_nokey, awaits)
    db = engine.keyspace[client.db]
    for key in op.keys:
        db.blocked.setdefault(key, []).append(client)
    client.blocked = op
    return NO_REPLY


def rerun(step: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`step` as a blocked client's re-run: an error it raises then (WRONGTYPE…) becomes that client's reply."""

    def try_serve(engine: Any, client: Any) -> Any:
        try:
            return step(engine, client)
        except CommandError as exc:
            return exc.reply

    return try_serve


def serve_or_block(engine: Any, client: Any, keys: list[bytes], deadline_ms: int, step: Callable[[Any, Any], Any],
                   command: str, denied: Any = NULL_ARRAY) -> Any:
    """Run `step` now; when it finds nothing (None), block until a key it waits on lets a re-run of it answer.

    Where blocking is denied (MULTI/EXEC, scripts) the answer is `denied` at once.
    """
    reply = step(engine, client)
    if reply is not None:
        return reply
    if not may_block(client):
        return denied
    return block(engine, client, keys, deadline_ms, rerun(step), NULL_ARRAY, command)


def serve_ready_keys(engine: Any) -> None:
    """Offer every ready key to its blocked clients in FIFO order, until no key is ready."""
    for _round in range(10_000):
        ready = engine.keyspace.ready_keys
        if not ready:
            return
        pending = list(ready)
        ready.clear()
        for index, key in pending:
            db = engine.keyspace[index]
            for client in list(db.blocked.get(key, ())):
                op = client.blocked
                if op is None or not op.wakes_for(_peek(db, key)):
                    continue
                reply = _run_as(engine, client, op)
                if reply is None:
                    _deliver_held(client)
                    continue
                op.cancel(engine, client)
                stream = repl_stream.active(engine)
                if stream is not None:  # the served command is an execution unit of its own
                    repl_stream.record_served(engine, op, reply, stream)
                for hook in engine.extensions.get("served_hooks", ()):  # client-side caching: XREAD's keys
                    hook(engine, client, op)
                if client.deliver is not None:
                    client.deliver(with_own_pushes(client, reply))


def _peek(db: Any, key: bytes) -> Any:
    """The key's value for deciding whether to serve, as Redis's LOOKUP_NOEFFECTS reads it: an expired key counts
    as missing but is not deleted here (its DEL comes when a command touches it)."""
    value = db.data.get(key)
    if value is not None and key in db.expires and db.expires[key] <= db.clock():
        return None
    return value


def _deliver_held(client: Any) -> None:
    held = client.extra.pop("pending_pushes", None)
    if held and client.deliver is not None:
        client.deliver(Pushes(held))


def _run_as(engine: Any, client: Any, op: BlockedOp) -> Any:
    """Re-run the blocked command in its database; what it pushes to its own client waits for its reply."""
    saved = client.db
    client.db = op.db
    client.extra["serving"] = True
    try:
        return op.try_serve(engine, client)
    finally:
        client.db = saved
        client.extra.pop("serving", None)


def expire_blocked(engine: Any, now_ms: int) -> int:
    """Answer every blocked client whose deadline passed; returns how many."""
    count = 0
    for client in list(engine.clients.values()):
        op = client.blocked
        if op is not None and op.deadline_ms and op.deadline_ms <= now_ms:
            op.cancel(engine, client)
            if client.deliver is not None:
                client.deliver(op.timeout_reply)
            count += 1
    return count


def unblock(engine: Any, client: Any, reply: Any) -> bool:
    """CLIENT UNBLOCK: answer a blocked client now with `reply`."""
    op = client.blocked
    if op is None:
        return False
    op.cancel(engine, client)
    if client.deliver is not None:
        client.deliver(reply)
    return True

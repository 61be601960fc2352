"""The replication stream a master sends the clients that attached with SYNC or PSYNC.

After an (empty) RDB payload a replica receives every change as a command, as Redis's propagation writes it:

- a write command is sent when it changed something (a key signalled as modified; a keyless write such as
  FLUSHALL or FUNCTION LOAD when it did not fail), rewritten as Redis rewrites it: relative expiries become
  absolute (SET ... PXAT, PEXPIREAT), GETDEL becomes DEL, INCRBYFLOAT a SET with KEEPTTL, SPOP an SREM...;
- the commands of one execution unit (a MULTI/EXEC, a script, a command) that sent more than one are wrapped in
  MULTI ... EXEC; a single one goes alone;
- a key deleted because it expired (on access or by the active cycle) is sent as DEL at once, never wrapped;
- SELECT precedes a command of another database than the previous one (and the first one after attaching).

Nothing is kept when no replica is attached: the engine asks `active()` before recording anything.
"""
from __future__ import annotations

import threading
from typing import Any

from .replies import Err, Raw

# An RDB file with no data: magic, version 12, EOF opcode, checksum 0 (checking disabled).
_EMPTY_RDB = b"REDIS0012\xff" + b"\x00" * 8
# Writes that are propagated without touching a key.
_KEYLESS_PROPAGATED = frozenset({"flushall", "flushdb", "swapdb", "function|load", "function|delete",
                                 "function|flush", "function|restore", "publish"})


class Stream:
    def __init__(self) -> None:
        self.replicas: list[Any] = []
        self.seldb = -1
        self.changes = 0  # keys signalled as modified, not by expiry
        self.unit: list[tuple[int, list[bytes]]] = []
        self.lock = threading.RLock()


def active(engine: Any) -> Stream | None:
    stream = engine.extensions.get("repl_stream")
    return stream if stream is not None and stream.replicas else None


def attach(engine: Any, client: Any, psync: bool) -> Raw:
    """SYNC/PSYNC: the client becomes a replica; the reply is the full-resync preamble and the RDB payload."""
    stream = engine.extensions.get("repl_stream")
    if stream is None:
        stream = engine.extensions.setdefault("repl_stream", Stream())
        _install_hooks(engine, stream)
    with stream.lock:
        stream.replicas.append(client)
        stream.seldb = -1
    client.flags.add("slave")
    head = b""
    if psync:
        from .replication import state
        head = b"+FULLRESYNC %s 0\r\n" % state(engine).replid.encode()
    return Raw(head + b"$%d\r\n" % len(_EMPTY_RDB) + _EMPTY_RDB)


def _install_hooks(engine: Any, stream: Stream) -> None:
    for hooks in ("drop_hooks", "reset_hooks"):
        engine.extensions.setdefault(hooks, []).append(_forget)
    for db in engine.keyspace.dbs:
        db.on_expired = _chain_expired(engine, db.on_expired)
        db.on_modified = chain_modified(db.on_modified, stream)


def _forget(engine: Any, client: Any) -> None:
    stream = engine.extensions.get("repl_stream")
    if stream is not None and client in stream.replicas:
        with stream.lock:
            stream.replicas.remove(client)


def _chain_expired(engine: Any, previous: Any) -> Any:
    def on_expired(db: Any, key: bytes) -> None:
        if previous is not None:
            previous(db, key)
        if active(engine) is not None:
            verb = b"UNLINK" if engine.config.get("lazyfree-lazy-expire") == "yes" else b"DEL"
            send(engine, [(db.index, [verb, key])])
    return on_expired


def chain_modified(previous: Any, stream: Stream) -> Any:
    """Count modified keys for the stream, then tell whoever listened before (client-side caching)."""
    def on_modified(db: Any, key: bytes, expired: bool) -> None:
        if not expired:
            stream.changes += 1
        if previous is not None:
            previous(db, key, expired)
    on_modified.stream_counter = True
    return on_modified


# -- recording ---------------------------------------------------------------------------------------------------
def record(engine: Any, client: Any, spec: Any, argv: list[bytes], reply: Any, changes_before: int,
           stream: Stream) -> None:
    """After one command ran (at any depth): add what it propagates to the current execution unit."""
    name = spec.name
    if type(reply) is Err:
        return
    if "write" not in spec.flags and name not in _KEYLESS_PROPAGATED:
        return
    if name not in _KEYLESS_PROPAGATED and stream.changes == changes_before:
        return
    from .propagate_rewrites import rewrite
    for line in rewrite(engine, client, name, argv, reply):
        stream.unit.append((client.db, line))


_SERVED_AS = {"blpop": b"LPOP", "brpop": b"RPOP", "bzpopmin": b"ZPOPMIN", "bzpopmax": b"ZPOPMAX"}


def record_served(engine: Any, op: Any, reply: Any, stream: Stream) -> None:
    """A blocked pop served after another command fed its key: sent as the plain pop of the key it took from."""
    verb = _SERVED_AS.get(op.command)
    if verb is None or not isinstance(reply, (list, tuple)) or not reply:
        return
    stream.unit.append((op.db, [verb, bytes(reply[0])]))
    end_unit(engine, stream)


def end_unit(engine: Any, stream: Stream) -> None:
    """The execution unit is over: send what it recorded, wrapped in MULTI/EXEC when more than one command."""
    unit, stream.unit = stream.unit, []
    if not unit:
        return
    if len(unit) > 1:
        unit = [(-1, [b"MULTI"]), *unit, (-1, [b"EXEC"])]
    send(engine, unit)


def send(engine: Any, lines: list[tuple[int, list[bytes]]]) -> None:
    stream = engine.extensions.get("repl_stream")
    if stream is None:
        return
    with stream.lock:
        out: list[bytes] = []
        for db, argv in lines:
            if db != -1 and db != stream.seldb:
                out.append(_encode([b"SELECT", str(db).encode()]))
                stream.seldb = db
            out.append(_encode(argv))
        data = Raw(b"".join(out))
        for replica in stream.replicas:
            if replica.deliver is not None:
                replica.deliver(data)


def _encode(argv: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for arg in argv:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)

"""Transactions group: MULTI, EXEC, DISCARD, WATCH, UNWATCH."""
from __future__ import annotations

from .. import errors
from ..replies import NULL_ARRAY, OK, Err
from . import command


def unwatch_all(engine, client) -> None:
    for (index, key) in client.watched:
        watchers = engine.keyspace[index].watchers.get(key)
        if watchers is not None:
            watchers.discard(client)
            if not watchers:
                del engine.keyspace[index].watchers[key]
    client.watched.clear()
    client.dirty_cas = False


def discard_transaction(engine, client) -> None:
    client.in_multi = False
    client.queue = []
    client.dirty_exec = False
    unwatch_all(engine, client)


@command("multi")
def multi(engine, client, argv):
    if client.in_multi:
        return Err(errors.MULTI_NESTED)
    client.in_multi = True
    return OK


@command("discard")
def discard(engine, client, argv):
    if not client.in_multi:
        return Err(errors.DISCARD_WITHOUT_MULTI)
    discard_transaction(engine, client)
    return OK


def _watched_key_expired_since(engine, client) -> bool:
    """Redis fails EXEC when a key that was live at WATCH time has expired since (even if nobody touched it)."""
    now = engine.now_ms()
    for (index, key), was_expired in client.watched.items():
        if was_expired:
            continue
        when = engine.keyspace[index].expires.get(key)
        if when is not None and when <= now and key in engine.keyspace[index].data:
            return True
    return False


@command("exec")
def exec_(engine, client, argv):
    if not client.in_multi:
        return Err(errors.EXEC_WITHOUT_MULTI)
    if client.dirty_exec:
        discard_transaction(engine, client)
        return Err(errors.EXECABORT)
    if client.dirty_cas or _watched_key_expired_since(engine, client):
        discard_transaction(engine, client)
        return NULL_ARRAY
    unwatch_all(engine, client)  # before running: the transaction's own writes must not fail it
    # While the queue runs the client stays "in MULTI" (CLIENT LIST shows flags=x, multi=N) and may not block.
    client.flags.add("deny_blocking")
    try:
        return [engine.call(client, spec, handler, args) for spec, handler, args in list(client.queue)]
    finally:
        client.flags.discard("deny_blocking")
        discard_transaction(engine, client)


@command("watch")
def watch(engine, client, argv):
    if client.in_multi:
        return Err(errors.WATCH_IN_MULTI)
    db = engine.keyspace[client.db]
    now = engine.now_ms()
    for key in argv[1:]:
        ident = (client.db, key)
        if ident in client.watched:
            continue
        when = db.expires.get(key)
        client.watched[ident] = key in db.data and when is not None and when <= now
        db.watchers.setdefault(key, set()).add(client)
    return OK


@command("unwatch")
def unwatch(engine, client, argv):
    unwatch_all(engine, client)
    return OK

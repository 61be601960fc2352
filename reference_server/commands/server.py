"""Server group, keyspace-wide commands: DBSIZE, FLUSHALL, FLUSHDB, SWAPDB, TIME, LASTSAVE.

INFO, CONFIG and COMMAND live in their own modules (info.py, config_cmd.py, command_cmd.py).
"""
from __future__ import annotations

from .. import errors, tracking
from ..blocking import may_block
from ..errors import CommandError
from ..replies import OK
from ..util import string2ll
from . import command


@command("dbsize")
def dbsize(engine, client, argv):
    return len(engine.db(client))


def _check_flush_options(engine, client, argv: list[bytes]) -> bool:
    """FLUSHALL/FLUSHDB take at most one of ASYNC or SYNC; both free memory at once here, so they only parse.

    Redis runs a synchronous flush in the background and answers when it is done, unless the client may not block
    (EXEC, scripts): the pushes the flush sends to its own client (tracking's null) then come before the +OK."""
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in (b"async", b"sync")):
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        asynchronous = argv[1].lower() == b"async"
    else:
        asynchronous = engine.config.get("lazyfree-lazy-user-flush") == "yes"
    if not asynchronous and may_block(client):
        client.extra["pushes_before_reply"] = True
    tracking.flushed(engine)
    return asynchronous or may_block(client)  # freed in the background: every key counts as lazyfreed


@command("flushall")
def flushall(engine, client, argv):
    lazily = _check_flush_options(engine, client, argv)
    for db in engine.keyspace.dbs:
        _count_dirty(engine, len(db))
        _count_lazyfreed(engine, lazily, len(db))
        db.flush()
    return OK


@command("flushdb")
def flushdb(engine, client, argv):
    lazily = _check_flush_options(engine, client, argv)
    db = engine.db(client)
    _count_dirty(engine, len(db))
    _count_lazyfreed(engine, lazily, len(db))
    db.flush()
    return OK


def _count_lazyfreed(engine, lazily: bool, keys: int) -> None:
    if lazily:
        engine.stats["lazyfreed_objects"] = engine.stats.get("lazyfreed_objects", 0) + keys


def _count_dirty(engine, changes: int) -> None:
    engine.stats["dirty"] = engine.stats.get("dirty", 0) + changes


def _db_index(arg: bytes, which: str) -> int:
    index = string2ll(arg)
    if index is None or not -(1 << 31) <= index < (1 << 31):  # Redis reads it as a C int
        raise CommandError(errors.SWAPDB_INVALID_INDEX % which)
    return index


@command("swapdb")
def swapdb(engine, client, argv):
    first, second = _db_index(argv[1], "first"), _db_index(argv[2], "second")
    count = len(engine.keyspace.dbs)
    if not (0 <= first < count and 0 <= second < count):
        raise CommandError(errors.DB_INDEX)
    if first != second:
        engine.keyspace.swap(first, second)
        _count_dirty(engine, 1)
    return OK


@command("time")
def time_(engine, client, argv):
    micros = engine.now_ms() * 1000  # the engine's clock has millisecond resolution
    return [b"%d" % (micros // 1_000_000), b"%d" % (micros % 1_000_000)]


@command("lastsave")
def lastsave(engine, client, argv):
    return engine.lastsave

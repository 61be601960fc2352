"""Lookups and value copies shared by the generic (keyspace) commands.

Redis distinguishes how a command looks a key up (lookupKeyRead or lookupKeyWrite, at each place a command looks):
reads count keyspace hits and misses and publish a "keymiss" notification (class m) for a key not found, "no touch"
reads leave the key's access time alone (TYPE, EXISTS, TTL, OBJECT), writes do none of it. All of them delete a key
found expired, whose "expired" notification comes before the miss's.
"""
from __future__ import annotations

import copy
from typing import Any

from .. import errors
from ..errors import CommandError
from ..keyspace import Database
from ..notify import notify
from ..util import string2ll

_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1


def peek(db: Database, key: bytes) -> Any:
    """The live value without touching its access time (an expired key is deleted on the way)."""
    when = db.expires.get(key)
    if when is not None and when <= db.clock():
        return db.get(key)
    return db.data.get(key)


def lookup_read(engine, db: Database, key: bytes, touch: bool = True, notify_miss: bool = True) -> Any:
    """A reading lookup, as Redis's lookupKeyRead: counts a keyspace hit or miss, and a miss is a "keymiss" event
    (but OBJECT's, which looks up with LOOKUP_NONOTIFY)."""
    value = db.get(key) if touch else peek(db, key)
    if value is not None:
        engine.stats["keyspace_hits"] += 1
        return value
    return read_missed(engine, db, key, notify_miss)


def read_missed(engine, db: Database, key: bytes, notify_miss: bool = True) -> None:
    """lookup_read's miss: counted, and a "keymiss" event."""
    engine.stats["keyspace_misses"] += 1
    if notify_miss:
        notify(engine, db, "m", "keymiss", key)
    return None


def read_typed(engine, db: Database, key: bytes, kind: type | tuple) -> Any:
    """A reading lookup of a value that must be of `kind`: None if missing, WRONGTYPE if of another type."""
    value = lookup_read(engine, db, key)
    if value is not None and not isinstance(value, kind):
        raise CommandError(errors.WRONGTYPE)
    return value


def duplicate(value: Any) -> Any:
    """An independent copy for COPY: strings keep their kind (bytes stay shared, being immutable)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray):
        return bytearray(value)
    own_copy = getattr(value, "copy", None)
    return own_copy() if callable(own_copy) else copy.deepcopy(value)


def parse_db_index(engine, arg: bytes) -> int:
    """A database index as MOVE and COPY DB take it: an int, then in range."""
    index = string2ll(arg)
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not _INT_MIN <= index <= _INT_MAX:
        raise CommandError(errors.VALUE_OUT_OF_RANGE_BETWEEN % (_INT_MIN, _INT_MAX))
    if not 0 <= index < len(engine.keyspace.dbs):
        raise CommandError(errors.DB_INDEX)
    return index

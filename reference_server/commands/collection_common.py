"""Small helpers the set, sorted-set and SORT commands share: Redis's integer-argument parsing and storing results."""
from __future__ import annotations

from typing import Any

from .. import errors
from ..errors import CommandError
from ..notify import notify
from ..util import string2ll

LONG_MAX = (1 << 63) - 1


def parse_long(arg: bytes, message: str = errors.NOT_INTEGER) -> int:
    """Redis's getLongFromObjectOrReply: `message` replaces the default error when given."""
    value = string2ll(arg)
    if value is None:
        raise CommandError(message)
    return value


def parse_range_long(arg: bytes, low: int, high: int, message: str | None = None) -> int:
    """Redis's getRangeLongFromObjectOrReply: one message for both a bad integer and one out of range."""
    value = string2ll(arg)
    if value is None:
        raise CommandError(message or errors.NOT_INTEGER)
    if not low <= value <= high:
        raise CommandError(message or errors.VALUE_OUT_OF_RANGE_BETWEEN % (low, high))
    return value


def parse_positive_long(arg: bytes, message: str | None = None) -> int:
    return parse_range_long(arg, 0, LONG_MAX, message or errors.VALUE_MUST_BE_POSITIVE)


def store_result(engine: Any, db: Any, key: bytes, value: Any, event_class: str, event: str) -> None:
    """Write a STORE result: an empty result deletes the destination ("del" if there was one), a new key wakes
    clients blocked on it; then `event` on the destination."""
    if not len(value):
        if db.delete(key):
            notify(engine, db, "g", "del", key)
        return
    if db.get(key) is None:
        db.add(key, value)
    else:
        db.set(key, value)
        db.signal_ready(key)
    notify(engine, db, event_class, event, key)

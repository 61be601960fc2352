"""String group, editing and counting: APPEND, SETRANGE, GETRANGE, SUBSTR, STRLEN, INCR, DECR, INCRBY, DECRBY,
INCRBYFLOAT.

APPEND and SETRANGE edit the stored value in place, as a `bytearray` (Redis's "raw" encoding); the counters store
their result as fresh `bytes` and keep the key's TTL, as Redis replaces only the value. INCRBYFLOAT's result is a
plain string object even when it reads as an integer ("embstr", not "int").
"""
from __future__ import annotations

from .. import errors
from ..errors import CommandError
from ..longdouble import add_long_double, format_long_double_human, is_finite, parse_long_double
from ..notify import notify
from ..util import LLONG_MAX, LLONG_MIN, string2ll
from . import command
from .generic_object import settle_created_with_expiry, string_object
from .strings import STRING_TYPES, parse_integer, read_string


def _write_string(engine, client, key: bytes):
    """The string at `key` for a writing command (no hit/miss counting): None when missing, WRONGTYPE otherwise."""
    return engine.db(client).get_typed(key, STRING_TYPES)


def _check_length(engine, size: int, extra: int) -> None:
    if size + extra > engine.config.get_int("proto-max-bulk-len"):
        raise CommandError(errors.STRING_TOO_LONG)


def _editable(engine, client, key: bytes, value) -> bytearray:
    """The key's value as a bytearray it owns, converting an unedited value (Redis unshares it first)."""
    if type(value) is not bytearray:
        value = bytearray(value)
        engine.db(client).set(key, value, keep_ttl=True)
    return value


# -- editing in place ----------------------------------------------------------------------------------------------
@command("append")
def append(engine, client, argv):
    key, suffix = argv[1], argv[2]
    value = _write_string(engine, client, key)
    if value is None:
        engine.db(client).set(key, suffix)
        notify(engine, client.db, "$", "append", key)
        return len(suffix)
    _check_length(engine, len(value), len(suffix))
    value = _editable(engine, client, key, value)
    value += suffix
    engine.db(client).signal(key)
    notify(engine, client.db, "$", "append", key)
    return len(value)


@command("setrange")
def setrange(engine, client, argv):
    key, patch = argv[1], argv[3]
    offset = parse_integer(argv[2])
    if offset < 0:
        raise CommandError(errors.OFFSET_OUT_OF_RANGE)
    value = _write_string(engine, client, key)
    if not patch:  # nothing to write: nothing is created or converted
        return 0 if value is None else len(value)
    _check_length(engine, offset, len(patch))
    if value is None:
        value = bytearray(offset + len(patch))
        engine.db(client).set(key, value)
    value = _editable(engine, client, key, value)
    if len(value) < offset:
        value.extend(bytes(offset - len(value)))
    value[offset:offset + len(patch)] = patch
    engine.db(client).signal(key)
    notify(engine, client.db, "$", "setrange", key)
    return len(value)


# -- reading parts -------------------------------------------------------------------------------------------------
def substring(value: bytes, start: int, end: int) -> bytes:
    """Redis 8.2's GETRANGE clamping: negative indexes count from the end and are clamped to the first byte."""
    size = len(value)
    if start < 0 and end < 0 and start > end:
        return b""
    start = max(start + size, 0) if start < 0 else start
    end = max(end + size, 0) if end < 0 else end
    end = min(end, size - 1)
    if start > end or size == 0:
        return b""
    return bytes(value[start:end + 1])


@command("getrange", "substr")
def getrange(engine, client, argv):
    start, end = parse_integer(argv[2]), parse_integer(argv[3])
    value = read_string(engine, client, argv[1])
    return b"" if value is None else substring(value, start, end)


@command("strlen")
def strlen(engine, client, argv):
    value = read_string(engine, client, argv[1])
    return 0 if value is None else len(value)


# -- integer counters ----------------------------------------------------------------------------------------------
def _increment(engine, client, key: bytes, delta: int) -> int:
    current = _write_string(engine, client, key)
    number = 0 if current is None else string2ll(bytes(current))
    if number is None:
        raise CommandError(errors.NOT_INTEGER)
    result = number + delta
    if not LLONG_MIN <= result <= LLONG_MAX:
        raise CommandError(errors.INCR_OVERFLOW)
    engine.db(client).set(key, b"%d" % result, keep_ttl=True)
    notify(engine, client.db, "$", "incrby", key)
    return result


@command("incr")
def incr(engine, client, argv):
    return _increment(engine, client, argv[1], 1)


@command("decr")
def decr(engine, client, argv):
    return _increment(engine, client, argv[1], -1)


@command("incrby")
def incrby(engine, client, argv):
    return _increment(engine, client, argv[1], parse_integer(argv[2]))


@command("decrby")
def decrby(engine, client, argv):
    delta = parse_integer(argv[2])
    if delta == LLONG_MIN:  # its negation does not fit in 64 bits
        raise CommandError(errors.DECREMENT_OVERFLOW)
    return _increment(engine, client, argv[1], -delta)


# -- floating point counter ----------------------------------------------------------------------------------------
@command("incrbyfloat")
def incrbyfloat(engine, client, argv):
    key = argv[1]
    current = _write_string(engine, client, key)
    number = parse_long_double(bytes(current)) if current is not None else parse_long_double(b"0")
    delta = parse_long_double(argv[2])
    if number is None or delta is None:
        raise CommandError(errors.NOT_FLOAT)
    result = add_long_double(number, delta)
    if not is_finite(result):
        raise CommandError(errors.INCRBYFLOAT_NAN_INF)
    text = format_long_double_human(result)
    db = engine.db(client)
    db.set(key, string_object(text), keep_ttl=True)
    settle_created_with_expiry(db, key)
    notify(engine, db, "$", "incrbyfloat", key)
    return text

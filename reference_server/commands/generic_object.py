"""OBJECT ENCODING / FREQ / IDLETIME / REFCOUNT / HELP, and how Redis 8.2 encodes a string value.

Redis 8.2 stores the key, the value object and the expiry in one allocation. A short string is "embstr" only while
key, value and expiry fit that allocation together, and a value that stopped fitting (an EXPIRE added, a RENAME to a
longer key) stays "raw" afterwards. Strings are kept as `bytes` here, with `bytearray` standing for a value known
to be raw; `settle_string_encoding` turns a bytes value into a bytearray at the moments Redis would make it raw.
"""
from __future__ import annotations

from .. import errors
from ..access import idle_ms, lfu_counter
from ..errors import CommandError
from ..util import string2ll
from . import command
from .generic_keys import lookup_read

_EMBSTR_MAX = 44  # longer strings are never embedded
_EMBED_BUDGET = 41  # key + value bytes that fit the 64-byte object with the key embedded
_EXPIRY_SIZE = 8
_OBJECT_HEADER = 16

HELP_LINES = [
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Print this help.",
]

def _size_class(size: int) -> int:
    """jemalloc's small size classes, as far as a string object can reach."""
    return 8 if size <= 8 else (size + 15) // 16 * 16


def _embeds(key_len: int, value_len: int, has_expire: bool) -> bool:
    if key_len + value_len > _EMBED_BUDGET:
        return False
    if not has_expire or key_len + value_len + _EXPIRY_SIZE <= _EMBED_BUDGET:
        return True
    # The object was sized without the expiry: it keeps embedding when its size class left room for one.
    key_header = 1 if key_len < 32 else 3
    needed = _OBJECT_HEADER + 1 + key_header + key_len + 1 + value_len + 4
    return _size_class(needed) >= needed + _EXPIRY_SIZE


class DigitString(bytes):
    """Digits Redis stored as a string without trying the integer encoding (INCRBYFLOAT's "124" is "embstr").

    Replies copy it to plain bytes (`strings.as_reply`); any write replaces it."""

    __slots__ = ()


def string_object(text: bytes) -> bytes:
    """A value built as Redis's createStringObject builds it: never "int", whatever it looks like."""
    return DigitString(text) if len(text) <= 20 and string2ll(text) is not None else text


def string_encoding(key: bytes, value: bytes | bytearray, has_expire: bool) -> str:
    if type(value) is bytearray:
        return "raw"
    if type(value) is bytes and len(value) <= 20 and string2ll(value) is not None:
        return "int"
    if len(value) <= _EMBSTR_MAX and _embeds(len(key), len(value), has_expire):
        return "embstr"
    return "raw"


def _frozen_unless(db, key: bytes, embeds: bool) -> None:
    value = db.data.get(key)
    if type(value) is not bytearray and isinstance(value, bytes) and not embeds \
            and string_encoding(key, value, key in db.expires) != "int":
        db.data[key] = bytearray(value)


def settle_string_encoding(db, key: bytes) -> None:
    """Freeze a string that is raw now (as stored under `key` with its current expiry) so it stays raw."""
    value = db.data.get(key, b"")
    _frozen_unless(db, key, string_encoding(key, value, key in db.expires) != "raw")


def settle_created_with_expiry(db, key: bytes) -> None:
    """A value stored on a key that already has a TTL (KEEPTTL, INCRBYFLOAT, SET EX over a TTL, RENAME, COPY) is
    sized with the expiry from the start: it embeds only if key, value and expiry fit, never in the spare room of
    an allocation made without the expiry (the room an EXPIRE added later may use)."""
    if key in db.expires:
        _frozen_unless(db, key, len(key) + len(db.data.get(key, b"")) + _EXPIRY_SIZE <= _EMBED_BUDGET)


def encoding_of(engine, db, key: bytes, value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return string_encoding(key, value, key in db.expires)
    return value.encoding(engine.config)


def _lookup(engine, db, key: bytes):
    """OBJECT's lookup (Redis's objectCommandLookup): a read that peeks and publishes no "keymiss"."""
    return lookup_read(engine, db, key, touch=False, notify_miss=False)


def _lfu_policy(engine) -> bool:
    return engine.config.get("maxmemory-policy").endswith("-lfu")


@command("object|encoding")
def object_encoding(engine, client, argv):
    db = engine.db(client)
    value = _lookup(engine, db, argv[2])
    return None if value is None else encoding_of(engine, db, argv[2], value).encode()


@command("object|refcount")
def object_refcount(engine, client, argv):
    # Values embedded with their key (Redis 8) are never shared, so every live one is referenced once.
    return None if _lookup(engine, engine.db(client), argv[2]) is None else 1


@command("object|idletime")
def object_idletime(engine, client, argv):
    db = engine.db(client)
    if _lookup(engine, db, argv[2]) is None:
        return None
    if _lfu_policy(engine):
        raise CommandError(errors.OBJECT_IDLETIME_UNDER_LFU)
    return idle_ms(db.lru.get(argv[2], 0), engine.now_ms()) // 1000


@command("object|freq")
def object_freq(engine, client, argv):
    db = engine.db(client)
    if _lookup(engine, db, argv[2]) is None:
        return None
    if not _lfu_policy(engine):
        raise CommandError(errors.OBJECT_FREQ_NEEDS_LFU)
    # the counter as decayed by now, without storing it (only an access does)
    return lfu_counter(db.lru.get(argv[2], 0), engine.now_ms(), engine.config.get_int("lfu-decay-time"))


@command("object|help")
def object_help(engine, client, argv):
    return list(HELP_LINES)

"""EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX/XX/GT/LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST."""
from __future__ import annotations

from .. import errors
from ..errors import CommandError
from ..notify import notify
from ..util import LLONG_MAX, LLONG_MIN, string2ll
from . import command
from .generic_keys import lookup_read
from .generic_object import settle_string_encoding

_CONDITIONS = (b"nx", b"xx", b"gt", b"lt")


def parse_conditions(argv: list[bytes], start: int = 3) -> set[bytes]:
    """NX/XX/GT/LT, case-insensitive, repeatable; the incompatible pairs are refused after all are read."""
    flags = set()
    for arg in argv[start:]:
        word = arg.lower()
        if word not in _CONDITIONS:
            raise CommandError(errors.UNSUPPORTED_OPTION % arg.decode("utf-8", "surrogateescape"))
        flags.add(word)
    if b"nx" in flags and len(flags) > 1:
        raise CommandError(errors.EXPIRE_NX_AND_OTHERS)
    if b"gt" in flags and b"lt" in flags:
        raise CommandError(errors.EXPIRE_GT_AND_LT)
    return flags


def absolute_ms(name: str, arg: bytes, base_ms: int, seconds: bool) -> int:
    """The expiry instant in ms; Redis refuses only what would overflow a signed 64-bit number."""
    when = string2ll(arg)
    if when is None:
        raise CommandError(errors.NOT_INTEGER)
    if seconds:
        if not LLONG_MIN // 1000 < when <= LLONG_MAX // 1000:  # C division truncates towards zero
            raise CommandError(errors.INVALID_EXPIRE % name)
        when *= 1000
    if when > LLONG_MAX - base_ms:
        raise CommandError(errors.INVALID_EXPIRE % name)
    return when + base_ms


def _condition_allows(flags: set[bytes], current: int | None, when: int) -> bool:
    if b"nx" in flags and current is not None:
        return False
    if b"xx" in flags and current is None:
        return False
    if b"gt" in flags and (current is None or when <= current):  # no expiry counts as an infinite one
        return False
    if b"lt" in flags and current is not None and when >= current:
        return False
    return True


def _expire_generic(engine, client, argv, *, relative: bool, seconds: bool) -> int:
    name = argv[0].decode("utf-8", "surrogateescape").lower()
    flags = parse_conditions(argv)
    when = absolute_ms(name, argv[2], engine.now_ms() if relative else 0, seconds)
    db, key = engine.db(client), argv[1]
    if db.get(key) is None:
        return 0
    if not _condition_allows(flags, db.expires.get(key), when):
        return 0
    if when <= engine.now_ms():  # already in the past: the key goes now
        db.delete(key)
        notify(engine, db, "g", "del", key)
        return 1
    db.set_expire(key, when)
    settle_string_encoding(db, key)
    notify(engine, db, "g", "expire", key)
    return 1


@command("expire")
def expire(engine, client, argv):
    return _expire_generic(engine, client, argv, relative=True, seconds=True)


@command("pexpire")
def pexpire(engine, client, argv):
    return _expire_generic(engine, client, argv, relative=True, seconds=False)


@command("expireat")
def expireat(engine, client, argv):
    return _expire_generic(engine, client, argv, relative=False, seconds=True)


@command("pexpireat")
def pexpireat(engine, client, argv):
    return _expire_generic(engine, client, argv, relative=False, seconds=False)


def _ttl_generic(engine, client, argv, *, millis: bool, absolute: bool) -> int:
    db, key = engine.db(client), argv[1]
    if lookup_read(engine, db, key, touch=False) is None:
        return -2
    when = db.expires.get(key)
    if when is None:
        return -1
    left = max(0, when if absolute else when - engine.now_ms())
    return left if millis else (left + 500) // 1000


@command("ttl")
def ttl(engine, client, argv):
    return _ttl_generic(engine, client, argv, millis=False, absolute=False)


@command("pttl")
def pttl(engine, client, argv):
    return _ttl_generic(engine, client, argv, millis=True, absolute=False)


@command("expiretime")
def expiretime(engine, client, argv):
    return _ttl_generic(engine, client, argv, millis=False, absolute=True)


@command("pexpiretime")
def pexpiretime(engine, client, argv):
    return _ttl_generic(engine, client, argv, millis=True, absolute=True)


@command("persist")
def persist(engine, client, argv):
    db, key = engine.db(client), argv[1]
    if db.get(key) is None:
        return 0
    settle_string_encoding(db, key)  # a value made raw by its expiry stays raw without it
    if not db.persist(key):
        return 0
    notify(engine, db, "g", "persist", key)
    return 1

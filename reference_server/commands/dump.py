"""DUMP, RESTORE and RESTORE-ASKING: values carried between servers in Redis's RDB serialization."""
from __future__ import annotations

from .. import errors
from ..access import lfu_field, lru_with_idle
from ..errors import CommandError
from ..rdb.deserialize import load_payload, payload_ok
from ..rdb.listpack import Malformed
from ..rdb.serialize import dump_payload
from ..util import string2ll
from . import command
from .generic_keys import lookup_read

_SIGN = 1 << 63


@command("dump")
def dump(engine, client, argv):
    value = lookup_read(engine, engine.db(client), argv[1])
    if value is None:
        return None
    config = engine.config
    try:
        return dump_payload(value, compress=config.get("rdbcompression") == "yes",
                            compress_depth=config.get_int("list-compress-depth"))
    except TypeError:  # a value with no RDB form here (vector sets: their graph is random, never Redis's own)
        raise CommandError(errors.DUMP_UNSUPPORTED % value.TYPE) from None


class RestoreOptions:
    __slots__ = ("replace", "absttl", "idle", "freq")

    def __init__(self) -> None:
        self.replace = self.absttl = False
        self.idle: int | None = None
        self.freq: int | None = None


def _integer(arg: bytes) -> int:
    n = string2ll(arg)
    if n is None:
        raise CommandError(errors.NOT_INTEGER)
    return n


def _parse_options(argv: list[bytes]) -> RestoreOptions:
    """REPLACE, ABSTTL, and one of IDLETIME / FREQ (the other then reads as a syntax error), in any order."""
    opts, j = RestoreOptions(), 4
    while j < len(argv):
        word, has_arg = argv[j].lower(), j + 1 < len(argv)
        if word == b"replace":
            opts.replace = True
        elif word == b"absttl":
            opts.absttl = True
        elif word == b"idletime" and has_arg and opts.freq is None:
            j += 1
            opts.idle = _integer(argv[j])
            if opts.idle < 0:
                raise CommandError(errors.RESTORE_BAD_IDLETIME)
        elif word == b"freq" and has_arg and opts.idle is None:
            j += 1
            opts.freq = _integer(argv[j])
            if not 0 <= opts.freq <= 255:
                raise CommandError(errors.RESTORE_BAD_FREQ)
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return opts


def _load(engine, payload: bytes):
    if not payload_ok(payload):
        raise CommandError(errors.DUMP_PAYLOAD_INVALID)
    try:
        return load_payload(payload, engine.config)
    except Malformed:
        raise CommandError(errors.DUMP_BAD_DATA) from None


@command("restore", "restore-asking")
def restore(engine, client, argv):
    opts = _parse_options(argv)
    db, key = engine.db(client), argv[1]
    if not opts.replace and db.get(key) is not None:
        raise CommandError(errors.BUSYKEY)
    ttl = _integer(argv[2])
    if ttl < 0:
        raise CommandError(errors.RESTORE_BAD_TTL)
    value = _load(engine, argv[3])
    if opts.replace:
        db.delete(key)
    now = engine.now_ms()
    if ttl and not opts.absttl:
        ttl = (ttl + now + _SIGN) % (1 << 64) - _SIGN  # C's signed addition wraps: a huge TTL lands in the past
    if ttl and ttl <= now:  # already expired: the key is gone (replaced or not), and that is a success
        return "OK"
    db.add(key, value)
    if ttl:
        db.set_expire(key, ttl)
    # Redis's objectSetLRUOrLFU: FREQ counts under an LFU policy only, IDLETIME under any other
    if engine.config.get("maxmemory-policy").endswith("-lfu"):
        if opts.freq is not None:
            db.lru[key] = lfu_field(opts.freq, now)
    elif opts.idle is not None:
        db.lru[key] = lru_with_idle(opts.idle, now)
    return "OK"

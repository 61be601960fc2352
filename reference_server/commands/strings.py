"""String group, reading and writing whole values: GET, SET (and its options), SETNX, SETEX, PSETEX, GETSET,
GETDEL, GETEX, MGET, MSET, MSETNX.

Values are `bytes`; a value edited in place (APPEND, SETRANGE) is a `bytearray` owned by its key, so replies
always send a copy of it. The in-place and numeric commands live in string_edits.py, LCS in string_lcs.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..errors import CommandError
from ..notify import notify
from ..replies import OK
from ..util import LLONG_MAX, string2ll
from . import command
from .generic_keys import lookup_read, read_missed
from .generic_object import settle_created_with_expiry, settle_string_encoding

STRING_TYPES = (bytes, bytearray)


# -- lookups shared by the string modules ----------------------------------------------------------------------
def read_string(engine, client, key: bytes):
    """The string at `key` for a reading command (a keyspace hit or miss): None when missing, WRONGTYPE when not
    a string."""
    value = lookup_read(engine, engine.db(client), key)
    if value is not None and not isinstance(value, STRING_TYPES):
        raise CommandError(errors.WRONGTYPE)
    return value


def as_reply(value):
    """A stored string as a bulk reply; a bytearray is copied, since the key may be edited before it is sent (and a
    DigitString is made plain bytes, the type replies are encoded from)."""
    return value if value is None or type(value) is bytes else bytes(value)


def c_string(arg: bytes) -> bytes:
    """An argument as Redis's C option parsers see it: cut at the first NUL byte, lower-cased."""
    return arg.split(b"\0", 1)[0].lower()


def parse_integer(arg: bytes) -> int:
    value = string2ll(arg)
    if value is None:
        raise CommandError(errors.NOT_INTEGER)
    return value


# -- SET / GETEX options ---------------------------------------------------------------------------------------
# token -> (milliseconds per unit, relative to now)
_EXPIRY_TOKENS = {b"ex": (1000, True), b"px": (1, True), b"exat": (1000, False), b"pxat": (1, False)}


@dataclass
class StringOptions:
    nx: bool = False
    xx: bool = False
    get: bool = False
    keepttl: bool = False
    persist: bool = False
    expiry: bytes | None = None  # ex | px | exat | pxat
    expiry_arg: bytes = b""


NO_OPTIONS = StringOptions()


def parse_string_options(argv: list[bytes], start: int, for_set: bool) -> StringOptions:
    """SET's options (for_set) or GETEX's; a conflicting or unknown option is a syntax error, a repeat is not."""
    if len(argv) == start:  # none given: the defaults, shared (callers read options, never change them)
        return NO_OPTIONS
    opts = StringOptions()
    j = start
    while j < len(argv):
        token, has_next = c_string(argv[j]), j + 1 < len(argv)
        if not _apply_option(opts, token, has_next, for_set):
            raise CommandError(errors.SYNTAX)
        if token in _EXPIRY_TOKENS:
            opts.expiry_arg = argv[j + 1]
            j += 1
        j += 1
    return opts


def _apply_option(opts: StringOptions, token: bytes, has_next: bool, for_set: bool) -> bool:
    if for_set and token == b"nx" and not opts.xx:
        opts.nx = True
    elif for_set and token == b"xx" and not opts.nx:
        opts.xx = True
    elif for_set and token == b"get":
        opts.get = True
    elif for_set and token == b"keepttl" and opts.expiry is None:
        opts.keepttl = True
    elif not for_set and token == b"persist" and opts.expiry is None:
        opts.persist = True
    elif token in _EXPIRY_TOKENS and has_next and not (opts.keepttl or opts.persist) \
            and opts.expiry in (None, token):
        opts.expiry = token
    else:
        return False
    return True


def expire_at_ms(engine, command_name: str, token: bytes, arg: bytes) -> int:
    """The absolute expiry (unix ms) an EX/PX/EXAT/PXAT argument asks for, with Redis's overflow checks."""
    amount = parse_integer(arg)
    unit, relative = _EXPIRY_TOKENS[token]
    if amount <= 0 or amount > LLONG_MAX // unit:
        raise CommandError(errors.INVALID_EXPIRE % command_name)
    when = amount * unit + (engine.now_ms() if relative else 0)
    if when > LLONG_MAX:  # Redis's signed addition would wrap to a negative time
        raise CommandError(errors.INVALID_EXPIRE % command_name)
    return when


# -- SET and its variants --------------------------------------------------------------------------------------
def set_string(engine, client, key: bytes, value: bytes, opts: StringOptions, command_name: str,
               ok_reply=OK, abort_reply=None):
    """The shared body of SET, SETNX, SETEX and PSETEX (Redis's setGenericCommand)."""
    when = expire_at_ms(engine, command_name, opts.expiry, opts.expiry_arg) if opts.expiry else None
    old = as_reply(read_string(engine, client, key)) if opts.get else None
    db = engine.keyspace.dbs[client.db]  # engine.db(client)
    found = db.get(key) is not None  # db.exists: the lookup Redis's setGenericCommand makes
    if (opts.nx and found) or (opts.xx and not found):
        return old if opts.get else abort_reply
    db.set(key, value, keep_ttl=opts.keepttl or when is not None)
    if key in db.expires:
        settle_created_with_expiry(db, key)
    if engine.config.values["notify-keyspace-events"]:  # (notify's own first test, without the call)
        notify(engine, db, "$", "set", key)
    if when is not None:
        db.set_expire(key, when)
        notify(engine, db, "g", "expire", key)
    return old if opts.get else ok_reply


@command("set")
def set_(engine, client, argv):
    if len(argv) == 3:  # no options, the commonest SET: what set_string does for them, without the options
        key = argv[1]
        db = engine.keyspace.dbs[client.db]  # engine.db(client)
        db.get(key)  # the lookup Redis's setGenericCommand makes (lazy expiry, the key's access field)
        db.set(key, argv[2])
        if engine.config.values["notify-keyspace-events"]:  # (notify's own first test, without the call)
            notify(engine, db, "$", "set", key)
        return OK
    opts = parse_string_options(argv, 3, for_set=True)
    return set_string(engine, client, argv[1], argv[2], opts, "set")


@command("setnx")
def setnx(engine, client, argv):
    return set_string(engine, client, argv[1], argv[2], StringOptions(nx=True), "setnx", ok_reply=1, abort_reply=0)


@command("setex")
def setex(engine, client, argv):
    opts = StringOptions(expiry=b"ex", expiry_arg=argv[2])
    return set_string(engine, client, argv[1], argv[3], opts, "setex")


@command("psetex")
def psetex(engine, client, argv):
    opts = StringOptions(expiry=b"px", expiry_arg=argv[2])
    return set_string(engine, client, argv[1], argv[3], opts, "psetex")


# -- GET and its variants --------------------------------------------------------------------------------------
@command("get")
def get(engine, client, argv):
    db = engine.keyspace.dbs[client.db]  # engine.db(client)
    value = db.get(argv[1])  # lookup_read, inline
    if value is None:
        return read_missed(engine, db, argv[1])
    engine.stats["keyspace_hits"] += 1
    if type(value) is bytes:  # as_reply(read_string(…)) for the commonest values, inline
        return value
    if not isinstance(value, STRING_TYPES):
        raise CommandError(errors.WRONGTYPE)
    return bytes(value)


@command("getset")
def getset(engine, client, argv):
    old = as_reply(read_string(engine, client, argv[1]))
    engine.db(client).set(argv[1], argv[2], lookup=True)
    notify(engine, client.db, "$", "set", argv[1])
    return old


@command("getdel")
def getdel(engine, client, argv):
    old = as_reply(read_string(engine, client, argv[1]))
    if old is not None:
        engine.db(client).delete(argv[1])
        notify(engine, client.db, "g", "del", argv[1])
    return old


@command("getex")
def getex(engine, client, argv):
    opts = parse_string_options(argv, 2, for_set=False)
    value = as_reply(read_string(engine, client, argv[1]))
    if value is None:
        return None
    when = expire_at_ms(engine, "getex", opts.expiry, opts.expiry_arg) if opts.expiry else None
    db = engine.db(client)
    if when is not None and opts.expiry in (b"exat", b"pxat") and when <= engine.now_ms():
        db.delete(argv[1])  # an absolute time already past deletes the key at once
        notify(engine, db, "g", "del", argv[1])
    elif when is not None:
        db.set_expire(argv[1], when)
        settle_string_encoding(db, argv[1])
        notify(engine, db, "g", "expire", argv[1])
    elif opts.persist:
        settle_string_encoding(db, argv[1])  # a value made raw by its expiry stays raw without it
        if db.persist(argv[1]):
            notify(engine, db, "g", "persist", argv[1])
    return value


# -- several keys at once ----------------------------------------------------------------------------------------
@command("mget")
def mget(engine, client, argv):
    db = engine.db(client)
    values = (lookup_read(engine, db, key) for key in argv[1:])
    return [as_reply(v) if isinstance(v, STRING_TYPES) else None for v in values]


def _pairs(argv: list[bytes], command_name: str) -> list[tuple[bytes, bytes]]:
    """Key/value pairs; a key without its value is reported as a wrong number of arguments."""
    if len(argv) % 2 == 0:
        raise CommandError(errors.WRONG_ARITY % command_name)
    return list(zip(argv[1::2], argv[2::2]))


@command("mset")
def mset(engine, client, argv):
    db = engine.db(client)
    for key, value in _pairs(argv, "mset"):
        db.set(key, value, lookup=True)
        notify(engine, db, "$", "set", key)
    return OK


@command("msetnx")
def msetnx(engine, client, argv):
    pairs = _pairs(argv, "msetnx")
    db = engine.db(client)
    if any(db.exists(key) for key, _ in pairs):
        return 0
    for key, value in pairs:
        db.set(key, value)
        notify(engine, db, "$", "set", key)
    return 1

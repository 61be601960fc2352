"""Hash field expiry (Redis 7.4/8.0): HEXPIRE family, HTTL family, HPERSIST, HGETDEL, HGETEX, HSETEX, and the
active expiry of hash fields.

Per-field reply codes as Redis gives them: -2 no such field (or key), 0 condition not met, 1 done, 2 deleted
because the time is already past; for HTTL/HPERSIST -1 means the field has no TTL. A hash whose last field is
deleted this way is deleted. Expiry times are capped at Redis's hash-field limit (2**48-1 >> 2 ms).
"""
from __future__ import annotations

from .. import errors
from ..datatypes.hash import HashValue
from ..errors import CommandError
from ..notify import notify
from ..util import string2ll
from . import command
from .collection_common import parse_long, parse_range_long
from .hash import LONG_MAX, after_fields_expired, expire_looked_up, get_hash, hash_for_write, store, write_field

MAX_EXPIRE_MS = 0xFFFFFFFFFFFF >> 2  # HFE_MAX_ABS_TIME_MSEC
NO_FIELD, NOT_MET, DONE, DELETED, NO_TTL = -2, 0, 1, 2, -1


def _name(argv) -> str:
    return argv[0].decode("utf-8", "replace").lower()


def parse_fields(argv: list[bytes], at: int, numfields_error: str) -> list[bytes]:
    """The `FIELDS numfields field...` block starting at argv[at], which must run to the end of the command."""
    if at + 1 >= len(argv) or argv[at].lower() != b"fields":
        raise CommandError(errors.HFE_FIELDS_MISSING)
    numfields = parse_range_long(argv[at + 1], 1, LONG_MAX, numfields_error)
    if numfields != len(argv) - at - 2:
        raise CommandError(errors.HFE_NUMFIELDS_MISMATCH)
    return list(argv[at + 2:])


def absolute_ms(arg: bytes, seconds: bool, base_ms: int, name: str) -> int:
    """An expiry argument as an absolute unix time in ms, with Redis's range checks for hash fields."""
    when = parse_long(arg)
    if when < 0:
        raise CommandError(errors.HFE_EXPIRE_NEGATIVE)
    if seconds:
        if when > MAX_EXPIRE_MS // 1000:
            raise CommandError(errors.INVALID_EXPIRE % name)
        when *= 1000
    if when > MAX_EXPIRE_MS - base_ms:
        raise CommandError(errors.INVALID_EXPIRE % name)
    return when + base_ms


def _expire_or_delete(engine, h, field: bytes, when: int) -> int:
    if when <= engine.now_ms():
        h.delete(field)
        return DELETED
    h.set_ttl(field, when)
    _expire_in_background(engine)
    return DONE


def _notify_ttl_change(engine, db, key: bytes, h, deleted: bool) -> None:
    """After TTLs were set: "hdel" if a time already past deleted a field ("del" after it if the hash went),
    else "hexpire"."""
    if not deleted:
        notify(engine, db, "h", "hexpire", key)
        return
    notify(engine, db, "h", "hdel", key)
    if not len(h):
        notify(engine, db, "g", "del", key)


# -- the active expire cycle's share: expired fields go within a cycle (~100 ms), and a hash left empty with them ------
def _expire_in_background(engine) -> None:
    """From the first field TTL on, the engine's active expire cycle also sweeps hash fields."""
    hooks = engine.extensions.setdefault("active_expire_hooks", [])
    if expire_hash_fields not in hooks:
        hooks.append(expire_hash_fields)


def expire_hash_fields(engine) -> int:
    """Remove every expired hash field, with one "hexpired" per hash that lost some and "del" after it for a hash
    left empty (deleted). Returns how many fields went."""
    now, gone = engine.now_ms(), 0
    for db in engine.keyspace.dbs:
        for key in [k for k, v in db.data.items() if type(v) is HashValue and v.expires]:
            h = db.data[key]
            removed = h.purge(now)
            after_fields_expired(engine, db, key, h, removed)
            gone += removed
    return gone


# -- HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT ----------------------------------------------------------------------
_CONDITIONS = (b"nx", b"xx", b"gt", b"lt")


def _condition_met(condition: bytes | None, current: int | None, when: int) -> bool:
    if current is None:  # no TTL counts as an infinite one
        return condition not in (b"xx", b"gt")
    return not (condition == b"nx" or (condition == b"gt" and current >= when)
                or (condition == b"lt" and current <= when))


def _hexpire(engine, client, argv, seconds: bool, relative: bool):
    db = engine.db(client)
    h = get_hash(engine, db, argv[1], fields=())  # an expired field not yet removed takes the new time (live Redis)
    when = absolute_ms(argv[2], seconds, engine.now_ms() if relative else 0, _name(argv))
    condition = argv[3].lower() if argv[3].lower() in _CONDITIONS else None
    fields = parse_fields(argv, 3 if condition is None else 4, errors.HFE_NUMFIELDS_GREATER_THAN_0)
    if h is None:
        return [NO_FIELD] * len(fields)
    h.allow_ttl()
    replies = []
    for field in fields:
        if h.get(field) is None:
            replies.append(NO_FIELD)
        elif not _condition_met(condition, h.ttl_of(field), when):
            replies.append(NOT_MET)
        else:
            replies.append(_expire_or_delete(engine, h, field, when))
    if DONE in replies or DELETED in replies:
        store(db, argv[1], h, False)
        _notify_ttl_change(engine, db, argv[1], h, DELETED in replies)
    return replies


@command("hexpire")
def hexpire(engine, client, argv):
    return _hexpire(engine, client, argv, seconds=True, relative=True)


@command("hpexpire")
def hpexpire(engine, client, argv):
    return _hexpire(engine, client, argv, seconds=False, relative=True)


@command("hexpireat")
def hexpireat(engine, client, argv):
    return _hexpire(engine, client, argv, seconds=True, relative=False)


@command("hpexpireat")
def hpexpireat(engine, client, argv):
    return _hexpire(engine, client, argv, seconds=False, relative=False)


# -- HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST --------------------------------------------------------------
def _httl(engine, client, argv, seconds: bool, relative: bool):
    h = get_hash(engine, engine.db(client), argv[1], read=True, fields=())
    fields = parse_fields(argv, 2, errors.HFE_NUMFIELDS_POSITIVE)
    now = engine.now_ms()
    base = now if relative else 0
    replies = []
    for field in fields:
        if h is None or h.get(field) is None or h.is_expired(field, now):  # reported gone, not removed
            replies.append(NO_FIELD)
        elif (when := h.ttl_of(field)) is None:
            replies.append(NO_TTL)
        else:
            replies.append((when + 999 - base) // 1000 if seconds else when - base)
    return replies


@command("httl")
def httl(engine, client, argv):
    return _httl(engine, client, argv, seconds=True, relative=True)


@command("hpttl")
def hpttl(engine, client, argv):
    return _httl(engine, client, argv, seconds=False, relative=True)


@command("hexpiretime")
def hexpiretime(engine, client, argv):
    return _httl(engine, client, argv, seconds=True, relative=False)


@command("hpexpiretime")
def hpexpiretime(engine, client, argv):
    return _httl(engine, client, argv, seconds=False, relative=False)


@command("hpersist")
def hpersist(engine, client, argv):
    db = engine.db(client)
    h = get_hash(engine, db, argv[1], fields=())
    fields = parse_fields(argv, 2, errors.HFE_NUMFIELDS_POSITIVE)
    now, replies = engine.now_ms(), []
    for field in fields:
        if h is None or h.get(field) is None or h.is_expired(field, now):  # reported gone, not removed
            replies.append(NO_FIELD)
        else:
            replies.append(DONE if h.clear_ttl(field) else NO_TTL)
    if DONE in replies:
        db.signal(argv[1])
        notify(engine, db, "h", "hpersist", argv[1])
    return replies


# -- HGETDEL, HGETEX -----------------------------------------------------------------------------------------------
@command("hgetdel")
def hgetdel(engine, client, argv):
    db = engine.db(client)
    h = get_hash(engine, db, argv[1], fields=())
    fields = parse_fields(argv, 2, errors.HFE_NUMFIELDS_POSITIVE)
    if h is None or not expire_looked_up(engine, db, argv[1], h, fields):
        return [None] * len(fields)
    values = []
    for field in fields:
        values.append(h.get(field))
        h.delete(field)
    if any(v is not None for v in values):
        store(db, argv[1], h, False)
        notify(engine, db, "h", "hdel", argv[1])
        if not len(h):
            notify(engine, db, "g", "del", argv[1])
    return values


_GETEX_EXPIRY = {b"ex": (True, True), b"px": (False, True), b"exat": (True, False), b"pxat": (False, False)}


def _parse_getex(engine, argv) -> tuple[str | int | None, list[bytes]]:
    """(None | "persist" | absolute ms, fields)."""
    option = argv[2].lower()
    if option in _GETEX_EXPIRY:
        seconds, relative = _GETEX_EXPIRY[option]
        when = absolute_ms(argv[3], seconds, engine.now_ms() if relative else 0, "hgetex")
        return when, parse_fields(argv, 4, errors.HFE_NUMFIELDS_POSITIVE)
    if option == b"persist":
        return "persist", parse_fields(argv, 3, errors.HFE_NUMFIELDS_POSITIVE)
    return None, parse_fields(argv, 2, errors.HFE_NUMFIELDS_POSITIVE)


@command("hgetex")
def hgetex(engine, client, argv):
    db = engine.db(client)
    h = get_hash(engine, db, argv[1], fields=())
    action, fields = _parse_getex(engine, argv)
    if h is None or not expire_looked_up(engine, db, argv[1], h, fields):
        return [None] * len(fields)
    if action is not None:
        h.allow_ttl()
    values, changed, deleted = [], False, False
    for field in fields:
        value = h.get(field)
        values.append(value)
        if value is None or action is None:
            continue
        if action == "persist":
            changed |= h.clear_ttl(field)
        else:
            deleted |= _expire_or_delete(engine, h, field, action) == DELETED
            changed = True
    if changed:
        store(db, argv[1], h, False)
        if action == "persist":
            notify(engine, db, "h", "hpersist", argv[1])
        else:
            _notify_ttl_change(engine, db, argv[1], h, deleted)
    return values


# -- HSETEX --------------------------------------------------------------------------------------------------------
_SETEX_EXPIRY = {b"ex": (True, True), b"px": (False, True), b"exat": (True, False), b"pxat": (False, False)}


def _parse_setex(engine, argv) -> tuple[bytes | None, str | int | None, list[bytes]]:
    """(FNX/FXX or None, None | "keepttl" | absolute ms, [field, value, ...]) in Redis's parsing order."""
    condition, expiry, i = None, None, 2
    while i < len(argv):
        word = argv[i].lower()
        if word == b"fields":
            numfields = string_to_count(argv[i + 1]) if i + 1 < len(argv) else None
            if numfields is None:
                raise CommandError(errors.HSETEX_NUMFIELDS)
            if numfields * 2 != len(argv) - i - 2:
                raise CommandError(errors.WRONG_ARITY % "hsetex")
            return condition, expiry, list(argv[i + 2:])
        if word in (b"fnx", b"fxx"):
            if condition is not None:
                raise CommandError(errors.HSETEX_FNX_FXX)
            condition, i = word, i + 1
        elif word in _SETEX_EXPIRY or word == b"keepttl":
            if expiry is not None:
                raise CommandError(errors.HSETEX_ONE_EXPIRY)
            if word == b"keepttl":
                expiry, i = "keepttl", i + 1
            else:
                seconds, relative = _SETEX_EXPIRY[word]
                arg = argv[i + 1] if i + 1 < len(argv) else b""
                expiry, i = absolute_ms(arg, seconds, engine.now_ms() if relative else 0, "hsetex"), i + 2
        else:
            raise CommandError(errors.HSETEX_UNKNOWN_ARGUMENT % argv[i].decode("utf-8", "surrogateescape"))
    raise CommandError(errors.HFE_FIELDS_MISSING)


def string_to_count(arg: bytes) -> int | None:
    n = string2ll(arg)
    return n if n is not None and n > 0 else None


def _all_present(engine, db, key: bytes, h, fields: list[bytes]) -> bool:
    """FXX: the fields are looked up one by one, an expired one dropped, until the first one missing."""
    now, gone = engine.now_ms(), 0
    for field in fields:
        gone += h.expire_field(field, now)
        if h.get(field) is None:
            after_fields_expired(engine, db, key, h, gone)
            return False
    return True


@command("hsetex")
def hsetex(engine, client, argv):
    condition, expiry, pairs = _parse_setex(engine, argv)
    db = engine.db(client)
    h, is_new = hash_for_write(engine, db, argv[1])
    fields = pairs[0::2]
    if condition == b"fxx" and not _all_present(engine, db, argv[1], h, fields):
        return 0
    if condition == b"fnx":
        expire_looked_up(engine, db, argv[1], h, fields, keep_empty=True)  # emptied, it is kept for the new fields
        if any(h.get(f) is not None for f in fields):
            return 0
    h.fit(engine.config, pairs, len(fields))
    if isinstance(expiry, int):
        h.allow_ttl()
    deleted = False
    for field, value in zip(fields, pairs[1::2]):
        write_field(engine, h, field, value, keep_ttl=expiry == "keepttl")
        if isinstance(expiry, int):
            deleted |= _expire_or_delete(engine, h, field, expiry) == DELETED
    store(db, argv[1], h, is_new)
    if is_new and not len(h):
        db.signal(argv[1])  # Redis created the key and deleted it at once: WATCHers see a change (found by the fuzzer)
        notify(engine, db, "n", "new", argv[1])  # and published its "new"
    notify(engine, db, "h", "hset", argv[1])
    if isinstance(expiry, int):
        _notify_ttl_change(engine, db, argv[1], h, deleted)
    return 1

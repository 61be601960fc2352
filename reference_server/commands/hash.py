"""Hash group: HSET and friends, increments, reads, HRANDFIELD, HSCAN. Field expiry commands are in hash_ttl.py.

Expired fields are removed as Redis removes them: by the active expire cycle (hash_ttl.py), or by a command that
looks fields up one by one (HGET, HMGET, HEXISTS, HSTRLEN, HINCRBY, HSETNX, HGETDEL, HGETEX, HSETEX FNX/FXX), which
drops those of its fields that expired (HRANDFIELD drops them all) and deletes a hash left empty, publishing one
"hexpired" and then "del". Until then they are still stored: HLEN counts them, HSET over one is an update and HDEL
deletes it, HEXPIRE gives one a new time, while HTTL and HPERSIST report it gone and HGETALL, HKEYS, HVALS and HSCAN
skip it, all without removing anything.
"""
from __future__ import annotations

from .. import errors
from ..datatypes.hash import HASHTABLE, HashValue
from ..errors import CommandError
from ..notify import notify
from ..longdouble import add_long_double, format_long_double_human, is_finite, parse_long_double
from ..replies import OK, Map
from ..scan import parse_cursor, parse_scan_options, scan, glob_matcher
from ..util import LLONG_MAX, LLONG_MIN, string2ll
from . import command
from .collection_common import parse_long, parse_range_long
from .generic_keys import read_typed

LONG_MAX = (1 << 63) - 1


# -- shared by hash_ttl.py -----------------------------------------------------------------------------------------
def get_hash(engine, db, key: bytes, read: bool = False, fields=None, keep_empty: bool = False) -> HashValue | None:
    """The hash at `key` after lazy field expiry (None if missing or emptied by it), WRONGTYPE otherwise. `read`: a
    reading command's lookup (a keyspace hit or miss), else a writing one's. `fields`: the fields the command looks
    up, each dropped if expired, as Redis does field by field; None drops every expired field (HRANDFIELD's sweep);
    () none. `keep_empty`: a write about to add fields keeps a hash that lost them all."""
    h = read_typed(engine, db, key, HashValue) if read else db.get_typed(key, HashValue)
    if h is None or not h.expires or fields == ():
        return h
    if fields is None:
        alive = after_fields_expired(engine, db, key, h, h.purge(engine.now_ms()), keep_empty)
    else:
        alive = expire_looked_up(engine, db, key, h, fields, keep_empty)
    return h if alive else None


def expire_looked_up(engine, db, key: bytes, h: HashValue, fields, keep_empty: bool = False) -> bool:
    """Redis's lazy field expiry: each of the fields a command looks up is dropped if expired, the others stay
    (HLEN still counts them). False if the hash went with them."""
    now = engine.now_ms()
    return after_fields_expired(engine, db, key, h, sum(h.expire_field(f, now) for f in fields), keep_empty)


def after_fields_expired(engine, db, key: bytes, h: HashValue, gone: int, keep_empty: bool = False,
                      notify_it: bool = True) -> bool:
    """After `gone` fields of `h` expired (on access or in the active expire cycle): one "hexpired" for them all,
    then "del" if the hash went empty (deleted unless `keep_empty`). Returns whether the hash is still there."""
    if not gone:
        return True
    engine.stats["expired_subkeys"] = engine.stats.get("expired_subkeys", 0) + gone
    if notify_it:
        notify(engine, db, "h", "hexpired", key)
    if len(h) or keep_empty:
        return True
    if notify_it:
        notify(engine, db, "g", "del", key)
    db.delete(key)
    return False


def hash_for_write(engine, db, key: bytes, fields=(), keep_empty: bool = False) -> tuple[HashValue, bool]:
    """(hash, is_new): a fresh empty hash when the key is missing; `store` adds it to the keyspace. `fields`: the
    fields looked up first, each dropped if expired (by default none: HSET over an expired field updates it)."""
    h = get_hash(engine, db, key, fields=fields, keep_empty=keep_empty)
    return (HashValue(), True) if h is None else (h, False)


def store(db, key: bytes, h: HashValue, is_new: bool) -> None:
    """After a write: an empty hash is deleted, a new one added, an existing one signalled to WATCHers."""
    if not len(h):
        if not is_new:
            db.delete(key)
    elif is_new:
        db.add(key, h)
    else:
        db.signal(key)


def write_field(engine, h: HashValue, field: bytes, value: bytes, keep_ttl: bool = False) -> bool:
    """Set one field as Redis's hashTypeSet does, converting to hashtable for a long field or value or too many
    entries; returns True if the field is new."""
    if h.enc != HASHTABLE:
        limit = engine.config.get_int("hash-max-listpack-value")
        if len(field) > limit or len(value) > limit:
            h.enc = HASHTABLE
    is_new = h.set(field, value, keep_ttl)
    h.check_size(engine.config)
    return is_new


# -- writes --------------------------------------------------------------------------------------------------------
@command("hset", "hmset")
def hset(engine, client, argv):
    if len(argv) % 2:
        raise CommandError(errors.WRONG_ARITY % argv[0].decode("utf-8", "replace").lower())
    db = engine.db(client)
    h, is_new = hash_for_write(engine, db, argv[1])
    h.fit(engine.config, argv[2:], (len(argv) - 2) // 2)
    created = sum(write_field(engine, h, argv[i], argv[i + 1]) for i in range(2, len(argv), 2))
    store(db, argv[1], h, is_new)
    notify(engine, db, "h", "hset", argv[1])
    return OK if argv[0].lower() == b"hmset" else created


@command("hsetnx")
def hsetnx(engine, client, argv):
    db = engine.db(client)
    h, is_new = hash_for_write(engine, db, argv[1], fields=argv[2:3])
    if h.get(argv[2]) is not None:
        return 0
    h.fit(engine.config, argv[2:4], 1)
    write_field(engine, h, argv[2], argv[3])
    store(db, argv[1], h, is_new)
    notify(engine, db, "h", "hset", argv[1])
    return 1


@command("hdel")
def hdel(engine, client, argv):
    db = engine.db(client)
    h = db.get_typed(argv[1], HashValue)  # an expired field not yet removed is still deleted (and counted)
    if h is None:
        return 0
    gone = sum(h.delete(field) for field in argv[2:])
    if gone:
        store(db, argv[1], h, False)
        notify(engine, db, "h", "hdel", argv[1])
        if not len(h):
            notify(engine, db, "g", "del", argv[1])
    return gone


@command("hincrby")
def hincrby(engine, client, argv):
    incr = parse_long(argv[3])
    db = engine.db(client)
    h, is_new = hash_for_write(engine, db, argv[1], fields=argv[2:3])
    current = h.get(argv[2])
    value = 0 if current is None else string2ll(current)
    if value is None:
        raise CommandError(errors.HASH_NOT_INTEGER)
    if (incr < 0 and value < 0 and incr < LLONG_MIN - value) or (incr > 0 and value > 0 and incr > LLONG_MAX - value):
        raise CommandError(errors.INCR_OVERFLOW)
    value += incr
    write_field(engine, h, argv[2], b"%d" % value, keep_ttl=True)
    store(db, argv[1], h, is_new)
    notify(engine, db, "h", "hincrby", argv[1])
    return value


@command("hincrbyfloat")
def hincrbyfloat(engine, client, argv):
    incr = parse_long_double(argv[3])
    if incr is None:
        raise CommandError(errors.NOT_FLOAT)
    if not is_finite(incr):
        raise CommandError(errors.INCR_NAN_INF)
    db = engine.db(client)
    h, is_new = hash_for_write(engine, db, argv[1], fields=argv[2:3])
    current = h.get(argv[2])
    value = 0 if current is None else parse_long_double(current)
    if value is None:
        raise CommandError(errors.HASH_NOT_FLOAT)
    total = add_long_double(value, incr)
    if not is_finite(total):
        raise CommandError(errors.INCRBYFLOAT_NAN_INF)
    text = format_long_double_human(total)
    write_field(engine, h, argv[2], text, keep_ttl=True)
    store(db, argv[1], h, is_new)
    notify(engine, db, "h", "hincrbyfloat", argv[1])
    return text


# -- reads ---------------------------------------------------------------------------------------------------------
def _read(engine, client, key: bytes, fields=None) -> HashValue | None:
    return get_hash(engine, engine.db(client), key, read=True, fields=fields)


def _peek(engine, client, key: bytes) -> HashValue | None:
    """The hash as stored, expired fields included (the readers that do not remove them)."""
    return read_typed(engine, engine.db(client), key, HashValue)


def _live_items(engine, client, key: bytes) -> list[tuple[bytes, bytes]]:
    h = _peek(engine, client, key)
    return [] if h is None else h.live_items(engine.now_ms())


@command("hget")
def hget(engine, client, argv):
    h = _read(engine, client, argv[1], argv[2:3])
    return None if h is None else h.get(argv[2])


@command("hmget")
def hmget(engine, client, argv):
    db = engine.db(client)
    h = get_hash(engine, db, argv[1], read=True, fields=())
    if h is None:
        return [None] * (len(argv) - 2)
    now, gone, values = engine.now_ms(), 0, []
    for field in argv[2:]:
        if len(h) and h.expire_field(field, now):
            gone += 1
        values.append(h.get(field))
    # Redis's HMGET counts only the expired fields that left the hash nonempty: when the last one went, the hash is
    # deleted without a word unless an earlier field expired too
    counted = gone - (gone and not len(h))
    if counted:
        after_fields_expired(engine, db, argv[1], h, gone)
    elif gone:
        after_fields_expired(engine, db, argv[1], h, gone, notify_it=False)
    return values


@command("hexists")
def hexists(engine, client, argv):
    h = _read(engine, client, argv[1], argv[2:3])
    return int(h is not None and h.get(argv[2]) is not None)


@command("hstrlen")
def hstrlen(engine, client, argv):
    h = _read(engine, client, argv[1], argv[2:3])
    value = None if h is None else h.get(argv[2])
    return 0 if value is None else len(value)


@command("hlen")
def hlen(engine, client, argv):
    h = _peek(engine, client, argv[1])
    return 0 if h is None else len(h)


@command("hgetall")
def hgetall(engine, client, argv):
    return Map(_live_items(engine, client, argv[1]))


@command("hkeys")
def hkeys(engine, client, argv):
    return [field for field, _ in _live_items(engine, client, argv[1])]


@command("hvals")
def hvals(engine, client, argv):
    return [value for _, value in _live_items(engine, client, argv[1])]


# -- HRANDFIELD ----------------------------------------------------------------------------------------------------
@command("hrandfield")
def hrandfield(engine, client, argv):
    if len(argv) == 2:
        h = _read(engine, client, argv[1])
        return None if h is None else engine.rng.choice(list(h.fields))
    count = parse_range_long(argv[2], -LONG_MAX, LONG_MAX)
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withvalues"):
        raise CommandError(errors.SYNTAX)
    with_values = len(argv) == 4
    if with_values and not -(LONG_MAX // 2) <= count <= LONG_MAX // 2:  # C division truncates
        raise CommandError(errors.VALUE_OUT_OF_RANGE)
    h = _read(engine, client, argv[1])
    if h is None or count == 0:
        return []
    return _shape(_pick(engine.rng, h, count), with_values, client.resp)


def _pick(rng, h: HashValue, count: int) -> list[tuple[bytes, bytes]]:
    """Negative count: that many picks with repetition; positive: distinct fields, all of them in hash order when
    the count covers the hash (as Redis replies then)."""
    items = list(h.fields.items())
    if count < 0:
        return [rng.choice(items) for _ in range(-count)]
    if count >= len(items):
        return items
    return rng.sample(items, count)


def _shape(pairs: list[tuple[bytes, bytes]], with_values: bool, resp: int) -> list:
    if not with_values:
        return [field for field, _ in pairs]
    if resp == 3:
        return [[field, value] for field, value in pairs]
    return [part for pair in pairs for part in pair]


# -- HSCAN ---------------------------------------------------------------------------------------------------------
@command("hscan")
def hscan(engine, client, argv):
    cursor = parse_cursor(argv[2])
    h = _peek(engine, client, argv[1])
    if h is None:  # Redis answers before it looks at the options
        return [b"0", []]
    opts = parse_scan_options(argv, 3, "hash")
    cursor, fields = scan(h.fields, cursor, opts.count, compact=h.enc != HASHTABLE)
    matches = glob_matcher(opts.pattern)
    now = engine.now_ms()
    out: list[bytes] = []
    for field in fields:
        if matches(field) and h.expires.get(field, now) >= now:
            out.append(field)
            if not opts.novalues:
                out.append(h.fields[field])
    return [b"%d" % cursor, out]

"""Generic (keyspace) group: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, MOVE, COPY,
WAIT, WAITAOF. Expiry commands are in generic_expiry.py, OBJECT in generic_object.py."""
from __future__ import annotations

from .. import errors
from ..blocking import block, may_block
from ..errors import CommandError
from ..glob import stringmatch
from ..keyspace import type_name
from ..notify import notify
from ..replies import OK
from ..scan import parse_cursor, parse_scan_options, scan
from ..util import LLONG_MAX, string2ll
from . import command
from .generic_keys import duplicate, lookup_read, parse_db_index, peek
from .generic_object import encoding_of, settle_created_with_expiry, settle_string_encoding


_LAZYFREE_THRESHOLD = 64  # Redis frees a value in the background when freeing it costs more allocations


def free_effort(engine, db, key: bytes, value) -> int:
    """About how many allocations freeing the value takes (Redis's lazyfreeGetFreeEffort): one for a compact
    encoding, its elements for a hash table or skiplist, its nodes for a quicklist or a stream."""
    if isinstance(value, (bytes, bytearray)):
        return 1
    encoding = encoding_of(engine, db, key, value)
    if encoding == "quicklist":
        per_node = engine.config.get_int("list-max-listpack-size")
        return -(-len(value) // (per_node if per_node > 0 else 128))
    if encoding == "stream":
        per_node = max(engine.config.get_int("stream-node-max-entries"), 1)
        return -(-len(value) // per_node) + sum(1 + len(g.pel) for g in value.groups.values())
    if encoding in ("hashtable", "skiplist"):
        return len(value)
    return 1


@command("del", "unlink")
def delete(engine, client, argv):
    db = engine.db(client)
    if argv[0].lower() == b"unlink" or engine.config.get("lazyfree-lazy-user-del") == "yes":
        for key in argv[1:]:
            value = db.data.get(key)
            if value is not None and free_effort(engine, db, key, value) > _LAZYFREE_THRESHOLD:
                engine.stats["lazyfreed_objects"] = engine.stats.get("lazyfreed_objects", 0) + 1
    gone = [key for key in argv[1:] if db.delete(key)]
    for key in gone:
        notify(engine, db, "g", "del", key)
    return len(gone)


@command("exists")
def exists(engine, client, argv):
    db = engine.db(client)
    return sum(lookup_read(engine, db, key, touch=False) is not None for key in argv[1:])


@command("touch")
def touch(engine, client, argv):
    db = engine.db(client)
    found = 0
    for key in argv[1:]:
        hit = db.touch(key)
        engine.stats["keyspace_hits" if hit else "keyspace_misses"] += 1
        if not hit:  # a read lookup that also stamps a NO-TOUCH client's key
            notify(engine, db, "m", "keymiss", key)
        found += hit
    return found


@command("type")
def type_(engine, client, argv):
    value = lookup_read(engine, engine.db(client), argv[1], touch=False)
    return "none" if value is None else type_name(value)


@command("keys")
def keys(engine, client, argv):
    pattern = argv[1]
    live = engine.db(client).keys()
    if pattern == b"*":  # Redis skips matching here, so even an empty key name is listed
        return list(live)
    return [key for key in live if stringmatch(pattern, key)]


@command("scan")
def scan_(engine, client, argv):
    cursor = parse_cursor(argv[1])
    opts = parse_scan_options(argv, 2, "keys")
    db = engine.db(client)
    cursor, found = scan(db.data, cursor, opts.count)
    wanted = opts.type_name.lower() if opts.type_name is not None else None
    out = []
    for key in found:
        if opts.pattern is not None and not stringmatch(opts.pattern, key):
            continue
        value = peek(db, key)  # an expired key is deleted, whatever its type, and not listed
        if value is None or (wanted is not None and type_name(value).encode() != wanted):
            continue
        out.append(key)
    return [b"%d" % cursor, out]


@command("randomkey")
def randomkey(engine, client, argv):
    return engine.db(client).random_key(engine.rng)


def _move_value(src_db, dst_db, src: bytes, dst: bytes) -> None:
    """Re-home a value under another name or database, with its expiry; added anew, it starts a fresh access field
    (Redis's dbAdd), so OBJECT IDLETIME is 0 and an LFU counter LFU_INIT_VAL again."""
    when = src_db.expires.get(src)
    settle_string_encoding(src_db, src)
    value = src_db.data[src]
    src_db.delete(src)
    dst_db.add(dst, value)
    if when is not None:
        dst_db.set_expire(dst, when)


def _rename(engine, client, argv, nx: bool):
    db, src, dst = engine.db(client), argv[1], argv[2]
    if db.get(src) is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if src == dst:
        return 0 if nx else OK
    if db.get(dst) is not None:
        if nx:
            return 0
        db.delete(dst)
    _move_value(db, db, src, dst)
    settle_created_with_expiry(db, dst)  # the object is rebuilt around its new name
    notify(engine, db, "g", "rename_from", src)
    notify(engine, db, "g", "rename_to", dst)
    return 1 if nx else OK


@command("rename")
def rename(engine, client, argv):
    return _rename(engine, client, argv, nx=False)


@command("renamenx")
def renamenx(engine, client, argv):
    return _rename(engine, client, argv, nx=True)


@command("move")
def move(engine, client, argv):
    index = parse_db_index(engine, argv[2])
    if index == client.db:
        raise CommandError(errors.SAME_OBJECT)
    src_db, dst_db, key = engine.db(client), engine.keyspace[index], argv[1]
    if src_db.get(key) is None or dst_db.get(key) is not None:
        return 0
    _move_value(src_db, dst_db, key, key)
    notify(engine, src_db, "g", "move_from", key)
    notify(engine, dst_db, "g", "move_to", key)
    return 1


def _parse_copy_options(engine, client, argv) -> tuple[int, bool]:
    index, replace, i = client.db, False, 3
    while i < len(argv):
        word = argv[i].lower()
        if word == b"replace":
            replace = True
        elif word == b"db" and i + 1 < len(argv):
            index = parse_db_index(engine, argv[i + 1])
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    return index, replace


@command("copy")
def copy(engine, client, argv):
    index, replace = _parse_copy_options(engine, client, argv)
    src, dst = argv[1], argv[2]
    if index == client.db and src == dst:
        raise CommandError(errors.SAME_OBJECT)
    src_db, dst_db = engine.db(client), engine.keyspace[index]
    value = lookup_read(engine, src_db, src)
    if value is None:
        return 0
    occupied = dst_db.get(dst) is not None
    if occupied and not replace:
        return 0
    if not getattr(value, "copyable", True):  # a module type without a copy callback (vector sets)
        raise CommandError(errors.MODULE_KEY_NO_COPY)
    if occupied:
        dst_db.delete(dst)
    settle_string_encoding(src_db, src)
    when = src_db.expires.get(src)
    dst_db.add(dst, duplicate(src_db.data[src]))
    if when is not None:
        dst_db.set_expire(dst, when)
    settle_created_with_expiry(dst_db, dst)
    notify(engine, dst_db, "g", "copy_to", dst)
    return 1


def _deadline_ms(engine, arg: bytes) -> int:
    """A millisecond timeout as Redis's getTimeoutFromObjectOrReply reads it; 0 means forever."""
    timeout = string2ll(arg)
    if timeout is None:
        raise CommandError(errors.TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(errors.BLOCK_TIMEOUT_NEGATIVE)
    if timeout == 0:
        return 0
    now = engine.now_ms()
    if timeout > LLONG_MAX - now:
        raise CommandError(errors.BLOCK_TIMEOUT_OUT_OF_RANGE)
    return now + timeout


def _wait_for_nothing(engine, client, deadline: int, reply):
    """No replica ever acknowledges here: answer now when nothing is awaited, else when the timeout passes."""
    if not may_block(client):
        return reply
    return block(engine, client, [], deadline, lambda _engine, _client: None, timeout_reply=reply,
                 command=client.last_command)


@command("wait")
def wait(engine, client, argv):
    numreplicas = string2ll(argv[1])
    if numreplicas is None:
        raise CommandError(errors.NOT_INTEGER)
    deadline = _deadline_ms(engine, argv[2])
    if numreplicas <= 0:
        return 0
    return _wait_for_nothing(engine, client, deadline, 0)


@command("waitaof")
def waitaof(engine, client, argv):
    numlocal = string2ll(argv[1])
    if numlocal is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 <= numlocal <= 1:
        raise CommandError(errors.VALUE_OUT_OF_RANGE_BETWEEN % (0, 1))
    numreplicas = string2ll(argv[2])
    if numreplicas is None or numreplicas < 0:
        raise CommandError(errors.VALUE_MUST_BE_POSITIVE)
    deadline = _deadline_ms(engine, argv[3])
    if numlocal and engine.config.get("appendonly") != "yes":
        raise CommandError(errors.WAITAOF_NEEDS_APPENDONLY)
    synced = int(engine.config.get("appendonly") == "yes")  # nothing is buffered: a local fsync is immediate
    if numreplicas == 0:
        return [synced, 0]
    return _wait_for_nothing(engine, client, deadline, [synced, 0])

"""List group (non-blocking part): pushes, pops, ranges, LPOS, LINSERT, LSET, LREM, LTRIM, LMOVE, LMPOP.

Argument checks run in Redis's order (some commands parse their numbers before looking the key up, some after),
so that a bad argument on a missing or wrong-typed key gets the same error as on Redis. The blocking commands are
in list_blocking.py and reuse the pop and move steps defined here.
"""
from __future__ import annotations

from .. import errors
from ..datatypes.list import ListValue
from ..errors import CommandError
from ..notify import notify
from ..replies import NULL_ARRAY, OK
from . import command
from .collection_common import parse_long, parse_positive_long, parse_range_long
from .generic_keys import read_typed

LONG_MAX = (1 << 63) - 1


def fill_of(engine) -> int:
    return engine.config.get_int("list-max-listpack-size")


def get_list(db, key: bytes) -> ListValue | None:
    """A writing command's lookup (Redis's lookupKeyWrite)."""
    return db.get_typed(key, ListValue)


def read_list(engine, client, key: bytes) -> ListValue | None:
    """A reading command's lookup (LLEN, LRANGE, LINDEX, LPOS): a keyspace hit or miss."""
    return read_typed(engine, engine.db(client), key, ListValue)


def parse_side(arg: bytes) -> bool:
    """LEFT/RIGHT as a 'head' flag."""
    side = arg.lower()
    if side not in (b"left", b"right"):
        raise CommandError(errors.SYNTAX)
    return side == b"left"


def push_into(engine, db, key: bytes, lst: ListValue | None, elements: list[bytes], head: bool) -> ListValue:
    """Push onto `lst` (creating the key when it is None); wakes clients blocked on the key."""
    if lst is None:
        lst = ListValue()
        lst.push(elements, head, fill_of(engine))
        db.add(key, lst)
    else:
        lst.push(elements, head, fill_of(engine))
        db.signal(key)
        db.signal_ready(key)
    return lst


def pop_from(engine, db, key: bytes, lst: ListValue, count: int, head: bool) -> list[bytes]:
    """Pop up to `count` elements; an emptied list deletes its key."""
    taken = lst.pop(count, head, fill_of(engine))
    notify(engine, db, "l", "lpop" if head else "rpop", key)
    if len(lst) == 0:
        db.delete(key)
        notify(engine, db, "g", "del", key)
    else:
        db.signal(key)
    return taken


def after_removal(engine, db, key: bytes, lst: ListValue, event: str) -> None:
    """Publish `event` for the removal; an emptied list deletes its key ("del" after it)."""
    notify(engine, db, "l", event, key)
    if len(lst) == 0:
        db.delete(key)
        notify(engine, db, "g", "del", key)
    else:
        db.signal(key)


# -- pushes --------------------------------------------------------------------------------------------------------
def _push(engine, client, argv, head: bool, only_existing: bool):
    db = engine.db(client)
    lst = get_list(db, argv[1])
    if lst is None and only_existing:
        return 0
    length = len(push_into(engine, db, argv[1], lst, list(argv[2:]), head))
    notify(engine, db, "l", "lpush" if head else "rpush", argv[1])
    return length


@command("lpush")
def lpush(engine, client, argv):
    return _push(engine, client, argv, head=True, only_existing=False)


@command("rpush")
def rpush(engine, client, argv):
    return _push(engine, client, argv, head=False, only_existing=False)


@command("lpushx")
def lpushx(engine, client, argv):
    return _push(engine, client, argv, head=True, only_existing=True)


@command("rpushx")
def rpushx(engine, client, argv):
    return _push(engine, client, argv, head=False, only_existing=True)


# -- pops ----------------------------------------------------------------------------------------------------------
def _pop(engine, client, argv, head: bool):
    if len(argv) > 3:  # the spec's arity is "at least 2"; Redis checks the upper bound itself
        raise CommandError(errors.WRONG_ARITY % argv[0].decode("utf-8", "replace").lower())
    count = parse_positive_long(argv[2]) if len(argv) == 3 else None
    db = engine.db(client)
    lst = get_list(db, argv[1])
    if lst is None:
        return None if count is None else NULL_ARRAY
    if count is None:
        return pop_from(engine, db, argv[1], lst, 1, head)[0]
    if count == 0:
        return []
    return pop_from(engine, db, argv[1], lst, count, head)


@command("lpop")
def lpop(engine, client, argv):
    return _pop(engine, client, argv, head=True)


@command("rpop")
def rpop(engine, client, argv):
    return _pop(engine, client, argv, head=False)


def parse_mpop(argv: list[bytes], numkeys_at: int) -> tuple[list[bytes], bool, int]:
    """LMPOP/BLMPOP arguments from the numkeys position: (keys, head, count)."""
    numkeys = parse_range_long(argv[numkeys_at], 1, LONG_MAX, errors.NUMKEYS_POSITIVE)
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise CommandError(errors.SYNTAX)
    head = parse_side(argv[where_at])
    count = None
    i = where_at + 1
    while i < len(argv):
        if count is None and argv[i].lower() == b"count" and i + 1 < len(argv):
            count = parse_range_long(argv[i + 1], 1, LONG_MAX, errors.COUNT_POSITIVE)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return list(argv[numkeys_at + 1:where_at]), head, count or 1


def first_nonempty(db, keys: list[bytes]) -> tuple[bytes, ListValue] | None:
    """The first key holding a list, in argument order; WRONGTYPE for a non-list met before it."""
    for key in keys:
        lst = get_list(db, key)
        if lst is not None:
            return key, lst
    return None


def mpop_from(engine, client, keys: list[bytes], head: bool, count: int):
    db = engine.db(client)
    found = first_nonempty(db, keys)
    if found is None:
        return None
    key, lst = found
    return [key, pop_from(engine, db, key, lst, count, head)]


@command("lmpop")
def lmpop(engine, client, argv):
    keys, head, count = parse_mpop(argv, 1)
    reply = mpop_from(engine, client, keys, head, count)
    return NULL_ARRAY if reply is None else reply


# -- moves ---------------------------------------------------------------------------------------------------------
def move(engine, client, src: bytes, dst: bytes, from_head: bool, to_head: bool):
    """LMOVE's step: the moved element, or None when the source is missing."""
    db = engine.db(client)
    source = get_list(db, src)
    if source is None:
        return None
    target = get_list(db, dst)
    element = source.pop(1, from_head, fill_of(engine), shrink=False)[0]
    push_into(engine, db, dst, target, [element], to_head)
    notify(engine, db, "l", "lpush" if to_head else "rpush", dst)
    source.after_shrink(fill_of(engine))  # after the push, as Redis does: with src == dst the order matters
    after_removal(engine, db, src, source, "lpop" if from_head else "rpop")
    return element


@command("lmove")
def lmove(engine, client, argv):
    from_head, to_head = parse_side(argv[3]), parse_side(argv[4])
    return move(engine, client, argv[1], argv[2], from_head, to_head)


@command("rpoplpush")
def rpoplpush(engine, client, argv):
    return move(engine, client, argv[1], argv[2], False, True)


# -- reading -------------------------------------------------------------------------------------------------------
@command("llen")
def llen(engine, client, argv):
    lst = read_list(engine, client, argv[1])
    return 0 if lst is None else len(lst)


def clamp_range(start: int, end: int, length: int) -> tuple[int, int] | None:
    """Redis's LRANGE/LTRIM index arithmetic: (first, last) inclusive, or None when the range is empty."""
    if start < 0:
        start = max(length + start, 0)
    if end < 0:
        end += length
    if start > end or start >= length:
        return None
    return start, min(end, length - 1)


@command("lrange")
def lrange(engine, client, argv):
    start, end = parse_long(argv[2]), parse_long(argv[3])
    lst = read_list(engine, client, argv[1])
    if lst is None:
        return []
    span = clamp_range(start, end, len(lst))
    return [] if span is None else lst.items[span[0]:span[1] + 1]


@command("lindex")
def lindex(engine, client, argv):
    lst = read_list(engine, client, argv[1])
    if lst is None:
        return None
    index = parse_long(argv[2])
    if index < 0:
        index += len(lst)
    return lst.items[index] if 0 <= index < len(lst) else None


def _parse_lpos(argv: list[bytes]) -> tuple[int, int | None, int]:
    rank, count, maxlen, i = 1, None, 0, 3
    while i < len(argv):
        opt, more = argv[i].lower(), i + 1 < len(argv)
        if opt == b"rank" and more:
            rank = parse_range_long(argv[i + 1], -LONG_MAX, LONG_MAX)
            if rank == 0:
                raise CommandError(errors.LPOS_RANK_ZERO)
        elif opt == b"count" and more:
            count = parse_positive_long(argv[i + 1], errors.LPOS_COUNT_NEGATIVE)
        elif opt == b"maxlen" and more:
            maxlen = parse_positive_long(argv[i + 1], errors.LPOS_MAXLEN_NEGATIVE)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    return rank, count, maxlen


def _positions(items: list[bytes], element: bytes, rank: int, limit: int, maxlen: int) -> list[int]:
    """Indices of matches, scanning from the head (rank > 0) or the tail, skipping the first |rank|-1 matches."""
    length = len(items)
    order = range(length) if rank > 0 else range(length - 1, -1, -1)
    skip, found = abs(rank) - 1, []
    for compared, index in enumerate(order):
        if maxlen and compared >= maxlen:
            break
        if items[index] == element:
            if skip:
                skip -= 1
                continue
            found.append(index)
            if limit and len(found) >= limit:
                break
    return found


@command("lpos")
def lpos(engine, client, argv):
    rank, count, maxlen = _parse_lpos(argv)
    lst = read_list(engine, client, argv[1])
    if lst is None:
        return [] if count is not None else None
    found = _positions(lst.items, argv[2], rank, 1 if count is None else count, maxlen)
    if count is not None:
        return found
    return found[0] if found else None


# -- edits ---------------------------------------------------------------------------------------------------------
@command("linsert")
def linsert(engine, client, argv):
    where = argv[2].lower()
    if where not in (b"before", b"after"):
        raise CommandError(errors.SYNTAX)
    db = engine.db(client)
    lst = get_list(db, argv[1])
    if lst is None:
        return 0
    lst.prepare_growth([argv[4]], fill_of(engine))  # Redis converts before it looks for the pivot
    try:
        at = lst.items.index(argv[3])
    except ValueError:
        return -1
    lst.insert(at if where == b"before" else at + 1, argv[4], fill_of(engine))
    db.signal(argv[1])
    notify(engine, db, "l", "linsert", argv[1])
    return len(lst)


@command("lset")
def lset(engine, client, argv):
    db = engine.db(client)
    lst = get_list(db, argv[1])
    if lst is None:
        raise CommandError(errors.NO_SUCH_KEY)
    # Redis hands LSET's index to a C int: 2^32 is 0, 2^32-1 is -1 (the last element)
    index = (parse_long(argv[2]) + (1 << 31)) % (1 << 32) - (1 << 31)
    lst.prepare_growth([argv[3]], fill_of(engine))  # Redis converts before it checks the index
    if index < 0:
        index += len(lst)
    if not 0 <= index < len(lst):
        raise CommandError(errors.OUT_OF_RANGE)
    lst.replace(index, argv[3], fill_of(engine))
    db.signal(argv[1])
    notify(engine, db, "l", "lset", argv[1])
    return OK


@command("lrem")
def lrem(engine, client, argv):
    count = parse_range_long(argv[2], -LONG_MAX, LONG_MAX)
    db = engine.db(client)
    lst = get_list(db, argv[1])
    if lst is None:
        return 0
    items, element = lst.items, argv[3]
    order = range(len(items) - 1, -1, -1) if count < 0 else range(len(items))
    doomed = [i for i in order if items[i] == element][:abs(count) or None]
    if doomed:
        lst.delete_at(doomed, fill_of(engine))
        after_removal(engine, db, argv[1], lst, "lrem")
    return len(doomed)


@command("ltrim")
def ltrim(engine, client, argv):
    start, end = parse_long(argv[2]), parse_long(argv[3])
    db = engine.db(client)
    lst = get_list(db, argv[1])
    if lst is None:
        return OK
    length = len(lst)
    span = clamp_range(start, end, length)
    keep = range(span[0], span[1] + 1) if span else range(0)
    doomed = [i for i in range(length) if i not in keep]
    lst.delete_at(doomed, fill_of(engine))
    after_removal(engine, db, argv[1], lst, "ltrim")
    return OK

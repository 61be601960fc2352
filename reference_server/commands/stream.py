"""Stream entries: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XDELEX, XSETID.

Consumer groups are in stream_groups.py, XREAD/XREADGROUP in stream_read.py, XINFO in stream_info.py.
"""
from __future__ import annotations

from .. import errors
from ..datatypes.stream import MAX_ID, MIN_ID, StreamValue, id_bytes, incr_id
from ..errors import CommandError
from ..notify import notify
from ..replies import NULL_ARRAY
from . import command
from .collection_common import parse_long, parse_range_long
from .stream_common import (CONDITIONS, DELREF, KEEPREF, ACKED, TrimArgs, check_trim_args, default_limit,
                            entries_reply, get_stream, node_limits, parse_id, parse_range_end, parse_range_start,
                            parse_strict_id, parse_trim_option, read_stream, trim)

LONG_MAX = (1 << 63) - 1


# -- XADD ----------------------------------------------------------------------------------------------------------
def _parse_xadd(argv: list[bytes]) -> tuple[TrimArgs, int, tuple[int, int] | None, bool]:
    """Options up to the ID: (trim args, index of the ID, the ID or None for '*', whether its seq was given)."""
    args = TrimArgs()
    i = 2
    while i < len(argv):
        if argv[i] == b"*":
            break
        nxt = parse_trim_option(args, argv, i, xadd=True)
        if nxt is None:
            sid, seq_given = parse_id(argv[i], 0, strict=True, allow_auto_seq=True)
            check_trim_args(args, xadd=True)
            return args, i, sid, seq_given
        i = nxt
    check_trim_args(args, xadd=True)
    return args, i, None, True


def _next_id(engine, stream: StreamValue, given: tuple[int, int] | None, seq_given: bool):
    """The ID the new entry gets, or None when it would not be above the stream's last ID."""
    last = stream.last_id
    if given is None:
        now = engine.now_ms()
        new = (now, 0) if now > last[0] else incr_id(last)
    elif seq_given:
        new = given
    elif given[0] == last[0]:
        new = incr_id(last) if last[1] < MAX_ID[1] else None
    else:
        new = given
    return new if new is not None and new > last else None


@command("xadd")
def xadd(engine, client, argv):
    args, id_pos, given, seq_given = _parse_xadd(argv)
    pairs = tuple(argv[id_pos + 1:])
    if len(pairs) < 2 or len(pairs) % 2:
        raise CommandError(errors.WRONG_ARITY % "xadd")
    if given == MIN_ID and seq_given:
        raise CommandError(errors.XADD_ID_ZERO)
    db = engine.db(client)
    key = argv[1]
    stream = get_stream(db, key)
    if stream is None and args.no_mkstream:
        return None
    created = stream is None
    if created:
        stream = StreamValue()
    if stream.last_id == MAX_ID:
        raise CommandError(errors.XADD_EXHAUSTED)
    new_id = _next_id(engine, stream, given, seq_given)
    if new_id is None:
        raise CommandError(errors.XADD_ID_TOO_SMALL)
    stream.append(new_id, pairs, *node_limits(engine))
    trimmed = trim(stream, args, default_limit(engine, args))
    if created:
        db.add(key, stream)
    else:
        db.signal(key)
        db.signal_ready(key)
    notify(engine, db, "t", "xadd", key)
    if trimmed:
        notify(engine, db, "t", "xtrim", key)
    return id_bytes(new_id)


# -- reading -------------------------------------------------------------------------------------------------------
@command("xlen")
def xlen(engine, client, argv):
    stream = read_stream(engine, engine.db(client), argv[1])
    return 0 if stream is None else len(stream)


def _range(engine, client, argv, rev: bool):
    start = parse_range_start(argv[3] if rev else argv[2])
    end = parse_range_end(argv[2] if rev else argv[3])
    count = -1
    i = 4
    while i < len(argv):
        if argv[i].lower() == b"count" and i + 1 < len(argv):
            count = max(parse_long(argv[i + 1]), 0)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    stream = read_stream(engine, engine.db(client), argv[1])
    if stream is None:
        return []
    if count == 0:
        return NULL_ARRAY
    return entries_reply(stream.range(start, end, max(count, 0), rev))


@command("xrange")
def xrange(engine, client, argv):
    return _range(engine, client, argv, rev=False)


@command("xrevrange")
def xrevrange(engine, client, argv):
    return _range(engine, client, argv, rev=True)


# -- deleting ------------------------------------------------------------------------------------------------------
def delete_entries(stream: StreamValue, ids: list[tuple[int, int]]) -> int:
    deleted = sum(1 for sid in ids if stream.delete(sid))
    if deleted:
        stream.refresh_first_id()
    return deleted


@command("xdel")
def xdel(engine, client, argv):
    db = engine.db(client)
    stream = get_stream(db, argv[1])
    if stream is None:
        return 0
    deleted = delete_entries(stream, [parse_strict_id(a) for a in argv[2:]])
    if deleted:
        db.signal(argv[1])
        notify(engine, db, "t", "xdel", argv[1])
    return deleted


@command("xtrim")
def xtrim(engine, client, argv):
    args = TrimArgs()
    i = 2
    while i < len(argv):
        nxt = parse_trim_option(args, argv, i, xadd=False)
        if nxt is None:
            raise CommandError(errors.SYNTAX)
        i = nxt
    check_trim_args(args, xadd=False)
    db = engine.db(client)
    stream = get_stream(db, argv[1])
    if stream is None:
        return 0
    deleted = trim(stream, args, default_limit(engine, args))
    if deleted:
        db.signal(argv[1])
        notify(engine, db, "t", "xtrim", argv[1])
    return deleted


def parse_condition_and_ids(argv: list[bytes], first: int) -> tuple[str, list[bytes]]:
    """`[KEEPREF | DELREF | ACKED] IDS numids id...` as XDELEX and XACKDEL take them; the IDs stay unparsed (Redis
    validates them only once it knows the key and group exist), and a repeated IDS block replaces the earlier one."""
    condition, id_args = None, None
    i = first
    while i < len(argv):
        opt = argv[i].lower()
        if opt == b"ids" and i + 1 < len(argv):
            numids = parse_range_long(argv[i + 1], 1, LONG_MAX, errors.STREAM_NUMIDS_POSITIVE)
            if numids > len(argv) - i - 2:
                raise CommandError(errors.STREAM_NUMIDS_MISMATCH)
            id_args = argv[i + 2:i + 2 + numids]
            i += 2 + numids
        elif opt in CONDITIONS and condition is None:
            condition = CONDITIONS[opt]
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
    if id_args is None:
        raise CommandError(errors.SYNTAX)
    return condition or KEEPREF, id_args


DELETED, NO_SUCH_ID, STILL_REFERENCED = 1, -1, 2


def delete_with_condition(stream: StreamValue, sid: tuple[int, int], condition: str) -> int:
    """One ID of XDELEX/XACKDEL: 1 deleted, -1 no such entry, 2 kept because a group still needs it (ACKED)."""
    if condition == ACKED and stream.is_referenced(sid):
        return STILL_REFERENCED
    if condition == DELREF:
        stream.drop_references(sid)
    return DELETED if stream.delete(sid) else NO_SUCH_ID


@command("xdelex")
def xdelex(engine, client, argv):
    db = engine.db(client)
    stream = get_stream(db, argv[1])
    condition, id_args = parse_condition_and_ids(argv, 2)
    if stream is None:
        return [NO_SUCH_ID] * len(id_args)
    ids = [parse_strict_id(a) for a in id_args]
    replies = [delete_with_condition(stream, sid, condition) for sid in ids]
    if DELETED in replies:
        stream.refresh_first_id()
        db.signal(argv[1])
        notify(engine, db, "t", "xdel", argv[1])
    return replies


# -- XSETID --------------------------------------------------------------------------------------------------------
def _parse_xsetid_options(argv: list[bytes], last_id: tuple[int, int]) -> tuple[int, tuple[int, int]]:
    entries_added, max_deleted = -1, MIN_ID
    i = 3
    while i < len(argv):
        opt, more = argv[i].lower(), len(argv) - 1 - i
        if opt == b"entriesadded" and more:
            entries_added = parse_long(argv[i + 1])
            if entries_added < 0:
                raise CommandError(errors.XSETID_ENTRIES_ADDED_NEGATIVE)
        elif opt == b"maxdeletedid" and more:
            max_deleted = parse_strict_id(argv[i + 1])
            if last_id < max_deleted:
                raise CommandError(errors.XSETID_BELOW_MAX_DELETED_ARG)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    return entries_added, max_deleted


@command("xsetid")
def xsetid(engine, client, argv):
    last_id = parse_strict_id(argv[2])
    entries_added, max_deleted = _parse_xsetid_options(argv, last_id)
    stream = get_stream(engine.db(client), argv[1])
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if last_id < stream.max_deleted_id:
        raise CommandError(errors.XSETID_BELOW_MAX_DELETED)
    if len(stream):
        if last_id < stream.last_live_id():
            raise CommandError(errors.XSETID_BELOW_TOP)
        if entries_added != -1 and len(stream) > entries_added:
            raise CommandError(errors.XSETID_ENTRIES_ADDED_SMALL)
    stream.last_id = last_id
    if entries_added != -1:
        stream.entries_added = entries_added
    if max_deleted != MIN_ID:
        stream.max_deleted_id = max_deleted
    notify(engine, client.db, "t", "xsetid", argv[1])
    return "OK"

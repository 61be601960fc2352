"""Consumer groups: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP), XACK, XACKDEL, XPENDING,
XCLAIM, XAUTOCLAIM."""
from __future__ import annotations

from .. import errors
from ..datatypes.stream import MIN_ID, Group, Nack, StreamValue, id_bytes
from ..errors import CommandError
from ..notify import notify
from ..replies import NULL_ARRAY
from . import command
from .collection_common import parse_long, parse_range_long
from .stream import DELETED, NO_SUCH_ID, delete_with_condition, parse_condition_and_ids
from .stream_common import (consumer_of, entry_reply, get_stream, parse_id, parse_range_end, parse_range_start,
                            parse_strict_id, read_stream, require_group, text, try_parse_strict_id)

XGROUP_HELP = [
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Print this help.",
]
_LONG_MAX = (1 << 63) - 1
_AUTOCLAIM_MAX_COUNT = _LONG_MAX // 16  # Redis caps COUNT so that COUNT * max(sizeof(streamID), 10) fits a long
# Redis allocates COUNT IDs (16 bytes each) up front; past roughly this size the allocation fails on a 64-bit host
_MAX_TRANSIENT_BYTES = 96 << 40


def _subcommand_syntax(argv: list[bytes]) -> CommandError:
    return CommandError(errors.SUBCOMMAND_SYNTAX % (text(argv[1][:128]), "XGROUP"))


# -- XGROUP --------------------------------------------------------------------------------------------------------
def _parse_xgroup_options(argv: list[bytes], create: bool) -> tuple[bool, int | None]:
    """[MKSTREAM] [ENTRIESREAD n] after the ID; entries read None means unknown (-1)."""
    mkstream, entries_read = False, None
    i = 5
    while i < len(argv):
        opt = argv[i].lower()
        if create and opt == b"mkstream":
            mkstream = True
            i += 1
        elif opt == b"entriesread" and i + 1 < len(argv):
            value = parse_long(argv[i + 1])
            if value < -1:
                raise CommandError(errors.ENTRIESREAD_INVALID)
            entries_read = None if value == -1 else value
            i += 2
        else:
            raise _subcommand_syntax(argv)
    return mkstream, entries_read


def _existing_stream(engine, client, argv, mkstream: bool = False) -> StreamValue | None:
    stream = get_stream(engine.db(client), argv[2])
    if stream is None and not mkstream:
        raise CommandError(errors.XGROUP_NEEDS_KEY)
    return stream


def _existing_group(stream: StreamValue, argv) -> Group:
    group = stream.groups.get(argv[3])
    if group is None:
        raise CommandError(errors.NOGROUP_FOR_KEY % (text(argv[3]), text(argv[2])))
    return group


def _clamped(stream: StreamValue, entries_read: int | None) -> int | None:
    """Redis 8.2 never records more entries read than the stream ever had."""
    return entries_read if entries_read is None else min(entries_read, stream.entries_added)


@command("xgroup|help")
def xgroup_help(engine, client, argv):
    return list(XGROUP_HELP)


@command("xgroup|create")
def xgroup_create(engine, client, argv):
    mkstream, entries_read = _parse_xgroup_options(argv, create=True)
    db = engine.db(client)
    stream = _existing_stream(engine, client, argv, mkstream)
    if len(argv) > 8:
        raise _subcommand_syntax(argv)
    if argv[4] == b"$":
        last_id = stream.last_id if stream is not None else MIN_ID
    else:
        last_id = parse_strict_id(argv[4])
    if stream is None:
        stream = StreamValue()
        db.add(argv[2], stream)
    if argv[3] in stream.groups:
        raise CommandError(errors.BUSYGROUP)
    stream.groups[argv[3]] = Group(argv[3], last_id, _clamped(stream, entries_read))
    notify(engine, db, "t", "xgroup-create", argv[2])
    return "OK"


@command("xgroup|setid")
def xgroup_setid(engine, client, argv):
    _mkstream, entries_read = _parse_xgroup_options(argv, create=False)
    stream = _existing_stream(engine, client, argv)
    group = _existing_group(stream, argv)
    if len(argv) not in (5, 7):
        raise _subcommand_syntax(argv)
    group.last_id = stream.last_id if argv[4] == b"$" else parse_id(argv[4])
    group.entries_read = _clamped(stream, entries_read)
    notify(engine, client.db, "t", "xgroup-setid", argv[2])
    return "OK"


@command("xgroup|destroy")
def xgroup_destroy(engine, client, argv):
    db = engine.db(client)
    stream = _existing_stream(engine, client, argv)
    if stream.groups.pop(argv[3], None) is None:
        return 0
    db.signal_ready(argv[2])  # clients blocked in XREADGROUP on this group get NOGROUP
    notify(engine, db, "t", "xgroup-destroy", argv[2])
    return 1


@command("xgroup|createconsumer")
def xgroup_createconsumer(engine, client, argv):
    group = _existing_group(_existing_stream(engine, client, argv), argv)
    if group.add_consumer(argv[4], engine.now_ms()) is None:
        return 0
    notify(engine, client.db, "t", "xgroup-createconsumer", argv[2])
    return 1


@command("xgroup|delconsumer")
def xgroup_delconsumer(engine, client, argv):
    group = _existing_group(_existing_stream(engine, client, argv), argv)
    consumer = group.consumers.get(argv[4])
    if consumer is None:
        return 0
    pending = group.delete_consumer(consumer)
    notify(engine, client.db, "t", "xgroup-delconsumer", argv[2])
    return pending


# -- XACK / XACKDEL ------------------------------------------------------------------------------------------------
def _group_or_none(engine, client, key: bytes, name: bytes) -> tuple[StreamValue | None, Group | None]:
    stream = read_stream(engine, engine.db(client), key)
    return stream, (stream.groups.get(name) if stream is not None else None)


@command("xack")
def xack(engine, client, argv):
    _stream, group = _group_or_none(engine, client, argv[1], argv[2])
    if group is None:
        return 0
    ids = [parse_strict_id(a) for a in argv[3:]]
    return sum(1 for sid in ids if group.ack(sid))


@command("xackdel")
def xackdel(engine, client, argv):
    stream = read_stream(engine, engine.db(client), argv[1])
    condition, id_args = parse_condition_and_ids(argv, 3)
    group = stream.groups.get(argv[2]) if stream is not None else None
    if group is None:
        return [NO_SUCH_ID] * len(id_args)
    ids = [parse_strict_id(a) for a in id_args]
    replies, removed = [], False
    for sid in ids:
        if not group.ack(sid):
            replies.append(NO_SUCH_ID)
            continue
        outcome = delete_with_condition(stream, sid, condition)
        removed = removed or outcome == DELETED
        replies.append(DELETED if outcome == NO_SUCH_ID else outcome)  # acknowledged, so nothing left to keep
    if removed:
        stream.refresh_first_id()
        engine.db(client).signal(argv[1])
        notify(engine, client.db, "t", "xdel", argv[1])
    return replies


# -- XPENDING ------------------------------------------------------------------------------------------------------
def _pending_summary(group: Group) -> list:
    if not group.pel:
        return [0, None, None, NULL_ARRAY]
    ids = group.sorted_pel()
    owners = [[c.name, b"%d" % len(c.pel)] for c in group.sorted_consumers() if c.pel]
    return [len(ids), id_bytes(ids[0]), id_bytes(ids[-1]), owners]


@command("xpending")
def xpending(engine, client, argv):
    argc = len(argv)
    if argc != 3 and not 6 <= argc <= 9:
        raise CommandError(errors.SYNTAX)
    extended = None
    if argc >= 6:
        extended = _parse_xpending_range(argv)
    stream = read_stream(engine, engine.db(client), argv[1])
    group = require_group(stream, argv[1], argv[2])
    if extended is None:
        return _pending_summary(group)
    return _pending_range(engine, group, *extended)


def _parse_xpending_range(argv: list[bytes]):
    min_idle, at = 0, 3
    if argv[3].lower() == b"idle":
        min_idle = parse_long(argv[4])
        if len(argv) < 8:
            raise CommandError(errors.SYNTAX)
        at = 5
    count = max(parse_long(argv[at + 2]), 0)
    start, end = parse_range_start(argv[at]), parse_range_end(argv[at + 1])
    consumer = argv[at + 3] if at + 3 < len(argv) else None
    return min_idle, start, end, count, consumer


def _pending_range(engine, group: Group, min_idle: int, start, end, count: int, consumer_name):
    pel = group.pel
    if consumer_name is not None:
        consumer = group.consumers.get(consumer_name)
        if consumer is None:
            return []
        pel = consumer.pel
    now = engine.now_ms()
    out = []
    for sid in sorted(pel):
        if not count or sid > end:
            break
        if sid < start:
            continue
        nack = pel[sid]
        if min_idle and now - nack.delivery_time < min_idle:
            continue
        out.append([id_bytes(sid), nack.consumer.name, max(now - nack.delivery_time, 0), nack.delivery_count])
        count -= 1
    return out


# -- XCLAIM --------------------------------------------------------------------------------------------------------
class _ClaimOptions:
    __slots__ = ("delivery_time", "retry_count", "force", "justid", "last_id")

    def __init__(self) -> None:
        self.delivery_time, self.retry_count = -1, -1
        self.force = self.justid = False
        self.last_id = MIN_ID


def _parse_claim_options(argv: list[bytes], i: int, now: int) -> _ClaimOptions:
    opts = _ClaimOptions()
    while i < len(argv):
        opt, more = argv[i].lower(), len(argv) - 1 - i
        if opt == b"force":
            opts.force = True
        elif opt == b"justid":
            opts.justid = True
        elif opt in (b"idle", b"time", b"retrycount") and more:
            i += 1
            value = parse_long(argv[i], errors.XCLAIM_BAD_OPTION_VALUE % opt.decode().upper())
            if opt == b"retrycount":
                opts.retry_count = value
            else:
                opts.delivery_time = now - value if opt == b"idle" else value
        elif opt == b"lastid" and more:
            i += 1
            opts.last_id = parse_strict_id(argv[i])
        else:
            raise CommandError(errors.XCLAIM_UNKNOWN_OPTION % text(argv[i]))
        i += 1
    return opts


def _take(group: Group, sid, nack: Nack, consumer) -> None:
    """Move a pending entry to `consumer`."""
    if nack.consumer is not consumer:
        if nack.consumer is not None:
            nack.consumer.pel.pop(sid, None)
        consumer.pel[sid] = nack
        nack.consumer = consumer


def _claimed_reply(stream: StreamValue, sid, justid: bool):
    return id_bytes(sid) if justid else entry_reply(sid, stream.entries[sid])


@command("xclaim")
def xclaim(engine, client, argv):
    stream = read_stream(engine, engine.db(client), argv[1])
    group = require_group(stream, argv[1], argv[2])
    min_idle = max(parse_long(argv[4], errors.XCLAIM_MIN_IDLE), 0)
    ids, j = [], 5
    while j < len(argv) and (sid := try_parse_strict_id(argv[j])) is not None:
        ids.append(sid)
        j += 1
    now = engine.now_ms()
    opts = _parse_claim_options(argv, j, now)
    if opts.last_id > group.last_id:
        group.last_id = opts.last_id
    delivery = opts.delivery_time
    if delivery == -1 or delivery < 0 or delivery > now:
        delivery = now
    consumer = consumer_of(engine, engine.db(client), argv[1], group, argv[3], now)
    consumer.seen_time = now
    out = []
    for sid in ids:
        nack = group.pel.get(sid)
        if sid not in stream:
            if nack is not None:
                group.ack(sid)
            continue
        if nack is None and opts.force:
            nack = group.pel[sid] = Nack(None, now)
        if nack is None:
            continue
        if nack.consumer is not None and min_idle and now - nack.delivery_time < min_idle:
            continue
        _take(group, sid, nack, consumer)
        nack.delivery_time = delivery
        if opts.retry_count >= 0:
            nack.delivery_count = opts.retry_count
        elif not opts.justid:
            nack.delivery_count += 1
        out.append(_claimed_reply(stream, sid, opts.justid))
        consumer.active_time = now
    return out


# -- XAUTOCLAIM ----------------------------------------------------------------------------------------------------
def _parse_autoclaim(argv: list[bytes]) -> tuple[int, tuple[int, int], int, bool]:
    min_idle = max(parse_long(argv[4], errors.XAUTOCLAIM_MIN_IDLE), 0)
    start = parse_range_start(argv[5])
    count, justid = 100, False
    j = 6
    while j < len(argv):
        opt = argv[j].lower()
        if opt == b"count" and j + 1 < len(argv):
            count = parse_range_long(argv[j + 1], 1, _AUTOCLAIM_MAX_COUNT, errors.XAUTOCLAIM_COUNT)
            j += 1
        elif opt == b"justid":
            justid = True
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return min_idle, start, count, justid


@command("xautoclaim")
def xautoclaim(engine, client, argv):
    min_idle, start, count, justid = _parse_autoclaim(argv)
    stream = read_stream(engine, engine.db(client), argv[1])
    group = require_group(stream, argv[1], argv[2])
    if count * 16 > _MAX_TRANSIENT_BYTES:
        raise CommandError(errors.XAUTOCLAIM_TOO_MUCH_MEMORY)
    now = engine.now_ms()
    consumer = consumer_of(engine, engine.db(client), argv[1], group, argv[3], now)
    consumer.seen_time = now
    pending = [sid for sid in group.sorted_pel() if sid >= start]
    attempts = count * 10
    claimed, gone, index = [], [], 0
    while attempts and count and index < len(pending):
        attempts -= 1
        sid = pending[index]
        index += 1
        nack = group.pel[sid]
        if sid not in stream:
            group.ack(sid)
            gone.append(id_bytes(sid))
            count -= 1
            continue
        if min_idle and now - nack.delivery_time < min_idle:
            continue
        _take(group, sid, nack, consumer)
        nack.delivery_time = now
        if not justid:
            nack.delivery_count += 1
        claimed.append(_claimed_reply(stream, sid, justid))
        count -= 1
        consumer.active_time = now
    cursor = pending[index] if index < len(pending) else MIN_ID
    return [id_bytes(cursor), claimed, gone]


"""XREAD and XREADGROUP, blocking included.

A read that finds nothing and has BLOCK waits (see blocking.py). When a key it waits on gets data the whole read
is run again, as Redis 7.2+ re-executes the command, with `$` already replaced by the ID it stood for when the
client blocked. XREADGROUP is re-run too when its group is destroyed, which answers NOGROUP. Inside MULTI/EXEC and
scripts nothing blocks: the null reply comes at once.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..blocking import block, may_block, rerun
from ..datatypes.stream import MAX_ID, MIN_ID, Group, Nack, StreamValue, decr_id, id_bytes, incr_id
from ..errors import CommandError
from ..replies import NULL_ARRAY, Map
from . import command
from .collection_common import parse_long
from .stream_common import consumer_of, entry_reply, parse_strict_id, read_stream, text
from .stream_info import estimate_entries_read, range_has_tombstones

NEW_ONLY = MAX_ID  # how '>' is recorded: Redis uses the largest ID as the marker too
LLONG_MAX = (1 << 63) - 1


@dataclass
class ReadArgs:
    timeout_ms: int = -1  # -1: no BLOCK
    count: int = 0
    noack: bool = False
    group: bytes | None = None
    consumer: bytes | None = None
    keys: list | None = None
    id_args: list | None = None


def _parse_block(arg: bytes) -> int:
    """BLOCK milliseconds as Redis's getTimeoutFromObjectOrReply reads them."""
    value = parse_long(arg, errors.TIMEOUT_NOT_INTEGER)
    if value < 0:
        raise CommandError(errors.BLOCK_TIMEOUT_NEGATIVE)
    return value


def _parse(argv: list[bytes], xreadgroup: bool) -> ReadArgs:
    args = ReadArgs()
    i = 1
    while i < len(argv):
        opt, more = argv[i].lower(), len(argv) - i - 1
        if opt == b"block" and more:
            args.timeout_ms = _parse_block(argv[i + 1])
            i += 1
        elif opt == b"count" and more:
            args.count = max(parse_long(argv[i + 1]), 0)
            i += 1
        elif opt == b"streams" and more:
            rest = argv[i + 1:]
            if len(rest) % 2:
                symbol = "ID or '>'" if xreadgroup else "ID, '+', or '$'"
                raise CommandError(errors.XREAD_UNBALANCED % (argv[0].decode().lower(), symbol))
            half = len(rest) // 2
            args.keys, args.id_args = rest[:half], rest[half:]
            break
        elif opt == b"group" and more >= 2:
            if not xreadgroup:
                raise CommandError(errors.XREAD_GROUP_ONLY)
            args.group, args.consumer = argv[i + 1], argv[i + 2]
            i += 2
        elif opt == b"noack":
            if not xreadgroup:
                raise CommandError(errors.XREAD_NOACK_ONLY)
            args.noack = True
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    if args.keys is None:
        raise CommandError(errors.SYNTAX)
    if xreadgroup and args.group is None:
        raise CommandError(errors.XREADGROUP_MISSING_GROUP)
    return args


def _resolve_ids(engine, db, args: ReadArgs) -> tuple[list, list]:
    """Each key's "greater than" ID and group, checking groups, types and the special IDs in argument order."""
    ids, groups = [], []
    for key, arg in zip(args.keys, args.id_args):
        stream = read_stream(engine, db, key)
        group = None
        if args.group is not None:
            group = stream.groups.get(args.group) if stream is not None else None
            if group is None:
                raise CommandError(errors.NOGROUP_XREADGROUP % (text(key), text(args.group)))
        groups.append(group)
        ids.append(_special_id(stream, arg, args.group is not None))
    return ids, groups


def _special_id(stream: StreamValue | None, arg: bytes, xreadgroup: bool) -> tuple[int, int]:
    if arg in (b"$", b"+"):
        if xreadgroup:
            symbol = arg.decode()
            raise CommandError(errors.XREADGROUP_MEANINGLESS_ID % (symbol, symbol))
        if stream is None:
            return MIN_ID
        if arg == b"$":
            return stream.last_id
        return decr_id(stream.last_live_id()) or MIN_ID if len(stream) else stream.last_id  # '+': the last entry
    if arg == b">":
        if not xreadgroup:
            raise CommandError(errors.XREAD_GT_ID)
        return NEW_ONLY
    return parse_strict_id(arg)


# -- serving -------------------------------------------------------------------------------------------------------
def _advance_group(stream: StreamValue, group: Group, sid: tuple[int, int]) -> None:
    """The group moves past `sid`, keeping its entries-read counter exact when the bookkeeping allows."""
    # a group behind the first entry (trimmed past it) recounts from the stream's bookkeeping, as Redis 8 does
    if (group.entries_read is not None and group.last_id >= stream.first_id
            and not range_has_tombstones(stream, group.last_id)):
        group.entries_read += 1
    elif stream.entries_added:
        group.entries_read = estimate_entries_read(stream, sid)
    group.last_id = sid


def _deliver(stream: StreamValue, group: Group, consumer, sid, now: int) -> None:
    nack = group.pel.get(sid)
    if nack is None:
        nack = group.pel[sid] = Nack(consumer, now)
    else:
        if nack.consumer is not None:
            nack.consumer.pel.pop(sid, None)
        nack.consumer, nack.delivery_time, nack.delivery_count = consumer, now, 1
    consumer.pel[sid] = nack


def _new_entries(engine, stream, after, count, group=None, consumer=None, noack=False) -> list:
    start = incr_id(after)
    if start is None:
        return []
    now = engine.now_ms()
    out = []
    for sid, pairs in stream.range(start, MAX_ID, count):
        if group is not None and sid > group.last_id:
            _advance_group(stream, group, sid)
        out.append(entry_reply(sid, pairs))
        if group is not None and not noack:
            _deliver(stream, group, consumer, sid, now)
            consumer.active_time = now
    return out


def _history(engine, stream: StreamValue, consumer, after, count: int) -> list:
    """The consumer's own pending entries after `after`; deleted ones show as (id, null)."""
    start = incr_id(after)
    if start is None:
        return []
    now = engine.now_ms()
    out = []
    for sid in sorted(consumer.pel):
        if sid < start:
            continue
        if count and len(out) >= count:
            break
        if sid in stream:
            out.append(entry_reply(sid, stream.entries[sid]))
            nack = consumer.pel[sid]
            nack.delivery_time = now
            nack.delivery_count += 1
        else:
            out.append([id_bytes(sid), NULL_ARRAY])
    return out


def _serve_one(engine, db, key: bytes, stream: StreamValue, after, group, args: ReadArgs):
    """The entries for one stream, or None when this stream has nothing to give now."""
    if group is None:
        if len(stream) and stream.last_live_id() > after:
            return _new_entries(engine, stream, after, args.count)
        return None
    now = engine.now_ms()
    consumer = consumer_of(engine, db, key, group, args.consumer, now)
    consumer.seen_time = now
    if after != NEW_ONLY:
        return _history(engine, stream, consumer, after, args.count)
    if len(stream) and stream.last_live_id() > group.last_id:
        return _new_entries(engine, stream, group.last_id, args.count, group, consumer, args.noack)
    return None


def _read_once(engine, client, args: ReadArgs):
    """One attempt: the reply, or None when nothing could be served (then the caller blocks or answers null)."""
    db = engine.db(client)
    ids, groups = _resolve_ids(engine, db, args)
    served = []
    for key, after, group in zip(args.keys, ids, groups):
        stream = read_stream(engine, db, key)
        if stream is None:
            continue
        entries = _serve_one(engine, db, key, stream, after, group, args)
        if entries is not None:
            served.append((key, entries))
    if not served:
        return None, ids
    if client.resp == 3:
        return Map(served), ids
    return [[key, entries] for key, entries in served], ids


def _xread(engine, client, argv, xreadgroup: bool):
    args = _parse(argv, xreadgroup)
    deadline = _deadline(engine, args.timeout_ms) if args.timeout_ms != -1 else 0
    reply, ids = _read_once(engine, client, args)
    if reply is not None:
        return reply
    if args.timeout_ms == -1 or not may_block(client):
        return NULL_ARRAY
    # '$' means "after what is there now": fixed at blocking time, so later data is seen as new
    args.id_args = [id_bytes(sid) if arg == b"$" else arg for arg, sid in zip(args.id_args, ids)]

    def step(engine_, client_):
        if not xreadgroup and not _any_stream(engine_.db(client_), args.keys):
            return None
        return _read_once(engine_, client_, args)[0]

    return block(engine, client, list(args.keys), deadline, rerun(step), NULL_ARRAY, argv[0].decode().lower(),
                 unblock_on_nokey=xreadgroup)


def _any_stream(db, keys) -> bool:
    """A plain XREAD wakes only for stream data: another type written under the key leaves it waiting."""
    return any(isinstance(db.get(k), StreamValue) for k in keys)


def _deadline(engine, timeout_ms: int) -> int:
    if timeout_ms == 0:
        return 0
    now = engine.now_ms()
    if timeout_ms > LLONG_MAX - now:
        raise CommandError(errors.BLOCK_TIMEOUT_OUT_OF_RANGE)
    return now + timeout_ms


@command("xread")
def xread(engine, client, argv):
    return _xread(engine, client, argv, xreadgroup=False)


@command("xreadgroup")
def xreadgroup(engine, client, argv):
    return _xread(engine, client, argv, xreadgroup=True)

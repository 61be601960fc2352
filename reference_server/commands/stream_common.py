"""What the stream commands share: ID parsing as Redis reads IDs, key lookups, entry replies, and trimming
(MAXLEN/MINID, exact or `~`, LIMIT, and Redis 8.2's KEEPREF/DELREF/ACKED reference conditions)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import errors
from ..datatypes.stream import MAX_ID, MIN_ID, U64, Group, StreamValue, decr_id, id_bytes, incr_id
from ..errors import CommandError
from ..notify import notify
from ..util import string2ll
from .collection_common import parse_long
from .generic_keys import read_typed

_STRTOULL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]+)")
KEEPREF, DELREF, ACKED = "keepref", "delref", "acked"
CONDITIONS = {b"keepref": KEEPREF, b"delref": DELREF, b"acked": ACKED}


# -- IDs -----------------------------------------------------------------------------------------------------------
def _string2ull(s: bytes) -> int | None:
    """Redis's string2ull: string2ll when that works (negative refused), else C's strtoull (spaces, '+', leading
    zeros, even a wrapped-around '-')."""
    value = string2ll(s)
    if value is not None:
        return value if value >= 0 else None
    m = _STRTOULL.fullmatch(s)
    if m is None:
        return None
    magnitude = int(m.group(2))
    if magnitude > U64:
        return None
    return (-magnitude) & U64 if m.group(1) == b"-" else magnitude


def parse_id(arg: bytes, missing_seq: int = 0, strict: bool = False, allow_auto_seq: bool = False):
    """Redis's streamGenericParseIDOrReply. Returns (ms, seq), or with allow_auto_seq ((ms, seq), seq_given)."""
    if len(arg) > 127 or (strict and arg in (b"-", b"+")):
        raise CommandError(errors.STREAM_INVALID_ID)
    if arg == b"-":
        return (MIN_ID, True) if allow_auto_seq else MIN_ID
    if arg == b"+":
        return (MAX_ID, True) if allow_auto_seq else MAX_ID
    ms_part, dash, seq_part = arg.partition(b"-")
    ms = _string2ull(ms_part)
    if ms is None:
        raise CommandError(errors.STREAM_INVALID_ID)
    seq, seq_given = missing_seq, True
    if dash:
        if allow_auto_seq and seq_part == b"*":
            seq, seq_given = 0, False
        else:
            seq = _string2ull(seq_part)
            if seq is None:
                raise CommandError(errors.STREAM_INVALID_ID)
    return ((ms, seq), seq_given) if allow_auto_seq else (ms, seq)


def parse_strict_id(arg: bytes, missing_seq: int = 0) -> tuple[int, int]:
    return parse_id(arg, missing_seq, strict=True)


def try_parse_strict_id(arg: bytes) -> tuple[int, int] | None:
    try:
        return parse_strict_id(arg)
    except CommandError:
        return None


def parse_range_start(arg: bytes) -> tuple[int, int]:
    """A range start: incomplete IDs get seq 0; '(' makes it exclusive."""
    if len(arg) > 1 and arg[0:1] == b"(":
        start = incr_id(parse_strict_id(arg[1:], 0))
        if start is None:
            raise CommandError(errors.STREAM_INVALID_START)
        return start
    return parse_id(arg, 0)


def parse_range_end(arg: bytes) -> tuple[int, int]:
    """A range end: incomplete IDs get the largest seq; '(' makes it exclusive."""
    if len(arg) > 1 and arg[0:1] == b"(":
        end = decr_id(parse_strict_id(arg[1:], U64))
        if end is None:
            raise CommandError(errors.STREAM_INVALID_END)
        return end
    return parse_id(arg, U64)


def parse_id_list(args: list[bytes]) -> list[tuple[int, int]]:
    """Every ID parsed before anything is done, so a bad one leaves the command without effect."""
    return [parse_strict_id(a) for a in args]


# -- lookups and replies ---------------------------------------------------------------------------------------------
def get_stream(db, key: bytes) -> StreamValue | None:
    """A writing command's lookup (Redis's lookupKeyWrite)."""
    return db.get_typed(key, StreamValue)


def read_stream(engine, db, key: bytes) -> StreamValue | None:
    """A reading command's lookup (XLEN, XRANGE, XREAD, XACK, XPENDING, XCLAIM, XINFO…): a keyspace hit or miss."""
    return read_typed(engine, db, key, StreamValue)


def entry_reply(sid: tuple[int, int], pairs: tuple[bytes, ...]) -> list:
    return [id_bytes(sid), list(pairs)]


def entries_reply(entries) -> list:
    return [entry_reply(sid, pairs) for sid, pairs in entries]


def text(arg: bytes) -> str:
    return arg.decode("utf-8", "surrogateescape")


def consumer_of(engine, db, key: bytes, group: Group, name: bytes, now: int):
    """The named consumer of `group`, created when missing (XREADGROUP, XCLAIM, XAUTOCLAIM), with an
    "xgroup-createconsumer" notification."""
    consumer = group.consumers.get(name)
    if consumer is None:
        consumer = group.add_consumer(name, now)
        notify(engine, db, "t", "xgroup-createconsumer", key)
    return consumer


def require_group(stream: StreamValue | None, key: bytes, name: bytes) -> Group:
    """The group, or Redis's NOGROUP for a missing key or group (XPENDING, XCLAIM, XAUTOCLAIM)."""
    group = stream.groups.get(name) if stream is not None else None
    if group is None:
        raise CommandError(errors.NOGROUP_KEY_OR_GROUP % (text(key), text(name)))
    return group


def node_limits(engine) -> tuple[int, int]:
    config = engine.config
    return config.get_int("stream-node-max-bytes"), config.get_int("stream-node-max-entries")


# -- trimming ------------------------------------------------------------------------------------------------------
@dataclass
class TrimArgs:
    strategy: str = ""  # "" | "maxlen" | "minid"
    approx: bool = False
    limit: int = 0
    maxlen: int = 0
    minid: tuple[int, int] = MIN_ID
    condition: str = KEEPREF
    condition_given: bool = False
    limit_given: bool = False
    no_mkstream: bool = False


def parse_trim_option(args: TrimArgs, argv: list[bytes], i: int, xadd: bool) -> int | None:
    """Parse the trimming option at argv[i]; returns the index after it, or None when argv[i] is not one."""
    opt, more = argv[i].lower(), len(argv) - 1 - i
    if opt in (b"maxlen", b"minid") and more:
        if args.strategy:
            raise CommandError(errors.STREAM_MAXLEN_AND_MINID)
        args.approx = False
        if more >= 2 and argv[i + 1] in (b"~", b"="):
            args.approx = argv[i + 1] == b"~"
            i += 1
        if opt == b"maxlen":
            args.maxlen = parse_long(argv[i + 1])
            if args.maxlen < 0:
                raise CommandError(errors.STREAM_MAXLEN_NEGATIVE)
        else:
            args.minid = parse_strict_id(argv[i + 1])
        args.strategy = opt.decode()
        return i + 2
    if opt == b"limit" and more:
        args.limit = parse_long(argv[i + 1])
        if args.limit < 0:
            raise CommandError(errors.STREAM_LIMIT_NEGATIVE)
        args.limit_given = True
        return i + 2
    if opt in CONDITIONS and not args.condition_given:
        args.condition, args.condition_given = CONDITIONS[opt], True
        return i + 1
    if xadd and opt == b"nomkstream":
        args.no_mkstream = True
        return i + 1
    return None


def check_trim_args(args: TrimArgs, xadd: bool) -> None:
    if args.limit and not args.strategy:
        raise CommandError(errors.STREAM_LIMIT_WITHOUT_STRATEGY)
    if not xadd and not args.strategy:
        raise CommandError(errors.STREAM_XTRIM_NEEDS_STRATEGY)
    if args.limit_given and not args.approx:
        raise CommandError(errors.STREAM_LIMIT_WITHOUT_APPROX)


def default_limit(engine, args: TrimArgs) -> int:
    """Approximate trimming without LIMIT does at most 100 nodes' worth of work; exact trimming is unlimited."""
    if args.limit_given or not args.approx:
        return args.limit
    limit = 100 * engine.config.get_int("stream-node-max-entries")
    return 10000 if limit <= 0 else min(limit, 1_000_000)


def trim(stream: StreamValue, args: TrimArgs, limit: int) -> int:
    """Delete entries from the head as Redis's streamTrim does; returns how many went."""
    if not args.strategy or (args.approx and args.condition != KEEPREF):
        return 0  # Redis 8.2 trims approximately only when references may be kept
    by_len = args.strategy == "maxlen"
    deleted = 0
    for node in stream.iter_nodes():
        if by_len and len(stream) <= args.maxlen:
            break
        if limit and deleted + node.live > limit:
            break
        whole = len(stream) - node.live >= args.maxlen if by_len else node.last_id < args.minid
        if whole and _node_removable(stream, node, args.condition):
            deleted += _drop_node(stream, node, args.condition)
            continue
        if args.approx:
            break
        trimmed, stopped = _trim_inside(stream, node, args)
        deleted += trimmed
        if stopped:
            break
    if deleted:
        stream.refresh_first_id()
    return deleted


def _node_removable(stream: StreamValue, node, condition: str) -> bool:
    if condition != ACKED:
        return True
    return not any(stream.is_referenced(sid) for sid in node.ids if sid not in node.deleted)


def _drop_node(stream: StreamValue, node, condition: str) -> int:
    if condition == DELREF:
        for sid in node.ids:
            if sid not in node.deleted:
                stream.drop_references(sid)
    return stream.drop_node(node)


def _trim_inside(stream: StreamValue, node, args: TrimArgs) -> tuple[int, bool]:
    """Mark entries of one node deleted until the threshold is met; (deleted, threshold met)."""
    by_len = args.strategy == "maxlen"
    deleted = 0
    for sid in list(node.ids):
        if (len(stream) <= args.maxlen) if by_len else (sid >= args.minid):
            return deleted, True
        if sid in node.deleted:
            continue
        if args.condition == ACKED and stream.is_referenced(sid):
            continue
        if args.condition == DELREF:
            stream.drop_references(sid)
        stream.trim_entry(sid)
        deleted += 1
    return deleted, False

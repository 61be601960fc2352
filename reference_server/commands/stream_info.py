"""XINFO STREAM (plain and FULL [COUNT n]), XINFO GROUPS, XINFO CONSUMERS, XINFO HELP; with the consumer group lag
and the entries-read estimate computed from Redis's bookkeeping (entries added, max deleted ID, first entry ID)."""
from __future__ import annotations

from .. import errors
from ..datatypes.stream import MAX_ID, MIN_ID, Group, StreamValue, id_bytes
from ..errors import CommandError
from ..replies import Map
from . import command
from .collection_common import parse_long
from .stream_common import entries_reply, entry_reply, read_stream, text

XINFO_HELP = [
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Print this help.",
]


# -- lag and entries read (Redis's streamEstimateDistanceFromFirstEverEntry and streamReplyWithCGLag) ----------------
def range_has_tombstones(stream: StreamValue, start: tuple[int, int] | None) -> bool:
    """Whether a deleted entry may lie at or after `start` (the whole stream when None)."""
    if not len(stream) or stream.max_deleted_id == MIN_ID:
        return False
    return (start or MIN_ID) <= stream.max_deleted_id


def estimate_entries_read(stream: StreamValue, sid: tuple[int, int]) -> int | None:
    """How many entries were ever added up to `sid`, when the bookkeeping can tell; None when it cannot."""
    if not stream.entries_added:
        return 0
    if not len(stream) and sid <= stream.last_id:
        return stream.entries_added
    if sid != MIN_ID and sid < stream.max_deleted_id:
        return None
    if sid == stream.last_id:
        return stream.entries_added
    if sid > stream.last_id:
        return None
    if stream.max_deleted_id == MIN_ID or stream.max_deleted_id < stream.first_id:
        if sid < stream.first_id:
            return stream.entries_added - len(stream)
        if sid == stream.first_id:
            return stream.entries_added - len(stream) + 1
    return None


def group_lag(stream: StreamValue, group: Group) -> int | None:
    if not stream.entries_added or not len(stream):
        return 0
    if group.last_id < stream.first_id and stream.max_deleted_id < stream.first_id:
        return len(stream)
    if group.entries_read is not None and not range_has_tombstones(stream, group.last_id):
        return stream.entries_added - group.entries_read
    read = estimate_entries_read(stream, group.last_id)
    return None if read is None else stream.entries_added - read


# -- XINFO ---------------------------------------------------------------------------------------------------------
def _stream_or_error(engine, client, key: bytes) -> StreamValue:
    stream = read_stream(engine, engine.db(client), key)
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    return stream


@command("xinfo|help")
def xinfo_help(engine, client, argv):
    return list(XINFO_HELP)


@command("xinfo|consumers")
def xinfo_consumers(engine, client, argv):
    stream = _stream_or_error(engine, client, argv[2])
    group = stream.groups.get(argv[3])
    if group is None:
        raise CommandError(errors.NOGROUP_FOR_KEY % (text(argv[3]), text(argv[2])))
    now = engine.now_ms()
    out = []
    for consumer in group.sorted_consumers():
        inactive = now - consumer.active_time if consumer.active_time != -1 else -1
        out.append(Map([(b"name", consumer.name), (b"pending", len(consumer.pel)),
                        (b"idle", max(now - consumer.seen_time, 0)), (b"inactive", inactive)]))
    return out


@command("xinfo|groups")
def xinfo_groups(engine, client, argv):
    stream = _stream_or_error(engine, client, argv[2])
    return [Map([(b"name", g.name), (b"consumers", len(g.consumers)), (b"pending", len(g.pel)),
                 (b"last-delivered-id", id_bytes(g.last_id)), (b"entries-read", g.entries_read),
                 (b"lag", group_lag(stream, g))]) for g in stream.sorted_groups()]


def _stream_header(stream: StreamValue) -> list:
    return [(b"length", len(stream)), (b"radix-tree-keys", len(stream.nodes)),
            (b"radix-tree-nodes", stream.radix_tree_nodes()), (b"last-generated-id", id_bytes(stream.last_id)),
            (b"max-deleted-entry-id", id_bytes(stream.max_deleted_id)), (b"entries-added", stream.entries_added),
            (b"recorded-first-entry-id", id_bytes(stream.first_id))]


def _edge_entry(stream: StreamValue, last: bool):
    found = stream.range(MIN_ID, MAX_ID, 1, rev=last)
    return entry_reply(*found[0]) if found else None


def _parse_full_count(argv: list[bytes]) -> int | None:
    """None for the plain form; the COUNT of the FULL form (10 by default or when negative, 0 = everything)."""
    options = argv[3:]
    if not options:
        return None
    syntax = CommandError(errors.SUBCOMMAND_SYNTAX % (text(argv[1][:128]), "XINFO"))
    if len(options) not in (1, 3) or options[0].lower() != b"full":
        raise syntax
    if len(options) == 1:
        return 10
    if options[1].lower() != b"count":
        raise syntax
    count = parse_long(options[2])
    return 10 if count < 0 else count


def _limited(items: list, count: int) -> list:
    return items[:count] if count else items


def _full_group(stream: StreamValue, group: Group, count: int) -> Map:
    pending = [[id_bytes(sid), group.pel[sid].consumer.name, group.pel[sid].delivery_time,
                group.pel[sid].delivery_count] for sid in _limited(group.sorted_pel(), count)]
    consumers = []
    for consumer in group.sorted_consumers():
        own = [[id_bytes(sid), consumer.pel[sid].delivery_time, consumer.pel[sid].delivery_count]
               for sid in _limited(sorted(consumer.pel), count)]
        consumers.append(Map([(b"name", consumer.name), (b"seen-time", consumer.seen_time),
                              (b"active-time", consumer.active_time), (b"pel-count", len(consumer.pel)),
                              (b"pending", own)]))
    return Map([(b"name", group.name), (b"last-delivered-id", id_bytes(group.last_id)),
                (b"entries-read", group.entries_read), (b"lag", group_lag(stream, group)),
                (b"pel-count", len(group.pel)), (b"pending", pending), (b"consumers", consumers)])


@command("xinfo|stream")
def xinfo_stream(engine, client, argv):
    stream = _stream_or_error(engine, client, argv[2])
    count = _parse_full_count(argv)
    fields = _stream_header(stream)
    if count is None:
        fields += [(b"groups", len(stream.groups)), (b"first-entry", _edge_entry(stream, last=False)),
                   (b"last-entry", _edge_entry(stream, last=True))]
    else:
        fields += [(b"entries", entries_reply(stream.range(MIN_ID, MAX_ID, count))),
                   (b"groups", [_full_group(stream, g, count) for g in stream.sorted_groups()])]
    return Map(fields)

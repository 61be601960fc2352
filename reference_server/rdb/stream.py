"""Streams in the RDB format: each node's listpack keyed by its master ID, the stream's metadata, then every
consumer group with its pending entries list and consumers.

A node's listpack starts with a master entry (live count, deleted count, the first entry's field names, 0); each
entry is flags, ID deltas from the master ID, its values (or field count and fields and values when they differ
from the master fields) and the number of listpack elements it took. Deleted entries stay, flagged.
"""
from __future__ import annotations

from ..datatypes.stream import MAX_ID, MIN_ID, U64, Consumer, Group, Nack, Node, StreamValue, _delta
from . import listpack
from .listpack import Malformed

DELETED, SAME_FIELDS = 1, 2
T_STREAM_1, T_STREAM_2, T_STREAM_3 = 15, 19, 21
_NO_ENTRIES_READ = U64  # SCG_INVALID_ENTRIES_READ (-1) as the unsigned length it is saved as


def raw_id(sid: tuple[int, int]) -> bytes:
    return sid[0].to_bytes(8, "big") + sid[1].to_bytes(8, "big")


def _parse_raw_id(raw: bytes) -> tuple[int, int]:
    return int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big")


# -- writing -------------------------------------------------------------------------------------------------------
def node_listpack(node: Node) -> bytes:
    fields = node.master_fields
    elements: list[listpack.Element] = [node.live, len(node.deleted), len(fields), *fields, 0]
    for sid in node.ids:
        pairs = node.pairs[sid]
        same = pairs[0::2] == fields
        flags = (SAME_FIELDS if same else 0) | (DELETED if sid in node.deleted else 0)
        elements += [flags, _delta(sid[0], node.master_id[0]), _delta(sid[1], node.master_id[1])]
        count = len(pairs) // 2
        if same:
            elements += pairs[1::2]
            elements.append(count + 3)
        else:
            elements.append(count)
            elements += pairs
            elements.append(2 * count + 4)
    return listpack.encode(elements)


def _write_group(w, group: Group) -> None:
    w.string(group.name)
    w.length(group.last_id[0])
    w.length(group.last_id[1])
    w.length(_NO_ENTRIES_READ if group.entries_read is None else group.entries_read)
    w.length(len(group.pel))
    for sid in group.sorted_pel():
        nack = group.pel[sid]
        w.out += raw_id(sid)
        w.millis(nack.delivery_time)
        w.length(nack.delivery_count)
    w.length(len(group.consumers))
    for consumer in group.sorted_consumers():
        w.string(consumer.name)
        w.millis(consumer.seen_time)
        w.millis(consumer.active_time)
        w.length(len(consumer.pel))
        for sid in sorted(consumer.pel):
            w.out += raw_id(sid)


def write_stream(w, stream: StreamValue) -> None:
    w.length(len(stream.nodes))
    for node in stream.nodes:
        w.string(raw_id(node.master_id))
        w.string(node_listpack(node))
    w.length(len(stream))
    for sid in (stream.last_id, stream.first_id, stream.max_deleted_id):
        w.length(sid[0])
        w.length(sid[1])
    w.length(stream.entries_added)
    w.length(len(stream.groups))
    for group in stream.sorted_groups():
        _write_group(w, group)


# -- reading -------------------------------------------------------------------------------------------------------
def _int(element: listpack.Element) -> int:
    if not isinstance(element, int):
        raise Malformed("stream listpack: integer expected")
    return element


def _node_entries(master_id, elements: list) -> tuple[tuple[bytes, ...], list]:
    """(master fields, [(id, pairs, deleted)]) of one node's listpack."""
    it = iter(elements)
    _int(next(it))
    _int(next(it))
    fields = tuple(listpack.as_bytes(next(it)) for _ in range(_int(next(it))))
    if _int(next(it)) != 0:
        raise Malformed("stream master entry not terminated")
    entries = []
    for flags in it:
        flags = _int(flags)
        sid = ((master_id[0] + _int(next(it))) & U64, (master_id[1] + _int(next(it))) & U64)
        if flags & SAME_FIELDS:
            values = [listpack.as_bytes(next(it)) for _ in fields]
            pairs = tuple(x for pair in zip(fields, values) for x in pair)
        else:
            pairs = tuple(listpack.as_bytes(next(it)) for _ in range(2 * _int(next(it))))
        _int(next(it))
        entries.append((sid, pairs, bool(flags & DELETED)))
    return fields, entries


def _read_node(stream: StreamValue, key: bytes, blob: bytes) -> None:
    if len(key) != 16:
        raise Malformed("stream node key is not a stream ID")
    elements = listpack.decode(blob)
    if not elements:
        raise Malformed("empty listpack inside stream")
    master_id = _parse_raw_id(key)
    try:
        fields, entries = _node_entries(master_id, elements)
    except StopIteration as exc:
        raise Malformed("stream listpack entry cut short") from exc
    node = Node(master_id, fields)
    for sid, pairs, deleted in entries:
        node.append(sid, pairs)
        stream.node_of[sid] = node
        if deleted:
            node.mark_deleted(sid)
        else:
            stream.ids.append(sid)
            stream.entries[sid] = pairs
    stream.nodes.append(node)


def _read_pel(r, group: Group) -> None:
    for _ in range(r.length()):
        sid = _parse_raw_id(r.raw(16))
        nack = Nack(None, r.millis())
        nack.delivery_count = r.length()
        if sid in group.pel:
            raise Malformed("duplicated global PEL entry")
        group.pel[sid] = nack


def _read_consumers(r, group: Group, rdb_type: int) -> None:
    for _ in range(r.length()):
        name = r.string()
        if name in group.consumers:
            raise Malformed("duplicate stream consumer")
        consumer = group.consumers[name] = Consumer(name, 0)
        consumer.seen_time = r.millis()
        consumer.active_time = r.millis() if rdb_type >= T_STREAM_3 else consumer.seen_time
        for _ in range(r.length()):
            sid = _parse_raw_id(r.raw(16))
            nack = group.pel.get(sid)
            if nack is None or sid in consumer.pel:
                raise Malformed("consumer PEL entry not in the group PEL, or twice")
            nack.consumer = consumer
            consumer.pel[sid] = nack


def _read_group(r, stream: StreamValue, rdb_type: int) -> None:
    from ..commands.stream_info import estimate_entries_read
    name = r.string()
    last_id = (r.length(), r.length())
    if rdb_type >= T_STREAM_2:
        read = r.length()
        entries_read = None if read == _NO_ENTRIES_READ else read
    else:
        entries_read = estimate_entries_read(stream, last_id)
    if name in stream.groups:
        raise Malformed("duplicated consumer group name")
    group = stream.groups[name] = Group(name, last_id, entries_read)
    _read_pel(r, group)
    _read_consumers(r, group, rdb_type)


def read_stream(r, rdb_type: int) -> StreamValue:
    stream = StreamValue()
    for _ in range(r.length()):
        _read_node(stream, r.string(), r.string())
    masters = [n.master_id for n in stream.nodes]
    if len(set(masters)) != len(masters):
        raise Malformed("listpack re-added with existing key")
    stream.nodes.sort(key=lambda n: n.master_id)
    stream.ids.sort()
    declared_length = r.length()
    stream.last_id = (r.length(), r.length())
    if rdb_type >= T_STREAM_2:
        stream.first_id = (r.length(), r.length())
        stream.max_deleted_id = (r.length(), r.length())
        stream.entries_added = r.length()
    else:
        stream.first_id = stream.ids[0] if stream.ids else MAX_ID
        stream.max_deleted_id = MIN_ID
        stream.entries_added = declared_length
    if declared_length and not stream.nodes:
        raise Malformed("stream length inconsistent with its nodes")
    for _ in range(r.length()):
        _read_group(r, stream, rdb_type)
    return stream

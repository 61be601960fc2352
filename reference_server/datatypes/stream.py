"""The stream type: entries in listpack-like nodes, consumer groups with their pending entries lists.

IDs are (ms, seq) tuples. Live IDs are kept in one sorted list (bisect) with a dict of their field/value pairs, so
ranges are cheap. The entries are also grouped into nodes exactly as Redis fills its listpacks (a node closes at
stream-node-max-entries entries, live or deleted, or when its byte size would reach stream-node-max-bytes), because
approximate trimming removes whole nodes only, deleted entries stay in their node as tombstones, and XINFO reports
the node count (radix-tree-keys) and the size of the radix tree holding them (radix-tree-nodes).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterator

from ..util import string2ll

U64 = (1 << 64) - 1
MIN_ID = (0, 0)
MAX_ID = (U64, U64)
_LISTPACK_MAX_SIZE = 1 << 30  # Redis never lets one listpack grow past this, whatever the configuration
_LISTPACK_OVERHEAD = 7  # 6 header bytes and the end marker


def id_bytes(sid: tuple[int, int]) -> bytes:
    return b"%d-%d" % sid


def incr_id(sid: tuple[int, int]) -> tuple[int, int] | None:
    """The next ID, or None past the last possible one."""
    ms, seq = sid
    if seq < U64:
        return ms, seq + 1
    return (ms + 1, 0) if ms < U64 else None


def decr_id(sid: tuple[int, int]) -> tuple[int, int] | None:
    ms, seq = sid
    if seq > 0:
        return ms, seq - 1
    return (ms - 1, U64) if ms > 0 else None


# -- listpack sizes (what decides where Redis starts a new node) ----------------------------------------------------
def _int_size(v: int) -> int:
    if 0 <= v <= 127:
        return 2
    if -4096 <= v <= 4095:
        return 3
    if -32768 <= v <= 32767:
        return 4
    if -8388608 <= v <= 8388607:
        return 5
    if -(1 << 31) <= v < (1 << 31):
        return 6
    return 10


def _backlen_size(n: int) -> int:
    return 1 if n <= 127 else 2 if n < 16383 else 3 if n < 2097151 else 4 if n < 268435455 else 5


def _element_size(s: bytes) -> int:
    """Bytes one listpack element takes, backlen included; strings that are integers are stored as integers."""
    as_int = string2ll(s)
    if as_int is not None:
        return _int_size(as_int)
    n = len(s)
    encoded = n + (1 if n < 64 else 2 if n < 4096 else 5)
    return encoded + _backlen_size(encoded)


def _delta(a: int, b: int) -> int:
    """a - b as the int64 Redis stores (unsigned subtraction reinterpreted)."""
    d = (a - b) & U64
    return d - (1 << 64) if d >= 1 << 63 else d


class Node:
    """One listpack: a master entry (the first entry's field names) and entries, live or marked deleted."""

    __slots__ = ("master_id", "master_fields", "ids", "deleted", "live", "body_bytes", "pairs")

    def __init__(self, master_id: tuple[int, int], fields: tuple[bytes, ...]) -> None:
        self.master_id = master_id
        self.master_fields = fields
        self.ids: list[tuple[int, int]] = []  # every entry, deleted ones too, in order
        self.deleted: set[tuple[int, int]] = set()
        self.pairs: dict[tuple[int, int], tuple[bytes, ...]] = {}  # every entry's fields/values, deleted ones too
        self.live = 0
        self.body_bytes = _LISTPACK_OVERHEAD + _int_size(len(fields)) + sum(map(_element_size, fields)) + 2

    def total_bytes(self) -> int:
        return self.body_bytes + _int_size(self.live) + _int_size(len(self.deleted))

    def append(self, sid: tuple[int, int], pairs: tuple[bytes, ...]) -> None:
        fields, values = pairs[0::2], pairs[1::2]
        same = fields == self.master_fields
        size = 2 + _int_size(_delta(sid[0], self.master_id[0])) + _int_size(_delta(sid[1], self.master_id[1]))
        size += sum(map(_element_size, values))
        parts = len(values) + 3
        if not same:
            size += _int_size(len(fields)) + sum(map(_element_size, fields))
            parts += len(fields) + 1
        self.body_bytes += size + _int_size(parts)
        self.ids.append(sid)
        self.pairs[sid] = pairs
        self.live += 1

    def mark_deleted(self, sid: tuple[int, int]) -> None:
        self.deleted.add(sid)
        self.live -= 1

    @property
    def last_id(self) -> tuple[int, int]:
        return self.ids[-1]


class Nack:
    """A pending entry: who has it, when it was last delivered, how many times."""

    __slots__ = ("consumer", "delivery_time", "delivery_count")

    def __init__(self, consumer: "Consumer | None", now: int) -> None:
        self.consumer = consumer
        self.delivery_time = now
        self.delivery_count = 1


class Consumer:
    __slots__ = ("name", "pel", "seen_time", "active_time")

    def __init__(self, name: bytes, now: int) -> None:
        self.name = name
        self.pel: dict[tuple[int, int], Nack] = {}
        self.seen_time = now
        self.active_time = -1


class Group:
    __slots__ = ("name", "last_id", "entries_read", "pel", "consumers")

    def __init__(self, name: bytes, last_id: tuple[int, int], entries_read: int | None) -> None:
        self.name = name
        self.last_id = last_id
        self.entries_read = entries_read  # None: unknown (Redis's SCG_INVALID_ENTRIES_READ)
        self.pel: dict[tuple[int, int], Nack] = {}
        self.consumers: dict[bytes, Consumer] = {}

    def sorted_pel(self) -> list[tuple[int, int]]:
        return sorted(self.pel)

    def sorted_consumers(self) -> list[Consumer]:
        return [self.consumers[name] for name in sorted(self.consumers)]

    def add_consumer(self, name: bytes, now: int) -> Consumer | None:
        if name in self.consumers:
            return None
        consumer = self.consumers[name] = Consumer(name, now)
        return consumer

    def consumer(self, name: bytes, now: int) -> Consumer:
        """The named consumer, created when missing (XREADGROUP, XCLAIM, XAUTOCLAIM do that)."""
        return self.consumers.get(name) or self.add_consumer(name, now)

    def ack(self, sid: tuple[int, int]) -> bool:
        nack = self.pel.pop(sid, None)
        if nack is None:
            return False
        if nack.consumer is not None:
            nack.consumer.pel.pop(sid, None)
        return True

    def delete_consumer(self, consumer: Consumer) -> int:
        pending = len(consumer.pel)
        for sid in consumer.pel:
            self.pel.pop(sid, None)
        del self.consumers[consumer.name]
        return pending


class StreamValue:
    TYPE = "stream"
    __slots__ = ("ids", "entries", "node_of", "nodes", "last_id", "first_id", "max_deleted_id", "entries_added",
                 "groups")

    def __init__(self) -> None:
        self.ids: list[tuple[int, int]] = []  # live IDs, sorted
        self.entries: dict[tuple[int, int], tuple[bytes, ...]] = {}  # id -> field, value, field, value…
        self.node_of: dict[tuple[int, int], Node] = {}
        self.nodes: list[Node] = []
        self.last_id = MIN_ID
        self.first_id = MIN_ID  # the recorded first entry ID (0-0 when empty)
        self.max_deleted_id = MIN_ID
        self.entries_added = 0
        self.groups: dict[bytes, Group] = {}

    def encoding(self, config=None) -> str:
        return "stream"

    def __len__(self) -> int:
        return len(self.ids)

    def copy(self) -> "StreamValue":
        import copy
        return copy.deepcopy(self)

    # -- reading -----------------------------------------------------------------------------------------------
    def __contains__(self, sid: tuple[int, int]) -> bool:
        return sid in self.entries

    def range(self, start: tuple[int, int], end: tuple[int, int], count: int = 0,
              rev: bool = False) -> list[tuple[tuple[int, int], tuple[bytes, ...]]]:
        """Entries with start <= id <= end, oldest first (newest first when rev); count 0 = all."""
        lo, hi = bisect_left(self.ids, start), bisect_right(self.ids, end)
        picked = self.ids[lo:hi]
        if rev:
            picked.reverse()
        if count:
            picked = picked[:count]
        return [(sid, self.entries[sid]) for sid in picked]

    def last_live_id(self) -> tuple[int, int]:
        return self.ids[-1] if self.ids else MIN_ID

    def sorted_groups(self) -> list[Group]:
        return [self.groups[name] for name in sorted(self.groups)]

    # -- adding ------------------------------------------------------------------------------------------------
    def append(self, sid: tuple[int, int], pairs: tuple[bytes, ...], max_bytes: int, max_entries: int) -> None:
        """Add an entry after the last one, opening a new node where Redis would."""
        node = self.nodes[-1] if self.nodes else None
        if node is not None and self._node_full(node, pairs, max_bytes, max_entries):
            node = None
        if node is None:
            node = Node(sid, pairs[0::2])
            self.nodes.append(node)
        node.append(sid, pairs)
        self.ids.append(sid)
        self.entries[sid] = pairs
        self.node_of[sid] = node
        self.entries_added += 1
        self.last_id = sid
        if len(self.ids) == 1:
            self.first_id = sid

    @staticmethod
    def _node_full(node: Node, pairs: tuple[bytes, ...], max_bytes: int, max_entries: int) -> bool:
        if max_bytes == 0 or max_bytes > _LISTPACK_MAX_SIZE:
            max_bytes = _LISTPACK_MAX_SIZE
        if node.total_bytes() + sum(map(len, pairs)) >= max_bytes:
            return True
        return bool(max_entries) and len(node.ids) >= max_entries

    # -- removing ----------------------------------------------------------------------------------------------
    def delete(self, sid: tuple[int, int]) -> bool:
        """XDEL one entry: a tombstone in its node, or the whole node when it was the node's last live entry."""
        if sid not in self.entries:
            return False
        node = self.node_of[sid]
        self._forget(sid)
        if node.live == 1:
            self.nodes.remove(node)
            for other in node.ids:
                self.node_of.pop(other, None)
        else:
            node.mark_deleted(sid)
        if sid > self.max_deleted_id:
            self.max_deleted_id = sid
        return True

    def _forget(self, sid: tuple[int, int]) -> None:
        del self.entries[sid]
        del self.ids[bisect_left(self.ids, sid)]

    def drop_node(self, node: Node) -> int:
        """Remove a whole node (approximate trimming); returns the live entries it held."""
        live = [sid for sid in node.ids if sid not in node.deleted]
        for sid in live:
            del self.entries[sid]
        for sid in node.ids:
            self.node_of.pop(sid, None)
        del self.ids[:len(live)]  # only ever the head node
        self.nodes.remove(node)
        return len(live)

    def trim_entry(self, sid: tuple[int, int]) -> None:
        """Exact trimming marks entries deleted and leaves the node in place, even when it becomes empty."""
        self.node_of[sid].mark_deleted(sid)
        self._forget(sid)

    def refresh_first_id(self) -> None:
        self.first_id = self.ids[0] if self.ids else MIN_ID

    # -- consumer group references (Redis 8.2's KEEPREF / DELREF / ACKED) --------------------------------------
    def is_referenced(self, sid: tuple[int, int]) -> bool:
        """Some group has not read the entry yet, or has it pending."""
        return any(g.last_id < sid or sid in g.pel for g in self.groups.values())

    def drop_references(self, sid: tuple[int, int]) -> bool:
        """DELREF: the entry leaves every group's pending list; True when it was in one."""
        dropped = False
        for group in self.groups.values():
            dropped = group.ack(sid) or dropped
        return dropped

    def iter_nodes(self) -> Iterator[Node]:
        return iter(list(self.nodes))

    def radix_tree_nodes(self) -> int:
        """Nodes of the radix tree keyed by each node's master ID as 16 big-endian bytes (rax's compact shape)."""
        keys = [ms.to_bytes(8, "big") + seq.to_bytes(8, "big") for ms, seq in (n.master_id for n in self.nodes)]
        children: dict[bytes, set[int]] = {}
        for key in keys:
            for depth in range(16):
                children.setdefault(key[:depth], set()).add(key[depth])
        branching = [p for p, c in children.items() if len(c) > 1]
        shape = {b""} | set(keys) | set(branching)
        shape.update(p + bytes([c]) for p in branching for c in children[p])
        return len(shape)

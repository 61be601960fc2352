"""The list type: elements in order, plus enough of Redis's listpack/quicklist layout to report OBJECT ENCODING.

Redis 7.2+ keeps a small list as one listpack and turns it into a quicklist (a chain of listpack nodes) when it
outgrows `list-max-listpack-size`; it turns back into a listpack only when the quicklist is down to a single packed
node holding at most half the limit. Whether a quicklist has one node depends on its history, so the node chain is
modelled too: each node's element count, listpack bytes and whether it is a "plain" node (one element too large to
pack). Nodes only hold counts.

Elements live in two Python lists: `_back` in order, and `_front` holding the elements pushed at the head since the
last merge, newest last. Pushing or popping at either end is then O(1) (amortized) instead of moving every element
of a long list; `items` merges the two into one ordered list for the readers that index or slice it.
"""
from __future__ import annotations

from typing import Iterable

from ..util import string2ll

LISTPACK, QUICKLIST = "listpack", "quicklist"
_SIZE_CLASSES = (4096, 8192, 16384, 32768, 65536)  # list-max-listpack-size -1 … -5
_SIZE_SAFETY_LIMIT = 8192  # positive (count) limits still cap a node at this many bytes
_SIZE_ESTIMATE_OVERHEAD = 8  # Redis over-estimates an insertion's bytes by this much
_LISTPACK_HEADER_AND_END = 7


def entry_bytes(element: bytes) -> int:
    """Bytes one element takes in a listpack: encoding + data + back-length (integers are stored packed)."""
    n = string2ll(element) if len(element) <= 20 else None
    if n is not None:
        if 0 <= n <= 127:
            body = 1
        elif -4096 <= n <= 4095:
            body = 2
        elif -32768 <= n <= 32767:
            body = 3
        elif -8388608 <= n <= 8388607:
            body = 4
        elif -2147483648 <= n <= 2147483647:
            body = 5
        else:
            body = 9
    else:
        size = len(element)
        body = size + (1 if size < 64 else 2 if size < 4096 else 5)
    return body + (1 if body <= 127 else 2 if body < 16383 else 3 if body < 2097151 else 4 if body < 268435455 else 5)


def listpack_bytes(elements: Iterable[bytes]) -> int:
    return _LISTPACK_HEADER_AND_END + sum(entry_bytes(e) for e in elements)


def node_limits(fill: int) -> tuple[int | None, int | None]:
    """(byte limit, count limit) of one node for a list-max-listpack-size value; None = no such limit."""
    if fill >= 0:
        return None, max(fill, 1)
    return _SIZE_CLASSES[min(-fill - 1, len(_SIZE_CLASSES) - 1)], None


def exceeds_limit(fill: int, size: int, count: int) -> bool:
    size_limit, count_limit = node_limits(fill)
    if size_limit is not None:
        return size > size_limit
    return size > _SIZE_SAFETY_LIMIT or count > count_limit


def _is_large(length: int, fill: int) -> bool:
    size_limit, _ = node_limits(fill)
    return length > (size_limit if size_limit is not None else _SIZE_SAFETY_LIMIT)


class _Node:
    __slots__ = ("count", "size", "plain")

    def __init__(self, count: int = 0, size: int = _LISTPACK_HEADER_AND_END, plain: bool = False) -> None:
        self.count, self.size, self.plain = count, size, plain

    def allows(self, element: bytes, fill: int) -> bool:
        if self.plain or _is_large(len(element), fill):
            return False
        return not exceeds_limit(fill, self.size + len(element) + _SIZE_ESTIMATE_OVERHEAD, self.count + 1)

    def add(self, element: bytes) -> None:
        self.count += 1
        self.size += entry_bytes(element)

    def remove(self, element: bytes) -> None:
        self.count -= 1
        self.size -= entry_bytes(element)


class ListValue:
    TYPE = "list"
    __slots__ = ("_front", "_back", "nodes")

    def __init__(self, items: Iterable[bytes] = ()) -> None:
        self._front: list[bytes] = []  # head pushes not yet merged, newest last
        self._back: list[bytes] = list(items)
        self.nodes: list[_Node] | None = None  # None while the list is a single listpack

    @property
    def items(self) -> list[bytes]:
        """Every element in order, as one Python list that callers may read or change in place."""
        front = self._front
        if front:
            front.reverse()
            front += self._back
            self._back, self._front = front, []
        return self._back

    @items.setter
    def items(self, elements: list[bytes]) -> None:
        self._front, self._back = [], elements

    def encoding(self, config=None) -> str:
        return LISTPACK if self.nodes is None else QUICKLIST

    def copy(self) -> "ListValue":
        other = ListValue(self.items)
        if self.nodes is not None:
            other.nodes = [_Node(n.count, n.size, n.plain) for n in self.nodes]
        return other

    def __len__(self) -> int:
        return len(self._front) + len(self._back)

    def _pop_head(self) -> bytes:
        front = self._front
        if not front:  # refill from the back: half of it, reversed, so a run of pops stays O(1) each on average
            back = self._back
            half = (len(back) + 1) // 2
            front = self._front = back[half - 1::-1]
            del back[:half]
        return front.pop()

    def _pop_tail(self) -> bytes:
        back = self._back
        if not back:  # only head pushes left: the oldest of them are the tail
            front = self._front
            half = (len(front) + 1) // 2
            back = self._back = front[half - 1::-1]
            del front[:half]
        return back.pop()

    # -- encoding changes (where Redis's listTypeTryConversion* run) ---------------------------------------------
    def prepare_growth(self, added: list[bytes], fill: int) -> None:
        """Before adding elements: a listpack that would outgrow one node becomes a quicklist of one node."""
        if self.nodes is not None:
            return
        items = self.items
        size = listpack_bytes(items) + sum(len(e) for e in added)
        if exceeds_limit(fill, size, len(items) + len(added)):
            self.nodes = [_Node(len(items), listpack_bytes(items))] if items else []

    def after_shrink(self, fill: int) -> None:
        """After removing elements: a quicklist of one packed node at most half full becomes a listpack again."""
        nodes = self.nodes
        if nodes is None or len(nodes) != 1 or nodes[0].plain:
            return
        size_limit, count_limit = node_limits(fill)
        if size_limit is not None and nodes[0].size > size_limit // 2:
            return
        if count_limit is not None and len(self) > count_limit // 2:
            return
        self.nodes = None

    # -- node bookkeeping --------------------------------------------------------------------------------------
    def _node_at(self, index: int) -> tuple[int, int]:
        """(node number, offset inside it) of the element at `index`."""
        for number, node in enumerate(self.nodes):
            if index < node.count:
                return number, index
            index -= node.count
        raise IndexError(index)

    def _insert_node(self, number: int, element: bytes, fill: int) -> None:
        node = _Node(plain=_is_large(len(element), fill))
        node.add(element)
        self.nodes.insert(number, node)

    def _track_insert(self, index: int, element: bytes, fill: int) -> None:
        """Account for `element` just inserted at `index`: into the node it lands in or a neighbour with room,
        else into a node of its own (Redis splits a full node there; a new node keeps the count the same)."""
        nodes = self.nodes
        if nodes is None:
            return
        if index == len(self) - 1:  # appended: only the tail node may take it
            self._track_tail_push(element, fill)
            return
        number, offset = self._node_at(index)  # the node of the element it was inserted before
        if nodes[number].allows(element, fill):
            nodes[number].add(element)
        elif offset == 0 and number > 0 and nodes[number - 1].allows(element, fill):
            nodes[number - 1].add(element)
        else:
            self._insert_node(number, element, fill)

    def _track_remove(self, index: int, element: bytes) -> None:
        if self.nodes is None:
            return
        number, _ = self._node_at(index)
        node = self.nodes[number]
        node.remove(element)
        if node.count == 0:
            del self.nodes[number]

    # -- mutations ---------------------------------------------------------------------------------------------
    def push(self, elements: list[bytes], head: bool, fill: int) -> None:
        self.prepare_growth(elements, fill)
        for element in elements:
            if head:
                self._front.append(element)
                self._track_head_push(element, fill)
            else:
                self._back.append(element)
                self._track_tail_push(element, fill)

    def _track_head_push(self, element: bytes, fill: int) -> None:
        nodes = self.nodes
        if nodes is None:
            return
        if nodes and nodes[0].allows(element, fill):
            nodes[0].add(element)
        else:
            self._insert_node(0, element, fill)

    def _track_tail_push(self, element: bytes, fill: int) -> None:
        nodes = self.nodes
        if nodes is None:
            return
        if nodes and nodes[-1].allows(element, fill):
            nodes[-1].add(element)
        else:
            self._insert_node(len(nodes), element, fill)

    def insert(self, index: int, element: bytes, fill: int) -> None:
        self.prepare_growth([element], fill)
        self.items.insert(index, element)
        self._track_insert(index, element, fill)

    def pop(self, count: int, head: bool, fill: int, shrink: bool = True) -> list[bytes]:
        """Remove up to `count` elements from one end; `shrink=False` leaves the encoding check to the caller."""
        taken = []
        nodes = self.nodes
        for _ in range(min(count, len(self))):
            element = self._pop_head() if head else self._pop_tail()
            if nodes is not None:  # the end node loses it (as _track_remove would find, without the walk)
                number = 0 if head else len(nodes) - 1
                node = nodes[number]
                node.remove(element)
                if node.count == 0:
                    del nodes[number]
            taken.append(element)
        if shrink:
            self.after_shrink(fill)
        return taken

    def delete_at(self, indices: list[int], fill: int) -> None:
        """Remove the elements at `indices` (in any order), then maybe shrink back to a listpack."""
        for index in sorted(indices, reverse=True):
            element = self.items.pop(index)
            self._track_remove(index, element)
        self.after_shrink(fill)

    def replace(self, index: int, element: bytes, fill: int) -> None:
        """LSET's step; the caller ran prepare_growth first (Redis does, before it checks the index)."""
        old = self.items[index]
        self.items[index] = element
        if self.nodes is not None:
            node = self.nodes[self._node_at(index)[0]]
            node.size += entry_bytes(element) - entry_bytes(old)
        self.after_shrink(fill)

"""A sorted container with O(log n) search and cheap rank: a list of sorted blocks (the idea behind a B+-tree leaf
level), kept in pure Python.

Items are any totally ordered values; the zset stores ``(score, member)`` tuples so the order is Redis's skiplist
order: score first, then the member bytes compared like memcmp.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from itertools import accumulate
from typing import Any, Iterator

_BLOCK = 256  # a block splits at twice this size


class SortedIndex:
    __slots__ = ("_blocks", "_maxes", "_len", "_offsets")

    def __init__(self, items: Any = ()) -> None:
        ordered = sorted(items)
        self._blocks: list[list] = [ordered[i:i + _BLOCK] for i in range(0, len(ordered), _BLOCK)]
        self._maxes: list = [b[-1] for b in self._blocks]
        self._len = len(ordered)
        self._offsets: list[int] | None = None  # rank of each block's first item, rebuilt lazily

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator:
        for block in self._blocks:
            yield from block

    def __reversed__(self) -> Iterator:
        for block in reversed(self._blocks):
            yield from reversed(block)

    # -- changes -----------------------------------------------------------------------------------------------
    def add(self, item: Any) -> None:
        self._offsets = None
        self._len += 1
        if not self._blocks:
            self._blocks.append([item])
            self._maxes.append(item)
            return
        i = bisect_left(self._maxes, item)
        if i == len(self._blocks):
            i -= 1
            self._blocks[i].append(item)
            self._maxes[i] = item
        else:
            insort(self._blocks[i], item)
        if len(self._blocks[i]) > 2 * _BLOCK:
            block = self._blocks[i]
            self._blocks[i:i + 1] = [block[:_BLOCK], block[_BLOCK:]]
            self._maxes[i:i + 1] = [block[_BLOCK - 1], block[-1]]

    def remove(self, item: Any) -> None:
        i = bisect_left(self._maxes, item)
        block = self._blocks[i] if i < len(self._blocks) else []
        j = bisect_left(block, item)
        if j == len(block) or block[j] != item:
            raise KeyError(item)
        del block[j]
        self._len -= 1
        self._offsets = None
        if not block:
            del self._blocks[i]
            del self._maxes[i]
        elif j == len(block):
            self._maxes[i] = block[-1]

    # -- positions ---------------------------------------------------------------------------------------------
    def _block_offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = [0, *accumulate(len(b) for b in self._blocks)]
        return self._offsets

    def bisect_left(self, item: Any) -> int:
        """Rank of the first item >= `item`."""
        i = bisect_left(self._maxes, item)
        if i == len(self._blocks):
            return self._len
        return self._block_offsets()[i] + bisect_left(self._blocks[i], item)

    def bisect_right(self, item: Any) -> int:
        """Rank of the first item > `item`."""
        i = bisect_right(self._maxes, item)
        if i == len(self._blocks):
            return self._len
        return self._block_offsets()[i] + bisect_right(self._blocks[i], item)

    def __getitem__(self, rank: int) -> Any:
        if rank < 0:
            rank += self._len
        if not 0 <= rank < self._len:
            raise IndexError(rank)
        offsets = self._block_offsets()
        i = bisect_right(offsets, rank) - 1
        return self._blocks[i][rank - offsets[i]]

    def slice(self, start: int, stop: int, reverse: bool = False) -> list:
        """Items of ranks [start, stop) in order, or the same ranks counted from the end when `reverse`."""
        if reverse:
            start, stop = self._len - stop, self._len - start
        start, stop = max(start, 0), min(stop, self._len)
        if start >= stop:
            return []
        offsets = self._block_offsets()
        i = bisect_right(offsets, start) - 1
        out: list = []
        pos = start - offsets[i]
        while len(out) < stop - start:
            block = self._blocks[i]
            out.extend(block[pos:pos + (stop - start - len(out))])
            i, pos = i + 1, 0
        if reverse:
            out.reverse()
        return out

"""The sorted-set type: member -> score plus an index ordered like Redis's skiplist (score, then member bytes).

Two encodings as Redis has them: "listpack" while small, "skiplist" once an entry count or member length passes the
configured limits (never back, except where Redis converts a freshly built result down). A listpack keeps integral
scores as integers, so a score of -0 stored there reads back as 0; the skiplist keeps the sign.
"""
from __future__ import annotations

from typing import Iterator

from .sorted_index import SortedIndex

LISTPACK, SKIPLIST = "listpack", "skiplist"


class ZSetLimits:
    __slots__ = ("entries", "value")

    def __init__(self, config) -> None:
        self.entries = config.get_int("zset-max-listpack-entries")
        self.value = config.get_int("zset-max-listpack-value")


class _Top:
    """Sorts after every member: (score, TOP) is past every entry with that score."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return other is not self

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return 0


TOP = _Top()


def _listpack_score(score: float) -> float:
    """A listpack stores integral scores as integers (Redis's double2ll): the sign of zero is lost."""
    return 0.0 if score == 0.0 else score


class ZSetValue:
    TYPE = "zset"
    __slots__ = ("scores", "index", "enc")

    def __init__(self, enc: str = LISTPACK) -> None:
        self.scores: dict[bytes, float] = {}
        self.index = SortedIndex()
        self.enc = enc

    @classmethod
    def create(cls, size_hint: int, value_len_hint: int, limits: ZSetLimits) -> "ZSetValue":
        """Redis's zsetTypeCreate: a listpack when the expected size and member length fit."""
        fits = size_hint <= limits.entries and value_len_hint <= limits.value
        return cls(LISTPACK if fits else SKIPLIST)

    @classmethod
    def from_scores(cls, scores: dict[bytes, float], limits: ZSetLimits) -> "ZSetValue":
        """A result built aside (ZUNIONSTORE…): a skiplist, turned into a listpack when it fits."""
        z = cls(SKIPLIST)
        z.scores = dict(scores)
        z.index = SortedIndex((s, m) for m, s in scores.items())
        z.shrink_if_fits(limits)
        return z

    def encoding(self, config=None) -> str:
        return self.enc

    # -- reading -----------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, member: bytes) -> bool:
        return member in self.scores

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        return iter(self.index)

    def score(self, member: bytes) -> float | None:
        return self.scores.get(member)

    def rank(self, member: bytes, reverse: bool = False) -> int | None:
        score = self.scores.get(member)
        if score is None:
            return None
        rank = self.index.bisect_left((score, member))
        return len(self.scores) - 1 - rank if reverse else rank

    def by_rank(self, start: int, stop: int, reverse: bool = False) -> list[tuple[float, bytes]]:
        """Entries of ranks [start, stop), counted from the highest when `reverse`."""
        return self.index.slice(start, stop, reverse)

    def first_rank_at_least(self, score: float, exclusive: bool) -> int:
        return self.index.bisect_left((score, TOP) if exclusive else (score,))

    def first_rank_above(self, score: float, exclusive: bool) -> int:
        """Rank just past the entries whose score is <= `score` (< when exclusive)."""
        return self.index.bisect_left((score,) if exclusive else (score, TOP))

    # -- writing -----------------------------------------------------------------------------------------------
    def grow_for(self, size_hint: int, limits: ZSetLimits) -> None:
        """ZADD with many pairs converts a listpack up front (Redis's zsetTypeMaybeConvert)."""
        if self.enc == LISTPACK and size_hint > limits.entries:
            self.enc = SKIPLIST

    def insert(self, member: bytes, score: float, limits: ZSetLimits | None) -> None:
        """Add a new member (the caller checked it is absent); converts to skiplist when a limit is passed."""
        if self.enc == LISTPACK and limits is not None and \
                (len(self.scores) + 1 > limits.entries or len(member) > limits.value):
            self.enc = SKIPLIST
        if self.enc == LISTPACK:
            score = _listpack_score(score)
        self.scores[member] = score
        self.index.add((score, member))

    def update(self, member: bytes, score: float) -> None:
        old = self.scores[member]
        if self.enc == LISTPACK:
            score = _listpack_score(score)
        self.index.remove((old, member))
        self.scores[member] = score
        self.index.add((score, member))

    def remove(self, member: bytes) -> bool:
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.index.remove((score, member))
        return True

    def remove_entries(self, entries: list[tuple[float, bytes]]) -> int:
        for _, member in entries:
            self.remove(member)
        return len(entries)

    def shrink_if_fits(self, limits: ZSetLimits) -> None:
        """Redis's zsetConvertToListpackIfNeeded, used on results that were built as a skiplist."""
        if self.enc == SKIPLIST and len(self.scores) <= limits.entries and \
                max(map(len, self.scores), default=0) <= limits.value:
            self.enc = LISTPACK
            if any(s == 0.0 for s in self.scores.values()):
                self.scores = {m: _listpack_score(s) for m, s in self.scores.items()}
                self.index = SortedIndex((s, m) for m, s in self.scores.items())

"""The set type, with Redis's three encodings and the rules that move a set between them.

Members live in one insertion-ordered dict whatever the encoding; the encoding only decides the order members are
reported in (intset: numeric order; listpack: insertion order, as Redis appends; hashtable: Redis's order is a hash
order nobody can reproduce, so insertion order stands in) and what OBJECT ENCODING says. Conversions happen at write
time with the limits in force then, exactly where Redis converts, so a later CONFIG SET does not re-encode a set.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from ..util import string2ll

INTSET, LISTPACK, HASHTABLE = "intset", "listpack", "hashtable"
_INTSET_HARD_LIMIT = 1 << 30  # Redis caps intsets at 1G entries whatever the configuration says


class SetLimits:
    """The encoding thresholds read from the configuration once per command."""

    __slots__ = ("intset_entries", "listpack_entries", "listpack_value")

    def __init__(self, config) -> None:
        self.intset_entries = min(config.get_int("set-max-intset-entries"), _INTSET_HARD_LIMIT)
        self.listpack_entries = config.get_int("set-max-listpack-entries")
        self.listpack_value = config.get_int("set-max-listpack-value")


def _int_width(n: int) -> int:
    """Bytes per member of the narrowest intset encoding holding n."""
    return 2 if -32768 <= n <= 32767 else 4 if -2147483648 <= n <= 2147483647 else 8


def _digits(n: int) -> int:
    """Characters of n in decimal, sign included (Redis's sdigits10)."""
    return len(str(n))


class SetValue:
    TYPE = "set"
    __slots__ = ("members", "enc", "_sorted", "int_width")

    def __init__(self, enc: str = LISTPACK) -> None:
        self.members: dict[bytes, None] = {}
        self.enc = enc
        self._sorted: list[bytes] | None = None  # cached numeric order of an intset
        self.int_width = 2  # an intset's bytes per member: Redis widens it as needed and never narrows it

    @classmethod
    def create(cls, first: bytes, size_hint: int, limits: SetLimits) -> "SetValue":
        """A new empty set sized for `size_hint` members, the first of which is `first` (Redis's setTypeCreate)."""
        if string2ll(first) is not None and size_hint <= limits.intset_entries:
            return cls(INTSET)
        if size_hint <= limits.listpack_entries:
            return cls(LISTPACK)
        return cls(HASHTABLE)

    def encoding(self, config=None) -> str:
        return self.enc

    # -- reading -----------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, member: bytes) -> bool:
        return member in self.members

    def __iter__(self) -> Iterator[bytes]:
        if self.enc == INTSET:
            if self._sorted is None:
                self._sorted = sorted(self.members, key=int)
            return iter(self._sorted)
        return iter(list(self.members))

    def ordered(self) -> list[bytes]:
        return list(iter(self))

    # -- writing -----------------------------------------------------------------------------------------------
    def maybe_grow(self, size_hint: int, limits: SetLimits) -> None:
        """SADD with many arguments converts a small encoding up front, even if most turn out to be duplicates."""
        if (self.enc == LISTPACK and size_hint > limits.listpack_entries) or \
                (self.enc == INTSET and size_hint > limits.intset_entries):
            self.enc = HASHTABLE

    def add(self, member: bytes, limits: SetLimits) -> bool:
        if member in self.members:
            return False
        if self.enc == INTSET:
            self._add_to_intset(member, limits)
            if self.enc == INTSET:
                self.int_width = max(self.int_width, _int_width(int(member)))
        elif self.enc == LISTPACK:
            if len(self.members) >= limits.listpack_entries or len(member) > limits.listpack_value:
                self.enc = HASHTABLE
        self.members[member] = None
        self._sorted = None
        return True

    def _add_to_intset(self, member: bytes, limits: SetLimits) -> None:
        if string2ll(member) is not None:
            if len(self.members) + 1 > limits.intset_entries:
                self.enc = HASHTABLE
            return
        widest = max((_digits(int(m)) for m in self._extremes()), default=0)
        if len(self.members) < limits.listpack_entries and len(member) <= limits.listpack_value \
                and widest <= limits.listpack_value:
            self.members = {m: None for m in self.ordered()}  # the listpack starts in the intset's order
            self.enc = LISTPACK
        else:
            self.enc = HASHTABLE

    def _extremes(self) -> list[bytes]:
        if not self.members:
            return []
        order = self.ordered()
        return [order[0], order[-1]]

    def remove(self, member: bytes) -> bool:
        if member not in self.members:
            return False
        del self.members[member]
        if self._sorted is not None:
            self._sorted.remove(member)
        return True

    def add_all(self, members: Iterable[bytes], limits: SetLimits) -> int:
        return sum(self.add(m, limits) for m in members)

    def maybe_to_intset(self, limits: SetLimits) -> None:
        """After SINTERSTORE built an all-integer result: Redis turns it into an intset when it fits."""
        if self.enc != INTSET and len(self.members) <= limits.intset_entries:
            self.enc = INTSET
            self._sorted = None
            self.int_width = max((_int_width(int(m)) for m in self.members), default=2)

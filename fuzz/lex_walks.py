"""Lex ranges on skiplist sorted sets with mixed scores: the answer depends on the skiplist's random node levels.

A sorted set is ordered by score; a lex range over members of different scores is not a run of it, and Redis's
skiplist search (zslNthInLexRange, zslDeleteRangeByLex) stops where its random levels lead it, so two servers, or
one server twice, answer differently. A listpack's walk is fixed, and so is any walk over one score. The fuzzer's
programs reach a skiplist only through ZADDs of more than 128 members in all or of a member longer than 64 bytes
(the default limits; CONFIG SET is never fuzzed), or a write that copies such a key: those keys are tracked, and a lex
range command on one is not compared (rule `skiplist_lex_walk`); a removal's keys then hold different members.
"""
from __future__ import annotations

from forkdiff.spec import Spec
from forkdiff.types import Command

LISTPACK_ENTRIES, LISTPACK_VALUE = 128, 64
_LEX_COMMANDS = frozenset({"zrangebylex", "zrevrangebylex", "zlexcount", "zremrangebylex"})
_BY_OPTION = frozenset({"zrange", "zrangestore"})  # lex only with BYLEX


def is_lex_range(cmd: Command) -> bool:
    name = cmd.name
    return name in _LEX_COMMANDS or (name in _BY_OPTION and any(a.lower() == b"bylex" for a in cmd.args[3:]))


class SkiplistKeys:
    """The keys that may hold a skiplist-encoded sorted set, as the program's commands go."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.keys: set[bytes] = set()
        self.added: dict[bytes, int] = {}  # members a key was given so far (at most), while it is small

    def is_random(self, cmd: Command) -> bool:
        """Whether `cmd` is a lex range on a key that may be a skiplist (call before `observe(cmd)`)."""
        if not is_lex_range(cmd) or not self.keys:
            return False
        return bool(set(self._keys(cmd)) & self.keys)

    def observe(self, cmd: Command) -> None:
        name, args = cmd.name, cmd.args
        if name in ("zadd", "geoadd") and len(args) > 2:
            self.added[args[1]] = self.added.get(args[1], 0) + len(args) // 2
            if self.added[args[1]] > LISTPACK_ENTRIES or _big(args[2:]):
                self.keys.add(args[1])
        if not self.keys:
            return
        cs = self.spec.resolve(args)
        if cs is not None and cs.is_write:
            keys = set(self._keys(cmd))
            if keys & self.keys:
                self.keys |= keys

    def _keys(self, cmd: Command) -> list[bytes]:
        cs = self.spec.resolve(cmd.args)
        return list(cs.keys(cmd.args)) if cs is not None else []


def _big(rest: tuple[bytes, ...]) -> bool:
    """More pairs than a listpack holds, or a long argument (a member past the value limit)."""
    return len(rest) > 2 * LISTPACK_ENTRIES or any(len(a) > LISTPACK_VALUE for a in rest)

"""Lex ranges walked the way each encoding of Redis walks them (t_zset.c), which matters when the scores differ.

A sorted set is ordered by score; "at least min" and "at most max" on members then hold for no prefix in general,
and Redis answers with whatever its walk meets:

- listpack (zzlFirstInLexRange, zzlLastInLexRange, zzlDeleteRangeByLex): after a quick check of the last entry
  against min and the first against max, the first entry (from the head) at least min starts the range, and only
  if it is also at most max; for a reversed range, the last entry (from the tail) at most max, only if it is at
  least min. The LIMIT offset is skipped without checks, then entries are emitted while they stay on the near side
  of the far bound.
- skiplist (zslNthInLexRange, zslDeleteRangeByLex): the same quick check (none for a removal), then a search that
  goes forward while the next node is below min (or, reversed, while it is at most max). Which node that search
  stops at depends on the nodes' random levels when the predicate is not monotone. The reference answers as a
  skiplist whose nodes all have one level (a walk from the head), one of the answers Redis can give; with one
  score, or members in the same order as their scores, every walk gives the same answer.

Entries are (score, member) tuples in score order; a Range holds the two predicates.
"""
from __future__ import annotations

from ..datatypes.zset import LISTPACK, ZSetValue


def _in_range(entries: list[tuple], r) -> bool:
    """zzlIsInLexRange / zslIsInLexRange: an empty interval, or a set entirely outside it by its two ends."""
    return not r.is_empty and bool(entries) and r.above_min(entries[-1]) and r.below_max(entries[0])


def _first_at_least_min(entries: list[tuple], r) -> int:
    """Rank of the first entry from the head that is at least min (len when none)."""
    return next((i for i, e in enumerate(entries) if r.above_min(e)), len(entries))


def _listpack_first(entries: list[tuple], r) -> int | None:
    if not _in_range(entries, r):
        return None
    i = _first_at_least_min(entries, r)
    return i if i < len(entries) and r.below_max(entries[i]) else None


def _listpack_last(entries: list[tuple], r) -> int | None:
    if not _in_range(entries, r):
        return None
    i = next((i for i in range(len(entries) - 1, -1, -1) if r.below_max(entries[i])), -1)
    return i if i >= 0 and r.above_min(entries[i]) else None


def _skiplist_nth(entries: list[tuple], r, n: int) -> int | None:
    """zslNthInLexRange on a one-level skiplist: the n-th entry from the first one at least min (n >= 0), or the
    (-n)-th back from the end of the run of entries at most max that starts at the head (n < 0)."""
    if not _in_range(entries, r):
        return None
    if n >= 0:
        i = _first_at_least_min(entries, r) + n
        return i if i < len(entries) and r.below_max(entries[i]) else None
    run = next((i for i, e in enumerate(entries) if not r.below_max(e)), len(entries))
    i = run + n
    return i if i >= 0 and r.above_min(entries[i]) else None


def lex_walk(z: ZSetValue, r, offset: int, limit: int, reverse: bool) -> list[tuple]:
    """ZRANGEBYLEX / ZREVRANGEBYLEX / ZRANGE BYLEX with LIMIT (offset >= 0; limit < 0 for no limit)."""
    entries = list(z)
    if z.enc == LISTPACK:
        start = _listpack_last(entries, r) if reverse else _listpack_first(entries, r)
        if start is not None:
            start = start - offset if reverse else start + offset
    else:
        start = _skiplist_nth(entries, r, -offset - 1 if reverse else offset)
    if start is None or not 0 <= start < len(entries):
        return []
    stay = r.above_min if reverse else r.below_max
    step = -1 if reverse else 1
    out: list[tuple] = []
    i = start
    while 0 <= i < len(entries) and len(out) != limit and stay(entries[i]):
        out.append(entries[i])
        i += step
    return out


def lex_count(z: ZSetValue, r) -> int:
    """ZLEXCOUNT: the listpack counts from the first entry in range while at most max; the skiplist takes the rank
    difference of the first and the last entry in range, which can be nought or less on mixed scores."""
    entries = list(z)
    if z.enc == LISTPACK:
        first = _listpack_first(entries, r)
        if first is None:
            return 0
        return next((i for i in range(first, len(entries)) if not r.below_max(entries[i])), len(entries)) - first
    first = _skiplist_nth(entries, r, 0)
    if first is None:
        return 0
    count = len(entries) - first
    last = _skiplist_nth(entries, r, -1)
    if last is not None:
        count -= len(entries) - (last + 1)
    return count


def lex_removed(z: ZSetValue, r) -> list[tuple]:
    """ZREMRANGEBYLEX: from the first entry in range (the skiplist skips the quick check) while at most max."""
    entries = list(z)
    if z.enc == LISTPACK:
        start = _listpack_first(entries, r)
        if start is None:
            return []
    else:
        start = _first_at_least_min(entries, r)
    end = next((i for i in range(start, len(entries)) if not r.below_max(entries[i])), len(entries))
    return entries[start:end]

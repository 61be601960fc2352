"""Sorted-set ranges: ZRANGE (BYSCORE/BYLEX/REV/LIMIT/WITHSCORES), ZRANGESTORE, the older ZRANGEBYSCORE family,
ZCOUNT, ZLEXCOUNT and ZREMRANGEBYRANK/SCORE/LEX.

A score or lex range is a pair of predicates (at least min, at most max). Walking follows Redis: find the first (or
last) entry in range, skip the LIMIT offset, then emit while the entries stay in range.

A lex range on members of different scores is not ordered along the set (which is ordered by score), and Redis's
answer is whatever its encoding's walk meets (zset_lex.py): the listpack's walk is exact here; the skiplist's
depends on its random node levels, and the reference gives the answer of a skiplist whose nodes all have one level.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .. import errors
from ..datatypes.zset import ZSetLimits, ZSetValue
from ..errors import CommandError
from . import command
from .collection_common import parse_long, store_result
from .zset_common import get_zset, removed_from, scored_reply, zset_for_write
from .zset_lex import lex_count, lex_removed, lex_walk

_RANGE_FLOAT = re.compile(rb"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity)$", re.I)
_MIN_STRING, _MAX_STRING = object(), object()


@dataclass
class Range:
    """A score or lex interval; `above_min`/`below_max` test one (score, member) entry."""

    above_min: Callable[[tuple], bool]
    below_max: Callable[[tuple], bool]
    is_empty: bool
    lex: bool = False  # predicates on members: not monotone along the set when the scores differ


def _range_bound(arg: bytes) -> tuple[float, bool]:
    """One end of a score range (fast_float_strtod: no hex, no spaces; empty text reads as 0)."""
    exclusive = arg[:1] == b"("
    text = arg[1:] if exclusive else arg
    if text == b"":
        return 0.0, exclusive
    if not _RANGE_FLOAT.match(text):
        raise CommandError(errors.ZRANGE_NOT_FLOAT)
    return float(text), exclusive


def parse_score_range(low: bytes, high: bytes) -> Range:
    lo, lo_ex = _range_bound(low)
    hi, hi_ex = _range_bound(high)
    return Range(
        (lambda e: e[0] > lo) if lo_ex else (lambda e: e[0] >= lo),
        (lambda e: e[0] < hi) if hi_ex else (lambda e: e[0] <= hi),
        lo > hi or (lo == hi and (lo_ex or hi_ex)))


def _lex_bound(arg: bytes) -> tuple[object, bool]:
    if arg == b"+":
        return _MAX_STRING, True
    if arg == b"-":
        return _MIN_STRING, True
    if arg[:1] == b"(":
        return arg[1:], True
    if arg[:1] == b"[":
        return arg[1:], False
    raise CommandError(errors.ZRANGE_NOT_LEX)


def _lex_cmp(a: object, b: object) -> int:
    if a is b:
        return 0
    if a is _MIN_STRING or b is _MAX_STRING:
        return -1
    if a is _MAX_STRING or b is _MIN_STRING:
        return 1
    return (a > b) - (a < b)


def parse_lex_range(low: bytes, high: bytes) -> Range:
    lo, lo_ex = _lex_bound(low)
    hi, hi_ex = _lex_bound(high)
    order = _lex_cmp(lo, hi)
    return Range(
        (lambda e: _lex_cmp(e[1], lo) > 0) if lo_ex else (lambda e: _lex_cmp(e[1], lo) >= 0),
        (lambda e: _lex_cmp(e[1], hi) < 0) if hi_ex else (lambda e: _lex_cmp(e[1], hi) <= 0),
        order > 0 or (order == 0 and (lo_ex or hi_ex)), lex=True)


# -- locating a range ----------------------------------------------------------------------------------------------
def _first_failing(z: ZSetValue, test: Callable[[tuple], bool], lo: int = 0) -> int:
    """Rank of the first entry from `lo` on that fails `test` (which holds for a prefix of the entries)."""
    hi = len(z)
    while lo < hi:
        mid = (lo + hi) // 2
        if test(z.index[mid]):
            lo = mid + 1
        else:
            hi = mid
    return lo


def bounds(z: ZSetValue, r: Range) -> tuple[int, int] | None:
    """(first rank, last rank) of the entries in range, or None when none is."""
    if r.is_empty or not len(z):
        return None
    first = _first_failing(z, lambda e: not r.above_min(e))
    end = _first_failing(z, r.below_max)
    if first >= end:
        return None
    return first, end - 1


def walk(z: ZSetValue, r: Range, offset: int = 0, limit: int = -1, reverse: bool = False) -> list[tuple]:
    """The entries a BYSCORE/BYLEX range with LIMIT selects, in reply order (a negative offset selects nothing)."""
    if offset < 0 or offset >= len(z):
        return []
    if r.lex:
        return lex_walk(z, r, offset, limit, reverse)
    span = bounds(z, r)
    if span is None:
        return []
    first, last = span
    count = limit if limit >= 0 else len(z)
    if reverse:
        start = last - offset
        if start < 0:
            return []
        picked = z.by_rank(max(start + 1 - count, 0), start + 1)
        picked.reverse()
        return _in_range_prefix(picked, r.above_min)
    return _in_range_prefix(z.by_rank(first + offset, first + offset + count), r.below_max)


def _in_range_prefix(entries: list[tuple], test: Callable[[tuple], bool]) -> list[tuple]:
    for i, e in enumerate(entries):
        if not test(e):
            return entries[:i]
    return entries


def by_rank(z: ZSetValue, start: int, end: int, reverse: bool = False) -> list[tuple]:
    """Entries between two inclusive ranks that may count from the end (-1 is the last)."""
    n = len(z)
    start, end = start + n if start < 0 else start, end + n if end < 0 else end
    start = max(start, 0)
    if start > end or start >= n:
        return []
    return z.by_rank(start, min(end, n - 1) + 1, reverse)


# -- ZRANGE and friends --------------------------------------------------------------------------------------------
@dataclass
class RangeRequest:
    kind: str = "rank"  # rank | score | lex
    reverse: bool = False
    withscores: bool = False
    offset: int = 0
    limit: int = -1


def _parse_options(argv: list[bytes], first: int, req: RangeRequest, store: bool,
                   fixed_kind: bool, fixed_direction: bool) -> None:
    i = first
    while i < len(argv):
        opt = argv[i].lower()
        if not store and opt == b"withscores":
            req.withscores = True
        elif opt == b"limit" and len(argv) - i - 1 >= 2:
            req.offset, req.limit = parse_long(argv[i + 1]), parse_long(argv[i + 2])
            i += 2
        elif not fixed_direction and opt == b"rev":
            req.reverse, fixed_direction = True, True
        elif not fixed_kind and opt in (b"bylex", b"byscore"):
            req.kind, fixed_kind = ("lex" if opt == b"bylex" else "score"), True
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    if req.limit != -1 and req.kind == "rank":  # as Redis checks it: "LIMIT 0 -1" passes
        raise CommandError(errors.ZRANGE_LIMIT_NEEDS_BY)
    if req.withscores and req.kind == "lex":
        raise CommandError(errors.ZRANGE_WITHSCORES_BYLEX)


def _select(z: ZSetValue, req: RangeRequest, rng: Range | None, ranks: tuple[int, int] | None) -> list[tuple]:
    if req.kind == "rank":
        return by_rank(z, ranks[0], ranks[1], req.reverse)
    return walk(z, rng, req.offset, req.limit, req.reverse)


def _parse_bounds(req: RangeRequest, low: bytes, high: bytes) -> tuple[Range | None, tuple[int, int] | None]:
    if req.kind == "rank":
        return None, (parse_long(low), parse_long(high))
    if req.reverse:
        low, high = high, low  # BY ranges are given as max, min when reversed
    return (parse_score_range if req.kind == "score" else parse_lex_range)(low, high), None


def range_generic(engine, client, argv, key_index: int, req: RangeRequest, *, store: bool = False,
                  fixed_kind: bool = False, fixed_direction: bool = False):
    _parse_options(argv, key_index + 3, req, store, fixed_kind, fixed_direction)
    low, high = argv[key_index + 1], argv[key_index + 2]
    rng, ranks = _parse_bounds(req, low, high)
    z = get_zset(engine, client, argv[key_index])
    entries = _select(z, req, rng, ranks) if z is not None else []
    if store:
        return _store_range(engine, client, argv[1], z, req, entries)
    return scored_reply(entries, client.resp, req.withscores)


def _store_range(engine, client, dst: bytes, z: ZSetValue | None, req: RangeRequest, entries: list[tuple]) -> int:
    limits = ZSetLimits(engine.config)
    hint = len(entries) if z is not None and req.kind == "rank" else 0
    result = ZSetValue.create(hint, 0, limits)
    for score, member in entries:
        result.insert(member, score, limits)
    store_result(engine, engine.db(client), dst, result, "z", "zrangestore")
    return len(result)


@command("zrange")
def zrange(engine, client, argv):
    return range_generic(engine, client, argv, 1, RangeRequest())


@command("zrangestore")
def zrangestore(engine, client, argv):
    return range_generic(engine, client, argv, 2, RangeRequest(), store=True)


@command("zrevrange")
def zrevrange(engine, client, argv):
    return range_generic(engine, client, argv, 1, RangeRequest(reverse=True), fixed_kind=True,
                         fixed_direction=True)


def _by(kind: str, reverse: bool):
    def handler(engine, client, argv):
        return range_generic(engine, client, argv, 1, RangeRequest(kind=kind, reverse=reverse), fixed_kind=True,
                             fixed_direction=True)
    return handler


command("zrangebyscore")(_by("score", False))
command("zrevrangebyscore")(_by("score", True))
command("zrangebylex")(_by("lex", False))
command("zrevrangebylex")(_by("lex", True))


# -- counting and removing -----------------------------------------------------------------------------------------
def _count_in(z: ZSetValue | None, r: Range) -> int:
    if z is not None and r.lex:
        return lex_count(z, r)
    span = bounds(z, r) if z is not None else None
    return span[1] - span[0] + 1 if span else 0


@command("zcount")
def zcount(engine, client, argv):
    r = parse_score_range(argv[2], argv[3])
    return _count_in(get_zset(engine, client, argv[1]), r)


@command("zlexcount")
def zlexcount(engine, client, argv):
    r = parse_lex_range(argv[2], argv[3])
    return _count_in(get_zset(engine, client, argv[1]), r)


def _remove_entries(engine, client, key: bytes, z: ZSetValue, entries: list[tuple], kind: str) -> int:
    removed = z.remove_entries(entries)
    removed_from(engine, engine.db(client), key, z, removed, f"zremrangeby{kind}")
    return removed


@command("zremrangebyrank")
def zremrangebyrank(engine, client, argv):
    start, end = parse_long(argv[2]), parse_long(argv[3])
    z = zset_for_write(engine, client, argv[1])
    return _remove_entries(engine, client, argv[1], z, by_rank(z, start, end), "rank") if z is not None else 0


def _remove_range(engine, client, argv, r: Range, kind: str) -> int:
    z = zset_for_write(engine, client, argv[1])
    if z is None:
        return 0
    if r.lex:
        entries = lex_removed(z, r)
    else:
        span = bounds(z, r)
        entries = z.by_rank(span[0], span[1] + 1) if span else []
    return _remove_entries(engine, client, argv[1], z, entries, kind)


@command("zremrangebyscore")
def zremrangebyscore(engine, client, argv):
    return _remove_range(engine, client, argv, parse_score_range(argv[2], argv[3]), "score")


@command("zremrangebylex")
def zremrangebylex(engine, client, argv):
    return _remove_range(engine, client, argv, parse_lex_range(argv[2], argv[3]), "lex")

"""Sorted-set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.

Plain sets are accepted as inputs (every member scoring 1). Inputs are visited smallest first, as Redis sorts them,
because the order changes floating-point sums.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import errors
from ..datatypes.set import SetValue
from ..datatypes.zset import ZSetLimits, ZSetValue
from ..errors import CommandError
from . import command
from .collection_common import parse_long, parse_positive_long, store_result
from .generic_keys import read_typed
from .zset_common import parse_score, scored_reply


@dataclass
class Source:
    value: object  # ZSetValue, SetValue or None
    weight: float = 1.0

    def __len__(self) -> int:
        return len(self.value) if self.value is not None else 0

    def entries(self) -> list[tuple[bytes, float]]:
        if self.value is None:
            return []
        if isinstance(self.value, SetValue):
            return [(m, 1.0) for m in self.value]
        return [(m, s) for s, m in reversed(self.value.index)]  # Redis walks sorted sets from the top

    def score(self, member: bytes) -> float | None:
        if isinstance(self.value, SetValue):
            return 1.0 if member in self.value else None
        return self.value.score(member) if self.value is not None else None


@dataclass
class Request:
    sources: list[Source] = field(default_factory=list)
    aggregate: str = "sum"
    withscores: bool = False
    limit: int = 0


def _aggregate(how: str, current: float, value: float) -> float:
    if how == "sum":
        total = current + value
        return 0.0 if math.isnan(total) else total
    if how == "min":
        return value if value < current else current
    return value if value > current else current


def _weighted(score: float, weight: float) -> float:
    product = score * weight
    return 0.0 if math.isnan(product) else product


# -- parsing -------------------------------------------------------------------------------------------------------
def _parse(engine, client, argv, numkeys_at: int, op: str, *, store: bool, card_only: bool = False) -> Request:
    numkeys = parse_long(argv[numkeys_at])
    if numkeys < 1:
        raise CommandError(errors.ZSETOP_NO_KEYS % argv[0].decode("utf-8", "replace").lower())
    keys_end = numkeys_at + 1 + numkeys
    if keys_end > len(argv):
        raise CommandError(errors.SYNTAX)
    db = engine.db(client)
    req = Request([Source(read_typed(engine, db, k, (ZSetValue, SetValue))) for k in argv[numkeys_at + 1:keys_end]])
    _parse_options(argv, keys_end, req, op, store, card_only)
    return req


def _parse_options(argv, i: int, req: Request, op: str, store: bool, card_only: bool) -> None:
    scoring = op != "diff" and not card_only
    while i < len(argv):
        opt, remaining = argv[i].lower(), len(argv) - i
        if scoring and opt == b"weights" and remaining >= len(req.sources) + 1:
            for j, src in enumerate(req.sources):
                src.weight = parse_score(argv[i + 1 + j], errors.ZSETOP_WEIGHT)
            i += 1 + len(req.sources)
        elif scoring and opt == b"aggregate" and remaining >= 2:
            how = argv[i + 1].lower()
            if how not in (b"sum", b"min", b"max"):
                raise CommandError(errors.SYNTAX)
            req.aggregate, i = how.decode(), i + 2
        elif not store and not card_only and opt == b"withscores":
            req.withscores, i = True, i + 1
        elif card_only and opt == b"limit" and remaining >= 2:
            req.limit, i = parse_positive_long(argv[i + 1], errors.LIMIT_NEGATIVE), i + 2
        else:
            raise CommandError(errors.SYNTAX)


# -- computing -----------------------------------------------------------------------------------------------------
def _inter(req: Request) -> dict[bytes, float]:
    sources = sorted(req.sources, key=len)
    first, out = sources[0], {}
    for member, score in first.entries():
        total = _weighted(score, first.weight)
        for other in sources[1:]:
            value = other.score(member)
            if value is None:
                break
            total = _aggregate(req.aggregate, total, value * other.weight)
        else:
            out[member] = total
            if req.limit and len(out) >= req.limit:
                break
    return out


def _union(req: Request) -> dict[bytes, float]:
    out: dict[bytes, float] = {}
    for src in sorted(req.sources, key=len):
        for member, score in src.entries():
            value = _weighted(score, src.weight)
            current = out.get(member)
            out[member] = value if current is None else _aggregate(req.aggregate, current, value)
    return out


def _diff(req: Request) -> dict[bytes, float]:
    first, others = req.sources[0], req.sources[1:]
    return {m: s for m, s in first.entries() if all(o.score(m) is None for o in others)}


_OPS = {"union": _union, "inter": _inter, "diff": _diff}


def _reply(engine, client, argv, op: str):
    req = _parse(engine, client, argv, 1, op, store=False)
    result = _OPS[op](req)
    entries = sorted((s, m) for m, s in result.items())
    return scored_reply(entries, client.resp, req.withscores)


def _store(engine, client, argv, op: str) -> int:
    req = _parse(engine, client, argv, 2, op, store=True)
    result = ZSetValue.from_scores(_OPS[op](req), ZSetLimits(engine.config))
    store_result(engine, engine.db(client), argv[1], result, "z", f"z{op}store")
    return len(result)


def _operation(argv: list[bytes]) -> str:
    """The algebra a command names: ZUNION and ZUNIONSTORE both name "union"."""
    return argv[0].decode().lower()[1:].removesuffix("store")


@command("zunion", "zinter", "zdiff")
def combine(engine, client, argv):
    return _reply(engine, client, argv, _operation(argv))


@command("zunionstore", "zinterstore", "zdiffstore")
def combine_store(engine, client, argv):
    return _store(engine, client, argv, _operation(argv))


@command("zintercard")
def zintercard(engine, client, argv):
    req = _parse(engine, client, argv, 1, "inter", store=False, card_only=True)
    return len(_inter(req))

"""Compare two replies to the same command under named rules; the rules used are recorded on every Mismatch.

Mismatch classes, most significant first: a divergence is filed under the first that applies.
The rule for a command comes from the spec's tips: ``nondeterministic_output_order`` compares as a multiset,
``nondeterministic_output`` by shape only; TTL-like replies are compared within a window.

The named rules (each recorded on the Mismatch, or on the agreement it allowed):

- ``exact``: byte for byte, the default.
- ``multiset``: the same items in any order (tip nondeterministic_output_order).
- ``shape``: the same RESP types and lengths (tip nondeterministic_output: SPOP, RANDOMKEY, SCAN...).
- ``ttl_window``: time left (TTL, PTTL, HTTL, EXPIRETIME...) within 1 s or 1000 ms; -1 and -2 exact.
- ``wall_clock_fields``: XINFO STREAM FULL exactly, except a consumer's seen-time and active-time and each PEL
  entry's delivery time, which are wall-clock ms and equal within CLOCK_WINDOW_MS.
- ``clock_tick_condition`` (fuzz.clock_ties): an EXPIRE/PEXPIRE/HEXPIRE/HPEXPIRE GT or LT whose relative time ties
  with one the program set a moment earlier may answer 0 on one server and 1 on another.
- ``random_in_transaction`` (fuzz.classify): inside EXEC, a queued write whose output is random (SPOP k 2) makes
  the queued commands after it on the same keys incomparable, as it does between steps.
- ``skiplist_lex_walk`` (fuzz.lex_walks): a lex range (ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX...) on a key that may
  hold a skiplist sorted set: with mixed scores its answer follows the skiplist's random levels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from forkdiff.spec import CommandSpec
from forkdiff.types import AGGREGATES, Command, Kind, Reply
from reference_server.errors import INTERNAL_ERROR_MARK

CLASSES = ("crash", "transport", "protocol", "error_vs_value", "error_code", "resp_type", "value", "order",
           "float_format", "error_text")
RANK = {c: i for i, c in enumerate(CLASSES)}

# Replies that count time left: equal within a window, since the targets ran the program a few ms apart.
TTL_WINDOWS = {"ttl": 1, "expiretime": 1, "httl": 1, "hexpiretime": 1,
               "pttl": 1000, "pexpiretime": 1000, "hpttl": 1000, "hpexpiretime": 1000}


# Fields that hold a wall-clock time in ms (when a consumer was last seen or active, when an entry was delivered):
# the servers run a program a few ms apart, so these are equal within CLOCK_WINDOW_MS (rule "wall_clock_fields").
CLOCK_FIELD_COMMANDS = frozenset({"xinfo|stream"})
CLOCK_FIELDS = frozenset({b"seen-time", b"active-time"})
CLOCK_WINDOW_MS = 1000


@dataclass(frozen=True)
class Mismatch:
    step: int
    command: Command
    cls: str
    expected: Reply
    got: Reply
    rules: tuple[str, ...] = ()
    detail: str = ""

    @property
    def rank(self) -> int:
        return RANK[self.cls]

    def to_json(self) -> dict:
        return {"step": self.step, "command": self.command.to_json(), "class": self.cls,
                "expected": self.expected.to_json(), "got": self.got.to_json(), "rules": list(self.rules),
                "detail": self.detail}


@dataclass
class Verdict:
    cls: str | None  # None: the replies agree
    rules: list[str] = field(default_factory=list)
    detail: str = ""


# Tipped nondeterministic_output, yet decided by the program under the default configuration every fuzzed server
# runs with: OBJECT ENCODING (a listpack's limits, a string's embstr/raw/int) is compared exactly.
EXACT_DESPITE_TIP = frozenset({"object|encoding"})


def rule_for(spec: CommandSpec | None) -> str:
    """The value rule a command's replies are compared under."""
    if spec is None or spec.name in EXACT_DESPITE_TIP:
        return "exact"
    base = spec.name.split("|")[0]
    if spec.name in TTL_WINDOWS or base in TTL_WINDOWS:
        return "ttl_window"
    if spec.name in CLOCK_FIELD_COMMANDS:
        return "wall_clock_fields"
    if spec.has_tip("nondeterministic_output"):
        return "shape"
    if spec.has_tip("nondeterministic_output_order"):
        return "multiset"
    return "exact"


def compare(spec: CommandSpec | None, expected: Reply, got: Reply) -> Verdict:
    """The most significant difference between two replies to the same command, or Verdict(None)."""
    rule = rule_for(spec)
    v = Verdict(None, [rule])
    cls = _crash(expected, got) or _transport(expected, got) or _errors(expected, got, v) or _wire_type(expected, got)
    if cls:
        v.cls = cls
        return v
    if expected.is_error:
        return v
    window = TTL_WINDOWS.get(spec.name.split("|")[0], 0) if spec else 0
    v.cls = _values(expected, got, rule, window, v)
    return v


def is_internal_error(r: Reply) -> bool:
    """The reference server's answer to a command whose handler raised (its bug, never a Redis reply)."""
    return r.kind is Kind.ERROR and isinstance(r.value, str) and r.value.startswith(INTERNAL_ERROR_MARK)


def _crash(a: Reply, b: Reply) -> str | None:
    if is_internal_error(a) or is_internal_error(b):
        return "crash"
    return None


def _transport(a: Reply, b: Reply) -> str | None:
    if a.kind is b.kind:
        return None
    transport = {Kind.TIMEOUT, Kind.CLOSED}
    if a.kind in transport or b.kind in transport:
        return "transport"
    if Kind.PROTOCOL_ERROR in (a.kind, b.kind):
        return "protocol"
    return None


def _errors(a: Reply, b: Reply, v: Verdict) -> str | None:
    if a.is_error != b.is_error:
        return "error_vs_value"
    if not a.is_error:
        return None
    if a.error_code != b.error_code:
        return "error_code"
    if a.value != b.value:
        v.rules.append("error_text")
        return "error_text"
    return None


def _wire_type(a: Reply, b: Reply) -> str | None:
    if a.kind is not b.kind:
        return "resp_type"
    if a.kind is Kind.NULL and a.raw[:1] != b.raw[:1]:
        return "resp_type"  # RESP2 null bulk ($-1) versus null array (*-1)
    if a.kind in AGGREGATES and len(a.value) == len(b.value):
        pairs = _children(a, b)
        for x, y in pairs:
            cls = _wire_type(x, y) if not x.is_error and not y.is_error else _errors(x, y, Verdict(None))
            if cls in ("resp_type", "error_vs_value", "error_code"):
                return cls
    return None


def _children(a: Reply, b: Reply) -> list[tuple[Reply, Reply]]:
    if a.kind in (Kind.MAP, Kind.ATTRIBUTE):
        return [p for (ka, va), (kb, vb) in zip(a.value, b.value) for p in ((ka, kb), (va, vb))]
    return list(zip(a.value, b.value))


def _values(a: Reply, b: Reply, rule: str, window: int, v: Verdict) -> str | None:
    if rule == "shape":
        return None if _same_shape(a, b) else "value"
    if rule == "ttl_window":
        return None if _within(a, b, window) else "value"
    if rule == "wall_clock_fields" and _clock_equal(a, b):
        return None
    if _equal(a, b):
        return None
    if _canon(a) == _canon(b) or _multiset(a) == _multiset(b):
        if rule == "multiset":
            return None
        return "order"
    if _float_equal(a, b):
        v.rules.append("float_format")
        return "float_format"
    return "value"


def _equal(a: Reply, b: Reply) -> bool:
    if a.kind is Kind.DOUBLE and b.kind is Kind.DOUBLE:
        return a.raw == b.raw if a.raw and b.raw else a.value == b.value or (math.isnan(a.value)
                                                                           and math.isnan(b.value))
    if a.kind in AGGREGATES:
        return a.kind is b.kind and len(a.value) == len(b.value) and all(_equal(x, y) for x, y in _children(a, b))
    return a == b


def _canon(r: Reply) -> Any:
    """An order-free canonical form: aggregates become sorted tuples, all the way down."""
    if r.kind in (Kind.MAP, Kind.ATTRIBUTE):
        return (r.kind.value, tuple(sorted(repr((_canon(k), _canon(v))) for k, v in r.value)))
    if r.kind in AGGREGATES:
        return (r.kind.value, tuple(sorted(repr(_canon(x)) for x in r.value)))
    return (r.kind.value, repr(r.raw or r.value))


def _multiset(r: Reply) -> Any:
    """Top level only: for flat pairs (field, value, field, value…) as RESP2 sends maps."""
    if r.kind is Kind.ARRAY and len(r.value) % 2 == 0:
        pairs = [(repr(_canon(r.value[i])), repr(_canon(r.value[i + 1]))) for i in range(0, len(r.value), 2)]
        return ("pairs", tuple(sorted(pairs)))
    return _canon(r)


def _same_shape(a: Reply, b: Reply) -> bool:
    if a.kind is not b.kind:
        return False
    if a.kind not in AGGREGATES:
        return True
    if a.kind is Kind.ARRAY and len(a.value) == 2 and a.value[1].kind is Kind.ARRAY:
        return True  # a SCAN-style [cursor, batch]: how many come per call is the server's choice
    return len(a.value) == len(b.value) and all(x.kind is y.kind for x, y in _children(a, b))


def _within(a: Reply, b: Reply, window: int) -> bool:
    if a.kind is Kind.INTEGER and b.kind is Kind.INTEGER:
        if a.value < 0 or b.value < 0:
            return a.value == b.value  # -1 no expiry, -2 no key: exact
        return abs(a.value - b.value) <= window
    if a.kind in AGGREGATES and b.kind is a.kind and len(a.value) == len(b.value):
        return all(_within(x, y, window) for x, y in _children(a, b))
    return _equal(a, b)


def _clock_equal(a: Reply, b: Reply, field: bytes = b"") -> bool:
    """Equal, except that clock fields (by name, and the delivery time inside each PEL entry) are within the
    window. A PEL entry is [id, consumer, delivery time, count] in a group, [id, delivery time, count] in a
    consumer: the time is the second-last item."""
    if field in CLOCK_FIELDS:
        return _close(a, b)
    if a.kind is not b.kind or a.kind not in AGGREGATES or len(a.value) != len(b.value):
        return _equal(a, b)
    if field == b"pending":  # the PEL, as XINFO STREAM FULL names it
        return all(_pel_entry_equal(x, y) for x, y in zip(a.value, b.value))
    named = _named_pairs(a, b)
    if named is not None:
        return all(_equal(ka, kb) and _clock_equal(va, vb, _name(ka)) for ka, va, kb, vb in named)
    return all(_clock_equal(x, y) for x, y in zip(a.value, b.value))


def _named_pairs(a: Reply, b: Reply) -> list[tuple[Reply, Reply, Reply, Reply]] | None:
    """(key, value) pairs of a map, or of a flat RESP2 array whose even items are all names; else None."""
    if a.kind in (Kind.MAP, Kind.ATTRIBUTE):
        return [(ka, va, kb, vb) for (ka, va), (kb, vb) in zip(a.value, b.value)]
    items = a.value
    if a.kind is Kind.ARRAY and len(items) % 2 == 0 and items and all(
            x.kind in (Kind.BULK, Kind.SIMPLE) for x in items[::2]):
        return [(items[i], items[i + 1], b.value[i], b.value[i + 1]) for i in range(0, len(items), 2)]
    return None


def _name(r: Reply) -> bytes:
    return r.value if isinstance(r.value, bytes) else str(r.value).encode()


def _pel_entry_equal(a: Reply, b: Reply) -> bool:
    if a.kind is not b.kind or a.kind not in AGGREGATES or len(a.value) != len(b.value) or len(a.value) < 3:
        return _equal(a, b)
    at = len(a.value) - 2
    return all(_close(x, y) if i == at else _equal(x, y) for i, (x, y) in enumerate(zip(a.value, b.value)))


def _close(a: Reply, b: Reply) -> bool:
    if a.kind is Kind.INTEGER and b.kind is Kind.INTEGER:
        return abs(a.value - b.value) <= CLOCK_WINDOW_MS
    return _equal(a, b)


def _as_float(r: Reply) -> float | None:
    try:
        if r.kind is Kind.DOUBLE:
            return float(r.value)
        if r.kind in (Kind.BULK, Kind.SIMPLE):
            return float(r.value)
    except (TypeError, ValueError):
        return None
    return None


def _float_equal(a: Reply, b: Reply) -> bool:
    if a.kind in AGGREGATES:
        return (b.kind is a.kind and len(a.value) == len(b.value)
                and all(_equal(x, y) or _float_equal(x, y) for x, y in _children(a, b)))
    x, y = _as_float(a), _as_float(b)
    if x is None or y is None:
        return False
    if math.isinf(x) or math.isinf(y) or math.isnan(x) or math.isnan(y):
        return repr(x) == repr(y)
    return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)

"""Hypothesis strategies for single commands, inferred from the generated command table.

``from_spec(spec, "zadd")`` walks ZADD's argument tree (key, string, integer, double, pattern, unix-time,
pure-token, oneof, block; flags optional/multiple/multiple_token; tokens) and draws one command line from it. Keys,
fields, members and values come from small shared pools so that a program's commands collide on the same keys and
types. Where an argument's name decides what is sensible (a COUNT, a TIMEOUT, a database index, an expiry), a value
override replaces the generic draw. A tunable share of commands is deliberately broken (wrong arity, bad numbers,
unknown tokens). Every choice is a local draw, so Hypothesis can shrink a failing command piece by piece.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Callable

from hypothesis import strategies as st

from forkdiff.spec import CommandSpec, Spec, load_spec
from forkdiff.types import Command

from .choice import Choice, Pick
from .invalid import mutate

Draw = Callable[[st.SearchStrategy], object]
# What one argument produced: the words, whether each is numeric (so invalid variants can break numbers), and how
# many times a "multiple" argument repeated (a preceding num* argument must say that number).
Part = tuple[list[bytes], list[bool], int]


@dataclass(frozen=True)
class Pools:
    """Small shared value pools: collisions on the same keys and members are what finds bugs."""

    keys: tuple[bytes, ...] = (b"k1", b"k2", b"k3", b"{k}4")
    fields: tuple[bytes, ...] = (b"f1", b"f2", b"f3", b"1")
    members: tuple[bytes, ...] = (b"a", b"b", b"c", b"1", b"2.5", b"-3")
    values: tuple[bytes, ...] = (b"v", b"", b"1", b"-2", b"3.5", b"10", b"hello world", b"\x00\xff", b"1e3",
                                 b"9223372036854775807", b"abc", b"-9223372036854775808", b"9223372036854775808",
                                 b"inf", b"nan", b"-0", b"01", b"1.0", b"x" * 45, b"y" * 65, b"\r\n*1\r\n")
    patterns: tuple[bytes, ...] = (b"*", b"k*", b"k?", b"[kf]1", b"*1*", b"\\*", b"")


DEFAULT_POOLS = Pools()

# Keys by command group: a list command draws list keys (the ones fuzz.states fills), and every group shares k1,
# so WRONGTYPE paths stay reachable; groups not listed (generic, server, transactions, scripting...) draw from all.
GROUP_KEYS: dict[str, tuple[bytes, ...]] = {
    "string": (b"k1", b"k2", b"k3", b"{k}4"),
    "bitmap": (b"k1", b"k2", b"k3"),
    "list": (b"l1", b"l2", b"k1"),
    "hash": (b"h1", b"h2", b"k1"),
    "set": (b"s1", b"s2", b"k1"),
    "sorted-set": (b"z1", b"z2", b"s1", b"k1"),
    "stream": (b"x1", b"x2", b"k1"),
    "geo": (b"g1", b"z1", b"k1"),
    "hyperloglog": (b"p1", b"p2", b"k1"),
}
ALL_KEYS = (b"k1", b"k2", b"{k}4", b"l1", b"h1", b"s1", b"z1", b"x1", b"g1", b"p1")


def pools_for_group(pools: Pools, group: str) -> Pools:
    """`pools` with the keys of `group` (only when the pools are the defaults: custom pools are kept as given)."""
    if pools != DEFAULT_POOLS:
        return pools
    return replace(pools, keys=GROUP_KEYS.get(group, ALL_KEYS))

Options = tuple[bytes, ...]  # a leaf's possible values, simplest first (shrinking goes towards the first)


def _b(n: object) -> bytes:
    return str(n).encode()


def _ints(values) -> Options:
    return tuple(_b(n) for n in values)


def _range(low: int, high: int) -> Options:
    """Integers low..high, 0 (or the bound nearest it) first."""
    return _ints(sorted(range(low, high + 1), key=lambda n: (abs(n), n < 0)))


# Boundary values: where servers' parsers and overflow checks differ. Large NEGATIVE counts stay out of every
# pool but LONG_MIN (which Redis rejects): SRANDMEMBER k -9223372036854775807 makes Redis itself reply for ever.
LONG_MAX, LONG_MIN = 9223372036854775807, -9223372036854775808
EDGES = _ints([LONG_MAX, LONG_MIN, LONG_MAX - 1, LONG_MIN + 1, LONG_MAX + 1, LONG_MIN - 1, 2147483647, 2147483648,
               4294967296])
SMALL_INTS = _range(-2, 10) + _ints([100]) + EDGES
HUGE_COUNTS = _ints([LONG_MAX, 2147483648, LONG_MIN])
FAR_INDEXES = _ints([100, -100, LONG_MAX, LONG_MIN])  # out of range on every side
DOUBLES: Options = (b"1", b"0", b"-1", b"1.5", b"-2.25", b"3", b"10", b"0.1", b"1e3", b"inf", b"-inf", b"+inf",
                    b"5.0e-1", b"nan", b"-0", b"1.7976931348623157e308", b"-1.7976931348623157e308", b"1e309",
                    b"5e-324", b"0x10", b" 1", b"1e", b"9007199254740993")
FAR_SECONDS = (100000, 86400, 3600000)  # nothing expires while a program runs
BAD_TIMES = (0, -1, LONG_MAX, LONG_MIN)  # at once, in the past, and past what a server can add to its clock
FAR_UNIX_S = (4102444800, 4102444801, 1, 100)  # 2100-01-01, or long past: deletes at once
TINY_TIMEOUT_S: Options = (b"0.002", b"0.005")  # a timed-out wait costs one server tick (0.001 hangs Redis 6.2)


# Sorted-set range ends, per kind of range: a score range with lex ends (or the other way round) only ever answers
# the parse error, so each command draws the ends its kind reads, with a few invalid ones.
SCORE_ENDS = (b"-inf", b"+inf", b"0", b"1", b"(1", b"2", b"(2", b"2.5", b"(2.5", b"-1", b"3", b"(3", b"inf", b"(-inf",
              b"x", b"nan", b"(", b"", b"1e1", b"-")
LEX_ENDS = (b"-", b"+", b"[a", b"(a", b"[b", b"(b", b"[c", b"(c", b"[aa", b"[1", b"(2.5", b"[", b"x", b"[-3", b"(+")
RANK_ENDS = (b"0", b"-1", b"1", b"2", b"-2", b"3", b"100", b"-100")


def _override(command: str, name: str, kind: str, pools: Pools) -> Options | None:
    """Value overrides where the argument's name matters; (command, name) first, then the name alone."""
    by_command = {
        ("select", "index"): _range(0, 15),
        ("swapdb", "index1"): _range(0, 3),
        ("swapdb", "index2"): _range(0, 3),
        ("move", "db"): _range(0, 3),
        ("copy", "destination-db"): _range(0, 3),
        ("wait", "numreplicas"): (b"0",),
        ("wait", "timeout"): _range(1, 20),
        ("xread", "milliseconds"): _range(1, 2),
        ("xreadgroup", "milliseconds"): _range(1, 2),
        ("object|encoding", "key"): tuple(pools.keys),
        ("client|setname", "connection-name"): (b"n1", b"n2", b"bad name",),
        ("client|no-touch", "enabled"): (b"ON", b"OFF",),
    }
    if (command, name) in by_command:
        return by_command[(command, name)]
    if command.startswith("z") and name in ("min", "max") and kind != "pure-token":
        return LEX_ENDS if "lex" in command else SCORE_ENDS
    if command in ("zrange", "zrangestore") and name in ("start", "stop", "min", "max"):
        return RANK_ENDS + SCORE_ENDS[:12] + LEX_ENDS[:8]
    if name == "timeout" and kind == "double":
        return TINY_TIMEOUT_S
    if name == "timeout":
        return _range(1, 20)
    by_name = {
        "count": _range(-2, 6) + (b"100",) + HUGE_COUNTS,
        "cursor": (b"0", b"0", b"1", b"17", b"18446744073709551615", b"18446744073709551616", b"-1"),
        "seconds": _ints(FAR_SECONDS + BAD_TIMES),
        "milliseconds": _ints([s * 1000 for s in FAR_SECONDS] + list(BAD_TIMES)),
        "unix-time-seconds": _ints(FAR_UNIX_S + BAD_TIMES),
        "unix-time-milliseconds": _ints([s * 1000 for s in FAR_UNIX_S] + list(BAD_TIMES)),
        "ttl": _ints([0, 100000]),
        "field": tuple(pools.fields),
        "member": tuple(pools.members),
        "member1": tuple(pools.members),
        "member2": tuple(pools.members),
        "element": tuple(pools.members),
        "pivot": tuple(pools.members),
        "value": tuple(pools.values),
        "min": (b"-inf", b"+inf", b"0", b"1", b"(1", b"2.5", b"-", b"+", b"[a", b"(b", b"x",),
        "max": (b"+inf", b"-inf", b"2", b"(3", b"10", b"+", b"-", b"[c", b"(b", b"x",),
        "start": _range(-4, 4) + FAR_INDEXES if kind == "integer" else (b"-", b"0-1", b"1", b"+", b"(1-1",
                                                                         b"18446744073709551615-18446744073709551615"),
        "end": _range(-4, 4) + FAR_INDEXES if kind == "integer" else (b"+", b"2-0", b"-", b"5", b"(2-1", b"0-0"),
        "stop": _range(-4, 4) + FAR_INDEXES,
        "offset": _range(-2, 20),  # never large: SETBIT/SETRANGE would allocate up to 512 MB on every server
        "index": _range(-4, 4) + FAR_INDEXES,
        "increment": _range(-5, 5) + EDGES if kind == "integer" else DOUBLES,
        "decrement": _range(-5, 5) + EDGES,
        "id": (b"*", b"0-1", b"1-1", b"1-2", b"$", b">", b"0", b"5-*", b"0-0", b"18446744073709551615-18446744073709551615",
               b"1-18446744073709551616", b"-1"),
        "group": (b"g1", b"g2",),
        "consumer": (b"c1", b"c2",),
        "threshold": (b"0", b"1", b"5", b"1-1",),
        "channel": (b"ch1", b"ch2",),
        "shardchannel": (b"ch1", b"ch2",),
        "message": (b"m", b"",),
        "encoding": (b"u8", b"i8", b"i16", b"u1", b"i64", b"u63", b"x4",),
        "bit": (b"0", b"1",),
        "longitude": (b"13.361389", b"15.087269", b"0", b"-180", b"181",),
        "latitude": (b"38.115556", b"37.502669", b"0", b"85.05112878", b"90",),
        "radius": (b"100", b"200000", b"0", b"-1",),
        "username": (b"default",),
        "section": (b"server", b"keyspace",),
    }
    return by_name.get(name)


def _generic(kind: str, pools: Pools) -> Options:
    if kind == "key":
        return tuple(pools.keys)
    if kind == "pattern":
        return tuple(pools.patterns)
    if kind == "integer":
        return SMALL_INTS
    if kind == "double":
        return DOUBLES
    if kind == "unix-time":
        return _ints(FAR_UNIX_S)
    return tuple(pools.values)


BOOLEANS = Choice((False, True))
REPEATS = Choice((1, 2, 3))


@dataclass(frozen=True)
class Node:
    """One argument of the tree, with its choices built once (drawing must be cheap: it runs per command)."""

    kind: str
    name: str
    token: bytes | None
    optional: bool
    multiple: bool
    multiple_token: bool
    children: tuple["Node", ...] = ()
    values: Choice | None = None  # leaves: the argument's values; oneof: its branches

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "double", "unix-time")


def compile_arguments(command: str, args: list[dict], pools: Pools, in_oneof: bool = False) -> tuple[Node, ...]:
    return tuple(_compile(command, a, pools, in_oneof) for a in args)


def _compile(command: str, a: dict, pools: Pools, in_oneof: bool) -> Node:
    flags = a.get("flags", ())
    kind = a["type"]
    children = compile_arguments(command, a.get("arguments", []), pools, kind == "oneof")
    values = None
    if kind == "oneof" and children:
        values = Choice(children)
    elif kind not in ("pure-token", "oneof", "block"):
        options = _override(command, a["name"], kind, pools)
        values = Choice(options if options is not None else _generic(kind, pools))
    token = a.get("token")
    return Node(kind, a["name"], token.encode() if token else None,
                "optional" in flags and not in_oneof,  # a oneof's chosen branch is present even if "optional"
                "multiple" in flags, "multiple_token" in flags, children, values)


class Walker:
    """Builds one command line from a compiled argument tree. `pick` makes every decision: a Hypothesis draw
    (each decision shrinkable on its own) or a seeded random choice (to pre-build variant tables)."""

    def __init__(self, pick: Pick) -> None:
        self.pick = pick

    def block(self, nodes: tuple[Node, ...]) -> Part:
        parts = [self.argument(n) for n in nodes]
        for i, node in enumerate(nodes):
            if node.name.startswith("num") and node.kind == "integer" and i + 1 < len(parts) and parts[i + 1][2]:
                parts[i] = ([_b(parts[i + 1][2])], [True], 0)  # numkeys/numfields say how many follow
        words: list[bytes] = []
        numeric: list[bool] = []
        for w, n, _ in parts:
            words += w
            numeric += n
        return words, numeric, 0

    def argument(self, node: Node) -> Part:
        if node.optional and not self.pick(BOOLEANS):
            return [], [], 0
        if not node.multiple:
            return self.one(node, with_token=True)
        reps = self.pick(REPEATS)
        words: list[bytes] = []
        numeric: list[bool] = []
        for i in range(reps):
            w, n, _ = self.one(node, with_token=i == 0 or node.multiple_token)
            words += w
            numeric += n
        return words, numeric, reps

    def one(self, node: Node, with_token: bool) -> Part:
        kind = node.kind
        prefix = [node.token] if with_token and node.token and kind != "pure-token" else []
        if kind == "pure-token":
            words, numeric = [node.token or b""], [False]
        elif kind == "oneof":
            words, numeric, _ = self.argument(self.pick(node.values)) if node.values else ([], [], 0)
        elif kind == "block":
            words, numeric, _ = self.block(node.children)
        else:
            words, numeric = [self.pick(node.values)], [node.numeric]
        return prefix + words, [False] * len(prefix) + numeric, 0


def command_words(spec: CommandSpec) -> list[bytes]:
    """The words that name the command: 'config|get' is sent as CONFIG GET."""
    return [w.upper().encode() for w in spec.name.split("|")]


def _clamp_rate(invalid_rate: float) -> float:
    return max(0.0, min(1.0, invalid_rate))


def from_spec(spec: Spec | None, command_name: str, *, pools: Pools = DEFAULT_POOLS,
              invalid_rate: float = 0.0) -> st.SearchStrategy[Command]:
    """A strategy of `command_name` command lines drawn from its argument tree in `spec` (default: load_spec())."""
    cmd = (spec or load_spec())[command_name]
    rate = int(round(_clamp_rate(invalid_rate) * 1000))
    tree = compile_arguments(cmd.name, list(cmd.arguments), pools)
    head = command_words(cmd)
    chance = st.integers(0, 999)

    @st.composite
    def draw_command(draw: Draw) -> Command:
        pick = lambda choice: draw(choice.strategy)  # noqa: E731 - the cheapest adapter per decision
        words, numeric, _ = Walker(pick).block(tree)
        if rate and draw(chance) < rate:  # shrinks towards 0: towards the valid command
            words = mutate(pick, words, numeric)
        return Command(tuple(head + words))

    return draw_command()


def variants(spec: Spec | None, command_name: str, *, count: int = 48, seed: int = 0,
             pools: Pools = DEFAULT_POOLS, invalid_rate: float = 0.0) -> tuple[Command, ...]:
    """`count` distinct command lines built from the same tree with a seeded random source, simplest first and
    valid before invalid: the fast path, where Hypothesis picks one whole variant with a single draw."""
    cmd = (spec or load_spec())[command_name]
    rng = random.Random(f"{seed}:{command_name}")
    tree = compile_arguments(cmd.name, list(cmd.arguments), pools)
    head = command_words(cmd)
    pick = lambda choice: rng.choice(choice.options)  # noqa: E731
    rate = _clamp_rate(invalid_rate)
    seen: dict[tuple[bytes, ...], bool] = {}
    for _ in range(count * 3):
        if len(seen) >= count:
            break
        words, numeric, _ = Walker(pick).block(tree)
        invalid = rng.random() < rate
        if invalid:
            words = mutate(pick, words, numeric)
        seen.setdefault(tuple(head + words), invalid)
    ordered = sorted(seen.items(), key=lambda kv: (kv[1], len(kv[0]), sum(map(len, kv[0])), kv[0]))
    return tuple(Command(args) for args, _ in ordered)

"""Hypothesis strategies for single commands, inferred from the generated command table.

``from_spec(spec, "zadd")`` walks ZADD's argument tree (key, string, integer, double, pattern, unix-time,
pure-token, oneof, block; flags optional/multiple/multiple_token; tokens) and draws one command line from it. Keys,
fields, members and values come from small shared pools so that a program's commands collide on the same keys and
types. Where an argument's name decides what is sensible (a COUNT, a TIMEOUT, a database index, an expiry), a value
override replaces the generic draw. A tunable share of commands is deliberately broken (wrong arity, bad numbers,
unknown tokens). Every choice is a local draw, so Hypothesis can shrink a failing command piece by piece.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from hypothesis import strategies as st

from forkdiff.spec import CommandSpec, Spec, load_spec
from forkdiff.types import Command

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
                                 b"9223372036854775807", b"abc")
    patterns: tuple[bytes, ...] = (b"*", b"k*", b"k?", b"[kf]1", b"*1*", b"\\*", b"")


DEFAULT_POOLS = Pools()

SMALL_INTS = st.one_of(st.integers(-2, 10), st.sampled_from([0, -1, 100, 9223372036854775807, -9223372036854775808]))
DOUBLES = st.sampled_from([b"1", b"0", b"-1", b"1.5", b"-2.25", b"3", b"10", b"0.1", b"1e3", b"inf", b"-inf",
                           b"+inf", b"5.0e-1"])
FAR_SECONDS = st.sampled_from([100000, 86400, 3600000])  # nothing expires while a program runs
FAR_UNIX_S = st.sampled_from([4102444800, 4102444801, 1, 100])  # 2100-01-01, or long past: deletes at once
TINY_TIMEOUT_S = st.sampled_from([b"0.01", b"0.02"])


def _b(n: object) -> bytes:
    return str(n).encode()


def _ints(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return strategy.map(_b)


def _override(command: str, name: str, kind: str, pools: Pools) -> st.SearchStrategy | None:
    """Value overrides where the argument's name matters; (command, name) first, then the name alone."""
    by_command = {
        ("select", "index"): _ints(st.integers(0, 15)),
        ("swapdb", "index1"): _ints(st.integers(0, 3)),
        ("swapdb", "index2"): _ints(st.integers(0, 3)),
        ("move", "db"): _ints(st.integers(0, 3)),
        ("copy", "destination-db"): _ints(st.integers(0, 3)),
        ("wait", "numreplicas"): st.just(b"0"),
        ("wait", "timeout"): _ints(st.integers(1, 20)),
        ("xread", "milliseconds"): _ints(st.integers(1, 20)),
        ("xreadgroup", "milliseconds"): _ints(st.integers(1, 20)),
        ("object|encoding", "key"): st.sampled_from(pools.keys),
        ("client|setname", "connection-name"): st.sampled_from([b"n1", b"n2", b"bad name"]),
        ("client|no-touch", "enabled"): st.sampled_from([b"ON", b"OFF"]),
    }
    if (command, name) in by_command:
        return by_command[(command, name)]
    if name == "timeout" and kind == "double":
        return TINY_TIMEOUT_S
    if name == "timeout":
        return _ints(st.integers(1, 20))
    by_name = {
        "count": _ints(st.one_of(st.integers(-2, 6), st.just(100))),
        "cursor": st.sampled_from([b"0", b"0", b"1", b"17"]),
        "seconds": _ints(FAR_SECONDS),
        "milliseconds": _ints(FAR_SECONDS.map(lambda s: s * 1000)),
        "unix-time-seconds": _ints(FAR_UNIX_S),
        "unix-time-milliseconds": _ints(FAR_UNIX_S.map(lambda s: s * 1000)),
        "ttl": _ints(st.sampled_from([0, 100000])),
        "field": st.sampled_from(pools.fields),
        "member": st.sampled_from(pools.members),
        "member1": st.sampled_from(pools.members),
        "member2": st.sampled_from(pools.members),
        "element": st.sampled_from(pools.members),
        "pivot": st.sampled_from(pools.members),
        "value": st.sampled_from(pools.values),
        "min": st.sampled_from([b"-inf", b"+inf", b"0", b"1", b"(1", b"2.5", b"-", b"+", b"[a", b"(b", b"x"]),
        "max": st.sampled_from([b"+inf", b"-inf", b"2", b"(3", b"10", b"+", b"-", b"[c", b"(b", b"x"]),
        "start": _ints(st.integers(-4, 4)) if kind == "integer" else st.sampled_from([b"-", b"0-1", b"1", b"+"]),
        "end": _ints(st.integers(-4, 4)) if kind == "integer" else st.sampled_from([b"+", b"2-0", b"-", b"5"]),
        "stop": _ints(st.integers(-4, 4)),
        "offset": _ints(st.integers(-2, 20)),
        "index": _ints(st.integers(-4, 4)),
        "increment": _ints(st.integers(-5, 5)) if kind == "integer" else DOUBLES,
        "decrement": _ints(st.integers(-5, 5)),
        "id": st.sampled_from([b"*", b"0-1", b"1-1", b"1-2", b"$", b">", b"0", b"5-*"]),
        "group": st.sampled_from([b"g1", b"g2"]),
        "consumer": st.sampled_from([b"c1", b"c2"]),
        "threshold": st.sampled_from([b"0", b"1", b"5", b"1-1"]),
        "channel": st.sampled_from([b"ch1", b"ch2"]),
        "shardchannel": st.sampled_from([b"ch1", b"ch2"]),
        "message": st.sampled_from([b"m", b""]),
        "encoding": st.sampled_from([b"u8", b"i8", b"i16", b"u1", b"i64", b"u63", b"x4"]),
        "bit": st.sampled_from([b"0", b"1"]),
        "longitude": st.sampled_from([b"13.361389", b"15.087269", b"0", b"-180", b"181"]),
        "latitude": st.sampled_from([b"38.115556", b"37.502669", b"0", b"85.05112878", b"90"]),
        "radius": st.sampled_from([b"100", b"200000", b"0", b"-1"]),
        "username": st.just(b"default"),
        "section": st.sampled_from([b"server", b"keyspace"]),
    }
    return by_name.get(name)


def _generic(kind: str, pools: Pools) -> st.SearchStrategy:
    if kind == "key":
        return st.sampled_from(pools.keys)
    if kind == "pattern":
        return st.sampled_from(pools.patterns)
    if kind == "integer":
        return _ints(SMALL_INTS)
    if kind == "double":
        return DOUBLES
    if kind == "unix-time":
        return _ints(FAR_UNIX_S)
    return st.sampled_from(pools.values)


class _Walker:
    """Draws one command line from an argument tree; every decision is a separate, shrinkable draw."""

    def __init__(self, draw: Draw, command: str, pools: Pools) -> None:
        self.draw, self.command, self.pools = draw, command, pools

    def block(self, args: list[dict]) -> Part:
        parts = [self.argument(a) for a in args]
        for i, (a, part) in enumerate(zip(args, parts)):
            if a["name"].startswith("num") and a["type"] == "integer" and i + 1 < len(parts) and parts[i + 1][2]:
                parts[i] = ([_b(parts[i + 1][2])], [True], 0)  # numkeys/numfields say how many follow
        words: list[bytes] = []
        numeric: list[bool] = []
        for w, n, _ in parts:
            words += w
            numeric += n
        return words, numeric, 0

    def argument(self, a: dict) -> Part:
        flags = a.get("flags", ())
        if "optional" in flags and not self.draw(st.booleans()):
            return [], [], 0
        if "multiple" in flags:
            reps = self.draw(st.integers(1, 3))
            words: list[bytes] = []
            numeric: list[bool] = []
            for i in range(reps):
                w, n, _ = self.one(a, with_token=i == 0 or "multiple_token" in flags)
                words += w
                numeric += n
            return words, numeric, reps
        return self.one(a, with_token=True)

    def one(self, a: dict, with_token: bool) -> Part:
        kind = a["type"]
        prefix = [a["token"].encode()] if with_token and a.get("token") and kind != "pure-token" else []
        if kind == "pure-token":
            words, numeric = [a["token"].encode()], [False]
        elif kind == "oneof":
            choice = self.draw(st.sampled_from(a["arguments"]))
            words, numeric, _ = self.argument_required(choice)
        elif kind == "block":
            words, numeric, _ = self.block(a["arguments"])
        else:
            strategy = _override(self.command, a["name"], kind, self.pools)
            if strategy is None:
                strategy = _generic(kind, self.pools)
            words, numeric = [self.draw(strategy)], [kind in ("integer", "double", "unix-time")]
        return prefix + words, [False] * len(prefix) + numeric, 0

    def argument_required(self, a: dict) -> Part:
        """A oneof's chosen branch is present even when it is flagged optional inside the choice."""
        flags = tuple(f for f in a.get("flags", ()) if f != "optional")
        return self.argument({**a, "flags": flags})


def command_words(spec: CommandSpec) -> list[bytes]:
    """The words that name the command: 'config|get' is sent as CONFIG GET."""
    return [w.upper().encode() for w in spec.name.split("|")]


def from_spec(spec: Spec | None, command_name: str, *, pools: Pools = DEFAULT_POOLS,
              invalid_rate: float = 0.0) -> st.SearchStrategy[Command]:
    """A strategy of `command_name` command lines drawn from its argument tree in `spec` (default: load_spec())."""
    table = spec or load_spec()
    cmd = table[command_name]
    rate = int(round(max(0.0, min(1.0, invalid_rate)) * 1000))

    @st.composite
    def draw_command(draw: Draw) -> Command:
        words, numeric, _ = _Walker(draw, cmd.name, pools).block(list(cmd.arguments))
        head = command_words(cmd)
        if rate and draw(st.integers(0, 999)) < rate:  # shrinks towards 0: towards the valid command
            words = mutate(draw, words, numeric)
        return Command(tuple(head + words))

    return draw_command()

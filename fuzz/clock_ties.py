"""Expiry conditions that the clock decides: GT/LT against a deadline set a moment earlier by a relative time.

`EXPIRE k 10; EXPIRE k 10 GT` asks whether now₂+10 s lies after now₁+10 s: it does when the millisecond clock ticked
between the two commands, and servers run a program some microseconds apart, so one may answer 1 and another 0.
Outside the tie zone (the new relative time shorter than the old one by 0 to TIE_MS) the answer is fixed, so only
that zone is relaxed, and only as a flip between 0 ("condition not met") and 1 ("set"): rule `clock_tick_condition`.
"""
from __future__ import annotations

from typing import Iterator

from forkdiff.types import AGGREGATES, Command, Kind, Reply

TIE_MS = 200  # the longest a program's steps may plausibly be apart on a busy machine

# command -> (index of the time argument, milliseconds per unit)
_CONDITIONAL = {"expire": (2, 1000), "pexpire": (2, 1), "hexpire": (2, 1000), "hpexpire": (2, 1)}
_OPTION_UNITS = {b"ex": 1000, b"px": 1}
_CONDITIONS = {b"gt", b"lt"}
_OPTIONS_FROM = {"set": 3, "getex": 2, "hsetex": 2, "hgetex": 2}  # where a command's options start


class ExpiryTies:
    """The relative expiry times a program set so far, per key, to tell a tie when a GT/LT command comes."""

    def __init__(self) -> None:
        self.set_ms: dict[bytes, set[int]] = {}

    def is_tie(self, cmd: Command) -> bool:
        """Whether the clock decides this command's condition (call before `observe(cmd)`)."""
        name, args = cmd.name, cmd.args
        if name not in _CONDITIONAL or len(args) < 4 or not _CONDITIONS & {a.lower() for a in args[3:5]}:
            return False
        new = _relative_ms(cmd)
        return new is not None and any(0 <= old - new <= TIE_MS for old in self.set_ms.get(args[1], ()))

    def observe(self, cmd: Command) -> None:
        ms = _relative_ms(cmd)
        if ms is not None and len(cmd.args) > 1:
            self.set_ms.setdefault(cmd.args[1], set()).add(ms)


def _relative_ms(cmd: Command) -> int | None:
    """The relative expiry time `cmd` asks for, in ms, or None when it sets none."""
    name, args = cmd.name, cmd.args
    if name in _CONDITIONAL:
        index, unit = _CONDITIONAL[name]
        return _times(args, index, unit)
    if name in ("setex", "psetex"):
        return _times(args, 2, 1000 if name == "setex" else 1)
    start = _OPTIONS_FROM.get(name)
    if start is None:
        return None
    for i, a in enumerate(args[start:], start):
        if a.lower() == b"fields":  # hash fields and values follow: never options
            break
        unit = _OPTION_UNITS.get(a.lower())
        if unit is not None:
            return _times(args, i + 1, unit)
    return None


def _times(args: tuple[bytes, ...], index: int, unit: int) -> int | None:
    try:
        return int(args[index]) * unit
    except (IndexError, ValueError):
        return None


def only_condition_flips(a: Reply, b: Reply) -> bool:
    """The replies differ only where one says 1 (set) and the other 0 (condition not met)."""
    return all(x == y or {x, y} == {0, 1} for x, y in _leaves(a, b))


def _leaves(a: Reply, b: Reply) -> Iterator[tuple[object, object]]:
    if a.kind is Kind.INTEGER and b.kind is Kind.INTEGER:
        yield a.value, b.value
    elif a.kind in AGGREGATES and a.kind is b.kind and len(a.value) == len(b.value):
        for x, y in zip(a.value, b.value):
            yield from _leaves(x, y)
    else:
        yield ("other", a.raw or a.value), ("other", b.raw or b.value)

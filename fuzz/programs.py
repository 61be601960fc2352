"""Programs: short sequences of commands run on a fresh keyspace, with MULTI/EXEC blocks and SELECT among them.

A program is the unit that is run on every target, compared, shrunk and stored. It is frozen and round-trips
through JSON so the catalogue can replay it years later.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from hypothesis import strategies as st

from forkdiff.spec import CommandSpec, Spec, load_spec
from forkdiff.types import Command

from .skips import skip_reason
from .strategies import DEFAULT_POOLS, Pools, from_spec

# The groups the reference server is being built for, in spec spelling; the default selection.
DEFAULT_GROUPS = ("string", "generic", "server", "connection", "transactions", "list", "hash", "set", "sorted-set")
GROUP_ALIASES = {"strings": "string", "lists": "list", "hashes": "hash", "sets": "set", "zsets": "sorted-set",
                 "zset": "sorted-set", "streams": "stream", "bitmaps": "bitmap", "transaction": "transactions"}


@dataclass(frozen=True)
class Program:
    steps: tuple[Command, ...]
    resp: int = 2

    def __len__(self) -> int:
        return len(self.steps)

    def __str__(self) -> str:
        return "\n".join(str(c) for c in self.steps)

    def to_json(self) -> dict:
        return {"resp": self.resp, "steps": [c.to_json() for c in self.steps]}

    @classmethod
    def from_json(cls, obj: Mapping) -> "Program":
        return cls(tuple(Command.from_json(s) for s in obj["steps"]), int(obj.get("resp", 2)))

    def dumps(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    def without(self, indexes: Iterable[int]) -> "Program":
        drop = set(indexes)
        return Program(tuple(c for i, c in enumerate(self.steps) if i not in drop), self.resp)


def normalise_group(name: str) -> str:
    return GROUP_ALIASES.get(name.lower(), name.lower())


@dataclass(frozen=True)
class Catalog:
    """The commands a campaign may generate, by group, with each group's weight."""

    commands: Mapping[str, tuple[str, ...]]  # group -> command names (subcommands as 'config|get')
    weights: Mapping[str, int] = field(default_factory=dict)

    @property
    def groups(self) -> list[str]:
        return [g for g in self.commands if self.commands[g]]

    def weight(self, group: str) -> int:
        return max(0, self.weights.get(group, 10))

    def __len__(self) -> int:
        return sum(len(v) for v in self.commands.values())


def fuzzable(spec: Spec) -> list[CommandSpec]:
    """Every command and subcommand of the table that a differential fuzzer may send."""
    return [c for c in spec.commands.values() if skip_reason(c) is None]


def build_catalog(implemented: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                  weights: Mapping[str, int] | None = None, spec: Spec | None = None) -> Catalog:
    """Commands of the chosen groups, limited to `implemented` (names; a container stands for its subcommands)."""
    table = spec or load_spec()
    wanted = {normalise_group(g) for g in (groups or DEFAULT_GROUPS)}
    allowed = None if implemented is None else {n.lower() for n in implemented}
    by_group: dict[str, list[str]] = {}
    for cmd in fuzzable(table):
        group = cmd.group or (table.get(cmd.container).group if cmd.container and table.get(cmd.container) else "")
        if "all" not in wanted and group not in wanted:
            continue
        if allowed is not None and cmd.name not in allowed:
            continue
        by_group.setdefault(group, []).append(cmd.name)
    return Catalog({g: tuple(sorted(v)) for g, v in sorted(by_group.items())}, dict(weights or {}))


def _weighted_group(catalog: Catalog) -> st.SearchStrategy[str]:
    """A group chosen by weight; the draw shrinks towards the first group."""
    groups = [g for g in catalog.groups if catalog.weight(g) > 0]
    if not groups:
        raise ValueError("no command group with a positive weight has any command to fuzz")
    bounds: list[int] = []
    total = 0
    for g in groups:
        total += catalog.weight(g)
        bounds.append(total)
    return st.integers(0, total - 1).map(lambda x: groups[bisect.bisect_right(bounds, x)])


def commands(catalog: Catalog, *, spec: Spec | None = None, pools: Pools = DEFAULT_POOLS,
             invalid_rate: float = 0.05) -> st.SearchStrategy[Command]:
    """One command from any group of the catalog."""
    table = spec or load_spec()
    per_command = {name: from_spec(table, name, pools=pools, invalid_rate=invalid_rate)
                   for names in catalog.commands.values() for name in names}
    by_group = {g: st.sampled_from(names).flatmap(per_command.__getitem__) for g, names in catalog.commands.items()
                if names}
    return _weighted_group(catalog).flatmap(by_group.__getitem__)


def _transaction(single: st.SearchStrategy[Command]) -> st.SearchStrategy[list[Command]]:
    ending = st.sampled_from([Command.of("EXEC"), Command.of("EXEC"), Command.of("DISCARD")])
    return st.tuples(st.lists(single, min_size=0, max_size=4), ending).map(
        lambda t: [Command.of("MULTI"), *t[0], t[1]])


def _select(max_db: int = 3) -> st.SearchStrategy[list[Command]]:
    return st.integers(0, max_db).map(lambda db: [Command.of("SELECT", db)])


def programs(catalog: Catalog, *, spec: Spec | None = None, pools: Pools = DEFAULT_POOLS,
             invalid_rate: float = 0.05, resp: Iterable[int] = (2,), max_steps: int = 32, min_steps: int = 1,
             transaction_rate: int = 6, select_rate: int = 3) -> st.SearchStrategy[Program]:
    """Programs of `min_steps` to `max_steps` items; each a command, or (rate in %) a MULTI block or a SELECT.

    A higher `min_steps` makes longer programs (more commands per round trip); Hypothesis then cannot shrink below
    it, but delta debugging (repro.ddmin) removes the remaining steps afterwards.
    """
    single = commands(catalog, spec=spec, pools=pools, invalid_rate=invalid_rate)
    plain = single.map(lambda c: [c])
    item = st.integers(0, 99).flatmap(
        lambda x: plain if x >= transaction_rate + select_rate
        else (_transaction(single) if x < transaction_rate else _select()))
    resps = sorted(set(resp))
    return st.builds(lambda items, r: Program(tuple(c for i in items for c in i), r),
                     st.lists(item, min_size=min(min_steps, max_steps), max_size=max_steps), st.sampled_from(resps))

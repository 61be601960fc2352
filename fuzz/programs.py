"""Programs: short sequences of commands run on a fresh keyspace, with MULTI/EXEC blocks and SELECT among them.

A program is the unit that is run on every target, compared, shrunk and stored. It is frozen and round-trips
through JSON so the catalogue can replay it years later.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from hypothesis import strategies as st

from forkdiff.spec import CommandSpec, Spec, load_spec
from forkdiff.types import Command

from .skips import skip_reason, waits_long
from .paths import base_element, covering_variants
from .scripts import CALLED_GROUPS, SCRIPT_COMMANDS, ScriptLines, called_lines
from .strategies import DEFAULT_POOLS, Pools, from_spec, pools_for_group

# The groups the reference server is being built for, in spec spelling; the default selection.
# Pre-built lines per command and campaign: enough that value combinations which need two rare draws at once
# (HINCRBY on a field holding 1 by 2^63-2) appear in some line, few enough to build in a second or two.
VARIANTS_PER_COMMAND = 160
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


# A group whose commands only act on what others write comes with one of those, at a lower weight: WATCH needs
# writes to watch, and EXEC's replies need commands to queue.
COMPANIONS = {"transactions": ("string", 4)}


def build_catalog(implemented: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                  weights: Mapping[str, int] | None = None, spec: Spec | None = None) -> Catalog:
    """Commands of the chosen groups (and their companions), limited to `implemented` (names; a container stands
    for its subcommands)."""
    table = spec or load_spec()
    wanted = {normalise_group(g) for g in (groups or DEFAULT_GROUPS)}
    weights = dict(weights or {})
    for group in list(wanted):
        companion, weight = COMPANIONS.get(group, (None, 0))
        if companion and companion not in wanted:
            wanted.add(companion)
            weights.setdefault(companion, weight)
    allowed = None if implemented is None else {n.lower() for n in implemented}
    by_group: dict[str, list[str]] = {}
    for cmd in fuzzable(table):
        group = cmd.group or (table.get(cmd.container).group if cmd.container and table.get(cmd.container) else "")
        if "all" not in wanted and group not in wanted:
            continue
        if allowed is not None and cmd.name not in allowed:
            continue
        by_group.setdefault(group, []).append(cmd.name)
    return Catalog({g: tuple(sorted(v)) for g, v in sorted(by_group.items())}, weights)


def _weighted(names: list[str], weights: list[int]) -> st.SearchStrategy[str]:
    """One name chosen by weight with a single integer draw, which shrinks towards the first name."""
    bounds: list[int] = []
    total = 0
    for w in weights:
        total += w
        bounds.append(total)
    if not total:
        raise ValueError("no command group with a positive weight has any command to fuzz")
    return st.integers(0, total - 1).map(lambda x: names[bisect.bisect_right(bounds, x)])


def _group_tables(catalog: Catalog, table: Spec, default_pools: Pools, invalid_rate: float, detailed: bool, seed: int,
                  per_command: int, paths: dict[Command, frozenset[str]] | None = None,
                  ) -> dict[str, st.SearchStrategy[Command]]:
    """Each group's commands as one strategy. The fast path's tables reach every argument path of every command
    (fuzz.paths); `paths`, when given, receives the path elements of each line."""
    by_group: dict[str, st.SearchStrategy[Command]] = {}
    for group, names in catalog.commands.items():
        if not names or catalog.weight(group) <= 0:
            continue
        pools = pools_for_group(default_pools, group)
        scripted = [n for n in names if n in SCRIPT_COMMANDS]
        if scripted:  # a script is a language of its own: fuzz.scripts builds these lines
            lines = _script_tables(table, scripted, seed, per_command)
            if paths is not None:
                paths.update((line, frozenset({base_element(n)})) for n, t in zip(scripted, lines) for line in t)
            names = [n for n in names if n not in SCRIPT_COMMANDS]
        else:
            lines = []
        if detailed:
            strategies = [from_spec(table, n, pools=pools, invalid_rate=invalid_rate) for n in names]
            by_group[group] = st.one_of(strategies + [st.sampled_from(t) for t in lines])
        else:
            # Each command of the group drawn at least half as often as the one with the most lines: a command with
            # few lines (LLEN, TTL) cycles through them, so its few paths (LLEN on a string: WRONGTYPE) are not
            # drowned by the variants of the others, while a deep command (ZRANGE) keeps most of its share. A
            # blocking command costs its whole (tiny) timeout in wall time: fewer variants, no more slots than
            # lines. Simplest lines first, for shrinking.
            tables = [(t, True) for t in lines]  # (lines, drawn at least half as often as the most)
            for n in names:
                blocking = "blocking" in table[n].flags
                lines = covering_variants(table, n, count=per_command // (6 if blocking else 1), seed=seed,
                                          pools=pools, invalid_rate=invalid_rate)
                lines = [(line, p) for line, p in lines if not waits_long(table[n], line.args[1:])]
                tables.append(([line for line, _ in lines], not blocking))
                if paths is not None:
                    paths.update(lines)
            tables = [(t, boosted) for t, boosted in tables if t]
            width = max(len(t) for t, _ in tables)
            by_group[group] = st.sampled_from([t[i % len(t)] for i in range(width) for t, boosted in tables
                                               if i < (max(len(t), width // 2) if boosted else len(t))])
    return by_group


def _script_tables(table: Spec, names: list[str], seed: int, per_command: int) -> list[list[Command]]:
    """The scripting commands' lines, with scripts calling lines of the other groups."""
    called = [c.name for c in fuzzable(table) if c.group in CALLED_GROUPS and "blocking" not in c.flags]
    maker = ScriptLines(called_lines(table, called, 4, seed), seed)
    return [maker.variants(n, per_command) for n in names]


def commands(catalog: Catalog, *, spec: Spec | None = None, pools: Pools = DEFAULT_POOLS,
             invalid_rate: float = 0.05, detailed: bool = False, seed: int = 0,
             variants_per_command: int = VARIANTS_PER_COMMAND) -> st.SearchStrategy[Command]:
    """One command from any group of the catalog, the group chosen by weight.

    detailed=True draws every argument through from_spec (finest shrinking, about a dozen draws per command).
    The default picks one of `variants_per_command` pre-built lines per command (built from the same argument
    tree, seeded, simplest first) with one draw: several times faster, and delta debugging still removes whole
    steps afterwards.
    """
    tables = _group_tables(catalog, spec or load_spec(), pools, invalid_rate, detailed, seed, variants_per_command)
    names = list(tables)
    pick_group = _weighted(names, [catalog.weight(g) for g in names])

    @st.composite
    def one_command(draw: Callable) -> Command:
        return draw(tables[draw(pick_group)])

    return one_command()


WATCHED = (b"k1", b"l1", b"h1", b"s1", b"z1", b"x1", b"k2")
MULTI = Command.of("MULTI")


def _transaction(single: st.SearchStrategy[Command]) -> st.SearchStrategy[list[Command]]:
    """MULTI, up to 4 commands, EXEC or DISCARD; sometimes a WATCH first (and up to 2 commands that may touch the
    watched key before MULTI), sometimes a MULTI inside (refused, the transaction goes on)."""
    ending = st.sampled_from([Command.of("EXEC"), Command.of("EXEC"), Command.of("DISCARD")])
    watch = st.sampled_from([None] * len(WATCHED) + [Command.of("WATCH", k) for k in WATCHED])
    nested = st.sampled_from([False] * 9 + [True])
    return st.tuples(watch, st.lists(single, max_size=2), nested, st.lists(single, min_size=0, max_size=4),
                     ending).map(lambda t: [*((t[0], *t[1]) if t[0] else ()), MULTI, *((MULTI,) if t[2] else ()),
                                            *t[3], t[4]])


def _select(max_db: int = 3) -> st.SearchStrategy[list[Command]]:
    return st.integers(0, max_db).map(lambda db: [Command.of("SELECT", db)])


def programs(catalog: Catalog, *, spec: Spec | None = None, pools: Pools = DEFAULT_POOLS,
             invalid_rate: float = 0.05, resp: Iterable[int] = (2,), max_steps: int = 32, min_steps: int = 1,
             transaction_rate: int = 6, select_rate: int = 3, detailed: bool = False,
             seed: int = 0) -> st.SearchStrategy[Program]:
    """Programs of `min_steps` to `max_steps` items; each a command, or (rate in %) a MULTI block or a SELECT.

    A higher `min_steps` makes longer programs (more commands per round trip); Hypothesis then cannot shrink below
    it, but delta debugging (repro.ddmin) removes the remaining steps afterwards.
    """
    single = commands(catalog, spec=spec, pools=pools, invalid_rate=invalid_rate, detailed=detailed, seed=seed)
    if detailed:
        return _programs_detailed(single, resp, min_steps, max_steps, transaction_rate, select_rate)
    tables = _group_tables(catalog, spec or load_spec(), pools, invalid_rate, False, seed, VARIANTS_PER_COMMAND)
    step = _flat_steps(catalog, tables, transaction_rate, select_rate, single)
    resps = st.sampled_from(sorted(set(resp)))
    return st.builds(lambda items, r: Program(tuple(c for i in items for c in i), r),
                     st.lists(step, min_size=min(min_steps, max_steps), max_size=max_steps), resps)


SPAN = 1 << 20  # integer slots per unit of weight


def _flat_steps(catalog: Catalog, tables: Mapping[str, st.SearchStrategy], transaction_rate: int, select_rate: int,
                single: st.SearchStrategy[Command]) -> st.SearchStrategy[list[Command]]:
    """One step with ONE integer draw: slots are laid out group by group (by weight), then MULTI blocks, then
    SELECTs; within a group the slot picks the variant. Shrinking the integer moves towards the first group's
    simplest command. Each Hypothesis draw costs about 0.1 ms, so draws per command bound the throughput."""
    groups = list(tables)
    entries = [tables[g].elements for g in groups]  # type: ignore[attr-defined]
    weights = [catalog.weight(g) for g in groups]
    plain = sum(weights)
    extra = [plain * transaction_rate // max(1, 100 - transaction_rate - select_rate),
             plain * select_rate // max(1, 100 - transaction_rate - select_rate)]
    bounds: list[int] = []
    total = 0
    for w in weights + extra:
        total += w * SPAN
        bounds.append(total)
    transaction, select = _transaction(single), _select()
    slot = st.integers(0, total - 1)

    @st.composite
    def step(draw: Callable) -> list[Command]:
        x = draw(slot)
        i = bisect.bisect_right(bounds, x)
        if i < len(groups):
            low = bounds[i - 1] if i else 0
            table = entries[i]
            return [table[(x - low) * len(table) // (bounds[i] - low)]]
        return draw(transaction if i == len(groups) else select)

    return step()


def _programs_detailed(single: st.SearchStrategy[Command], resp: Iterable[int], min_steps: int, max_steps: int,
                       transaction_rate: int, select_rate: int) -> st.SearchStrategy[Program]:
    transaction, select = _transaction(single), _select()
    kinds = ["command", "multi", "select"]
    pick_kind = _weighted(kinds, [max(0, 100 - transaction_rate - select_rate), max(0, transaction_rate),
                                  max(0, select_rate)])

    @st.composite
    def item(draw: Callable) -> list[Command]:
        kind = draw(pick_kind)
        if kind == "command":
            return [draw(single)]
        return draw(transaction if kind == "multi" else select)

    resps = st.sampled_from(sorted(set(resp)))
    return st.builds(lambda items, r: Program(tuple(c for i in items for c in i), r),
                     st.lists(item(), min_size=min(min_steps, max_steps), max_size=max_steps), resps)

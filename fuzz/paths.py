"""Argument paths: every way through a command's argument tree, built into its variant table and counted when run.

An argument path element is one decision the tree offers: an optional argument present (`zadd/condition?`), one
branch of a oneof (`zadd/condition=nx`), a repeated argument given more than once (`zadd/data*`), or the
alternatives of one oneof given together (`set/condition=together`: Redis's error for that is part of
compatibility). `covering_variants` builds a command's variant table so that every element of its tree is in some
variant, then fills the rest at random; `Coverage` counts the elements of the commands a campaign ran, per group,
and scores each batch by how many rarely exercised elements it holds (the Hypothesis `target()` signal).
"""
from __future__ import annotations

import random
from collections import Counter
from typing import Iterable, Mapping

from forkdiff.spec import Spec
from forkdiff.types import Command

from .invalid import mutate
from .strategies import DEFAULT_POOLS, Node, Part, Pools, Walker, command_words, compile_arguments

TOGETHER = "together"


def tree_elements(nodes: Iterable[Node], prefix: str) -> set[str]:
    """Every path element a tree offers."""
    out: set[str] = set()
    for node in nodes:
        path = f"{prefix}/{node.name}"
        if node.optional:
            out.add(path + "?")
        if node.multiple:
            out.add(path + "*")
        if node.kind == "oneof" and node.values:
            branches = node.values.options
            out |= {f"{path}={b.name}" for b in branches}
            if len(branches) > 1 and node.optional:
                out.add(f"{path}={TOGETHER}")
            for b in branches:
                out |= tree_elements([b], path)
        elif node.kind == "block":
            out |= tree_elements(node.children, path)
    return out


def _optional_oneof(node: Node) -> bool:
    return node.kind == "oneof" and node.optional and node.values is not None and len(node.values.options) > 1


class PathWalker(Walker):
    """A seeded walk that prefers the decisions still `wanted`, and records the elements it `reached`.

    `together`: give the alternatives of one optional oneof together, once, where the tree has one."""

    def __init__(self, rng: random.Random, wanted: set[str], prefix: str, together: bool = False) -> None:
        super().__init__(lambda choice: rng.choice(choice.options))
        self.rng, self.wanted, self.reached = rng, wanted, set()
        self.stack = [prefix]
        self.together = together

    def _path(self, node: Node) -> str:
        return f"{self.stack[-1]}/{node.name}"

    def argument(self, node: Node) -> Part:
        path = self._path(node)
        if node.optional:
            wants = path + "?" in self.wanted or (self.together and _optional_oneof(node))
            if self.rng.random() >= (0.9 if wants else 0.5):
                return [], [], 0
            self.reached.add(path + "?")
        if not node.multiple:
            return self.one(node, with_token=True)
        reps = 1
        if path + "*" in self.wanted or self.rng.random() < 0.4:
            reps = self.rng.choice((2, 3))
            self.reached.add(path + "*")
        words: list[bytes] = []
        numeric: list[bool] = []
        for i in range(reps):
            w, n, _ = self.one(node, with_token=i == 0 or node.multiple_token)
            words += w
            numeric += n
        return words, numeric, reps

    def one(self, node: Node, with_token: bool) -> Part:
        if node.kind not in ("oneof", "block") or (node.kind == "oneof" and not node.values):
            return super().one(node, with_token)
        path = self._path(node)
        prefix = [node.token] if with_token and node.token else []
        self.stack.append(path)
        try:
            if node.kind == "block":
                words, numeric, _ = self.block(node.children)
            else:
                words, numeric = self._branches(node, path)
        finally:
            self.stack.pop()
        return prefix + words, [False] * len(prefix) + numeric, 0

    def _wanted_under(self, path: str) -> bool:
        return any(e.startswith(path) for e in self.wanted)

    def _branches(self, node: Node, path: str) -> tuple[list[bytes], list[bool]]:
        branches = list(node.values.options)  # type: ignore[union-attr]
        aimed = f"{path}={TOGETHER}" in self.wanted or not _together_in(self.wanted)
        if self.together and _optional_oneof(node) and aimed:
            self.together = False
            chosen = self.rng.sample(branches, 2)
            self.reached.add(f"{path}={TOGETHER}")
        else:
            unseen = [b for b in branches if f"{path}={b.name}" in self.wanted or self._wanted_under(f"{path}/{b.name}")]
            chosen = [self.rng.choice(unseen or branches)]
        words: list[bytes] = []
        numeric: list[bool] = []
        for branch in chosen:
            self.reached.add(f"{path}={branch.name}")
            w, n, _ = self.argument(branch)
            words += w
            numeric += n
        return words, numeric


def covering_variants(spec: Spec, command_name: str, *, count: int = 48, seed: int = 0, pools: Pools = DEFAULT_POOLS,
                      invalid_rate: float = 0.0) -> tuple[tuple[Command, frozenset[str]], ...]:
    """Distinct command lines with the path elements each reaches: every element of the tree first (more lines
    than `count` when the tree needs them), then random ones; simplest first, valid before invalid. A share
    `invalid_rate` is deliberately broken: a mutated line, or alternatives given together (when the rate is
    not zero, each such pair of alternatives shows up at least once)."""
    cmd = spec[command_name]
    rng = random.Random(f"{seed}:{command_name}")
    tree = compile_arguments(cmd.name, list(cmd.arguments), pools)
    head = command_words(cmd)
    wanted = tree_elements(tree, cmd.name)
    has_oneof = _together_in(wanted)
    rate = max(0.0, min(1.0, invalid_rate))
    if not rate:
        wanted = {e for e in wanted if not e.endswith("=" + TOGETHER)}
    seen: dict[tuple[bytes, ...], tuple[bool, frozenset[str]]] = {}
    for _ in range(count * 4 + 4 * len(wanted)):
        if len(seen) >= count and not wanted:
            break
        together_wanted = rate > 0 and _together_in(wanted)
        invalid = rng.random() < rate or (together_wanted and rng.random() < 0.3)
        together = invalid and has_oneof and (together_wanted or rng.random() < 0.5)
        walker = PathWalker(rng, wanted, cmd.name, together=together)
        words, numeric, _ = walker.block(tree)
        if invalid and not _together_in(walker.reached):
            words = mutate(walker.pick, words, numeric)
        reached = frozenset(walker.reached | {base_element(cmd.name)})
        args = tuple(head + words)
        before = seen.get(args, (invalid, frozenset()))
        seen[args] = (before[0], before[1] | reached)
        wanted -= reached
    ordered = sorted(seen.items(), key=lambda kv: (kv[1][0], len(kv[0]), sum(map(len, kv[0])), kv[0]))
    return tuple((Command(args), reached) for args, (_, reached) in ordered)


def base_element(command_name: str) -> str:
    """The element every line of a command reaches: the command itself ran."""
    return command_name + "/"


def _together_in(elements: Iterable[str]) -> bool:
    return any(e.endswith("=" + TOGETHER) for e in elements)


class Coverage:
    """Which argument path elements the commands run so far have exercised, per group."""

    RARE = 3  # an element exercised fewer times than this counts towards a batch's score

    def __init__(self, spec: Spec, groups: Mapping[str, Iterable[str]],
                 index: Mapping[Command, frozenset[str]]) -> None:
        self.index = index
        self.group_of: dict[str, str] = {}
        self.totals: dict[str, int] = {}
        for group, names in groups.items():
            total = 0
            for name in names:
                cmd = spec[name]
                elements = tree_elements(compile_arguments(cmd.name, list(cmd.arguments), DEFAULT_POOLS), cmd.name)
                total += len(elements) + 1  # and the command itself (base_element)
                self.group_of[name] = group
            self.totals[group] = total
        self.counts: Counter[str] = Counter()

    def observe(self, steps: Iterable[Command]) -> int:
        """Count the elements these commands exercised; the score: how many of them were still rare."""
        rare = 0
        counts, index = self.counts, self.index
        for cmd in set(steps):
            for element in index.get(cmd, ()):
                if counts[element] < self.RARE:
                    rare += 1
                counts[element] += 1
        return rare

    def report(self) -> dict[str, dict]:
        exercised: Counter[str] = Counter()
        for element in self.counts:
            group = self.group_of.get(element.split("/", 1)[0])
            if group is not None:
                exercised[group] += 1
        return {group: {"argument_paths": total, "exercised": exercised[group],
                        "share": round(exercised[group] / total, 3) if total else 1.0}
                for group, total in sorted(self.totals.items())}

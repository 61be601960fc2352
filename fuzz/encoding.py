"""Batches of programs with one Hypothesis draw per program: each program is a byte string, read as fixed-width slots.

Hypothesis's per-draw cost (tens of microseconds) capped the fuzzer when every step was a draw of its own; a bytes
choice costs about the same whatever its length. A slot is a big-endian integer of `width` bytes laid out as in
`programs._flat_steps`: group regions by weight (the slot picks a pre-built variant), then MULTI blocks, then
SELECTs. Shrinking still works on the bytes: deleting `width` bytes deletes a step, lowering a byte moves a step
towards the first group's simplest variant, and an all-zero string is the simplest program. Delta debugging
(repro.ddmin) removes whatever steps are left afterwards.

One example is a batch of programs; each body runs once per protocol (RESP2 and RESP3), which halves generation
per compared command and keeps a protocol-only difference reproducible on its own.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from hypothesis import strategies as st

from forkdiff.spec import Spec, load_spec
from forkdiff.types import Command

from .programs import VARIANTS_PER_COMMAND, WATCHED, Catalog, Program, _group_tables
from .states import states_for
from .strategies import DEFAULT_POOLS, Pools

MULTI, EXEC, DISCARD = Command.of("MULTI"), Command.of("EXEC"), Command.of("DISCARD")
ENDINGS = (EXEC, EXEC, DISCARD)
MAX_QUEUED = 4  # commands inside one MULTI block
# how a MULTI block comes: mostly plain; WATCH a key then one command (which may touch it) first; a MULTI inside
FORMS = ("plain",) * 7 + ("watch", "watch", "nested")
MAX_DB = 3  # SELECT targets databases 0..MAX_DB


@dataclass(frozen=True)
class StepCodec:
    """Reads a byte string as steps. `bounds[i]` ends region i: the groups' tables, then MULTI, then SELECT."""

    tables: tuple[tuple[Command, ...], ...]
    bounds: tuple[int, ...]
    width: int
    states: tuple[tuple[Command, ...], ...] = ()  # fuzz.states: the last region, when there are any

    @property
    def plain(self) -> int:
        """Slots below this are plain commands."""
        return self.bounds[len(self.tables) - 1]

    def slots(self, blob: bytes) -> list[int]:
        w = self.width
        return [int.from_bytes(blob[i:i + w], "big") for i in range(0, len(blob) - w + 1, w)]

    def command(self, slot: int) -> Command:
        """The plain command at `slot` (slots past the plain region wrap into it)."""
        slot %= self.plain
        i = bisect.bisect_right(self.bounds, slot)
        low = self.bounds[i - 1] if i else 0
        table = self.tables[i]
        return table[(slot - low) * len(table) // (self.bounds[i] - low)]

    def decode(self, blob: bytes) -> tuple[Command, ...]:
        slots = self.slots(blob)
        out: list[Command] = []
        n_tables, k = len(self.tables), 0
        while k < len(slots):
            x = min(slots[k], self.bounds[-1] - 1)
            k += 1
            region = bisect.bisect_right(self.bounds, x)
            if region < n_tables:
                out.append(self.command(x))
            elif region == n_tables:  # a MULTI block: the slot says how long and how it ends
                low = self.bounds[region - 1]
                shape = (x - low) * (MAX_QUEUED + 1) * len(ENDINGS) * len(FORMS) // (self.bounds[region] - low)
                shape, form = divmod(shape, len(FORMS))
                queued, ending = divmod(shape, len(ENDINGS))
                if FORMS[form] == "watch" and k + 1 < len(slots):
                    out += [Command.of("WATCH", WATCHED[slots[k] % len(WATCHED)]), self.command(slots[k + 1])]
                    k += 2
                body = [self.command(s) for s in slots[k:k + queued]]
                k += len(body)
                out += [MULTI, *((MULTI,) if FORMS[form] == "nested" else ()), *body, ENDINGS[ending]]
            elif region == n_tables + 1:
                low = self.bounds[region - 1]
                out.append(Command.of("SELECT", (x - low) * (MAX_DB + 1) // (self.bounds[region] - low)))
            else:
                low = self.bounds[region - 1]
                out += self.states[(x - low) * len(self.states) // (self.bounds[region] - low)]
        return tuple(out)


class Batch(tuple):
    """The programs of one example. Hypothesis prints a failing example's repr: a short one, since the catalogue
    holds the program that matters."""

    def __repr__(self) -> str:
        return f"Batch(<{len(self)} programs, {sum(len(p) for p in self)} steps>)"


def build_codec(catalog: Catalog, tables: Mapping[str, Sequence[Command]], transaction_rate: int = 6,
                select_rate: int = 3, states: Sequence[Sequence[Command]] = (), state_rate: int = 6) -> StepCodec:
    """Regions sized by weight; the slot width is the smallest (2 or 3 bytes) that reaches every variant."""
    groups = list(tables)
    weights = [100 * catalog.weight(g) for g in groups]  # scaled, so that small rates do not round to nothing
    plain = sum(weights)
    state_rate = state_rate if states else 0
    rest = max(1, 100 - transaction_rate - select_rate - state_rate)
    weights += [plain * max(0, transaction_rate) // rest, plain * max(0, select_rate) // rest]
    if states:
        weights.append(plain * state_rate // rest)
    total_weight = sum(weights)
    width = 2
    if any(len(tables[g]) > (1 << 16) * w // total_weight for g, w in zip(groups, weights)):
        width = 3
    space = 1 << (8 * width)
    bounds, acc = [], 0
    for w in weights:
        acc += w
        bounds.append(space * acc // total_weight)
    return StepCodec(tuple(tuple(tables[g]) for g in groups), tuple(bounds), width, tuple(map(tuple, states)))


def codec_for(catalog: Catalog, *, spec: Spec | None = None, pools: Pools = DEFAULT_POOLS,
              invalid_rate: float = 0.05, seed: int = 0, transaction_rate: int = 6,
              select_rate: int = 3, paths: dict | None = None) -> StepCodec:
    tables = _group_tables(catalog, spec or load_spec(), pools, invalid_rate, False, seed, VARIANTS_PER_COMMAND, paths)
    if not tables:
        raise ValueError("no command group with a positive weight has any command to fuzz")
    elements = {g: t.elements for g, t in tables.items()}  # type: ignore[attr-defined]
    states = [s.steps for s in states_for(elements)]
    return build_codec(catalog, elements, transaction_rate, select_rate, states)


def program_batches(catalog: Catalog, *, spec: Spec | None = None, pools: Pools = DEFAULT_POOLS,
                    invalid_rate: float = 0.05, resp: Iterable[int] = (2, 3), max_steps: int = 60,
                    min_steps: int = 20, batch: int = 32, seed: int = 0, transaction_rate: int = 6,
                    select_rate: int = 3, paths: dict | None = None) -> st.SearchStrategy[Batch]:
    """Batches of `batch` program bodies of `min_steps`..`max_steps` slots, each run in every protocol of `resp`.

    The batch size is fixed: shrinking zeroes the bodies that do not matter (the campaign remembers which
    programs it has run, so an unchanged body is not run again while shrinking).
    """
    codec = codec_for(catalog, spec=spec, pools=pools, invalid_rate=invalid_rate, seed=seed,
                      transaction_rate=transaction_rate, select_rate=select_rate, paths=paths)
    resps = sorted(set(resp))
    low = min(min_steps, max_steps)
    body = st.binary(min_size=low * codec.width, max_size=max_steps * codec.width)

    def expand(blobs: list[bytes]) -> Batch:
        bodies = [codec.decode(b) for b in blobs]
        return Batch(Program(steps, r) for steps in bodies for r in resps)

    return st.lists(body, min_size=batch, max_size=batch).map(expand)

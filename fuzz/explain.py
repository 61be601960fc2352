"""Why a history is not linearizable: the longest linearizable prefix and the fewest operations that still fail.

The offending operations are found in two steps. First the shortest failing cut of the history: everything called
up to the k-th return, operations still pending at that moment turned into unknown outcomes (a cut of a
linearizable history is linearizable, so failing is monotone in k and a binary search finds k). The operation
returning at that moment is the one no order explains (the culprit). Then operations are dropped one at a time
while the rest still fails and the culprit's reply alone stays possible (see `reduce`).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from forkdiff.types import Command, Reply

from .history import Op
from .model import EngineModel, State, describe_state
from .wing_gong import VIOLATION, Budget, SearchResult, search

REDUCTION_STEPS = 200_000  # per sub-search while reducing
SHOWN_PREFIX = 8  # the end of the prefix that the text shows


@dataclass
class Explanation:
    keys: list[bytes]
    partition_ops: int
    prefix: list[Op]
    state: State
    stuck: Op | None
    model_answer: Reply | None  # what the model answers `stuck` after the prefix
    offending: list[Op]
    minimal: bool  # False when the reduction ran out of time

    def text(self) -> str:
        keys = " ".join(str(Command.of(k)) for k in self.keys[:8]) + (" …" if len(self.keys) > 8 else "")
        lines = [f"not linearizable: the history of keys {keys} ({self.partition_ops} operations)",
                 f"longest linearizable prefix: {len(self.prefix)} operations, leaving {describe_state(self.state)}"]
        if len(self.prefix) > SHOWN_PREFIX:
            lines.append(f"  … {len(self.prefix) - SHOWN_PREFIX} earlier operations")
        lines += [f"  {op.describe()}" for op in self.prefix[-SHOWN_PREFIX:]]
        if self.stuck is not None:
            answer = " ".join(str(self.model_answer).split())
            lines.append(f"then {self.stuck.describe()} cannot be placed (the model would answer {answer})")
        label = "minimal offending operations" if self.minimal else "offending operations (reduction cut short)"
        lines.append(f"{label}, times in ms from the first call:")
        origin = min((op.call_ns for op in self.offending), default=0)
        lines += [f"  {_interval(op, origin)} {op.describe()}" for op in self.offending]
        return "\n".join(lines)


def _interval(op: Op, origin: int) -> str:
    end = "…" if op.unknown else f"{(op.return_ns - origin) / 1e6:8.3f}"
    return f"[{(op.call_ns - origin) / 1e6:8.3f} .. {end:>8}]"


def explain(ops: list[Op], result: SearchResult, model: EngineModel, keys: list[bytes],
            time_limit_s: float = 2.0) -> Explanation:
    deadline = time.monotonic() + time_limit_s
    answer = model.step(result.state, result.stuck)[0] if result.stuck is not None else None
    cut, culprit = shortest_failing_cut(ops, model, deadline)
    offending, minimal = reduce(cut, culprit, model, deadline)
    return Explanation(keys, len(ops), result.prefix, result.state, result.stuck, answer, offending, minimal)


def _fails(ops: list[Op], model: EngineModel, deadline: float) -> bool:
    return search(ops, model, Budget(REDUCTION_STEPS, deadline)).status == VIOLATION


def cut_at(ops: list[Op], moment: int) -> list[Op]:
    """The history as it stood at `moment`: later calls absent, pending operations of unknown outcome."""
    out = []
    for op in ops:
        if op.call_ns > moment:
            continue
        if not op.unknown and op.return_ns > moment:
            op = dataclasses.replace(op, return_ns=None, reply=None)
        out.append(op)
    return out


def shortest_failing_cut(ops: list[Op], model: EngineModel, deadline: float) -> tuple[list[Op], Op | None]:
    known = sorted((op for op in ops if not op.unknown), key=lambda op: op.return_ns)
    low, high = 0, len(known) - 1  # the cut at the last return is the whole history, which fails
    while low < high and time.monotonic() < deadline:
        middle = (low + high) // 2
        if _fails(cut_at(ops, known[middle].return_ns), model, deadline):
            high = middle
        else:
            low = middle + 1
    culprit = known[high] if known else None
    return (cut_at(ops, culprit.return_ns) if culprit else list(ops)), culprit


def reduce(ops: list[Op], culprit: Op | None, model: EngineModel, deadline: float) -> tuple[list[Op], bool]:
    """Drop operations one at a time while the rest still fails. Where the culprit's reply alone is possible
    (some order of the others, whatever their replies, produces it), a drop must keep it possible: the writes a
    stale read saw stay in the explanation instead of leaving a read of a value nobody wrote. Where no order
    produces it at all (a torn read), the last writes it could have seen are shown with it."""
    possible = culprit is not None and not _fails(_weakened(ops, culprit), model, deadline)
    kept = list(ops)
    order = sorted(ops, key=lambda o: (not o.unknown, -abs(o.call_ns - (culprit.call_ns if culprit else 0))))
    minimal = True
    for op in order:
        if time.monotonic() > deadline:
            minimal = False
            break
        if op is culprit:
            continue
        trial = [o for o in kept if o is not op]
        if _fails(trial, model, deadline) and not (possible and _fails(_weakened(trial, culprit), model, deadline)):
            kept = trial
    if culprit is not None and not possible:
        kept += [w for w in last_writes(ops, culprit, model) if w not in kept]
    return sorted(kept, key=lambda o: o.call_ns), minimal


def last_writes(ops: list[Op], culprit: Op, model: EngineModel) -> list[Op]:
    """Writes to the culprit's keys it may have seen: concurrent with it, or not overwritten by a later write
    that ended before it began."""
    keys = model.keys_of(culprit) or frozenset()
    writes = [op for op in ops if op is not culprit and op.call_ns <= culprit.return_ns
              and _writes(op, model) and (model.keys_of(op) or frozenset()) & keys]

    def overwritten(w: Op) -> bool:
        return any(not w.unknown and not later.unknown and w.return_ns < later.call_ns
                   and later.return_ns < culprit.call_ns for later in writes)

    return [w for w in writes if not overwritten(w)]


def _writes(op: Op, model: EngineModel) -> bool:
    return any((spec := model.spec.resolve(c.args)) is not None and spec.is_write for c in op.commands)


def _weakened(ops: list[Op], culprit: Op) -> list[Op]:
    """Every operation but the culprit of unknown outcome: may happen or not, with any reply."""
    return [o if o is culprit else dataclasses.replace(o, return_ns=None, reply=None) for o in ops]

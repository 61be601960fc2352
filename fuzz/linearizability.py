"""Is a concurrent history linearizable against the reference engine as the sequential model?

``check(ops)`` partitions the history by key (P-compositionality), searches each part (``wing_gong.search``,
smallest first, so a violation in a small part is found before a big part spends the budget) and answers with a
three-way verdict: ok, violation (with an explanation printable as text) or unknown (the search budget ran out).
A history using commands the engine does not implement is skipped, with the reason.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable

from .explain import Explanation, explain
from .history import Op
from .model import EngineModel
from .wing_gong import DEFAULT_MAX_STEPS, OK, SKIPPED, UNKNOWN, VIOLATION, Budget, partitions, search

__all__ = ["OK", "SKIPPED", "UNKNOWN", "VIOLATION", "Verdict", "check"]


@dataclass
class Verdict:
    status: str  # ok | violation | unknown | skipped
    ops: int = 0
    partitions: int = 0
    steps: int = 0
    seconds: float = 0.0
    reason: str = ""
    explanation: Explanation | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    def summary(self) -> str:
        if self.status == SKIPPED:
            return f"skipped: {self.reason}"
        text = f"{self.status} ({self.ops} ops, {self.partitions} partitions, {self.steps} steps, {self.seconds:.2f}s)"
        return f"{text}: {self.reason}" if self.reason else text

    def text(self) -> str:
        if self.explanation is None:
            return self.summary()
        return f"{self.summary()}\n{self.explanation.text()}"


def check(ops: Iterable[Op], *, model: EngineModel | None = None, max_steps: int = DEFAULT_MAX_STEPS,
          time_limit_s: float | None = None, explain_violation: bool = True) -> Verdict:
    ops = list(ops)
    started = time.monotonic()
    model = model or EngineModel()
    missing = model.missing_commands(ops)
    if missing:
        return Verdict(SKIPPED, len(ops), reason=f"the model (reference engine) has no {', '.join(missing)} yet")
    deadline = started + time_limit_s if time_limit_s is not None else None
    parts = sorted(partitions(ops, model), key=len)
    steps, unknown = 0, 0
    for part in parts:
        result = search(part, model, Budget(max_steps, deadline))
        steps += result.steps
        if result.status == VIOLATION:
            why = explain(part, result, model, _keys(part, model)) if explain_violation else None
            return Verdict(VIOLATION, len(ops), len(parts), steps, time.monotonic() - started, "", why)
        unknown += result.status == UNKNOWN
    elapsed = time.monotonic() - started
    if unknown:
        reason = f"search budget exhausted in {unknown} of {len(parts)} partitions"
        return Verdict(UNKNOWN, len(ops), len(parts), steps, elapsed, reason)
    return Verdict(OK, len(ops), len(parts), steps, elapsed)


def _keys(part: list[Op], model: EngineModel) -> list[bytes]:
    keys: set[bytes] = set()
    for op in part:
        keys |= model.keys_of(op) or set()
    return sorted(keys)

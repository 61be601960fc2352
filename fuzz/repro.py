"""Reproduce, minimise and re-run one divergence.

Hypothesis has already shrunk the program; delta debugging then removes whole steps (and chunks of steps) while the
same signature still shows, which Hypothesis's shrinker does not always reach across MULTI blocks. Finally the
minimal program is re-run N times: `still_reproduces` says how often it did.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from forkdiff.spec import Spec

from .classify import Finding, classify
from .programs import Program
from .run import Runner, Trace


@dataclass
class Reproducer:
    runner: Runner
    references: Sequence[str]
    spec: Spec
    deadline: float | None = None  # time.monotonic() after which minimising and re-running stop early

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def findings(self, program: Program) -> tuple[dict[str, Trace], list[Finding]]:
        traces = self.runner.run(program)
        return traces, classify(program, traces, self.references, self.spec)

    def reproduces(self, program: Program, signature: str) -> bool:
        return any(f.signature == signature for f in self.findings(program)[1])

    def minimise(self, program: Program, signature: str, max_runs: int = 200) -> Program:
        return ddmin(program, lambda p: not self._out_of_time() and self.reproduces(p, signature), max_runs,
                     self._out_of_time)

    def still_reproduces(self, program: Program, signature: str, times: int) -> tuple[int, int]:
        """(how many re-runs showed the signature, how many re-runs were made): at least one, even past the
        deadline, so every stored divergence says whether it reproduced."""
        hits = runs = 0
        while runs < max(1, times) and (runs == 0 or not self._out_of_time()):
            hits += self.reproduces(program, signature)
            runs += 1
        return hits, runs

    def needs_pipelining(self, program: Program, signature: str) -> bool:
        """Whether the divergence goes away when each command waits for its reply (as a redis-cli script sends
        them): then only a pipelined repro shows it."""
        self.runner.pipelined = False
        try:
            return not self.reproduces(program, signature)
        finally:
            self.runner.pipelined = True

    def evidence(self, program: Program, signature: str) -> tuple[Mapping[str, Trace], Finding | None]:
        traces, found = self.findings(program)
        return traces, next((f for f in found if f.signature == signature), None)


def ddmin(program: Program, still_fails: Callable[[Program], bool], max_runs: int = 200,
          out_of_time: Callable[[], bool] = lambda: False) -> Program:
    """Zeller's delta debugging over steps: the smallest program found that still fails, within `max_runs`."""
    runs = 0
    chunks = 2
    current = program
    while len(current) >= 2 and runs < max_runs and not out_of_time():
        size = max(1, len(current) // chunks)
        reduced = False
        for start in range(0, len(current), size):
            candidate = current.without(range(start, start + size))
            runs += 1
            if len(candidate) and still_fails(candidate):
                current, chunks, reduced = candidate, max(chunks - 1, 2), True
                break
            if runs >= max_runs:
                break
        if not reduced:
            if size == 1:
                break
            chunks = min(len(current), chunks * 2)
    return current

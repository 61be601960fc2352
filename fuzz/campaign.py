"""A fuzzing campaign: Hypothesis generates programs until a new divergence shows, shrinks it, and we store it.

One Hypothesis example is a batch of programs (encoding.program_batches), run together in one pipeline per target;
a strategy of single programs works too. Each round is one Hypothesis run. The first batch with a program whose
divergence signature is not yet catalogued fails the test; from then on only that signature counts as failing, so Hypothesis shrinks towards a minimal program for
it. The round ends, the divergence is minimised further, re-run and stored, and the next round
looks for the next one. Signatures already catalogued only bump their count. Hypothesis's example database (under
OUT) keeps the failing examples, so a resumed campaign replays them first.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.errors import HypothesisException

from forkdiff.spec import Spec

from .catalogue import Catalogue
from .classify import SEPARATOR, Finding, classify
from .known import Known, label
from .programs import Program
from .repro import Reproducer
from .run import Runner


class NewDivergence(AssertionError):
    """Raised inside the Hypothesis test to make it shrink towards one signature."""


class BudgetSpent(BaseException):
    """Raised inside the Hypothesis test once the budget is spent: a BaseException, so Hypothesis neither shrinks
    nor retries it but lets it out at once."""


@dataclass
class Options:
    budget_s: float = 60.0
    reruns: int = 5
    shrink_s: float = 20.0  # Hypothesis shrinking stops counting new failures after this long
    chunk: int = 200  # programs per Hypothesis run before the budget is looked at again
    database: ExampleDatabase | None = None


@dataclass
class _Round:
    signature: str | None = None
    best: Program | None = None
    found_at: float = 0.0
    memo: dict[Program, frozenset[str]] = field(default_factory=dict)  # signatures of programs run while shrinking


@dataclass
class Campaign:
    runner: Runner
    references: Sequence[str]
    strategy: Any  # SearchStrategy[Program]
    catalogue: Catalogue
    spec: Spec
    options: Options = field(default_factory=Options)
    known: Sequence[Known] = ()
    on_progress: Callable[["Campaign"], None] | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    coverage: Any = None  # fuzz.paths.Coverage: argument paths exercised, and the target() signal
    new_divergences: int = 0
    started: float = 0.0

    def run(self) -> None:
        self.started = time.monotonic()
        deadline = self.started + self.options.budget_s
        while time.monotonic() < deadline and self.comparable():
            found = self._round(deadline)
            if found is not None:
                self._store(*found, deadline)
            self.catalogue.flush_counts()

    def comparable(self) -> bool:
        """Whether a comparison is still possible: the first reference and one other target are not quarantined."""
        left = self.runner.targets
        return self.references[0] in left and len(left) >= 2

    @property
    def stopped_because(self) -> str:
        if self.comparable():
            return ""
        return "; ".join(f"{name} quarantined: {why}" for name, why in self.runner.quarantined.items())

    # -- one Hypothesis run -------------------------------------------------------------------------------------
    def _round(self, deadline: float) -> tuple[Program, str] | None:
        state = _Round()
        test = self._test(state, deadline)
        test = settings(database=self.options.database, max_examples=self.options.chunk, deadline=None,
                        suppress_health_check=list(HealthCheck), derandomize=False, report_multiple_bugs=False,
                        phases=[Phase.reuse, Phase.generate, Phase.target, Phase.shrink], verbosity=Verbosity.quiet,
                        print_blob=False)(test)
        try:
            # no @seed here: a seeded Hypothesis run neither reads nor writes the example database, and resuming
            # needs it. --seed fixes the variant tables (programs.programs(seed=...)) instead.
            test()
        except (NewDivergence, HypothesisException, AssertionError, BudgetSpent):
            pass  # the divergence itself is in `state`; a flaky final replay still leaves its best program
        if state.signature is None or state.best is None:
            return None
        return state.best, state.signature

    def _test(self, state: _Round, deadline: float) -> Callable:
        @given(self.strategy)
        def fuzz_programs(drawn: Program | Sequence[Program]) -> None:
            batch = (drawn,) if isinstance(drawn, Program) else tuple(drawn)
            if state.signature is None and (time.monotonic() >= deadline or not self.comparable()):
                raise BudgetSpent  # ends this Hypothesis run now, rather than after its remaining examples
            if state.signature is None:
                if self.coverage is not None:  # steer generation towards batches with rarely exercised paths
                    target(float(self.coverage.observe(c for p in batch for c in p.steps)), label="rare paths")
                findings = self._findings(batch, counting=True)
                fresh = [(p, f) for p, found in zip(batch, findings) for f in found if f.signature not in self.catalogue]
                if not fresh:
                    return
                program, finding = fresh[0]
                state.signature, state.best, state.found_at = finding.signature, program, time.monotonic()
                raise NewDivergence(state.signature)
            now = time.monotonic()
            if now - state.found_at > self.options.shrink_s or now >= deadline:
                if state.best in batch:  # shrinking took long enough: only the best program so far still fails
                    raise NewDivergence(state.signature)
                return
            hits = [p for p in batch if state.signature in self._shrinking_signatures(p, batch, state)]
            if not hits:
                return
            best = min(hits, key=_size)
            if _smaller(best, state.best):
                state.best = best
            raise NewDivergence(state.signature)

        return fuzz_programs

    def _shrinking_signatures(self, program: Program, batch: Sequence[Program], state: _Round) -> frozenset[str]:
        """While shrinking, most of a batch is unchanged from the attempt before: programs already run this round
        are looked up, and the new ones run together in one batch."""
        if program not in state.memo:
            new = list(dict.fromkeys(p for p in batch if p not in state.memo))
            for p, found in zip(new, self._findings(new, counting=False)):
                state.memo[p] = frozenset(f.signature for f in found)
        return state.memo[program]

    def _findings(self, batch: Sequence[Program], counting: bool) -> list[list[Finding]]:
        out = []
        for program, traces in zip(batch, self.runner.run_many(batch)):
            findings = classify(program, traces, self.references, self.spec)
            if counting:
                for f in findings:
                    self.catalogue.seen(f.signature)
            out.append(findings)
        if self.on_progress is not None:
            self.on_progress(self)
        return out

    # -- storing ------------------------------------------------------------------------------------------------
    def _store(self, program: Program, signature: str, deadline: float | None = None) -> None:
        rep = Reproducer(self.runner, self.references, self.spec, deadline)
        minimal = rep.minimise(program, signature)
        traces, finding = rep.evidence(minimal, signature)
        if finding is None:  # did not show on this run: keep the program Hypothesis shrank
            minimal = program
            traces, finding = rep.evidence(minimal, signature)
        reproduced, reruns = rep.still_reproduces(minimal, signature, self.options.reruns)
        record = _record(signature, minimal, traces, finding, self.versions, self.references)
        record.update(reruns=reruns, reproduced=reproduced,
                      still_reproduces=reproduced > 0, reproduce_rate=round(reproduced / max(1, reruns), 3))
        if record["class"] == "transport":
            record["needs_pipelining"] = rep.needs_pipelining(minimal, signature)
        record["known"] = label(record, list(self.known))
        self.catalogue.add(record)
        self.new_divergences += 1


def _size(p: Program) -> tuple[int, int]:
    return len(p), len(p.dumps())


def _smaller(a: Program, b: Program | None) -> bool:
    return b is None or _size(a) < _size(b)


def _record(signature: str, program: Program, traces: Mapping, finding: Finding | None,
            versions: Mapping[str, str], references: Sequence[str] = ()) -> dict:
    """What re-running the comparison later needs is all here: the program, the references (in order: the first
    is the one replies are compared with) and every target's replies with their raw bytes (fuzz.reclassify)."""
    verdict, target, command, cls = signature.split(SEPARATOR)[:4]
    out: dict[str, Any] = {"signature": signature, "verdict": verdict, "target": target, "command": command,
                           "class": cls, "program": program.to_json(), "steps": len(program),
                           "references": list(references),
                           "traces": {name: tr.to_json() for name, tr in traces.items()},
                           "versions": dict(versions)}
    if finding is not None:
        out["mismatch"] = finding.mismatch.to_json()
    return out


def directory_database(out_dir: str | Path) -> ExampleDatabase:
    return DirectoryBasedExampleDatabase(str(Path(out_dir) / "hypothesis"))

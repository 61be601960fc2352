"""Turn the traces of one program into findings: which target to blame, and for what.

With two or more references (say redis@8.2 and valkey@9.1), a target is blamed only at steps where the references
agree among themselves; where they disagree the step is an "ecosystem split" instead. Only the first mismatch of
each target counts (later ones are usually its consequences), and steps that read keys whose content became
nondeterministic (an SPOP that popped different members on different servers) are not compared at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from forkdiff.spec import CommandSpec, Spec
from forkdiff.types import AGGREGATES, Command, Kind, Reply

from .clock_ties import ExpiryTies, only_condition_flips
from .compare import Mismatch, Verdict, compare, rule_for
from .lex_walks import SkiplistKeys
from .programs import Program
from .run import Trace

TARGET = "target"
SPLIT = "ecosystem_split"
SEPARATOR = ";"  # command names hold '|' (config|get), never ';'


@dataclass(frozen=True)
class Finding:
    verdict: str  # TARGET (blamed on `target`) or SPLIT (the references disagree)
    target: str
    mismatch: Mismatch
    command: str  # the command the difference is about (a queued command for EXEC)

    @property
    def signature(self) -> str:
        m = self.mismatch
        if m.cls == "transport":  # replies of a whole pipelined batch are lost: the step is not the culprit
            return SEPARATOR.join([self.verdict, self.target, "(connection)", m.cls, "-", shape(m.got)])
        return SEPARATOR.join([self.verdict, self.target, self.command, m.cls, shape(m.expected), shape(m.got)])

    def fields(self) -> dict:
        return {"signature": self.signature, "verdict": self.verdict, "target": self.target,
                "command": self.command, "class": self.mismatch.cls}


def shape(r: Reply) -> str:
    if r.kind is Kind.ERROR:
        return f"error:{r.error_code}"
    return r.kind.value


class _Step:
    """Compares replies to one step, descending into EXEC's array with the queued commands' own rules.

    `tied`: commands whose GT/LT expiry condition the clock decides (clock_ties). Inside a transaction a queued
    write whose output is random by nature (SPOP k 2) makes the queued commands after it that touch its keys
    incomparable, as it does between steps; `tainted_inside` hands those keys on to the steps after EXEC."""

    def __init__(self, spec: Spec, cmd: Command, queued: Sequence[Command], tied: set[Command] = frozenset(),
                 random_lex: set[Command] = frozenset()) -> None:
        self.table, self.cmd, self.queued, self.tied, self.random_lex = spec, cmd, queued, tied, random_lex
        self.spec = spec.resolve(cmd.args)
        self.tainted_inside: set[bytes] = set()

    def compare(self, a: Reply, b: Reply) -> tuple[Verdict, str]:
        name = self.spec.name if self.spec else self.cmd.name
        if name == "exec" and a.kind in AGGREGATES and b.kind is a.kind and len(a.value) == len(b.value) \
                == len(self.queued):
            return self._compare_queued(a, b)
        return self._one(self.spec, self.cmd, a, b), name

    def _compare_queued(self, a: Reply, b: Reply) -> tuple[Verdict, str]:
        tainted: set[bytes] = set()
        for queued, x, y in zip(self.queued, a.value, b.value):
            qspec = self.table.resolve(queued.args)
            keys = set(qspec.keys(queued.args)) if qspec else set()
            if keys & tainted or queued in self.random_lex:
                if qspec.is_write and (x != y or keys & tainted):
                    tainted |= keys
                continue
            v = self._one(qspec, queued, x, y)
            if v.cls:
                return v, (qspec.name if qspec else queued.name)
            if qspec is not None and qspec.is_write and rule_for(qspec) == "shape" and x != y:
                tainted |= keys
        self.tainted_inside |= tainted
        return Verdict(None, ["exact", "random_in_transaction"] if tainted else ["exact"]), "exec"

    def _one(self, spec: CommandSpec | None, cmd: Command, a: Reply, b: Reply) -> Verdict:
        v = compare(spec, a, b)
        if v.cls == "value" and cmd in self.tied and only_condition_flips(a, b):
            return Verdict(None, v.rules + ["clock_tick_condition"])
        return v


def classify(program: Program, traces: Mapping[str, Trace], references: Sequence[str], spec: Spec) -> list[Finding]:
    primary, others = references[0], [r for r in references[1:] if r in traces]
    subjects = [t for t in traces if t not in references]
    findings: list[Finding] = []
    blamed: set[str] = set()
    split_seen = False
    tainted: set[bytes] = set()
    queued: list[Command] = []
    in_multi = False
    ties, tied = ExpiryTies(), set()
    skiplists, random_lex = SkiplistKeys(spec), set()
    for i, cmd in enumerate(program.steps):
        if ties.is_tie(cmd):
            tied.add(cmd)
        ties.observe(cmd)
        if skiplists.is_random(cmd):
            random_lex.add(cmd)
        skiplists.observe(cmd)
        replies = {name: tr.replies[i] for name, tr in traces.items() if i < len(tr.replies)}
        if primary not in replies:
            break
        if not tainted and _same_bytes(replies.values()):  # byte-identical replies agree under every rule
            in_multi, queued = _track_multi(cmd, in_multi, queued)
            continue
        step = _Step(spec, cmd, queued, tied, random_lex)
        keys = set(step.spec.keys(cmd.args)) if step.spec else set()
        if keys & tainted or (step.cmd.name == "exec" and _touches(queued, tainted, spec)):
            _taint_writes(spec, cmd, queued, tainted)
        elif cmd in random_lex and not in_multi:  # rule skiplist_lex_walk: a removal leaves different members
            _taint_writes(spec, cmd, queued, tainted)
        else:
            expected = replies[primary]
            split = [(r, *step.compare(expected, replies[r])) for r in others if r in replies]
            disagree = [(r, v, n) for r, v, n in split if v.cls]
            if disagree and not split_seen:
                r, v, n = disagree[0]
                findings.append(Finding(SPLIT, r, _mismatch(i, cmd, v, expected, replies[r]), n))
                split_seen = True
            for t in subjects:
                if t in blamed or t not in replies:
                    continue
                v, n = step.compare(expected, replies[t])
                if v.cls and not disagree:
                    findings.append(Finding(TARGET, t, _mismatch(i, cmd, v, expected, replies[t]), n))
                    blamed.add(t)
            _taint_nondeterministic(step, keys, replies, tainted, spec)
            tainted |= step.tainted_inside
        in_multi, queued = _track_multi(cmd, in_multi, queued)
    return findings


def _same_bytes(replies) -> bool:
    it = iter(replies)
    first = next(it).raw
    return bool(first) and all(r.raw == first for r in it)


def _mismatch(i: int, cmd: Command, v: Verdict, expected: Reply, got: Reply) -> Mismatch:
    return Mismatch(i, cmd, v.cls or "value", expected, got, tuple(v.rules), v.detail)


def _touches(queued: Sequence[Command], tainted: set[bytes], spec: Spec) -> bool:
    for q in queued:
        qs = spec.resolve(q.args)
        if qs is not None and set(qs.keys(q.args)) & tainted:
            return True
    return False


def _taint_writes(spec: Spec, cmd: Command, queued: Sequence[Command], tainted: set[bytes]) -> None:
    """A write that reads a tainted key passes the nondeterminism on to every key it writes."""
    for c in (queued if cmd.name == "exec" else [cmd]):
        cs = spec.resolve(c.args)
        if cs is not None and cs.is_write:
            tainted |= set(cs.keys(c.args))


def _taint_nondeterministic(step: _Step, keys: set[bytes], replies: Mapping[str, Reply], tainted: set[bytes],
                            spec: Spec) -> None:
    """After a write whose output is random by nature, the keys it wrote differ between servers if replies did."""
    commands = [step.cmd] if step.cmd.name != "exec" else list(step.queued)
    values = list(replies.values())
    differ = any(v != values[0] for v in values[1:])
    if not differ:
        return
    for c in commands:
        cs = spec.resolve(c.args)
        if cs is not None and cs.is_write and rule_for(cs) == "shape":
            tainted |= set(cs.keys(c.args))


def _track_multi(cmd: Command, in_multi: bool, queued: list[Command]) -> tuple[bool, list[Command]]:
    name = cmd.name
    if name == "multi" and not in_multi:
        return True, []
    if name in ("exec", "discard", "reset"):
        return False, []
    if in_multi and name not in _RUN_AT_ONCE:
        return True, queued + [cmd]
    return in_multi, queued


# Inside MULTI these run at once (or are refused at once), never queued: EXEC's array has no reply for them.
_RUN_AT_ONCE = frozenset({"multi", "watch", "quit"})

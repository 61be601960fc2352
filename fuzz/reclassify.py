"""Re-classify a stored catalogue under the current comparison rules, without running any server.

Every entry keeps its minimal program, its references and every target's raw reply bytes. Re-parsing those bytes
and running today's compare and classify on them tells what a campaign would file now for the same replies:

- kept: the same signature, class, rules and step;
- changed: another signature, class, rule or blamed target (references that agree blame the target; references
  that disagree make it an ecosystem split);
- resolved: the stored replies no longer diverge for that target;
- merged: several entries now share one signature: the oldest (or the one already filed under it) keeps the
  counts of all, summed; the others point to it;
- as recorded: what the comparison needs is not stored (no references, or the stored replies never showed the
  divergence), so the entry stays as it was filed, and says so.

The file stays append-only: each outcome that changes an entry is one ``{"record": "reclassified"}`` line that
fuzz.catalogue.fold applies. Re-running with unchanged rules appends nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from forkdiff.resp import ProtocolError, ReplyParser
from forkdiff.spec import Spec
from forkdiff.types import Reply

from .catalogue import AS_RECORDED, MERGED, RESOLVED, now
from .classify import SPLIT, Finding, classify
from .known import Known, label
from .programs import Program
from .run import Trace

KEPT, CHANGED = "kept", "changed"
NO_EVIDENCE = "its stored replies never showed it (it did not reproduce when they were recorded)"


class Unusable(ValueError):
    """What an entry lacks for its comparison to be re-run."""


@dataclass
class Outcome:
    entry: dict
    status: str
    finding: Finding | None = None
    reason: str = ""
    references: list[str] = field(default_factory=list)
    merged_into: str = ""
    absorbed: list[dict] = field(default_factory=list)  # entries merged into this one

    @property
    def id(self) -> str:
        return self.entry["id"]


def stored_reply(obj: Mapping) -> Reply:
    """A stored reply, parsed again from its raw bytes (the typed JSON beside them is only a rendering)."""
    reply = Reply.from_json(obj)
    if not reply.raw:  # a timeout or a closed connection: no bytes came
        return reply
    parser = ReplyParser()
    parser.feed(reply.raw)
    try:
        parsed = parser.get()
    except ProtocolError as exc:
        raise Unusable(f"stored reply bytes do not parse: {exc}") from None
    if parsed is None or parser.buffered:
        raise Unusable("stored reply bytes are not one whole reply")
    return parsed


def stored_traces(entry: Mapping) -> dict[str, Trace]:
    return {name: Trace(name, tuple(stored_reply(r) for r in t["replies"]))
            for name, t in entry["traces"].items()}


def references_of(entry: Mapping, default: Sequence[str]) -> list[str]:
    refs = list(entry.get("references") or default)
    if not refs:
        raise Unusable("no references recorded with it (pass --reference)")
    missing = [r for r in refs if r not in entry.get("traces", {})]
    if missing:
        raise Unusable(f"no stored replies of the reference {', '.join(missing)}")
    return refs


def recheck(entry: dict, default_references: Sequence[str], spec: Spec) -> Outcome:
    """One entry under the current rules (merging is decided later, over all entries)."""
    if "mismatch" not in entry:
        return Outcome(entry, AS_RECORDED, reason=NO_EVIDENCE)
    try:
        refs = references_of(entry, default_references)
        traces = stored_traces(entry)
        program = Program.from_json(entry["program"])
    except Unusable as exc:
        return Outcome(entry, AS_RECORDED, reason=str(exc))
    except (KeyError, TypeError, ValueError) as exc:
        return Outcome(entry, AS_RECORDED, reason=f"stored entry is incomplete ({type(exc).__name__}: {exc})")
    finding = _match(entry, classify(program, traces, refs, spec))
    if finding is None:
        return Outcome(entry, RESOLVED, reason="the stored replies agree under the current rules", references=refs)
    return Outcome(entry, KEPT if _unchanged(entry, finding) else CHANGED, finding, references=refs)


def _match(entry: Mapping, findings: list[Finding]) -> Finding | None:
    """The finding about the same target (the same verdict first); if that target is no longer blamed because the
    references now disagree at the very step, that ecosystem split."""
    target, verdict = entry.get("target"), entry.get("verdict")
    same = [f for f in findings if f.target == target]
    same.sort(key=lambda f: f.verdict != verdict)
    if same:
        return same[0]
    step = entry.get("mismatch", {}).get("step")
    return next((f for f in findings if f.verdict == SPLIT and f.mismatch.step == step), None)


def _unchanged(entry: Mapping, f: Finding) -> bool:
    m = entry.get("mismatch", {})
    return (f.signature == entry.get("signature") and f.mismatch.cls == entry.get("class")
            and list(f.mismatch.rules) == list(m.get("rules", [])) and f.mismatch.step == m.get("step"))


@dataclass
class Plan:
    outcomes: list[Outcome]
    records: list[dict]
    untouched: int  # entries merged earlier: their counts live in the entry they were merged into

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def reopened(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in (KEPT, CHANGED) and o.entry.get("status") == RESOLVED]


def plan(entries: Iterable[dict], spec: Spec, default_references: Sequence[str] = (), known: Sequence[Known] = (),
         progress: Callable[[int, int], None] | None = None) -> Plan:
    """Re-check every entry not merged earlier, merge what now shares a signature, and the records that say so."""
    entries = list(entries)
    todo = sorted((e for e in entries if e.get("status") != MERGED),
                  key=lambda e: (e.get("first_seen") or "", e["id"]))
    outcomes = []
    for i, entry in enumerate(todo, 1):
        outcomes.append(recheck(entry, default_references, spec))
        if progress is not None:
            progress(i, len(todo))
    _merge(outcomes)
    stamp = now()
    records = [r for o in outcomes if (r := _record(o, list(known), stamp)) is not None]
    return Plan(outcomes, records, sum(1 for e in entries if e.get("status") == MERGED))


def _merge(outcomes: list[Outcome]) -> None:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.finding is not None and o.status in (KEPT, CHANGED):
            groups[o.finding.signature].append(o)
    for group in groups.values():
        if len(group) < 2:
            continue
        survivor = next((o for o in group if o.entry.get("signature") == o.finding.signature
                         and o.entry.get("status") != RESOLVED), group[0])
        for o in group:
            if o is not survivor:
                o.status, o.merged_into = MERGED, survivor.id
                survivor.absorbed.append(o.entry)


def _summed(survivor: dict, absorbed: list[dict]) -> dict:
    """The counts of merged entries, summed into the one they merge into."""
    every = [survivor, *absorbed]
    reruns = sum(e.get("reruns") or 0 for e in every)
    reproduced = sum(e.get("reproduced") or 0 for e in every)
    merged = set(survivor.get("merged", []))
    for e in absorbed:
        merged |= {e["id"], *e.get("merged", [])}
    return {"count": sum(e.get("count", 1) for e in every),
            "first_seen": min(e.get("first_seen") or "" for e in every),
            "last_seen": max(e.get("last_seen") or "" for e in every),
            "reruns": reruns, "reproduced": reproduced, "still_reproduces": reproduced > 0,
            "reproduce_rate": round(reproduced / max(1, reruns), 3), "merged": sorted(merged)}


def _record(o: Outcome, known: list[Known], stamp: str) -> dict | None:
    """The record that brings the entry up to date, or None when it already is."""
    e, was = o.entry, o.entry.get("status")
    head = {"record": "reclassified", "id": o.id, "at": stamp, "status": o.status}
    if o.status == MERGED:
        return {**head, "merged_into": o.merged_into, "was": e.get("signature")}
    if o.status in (RESOLVED, AS_RECORDED):
        if was == o.status and e.get("reason") == o.reason:
            return None
        return {**head, "reason": o.reason}
    update: dict = _summed(e, o.absorbed) if o.absorbed else {}
    if o.status == CHANGED:
        assert o.finding is not None
        fields = o.finding.fields()
        update.update(fields, mismatch=o.finding.mismatch.to_json(), references=o.references,
                      known=label(fields, known))
        return {**head, "set": update, "was": e.get("signature")}
    if not update and was not in (RESOLVED, AS_RECORDED):
        return None
    return {**head, "set": update}

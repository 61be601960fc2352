"""Root causes: every failing conformance case and every fuzz finding folded into the distinct divergences behind
them, what the catalogue, compat.json and the page list.

A case is one test on one target, its RESP2 and RESP3 runs folded (the RESP2 difference names it when both
failed). Its difference is normalised (results/signature.py) and the root cause is the product plus that signature,
so the same Valkey difference in 9.1 and 8.1 is one root cause with two targets, and its id (a digest of the two)
stays the same from run to run. Curated titles, and merges of signatures a person knows to be one cause, live in
results/root_causes.toml; a title is otherwise written from the difference itself.
"""
from __future__ import annotations

import hashlib
import tomllib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from forkdiff.types import Reply, render
from fuzz.known import Known, label, load_known
from fuzz.programs import Program
from fuzz.render import repro_script

from .signature import Difference, command_group, group_label, answers, of_message, of_replies, plain

CURATED_PATH = Path(__file__).resolve().parent / "root_causes.toml"
FAILED = ("failed", "divergent")


class CuratedFileError(ValueError):
    """root_causes.toml is malformed; the message says where."""


@dataclass(frozen=True)
class CaseFailure:
    """One conformance case failing on one target, its protocol versions folded."""

    target: str
    product: str
    version: str
    command: str
    group: str
    case: str
    resps: tuple[int, ...]
    message: str
    steps: tuple = ()

    @property
    def run_line(self) -> str:
        name = self.case.split("[")[0]
        resp = f" --resp {self.resps[0]}" if len(self.resps) == 1 else ""
        return f"pytest conformance -k '{name}' --target {self.target}{resp}"


@dataclass(frozen=True)
class RootCause:
    """One distinct divergence: the cases and fuzz findings it explains, on every target that shares it."""

    id: str
    title: str
    cls: str
    product: str
    group: str
    signature: str
    commands: tuple[str, ...]
    cases: tuple[CaseFailure, ...]
    findings: tuple[Mapping, ...]
    redis_says: str
    target_says: str
    repro: tuple[str, ...]
    known: Mapping | None = None
    targets: Mapping[str, int] = field(default_factory=dict)  # target -> cases it explains there

    def cases_on(self, target: str) -> list[CaseFailure]:
        return [c for c in self.cases if c.target == target]

    def findings_on(self, target: str) -> list[Mapping]:
        return [f for f in self.findings if f["target"] == target]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "class": self.cls, "product": self.product,
                "group": group_label(self.group), "signature": self.signature, "commands": list(self.commands),
                "targets": dict(self.targets),
                "cases": [{"target": c.target, "case": c.case, "command": c.command, "resp": list(c.resps)}
                          for c in self.cases],
                "findings": [{"id": f["id"], "target": f["target"], "command": f.get("command", ""),
                              "reproduced": f.get("reproduced"), "reruns": f.get("reruns")} for f in self.findings],
                "repro": list(self.repro), "known": dict(self.known) if self.known else None}


# -- cases ------------------------------------------------------------------------------------------------------

def failing_cases(rows: Iterable[Mapping]) -> list[CaseFailure]:
    """Failing rows folded per (target, case): RESP2 and RESP3 twins become one case."""
    by_case: dict[tuple[str, str], list[Mapping]] = defaultdict(list)
    for row in rows:
        if row.get("outcome") in FAILED and not row.get("timing"):  # timing cases are not blamed (excluded.py)
            by_case[(row["target"], row["case"])].append(row)
    out = []
    for (target, case), twins in sorted(by_case.items()):
        first = min(twins, key=lambda r: r.get("resp") or 0)
        out.append(CaseFailure(target, first.get("product", ""), first.get("version", ""), first.get("command") or "",
                               first.get("group", ""), case, tuple(sorted(r.get("resp") or 0 for r in twins)),
                               plain(first.get("message", "")), tuple(first.get("steps") or ())))
    return out


def case_difference(case: CaseFailure, listed: Collection[str] = ()) -> Difference:
    """`listed`: the commands the case's target lists itself (lower case), which it cannot be missing."""
    return of_message(case.message, case.command, _group(case.command, case.group), listed)


def finding_difference(entry: Mapping, listed: Collection[str] = ()) -> Difference:
    mismatch = entry.get("mismatch") or {}
    command = entry.get("command", "")
    if not mismatch:
        return Difference(entry.get("class", "value"), f"fuzz|{command}|{entry.get('class')}", "", "")
    return of_replies(Reply.from_json(mismatch["expected"]), Reply.from_json(mismatch["got"]), command,
                      _group(command, ""), entry.get("class", ""), listed)


def _group(command: str, fallback: str) -> str:
    return command_group(command, fallback)


# -- which findings count ---------------------------------------------------------------------------------------

def listed_findings(entries: Iterable[Mapping]) -> list[Mapping]:
    """Fuzz findings blamed on a target that came back in their re-runs: one seen 0 times in N re-runs is timing
    noise, and one the references disagree on (ecosystem split) blames nobody."""
    return [e for e in entries if e.get("verdict") == "target" and (e.get("reproduced") or not e.get("reruns"))]


# -- grouping ---------------------------------------------------------------------------------------------------

def stable_id(product: str, signature: str) -> str:
    return hashlib.sha1(f"{product}\n{signature}".encode()).hexdigest()[:10]


@dataclass
class _Bucket:
    product: str
    diff: Difference
    group: str
    cases: list[CaseFailure] = field(default_factory=list)
    findings: list[Mapping] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)  # for a missing-command cause: the names the target rejected


def build(rows: Iterable[Mapping], fuzz_entries: Iterable[Mapping], curated_path: Path | None = None,
          known: list[Known] | None = None, listed: Mapping[str, Iterable[str]] | None = None) -> list[RootCause]:
    """Every root cause of a stored run, most cases first. `listed`: each target's own command names (targets.json),
    so a command a target lists is never counted as missing there."""
    own = {target: {name.lower() for name in names} for target, names in (listed or {}).items()}
    curated = load_curated(curated_path or CURATED_PATH)
    known = load_known() if known is None else known
    buckets: dict[str, _Bucket] = {}
    for case in failing_cases(rows):
        diff = case_difference(case, own.get(case.target, ()))
        bucket = _bucket(buckets, curated, case.product, diff, _cause_group(diff, case.command, case.group))
        bucket.cases.append(case)
        _note_absent(bucket, diff)
    for entry in listed_findings(fuzz_entries):
        diff = finding_difference(entry, own.get(entry["target"], ()))
        bucket = _bucket(buckets, curated, _product(entry), diff, _cause_group(diff, entry.get("command", ""), ""))
        bucket.findings.append(entry)
        _note_absent(bucket, diff)
    causes = [_cause(rid, b, curated.get(rid, {}), known) for rid, b in buckets.items()]
    return sorted(causes, key=lambda c: (-len({(x.target, x.case) for x in c.cases}), -len(c.findings), c.id))


def _cause_group(diff: Difference, command: str, fallback: str) -> str:
    """A missing command's own group; else the group of the command the case is about."""
    if diff.signature.startswith("missing|"):
        return diff.signature.split("|", 1)[1]
    return _group(command, fallback)


def _note_absent(bucket: _Bucket, diff: Difference) -> None:
    if diff.signature.startswith("missing|"):
        bucket.absent.add(diff.got.removeprefix("unknown command "))


def _product(entry: Mapping) -> str:
    version = (entry.get("versions") or {}).get(entry["target"], "")
    return version.split(" ")[0] if version else entry["target"].split("@")[0]


def _bucket(buckets: dict[str, _Bucket], curated: Mapping[str, Mapping], product: str, diff: Difference,
            group: str) -> _Bucket:
    rid = stable_id(product, diff.signature)
    rid = curated.get("_merged", {}).get(rid, rid)
    if rid not in buckets:
        buckets[rid] = _Bucket(product, diff, group)
    return buckets[rid]


def _cause(rid: str, b: _Bucket, curated: Mapping, known: list[Known]) -> RootCause:
    commands = tuple(sorted({c.command for c in b.cases} | {f.get("command", "") for f in b.findings} - {""}))
    targets: dict[str, int] = defaultdict(int)
    for c in b.cases:
        targets[c.target] += 1
    for f in b.findings:
        targets.setdefault(f["target"], 0)
    tag = _known(b, known)
    named = tuple(sorted(b.absent)) or commands
    return RootCause(rid, curated.get("title") or auto_title(b.diff, b.group, named), b.diff.cls, b.product,
                     b.group, b.diff.signature, commands, tuple(b.cases), tuple(b.findings), b.diff.expected,
                     b.diff.got, tuple(repro_lines(b.cases, b.findings)), tag, dict(sorted(targets.items())))


def _known(b: _Bucket, known: list[Known]) -> Mapping | None:
    for f in b.findings:
        tag = f.get("known") or label(f, known)
        if tag:
            return tag
    for c in b.cases:
        tag = label({"verdict": "target", "target": c.target, "command": c.command, "class": b.diff.cls}, known)
        if tag:
            return tag
    return None


def auto_title(diff: Difference, group: str, commands: tuple[str, ...]) -> str:
    """A one-line title written from the difference, for root causes no one has titled yet."""
    names = ", ".join(c.upper() for c in commands[:6]) + (", …" if len(commands) > 6 else "")
    kind = diff.signature.split("|", 1)[0]
    if kind == "missing":
        return f"{group_label(group).capitalize()}: not implemented — {names}"
    if kind == "error_text" and diff.signature.startswith("error_text|edit|"):
        removed, added = diff.signature.split("|", 2)[2].split(" +", 1)
        return f"{names}: error text {_edit_words(removed[1:], added)}, e.g. «{_cut(diff.got, 70)}»"
    if kind in ("error_text", "error_code"):
        return f"{names}: error «{_cut(diff.got)}» where Redis says «{_cut(diff.expected)}»"
    if kind == "error_vs_value":
        return f"{names}: error «{_cut(diff.got)}» where Redis replies ({diff.expected})"
    if kind == "value_vs_error":
        return f"{names}: accepted where Redis rejects it with «{_cut(diff.expected)}»"
    if kind == "resp_type":
        return f"{names}: replies {diff.got} where Redis replies {diff.expected}"
    if kind == "value" and diff.signature.endswith("|bytes"):
        return f"{names}: other bytes in the reply"
    if kind == "other":
        return f"{names}: the case fails with {_cut(diff.got, 100)}"
    if kind == "value" and diff.signature.endswith("|numbers"):
        return f"{names}: different numbers in the reply"
    if kind == "value":
        parts = ([f"lacks «{diff.expected}»"] if diff.expected else []) + \
                ([f"has «{diff.got}» instead"] if diff.got else [])
        return f"{names}: the reply " + " and ".join(parts)
    if kind == "order":
        return f"{names}: elements in another order"
    return f"{names}: {_cut(diff.got) or 'the case fails'}"


def _edit_words(removed: str, added: str) -> str:
    if removed and added:
        return f"has «{added}» where Redis has «{removed}»"
    return f"lacks «{removed}»" if removed else f"adds «{added}»"


def _cut(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# -- repro ------------------------------------------------------------------------------------------------------

def repro_lines(cases: list[CaseFailure], findings: list[Mapping]) -> list[str]:
    """One minimal repro: a fuzz finding's program (the shortest) with every target's bytes, else the first case's
    recorded commands, else how to run the case."""
    if findings:
        return _finding_repro(min(findings, key=lambda f: (len(f["program"]["steps"]), f["id"])))
    recorded = [c for c in cases if c.steps]
    if recorded:
        case = min(recorded, key=lambda c: (len(c.steps), c.case))
        return _case_repro(case, answers(case.message)[0])
    case = min(cases, key=lambda c: (len(c.message), c.case))
    redis, target = answers(case.message)
    lines = [f"# {case.case} on {case.target} (this run recorded no commands: run the case)", case.run_line]
    if redis or target:
        return lines + [f"#   Redis 8.2.3: {_cut(redis, 160)}", f"#   {case.target}: {_cut(target, 160)}"]
    return lines + [f"#   {_cut(case.message, 200)}"]


def _finding_repro(f: Mapping) -> list[str]:
    program = Program.from_json(f["program"])
    lines = [f"# fuzz finding {f['id']}, RESP{program.resp}", *repro_script(program).splitlines()]
    step = (f.get("mismatch") or {}).get("step", len(program) - 1)
    lines.append(f"# step {step + 1} ({program.steps[step]}) answered:")
    for name in _reference_first(f):
        replies = f["traces"][name].get("replies", [])
        if step < len(replies):
            lines.append(f"#   {name}: {_raw(replies[step])}")
    return lines


def _case_repro(case: CaseFailure, redis_says: str) -> list[str]:
    flag = " -3" if case.resps[0] == 3 else ""
    last = case.steps[-1]
    return [f"# {case.case}, RESP{case.resps[0]}", f"redis-cli -p $PORT{flag} <<'EOF'",
            *(step["command"] for step in case.steps), "EOF", f"# the last command answered:",
            f"#   Redis 8.2.3: {_cut(redis_says, 200) or '(see the case)'}",
            f"#   {case.target}: {last['reply']!r}"]


def _reference_first(f: Mapping) -> list[str]:
    refs = [r for r in f.get("references", ["redis@8.2"]) if r in f.get("traces", {})]
    return refs[:1] + [f["target"]]


def _raw(reply: Mapping) -> str:
    r = Reply.from_json(reply)
    return repr(r.raw.decode("utf-8", "backslashreplace")) if r.raw else render(r)


# -- curated data -----------------------------------------------------------------------------------------------

def load_curated(path: Path) -> dict[str, Any]:
    """{id: {title}} plus "_merged": {merged id: surviving id}."""
    if not path.exists():
        return {"_merged": {}}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise CuratedFileError(f"{path.name}: {exc}") from None
    out: dict[str, Any] = {"_merged": {}}
    for i, entry in enumerate(data.get("root_cause", [])):
        if "id" not in entry:
            raise CuratedFileError(f"{path.name}: entry {i + 1} has no id")
        out[entry["id"]] = {"title": entry.get("title", "")}
        for other in entry.get("merge", []):
            out["_merged"][other] = entry["id"]
    return out


# -- summaries --------------------------------------------------------------------------------------------------

def by_target(causes: Iterable[RootCause]) -> dict[str, list[RootCause]]:
    """Each target's root causes, the ones explaining most of its cases first."""
    out: dict[str, list[RootCause]] = defaultdict(list)
    for cause in causes:
        for target in cause.targets:
            out[target].append(cause)
    for target, items in out.items():
        items.sort(key=lambda c: (-c.targets[target], -len(c.findings_on(target)), c.id))
    return dict(out)


def counts(causes: Iterable[RootCause]) -> dict[str, dict[str, int]]:
    """Per target: how many root causes, how many failing cases (RESP twins folded) and fuzz findings."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"root_causes": 0, "cases": 0, "findings": 0})
    for cause in causes:
        for target, n in cause.targets.items():
            out[target]["root_causes"] += 1
            out[target]["cases"] += n
            out[target]["findings"] += len(cause.findings_on(target))
    return dict(out)


def attach(data: dict[str, Any], causes: list[RootCause]) -> None:
    """Put the root causes into compat.json's data: the list (each with its id) and, per target, its ranked ids."""
    per_target = by_target(causes)
    tally = counts(causes)
    data["root_causes"] = [c.to_json() for c in causes]
    for t in data["targets"]:
        ranked = per_target.get(t["spec"], [])
        t["root_causes"] = {**tally.get(t["spec"], {"root_causes": 0, "cases": 0, "findings": 0}),
                            "ids": [c.id for c in ranked]}

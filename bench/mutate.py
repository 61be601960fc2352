"""Mutation score of the fuzzer and of the conformance suite, measured side by side on the same mutants.

    python bench/mutate.py [--budget 60] [--only ID,…] [--groups G,…] [--json PATH]

Every mutant of bench/mutants.py is applied to a copy of the project (never to these files), then:

1. a fuzz campaign `forkdiff fuzz --targets reference,redis@8.2 --groups <its group> --budget N` runs on the copy.
   Each divergence it stores is checked here against the unmutated reference: its program is re-run on this
   checkout's reference and on redis@8.2, and only when those two agree (three times) does the divergence count
   as the mutant found (anything else is noise of the comparison, not the mutant). The first genuine find ends the
   campaign; its time is counted from the campaign's own start (the first progress line), and includes the
   minimising and re-runs the campaign does before it stores a divergence;
2. the conformance files of the group run on the copy's reference (`--target reference`, stopping at the first
   failure); cases that already fail on the unmutated reference are left out.

Prints one line per mutant as it goes, a table and the scores at the end, and writes them as JSON: to `--json PATH`,
or by default to bench/mutation.json (the score README reports) when the run covered every mutant on both sides; a
partial run (`--only`, `--groups`, one side alone) leaves that file as it was. `--reuse JSON` takes one side (suite
or fuzz) from an earlier run when only the other is asked for (`--fuzz-only`/`--suite-only`).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "bench" / "mutation.json"  # the score README reports: written by a complete run
sys.path.insert(0, str(ROOT))

from bench.mutants import MUTANTS, Mutant  # noqa: E402

SUITE_FILES: dict[str, tuple[str, ...]] = {
    "string": ("test_string.py", "test_string_edits.py"),
    "list": ("test_list.py",),
    "hash": ("test_hash.py",),
    "set": ("test_set.py",),
    "sorted-set": ("test_sorted_set.py", "test_sorted_set_range.py", "test_sorted_set_ops.py", "test_sorted_set_lex.py"),
    "generic": ("test_generic.py", "test_generic_expiry.py"),
    "transactions": ("test_transactions.py",),
}
COPY_IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".venv", "fuzz-out*", ".hypothesis",
                                      ".pytest_cache", "*.egg-info", "node_modules")
PROGRESS = re.compile(r"\[fuzz\s+([\d.]+)s\]")


# -- the copy ------------------------------------------------------------------------------------------------------
def make_copy(dest: Path) -> Path:
    """The project's code without its published data (results/data) or caches."""
    shutil.copytree(ROOT, dest, ignore=_ignore)
    return dest


def _ignore(directory: str, names: list[str]) -> set[str]:
    skipped = set(COPY_IGNORED(directory, names))
    if Path(directory).resolve() == (ROOT / "results").resolve():
        skipped.add("data")
    return skipped


@contextmanager
def mutated(copy: Path, mutant: Mutant) -> Iterator[None]:
    path = copy / "reference_server" / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        raise SystemExit(f"mutant {mutant.ident}: its text occurs {original.count(mutant.old)} times in {mutant.path}")
    path.write_text(original.replace(mutant.old, mutant.new))
    try:
        yield
    finally:
        path.write_text(original)


def environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")  # no stale bytecode across mutants
    return env


# -- the suite -----------------------------------------------------------------------------------------------------
def run_suite(copy: Path, group: str, deselect: list[str], first_failure: bool) -> tuple[list[str], float]:
    """The failing cases of the group's conformance files on the copy's reference, and the seconds it took."""
    files = [f"conformance/{name}" for name in SUITE_FILES.get(group, ())]
    if not files:
        return [], 0.0
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *files,
               "--target", "reference", *(["-x"] if first_failure else [])]
    for node in deselect:
        command += ["--deselect", node]
    started = time.monotonic()
    done = subprocess.run(command, cwd=copy, env=environment(copy), capture_output=True, text=True)
    failed = [line.split(" ", 1)[1].split(" - ", 1)[0] for line in done.stdout.splitlines()
              if line.startswith(("FAILED ", "ERROR "))]
    if done.returncode not in (0, 1) and not failed:
        failed = [f"pytest exit {done.returncode}: {done.stdout[-300:]}{done.stderr[-300:]}"]
    return failed, time.monotonic() - started


# -- the fuzzer ----------------------------------------------------------------------------------------------------
class Verifier:
    """Re-runs a program on this checkout's (unmutated) reference and on redis@8.2: are they the same?"""

    def __init__(self) -> None:
        from forkdiff.spec import load_spec
        from fuzz.run import Runner
        from fuzz.targets import start_targets
        self.spec = load_spec()
        self.targets = start_targets(["redis@8.2", "reference"])
        self.runner = Runner(self.targets, spec=self.spec)

    def clean(self, program_json: dict, times: int = 3) -> bool:
        from fuzz.classify import classify
        from fuzz.programs import Program
        program = Program.from_json(program_json)
        for _ in range(times):
            if classify(program, self.runner.run(program), ["redis@8.2"], self.spec):
                return False
        return True

    def stop(self) -> None:
        from fuzz.targets import stop_targets
        stop_targets(self.targets)


@dataclass
class FuzzOutcome:
    found: bool = False
    seconds: float | None = None  # from the campaign's start to the first genuine divergence stored
    command: str = ""
    kind: str = ""
    program: list = field(default_factory=list)
    noise: int = 0  # divergences that the unmutated reference shows as well
    noise_signatures: list = field(default_factory=list)
    commands_per_second: float | None = None


def run_fuzz(copy: Path, group: str, budget: float, seed: int, out: Path, verifier: Verifier) -> FuzzOutcome:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "forkdiff", "fuzz", "--targets", "reference,redis@8.2", "--groups", group,
               "--budget", str(budget), "--seed", str(seed), "--out", str(out), "--reruns", "2"]
    spawned = time.monotonic()
    proc = subprocess.Popen(command, cwd=copy, env=environment(copy), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    clock: dict[str, float] = {}
    threading.Thread(target=_watch_progress, args=(proc, clock), daemon=True).start()
    outcome, checked = FuzzOutcome(), set()
    catalogue = out / "divergences.jsonl"
    deadline = spawned + budget + 180
    while proc.poll() is None or not checked.issuperset(_records(catalogue)):
        for ident, record in _records(catalogue).items():
            if ident in checked:
                continue
            checked.add(ident)
            if record.get("target") != "reference" or not record.get("reproduced", 1):
                continue
            if not verifier.clean(record["program"]):
                outcome.noise += 1
                outcome.noise_signatures.append(record.get("signature", ""))
                continue
            start = clock.get("start", spawned)
            outcome.found, outcome.seconds = True, round(time.monotonic() - start, 1)
            outcome.command, outcome.kind = record.get("command", ""), record.get("class", "")
            outcome.program = [" ".join(map(str, s)) if isinstance(s, list) else str(s)
                               for s in record["program"]["steps"]]
            _stop(proc)
            return outcome
        if time.monotonic() > deadline:
            _stop(proc)
            break
        time.sleep(0.5)
    summary = out / "summary.json"
    if summary.exists():
        outcome.commands_per_second = json.loads(summary.read_text()).get("commands_per_second")
    return outcome


def _watch_progress(proc: subprocess.Popen, clock: dict[str, float]) -> None:
    """The campaign's start, from its first progress line ("[fuzz 5.0s] …")."""
    for line in proc.stderr:  # type: ignore[union-attr]
        m = PROGRESS.search(line)
        if m and "start" not in clock:
            clock["start"] = time.monotonic() - float(m.group(1))
    proc.stdout.read()  # type: ignore[union-attr]


def _records(path: Path) -> dict[str, dict]:
    from fuzz.catalogue import read_records
    return {r["id"]: r for r in read_records(path) if r.get("record") == "divergence"}


def _stop(proc: subprocess.Popen) -> None:
    """Interrupt the campaign (it stops its servers on the way out); kill it if it does not end."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- reporting -----------------------------------------------------------------------------------------------------
def scores(rows: list[dict]) -> dict:
    fuzz = {r["ident"] for r in rows if r.get("fuzz", {}).get("found")}
    suite = {r["ident"] for r in rows if r.get("suite", {}).get("found")}
    n = len(rows)
    return {"mutants": n, "fuzzer": len(fuzz), "suite": len(suite), "both": len(fuzz & suite),
            "fuzzer_only": sorted(fuzz - suite), "suite_only": sorted(suite - fuzz),
            "neither": sorted({r["ident"] for r in rows} - fuzz - suite),
            "fuzzer_share_of_suite": round(len(fuzz & suite) / len(suite), 3) if suite else None}


def table(rows: list[dict]) -> str:
    lines = [f"{'mutant':24} {'group':13} {'fuzzer':>14} {'suite':>7}  what", "-" * 100]
    for r in rows:
        f, s = r.get("fuzz", {}), r.get("suite", {})
        fz = (f"found {f['seconds']:.0f}s" if f.get("found") else "missed") if f else "-"
        su = ("found" if s.get("found") else "missed") if s else "-"
        lines.append(f"{r['ident']:24} {r['group']:13} {fz:>14} {su:>7}  {r['what']}")
    sc = scores(rows)
    share = sc["fuzzer_share_of_suite"]
    lines += ["-" * 100,
              f"fuzzer {sc['fuzzer']}/{sc['mutants']}, suite {sc['suite']}/{sc['mutants']}, "
              f"found by both {sc['both']}; the fuzzer finds {share:.0%} of what the suite finds" if share is not None
              else f"fuzzer {sc['fuzzer']}/{sc['mutants']}, suite {sc['suite']}/{sc['mutants']}"]
    if sc["suite_only"]:
        lines.append("suite only: " + ", ".join(sc["suite_only"]))
    if sc["fuzzer_only"]:
        lines.append("fuzzer only: " + ", ".join(sc["fuzzer_only"]))
    if sc["neither"]:
        lines.append("neither: " + ", ".join(sc["neither"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", type=float, default=60.0, help="seconds of fuzzing per mutant (default 60)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", default="", metavar="ID,…", help="only these mutants")
    p.add_argument("--groups", default="", metavar="G,…", help="only the mutants of these groups")
    p.add_argument("--fuzz-only", action="store_true", help="no conformance runs")
    p.add_argument("--suite-only", action="store_true", help="no fuzz campaigns")
    p.add_argument("--reuse", default=None, metavar="JSON", help="take the side not run from this earlier result")
    p.add_argument("--json", default=None, metavar="PATH",
                   help=f"where to write the result (default {PUBLISHED.relative_to(ROOT)}, for a run of every mutant "
                        "on both sides; a partial run writes only where this says)")
    p.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = p.parse_args(argv)
    chosen = [m for m in MUTANTS if (not args.only or m.ident in args.only.split(","))
              and (not args.groups or m.group in args.groups.split(","))]
    if args.list:
        for m in chosen:
            print(f"{m.ident:24} {m.group:13} reference_server/{m.path}: {m.what}")
        return 0
    earlier = {r["ident"]: r for r in json.loads(Path(args.reuse).read_text())["rows"]} if args.reuse else {}
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        copy = make_copy(Path(tmp) / "project")
        baseline: dict[str, list[str]] = {}
        if not args.fuzz_only:
            for group in sorted({m.group for m in chosen}):
                baseline[group], took = run_suite(copy, group, [], first_failure=False)
                print(f"[suite baseline] {group}: {len(baseline[group])} failing on the unmutated reference "
                      f"({took:.0f}s)", flush=True)
        verifier = None if args.suite_only else Verifier()
        try:
            for i, m in enumerate(chosen, 1):
                row: dict = {"ident": m.ident, "group": m.group, "what": m.what, "file": m.path}
                with mutated(copy, m):
                    if not args.fuzz_only:
                        failed, took = run_suite(copy, m.group, baseline[m.group], first_failure=True)
                        row["suite"] = {"found": bool(failed), "first_failure": failed[:1], "seconds": round(took, 1)}
                    elif m.ident in earlier and "suite" in earlier[m.ident]:
                        row["suite"] = earlier[m.ident]["suite"]
                    if verifier is not None:
                        found = run_fuzz(copy, m.group, args.budget, args.seed, Path(tmp) / "fuzz", verifier)
                        row["fuzz"] = found.__dict__
                    elif m.ident in earlier and "fuzz" in earlier[m.ident]:
                        row["fuzz"] = earlier[m.ident]["fuzz"]
                rows.append(row)
                f, s = row.get("fuzz", {}), row.get("suite", {})
                print(f"[{i}/{len(chosen)}] {m.ident}: fuzzer "
                      + ((f"found in {f['seconds']}s ({f['command']})" if f.get("found") else "missed") if f else "-")
                      + (f", {f['noise']} noise" if f.get("noise") else "")
                      + "; suite " + (("found" if s.get("found") else "missed") if s else "-"), flush=True)
        finally:
            if verifier is not None:
                verifier.stop()
    result = {"budget_s": args.budget, "seed": args.seed, "rows": rows, "scores": scores(rows)}
    print(table(rows))
    complete = len(chosen) == len(MUTANTS) and all("fuzz" in r and "suite" in r for r in rows)
    path = Path(args.json) if args.json else PUBLISHED if complete else None
    if path is None:  # the published score must not be replaced by part of it
        print(f"not written: a partial run (give --json PATH to keep it; {PUBLISHED.relative_to(ROOT)} is left as "
              "it was)")
        return 0
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`forkdiff run`: probe every target, run the conformance suite on each, fuzz across them, publish the results.

Stages over a store: every stage writes its raw output under OUT/data first (targets.json, conformance.jsonl[.gz],
fuzz/), and `publish` renders the published files from that store alone, so the rendering can change without
re-running servers (`forkdiff report`).
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import conformance
from adapters import TargetUnavailable, make_target
from adapters.catalogue import known_targets

from fuzz.catalogue import is_active

from . import (compat, divergences, excluded, history, markdown, page, page_sections, recheck, root_causes,
               trend)
from .facts import probe_facts
from .progress import COUNTS_ENV, ConformanceProgress
from .summarize import load_rows, summarize

# The spec first, then the other seed servers, then older versions as version columns. The container images of
# Redis and Valkey are left out: they are the same servers as the binaries.
DEFAULT_TARGETS = ["reference", "redis@8.2", "valkey@9.1", "dragonfly", "keydb", "garnet",
                   "redis@7.0", "redis@6.2", "valkey@8.1"]
FUZZ_REFERENCE = "redis@8.2"


def default_targets() -> list[str]:
    known = set(known_targets())
    return [t for t in DEFAULT_TARGETS if t in known]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def probe_target(spec: str) -> dict[str, Any]:
    """Start a target once to learn what it is; the reason it cannot run otherwise."""
    meta: dict[str, Any] = {"spec": spec, "status": "not run", "reason": ""}
    try:
        target = make_target(spec)
    except TargetUnavailable as exc:
        meta["reason"] = str(exc)
        return meta
    try:
        target.start()
        caps = target.capabilities
        meta.update(status="ok", product=caps.product, version=caps.version, resp3=caps.resp3,
                    source=getattr(target, "source", ""),
                    commands=sorted(c for c in caps.commands if "|" not in c), facts=probe_facts(target.address))
    except TargetUnavailable as exc:
        meta["reason"] = str(exc).splitlines()[0]
    except (OSError, TimeoutError, RuntimeError) as exc:
        meta["reason"] = f"failed to start: {exc}"
    finally:
        target.stop()
    return meta


def run_conformance(specs: list[str], rows_path: Path, resps: list[int], files: list[str] | None = None) -> int:
    """The conformance suite (or some of its files) on every spec in report mode: failures become rows. pytest's own
    output goes to conformance.log beside the rows; the terminal gets live progress and one line per target."""
    suite = Path(conformance.__file__).parent
    paths = [str(suite / f) for f in files] if files else [str(suite)]
    counts = rows_path.with_name("conformance-counts.json")
    log = rows_path.with_name("conformance.log")
    counts.unlink(missing_ok=True)
    args = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", "-p", "results.progress",
            "--no-header", "--results-json", str(rows_path.resolve()), "--tb=short", "-rfE"]  # the child runs elsewhere
    for spec in specs:
        args += ["--report-only", spec]
    for r in resps:
        args += ["--resp", str(r)]
    progress = ConformanceProgress(rows_path, counts, specs)
    with open(log, "w") as log_file:
        proc = subprocess.Popen(args, cwd=suite.parent, stdout=log_file, stderr=subprocess.STDOUT,
                                env={**os.environ, COUNTS_ENV: str(counts.resolve())})
        try:
            while proc.poll() is None:
                progress.poll()
                time.sleep(0.5)
        finally:
            if proc.poll() is None:  # interrupted: the child stops its servers on SIGTERM
                proc.terminate()
                proc.wait(60)
    progress.finish()
    counts.unlink(missing_ok=True)
    if proc.returncode not in (0, 5):
        say(f"  pytest exited {proc.returncode} (harness errors are not divergences): see {log}")
    return proc.returncode


def pack(rows: Path) -> None:
    """Rows are appended one by one while the suite runs (a kill loses nothing); once it is done they are packed,
    since a full run holds tens of thousands of them."""
    if rows.exists():
        text = compat.without_local_paths(rows.read_text(encoding="utf-8"))  # repro bytes quote INFO server
        rows.with_name(rows.name + ".gz").write_bytes(gzip.compress(text.encode("utf-8"), 9, mtime=0))
        rows.unlink()


def run_fuzz(specs: list[str], out: Path, budget: int) -> str:
    """The fuzz campaign across the available targets; a line saying what it did, or why it did not run."""
    if budget <= 0:
        return "skipped (--budget 0)"
    if FUZZ_REFERENCE not in specs or len(specs) < 2:
        return f"skipped: it compares targets against {FUZZ_REFERENCE}, which needs it and one other target available"
    say(f"fuzz: {budget} s across {', '.join(specs)}")
    args = [sys.executable, "-m", "forkdiff.cli", "fuzz", "--targets", ",".join(specs),
            "--reference", FUZZ_REFERENCE, "--budget", str(budget), "--out", str(out)]
    proc = subprocess.run(args, stdout=subprocess.DEVNULL)
    if proc.returncode:
        return f"failed (exit {proc.returncode}); the fuzz columns hold what it stored in {out}"
    try:
        summary = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return f"done; catalogue in {out}"
    return (f"{summary['programs']:,} programs, {summary['commands_executed']:,} commands, "
            f"{summary['divergences']} divergences ({summary['new_divergences']} new); catalogue in {out}")


def publish(out: Path, run_info: dict[str, Any], record: bool = False) -> dict[str, Any]:
    """Render the published files from the stored run; with `record` (a new run, not a re-render) the run is also
    appended to the history and compared with the previous one."""
    data_dir = out / "data"
    metas = json.loads((data_dir / "targets.json").read_text())
    rows = load_rows(data_dir / "conformance.jsonl")
    results = summarize(rows)
    catalogue = divergences.load_all_fuzz(data_dir / "fuzz")
    fuzz = [e for e in catalogue if is_active(e)]  # re-classified entries that still diverge
    data = compat.build(metas, results, divergences.counts_by_target(fuzz), run_info)
    causes = root_causes.build(rows, fuzz, listed={m["spec"]: m.get("commands") or () for m in metas})
    root_causes.attach(data, causes)
    excluded.attach(data, results)
    if record:
        changes = history.record_run(out, data, history.divergence_ids(results, fuzz))
    else:
        changes = history.stored_changes(out)
    compat.write(data, out / "compat.json")
    _write(out / "COMPATIBILITY.md", history.with_changes(markdown.render(data), changes))
    files = tuple(n for n, _ in page_sections.FILES if (out / n).exists())
    _write(out / "index.html", trend.with_trend(page.render(data, files), history.load_history(out)))
    _write(out / "DIVERGENCES.md", divergences.render(causes, data, len(catalogue) - len(fuzz)))
    return data


def _write(path: Path, text: str) -> None:
    """Replies can hold any bytes: what is not UTF-8 is written as escapes rather than failing the publication."""
    path.write_text(compat.without_local_paths(text), encoding="utf-8", errors="backslashreplace")


class DeadTargets(Exception):
    """Targets named on the command line that could not be started: the run stops before the long stages."""


def probe_all(targets: list[str]) -> list[dict[str, Any]]:
    say(f"forkdiff run: probing {len(targets)} targets")
    metas = []
    for spec in targets:
        meta = probe_target(spec)
        reason = " ".join(meta["reason"].split())
        say(f"  {spec:<12} {meta['status']:<8} {meta.get('product', '')} {meta.get('version', '')} {reason}")
        metas.append(meta)
    return metas


def run(targets: list[str], out: Path, budget: int, quick: bool, files: list[str] | None = None,
        required: bool = False) -> dict[str, Any]:
    """The main job. With `required` (targets named by the user) a target that cannot run stops it: DeadTargets."""
    data_dir = out / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    metas = probe_all(targets)
    (data_dir / "targets.json").write_text(json.dumps(metas, indent=1) + "\n")  # kept even when the run stops
    dead = [m for m in metas if m["status"] != "ok"]
    if required and dead:
        raise DeadTargets("; ".join(_cannot_run(m) for m in dead))
    available = [m["spec"] for m in metas if m["status"] == "ok"]
    rows = data_dir / "conformance.jsonl"
    rows.unlink(missing_ok=True)
    rows.with_name(rows.name + ".gz").unlink(missing_ok=True)
    resps = [2] if quick else [2, 3]
    say(f"conformance: {len(available)} targets × RESP{'/'.join(map(str, resps))} (pytest output in "
        f"{data_dir / 'conformance.log'})")
    run_conformance(available, rows, resps, files)
    pack(rows)
    fuzz = run_fuzz(available, data_dir / "fuzz", budget)
    say(f"fuzz: {fuzz}")
    if budget > 0 and FUZZ_REFERENCE in available and (data_dir / "fuzz").is_dir():
        say(f"recheck: {len(recheck.recheck(out))} reference finding(s) that Redis shows too, resolved")
    info = {"quick": quick, "fuzz_budget": budget, "targets": targets, "resp": resps,
            "seconds": round(time.monotonic() - started), "forkdiff": os.environ.get("FORKDIFF_VERSION", "0.1.0"),
            "revision": history.code_revision()}
    return publish(out, info, record=True)


def _cannot_run(meta: dict[str, Any]) -> str:
    reason = " ".join(meta["reason"].split()).removeprefix(f"{meta['spec']}: ")
    return f"{meta['spec']} cannot run: {reason}"

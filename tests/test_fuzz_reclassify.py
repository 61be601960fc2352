"""Re-classification from the store: a real campaign's catalogue, re-checked under changed rules without a server."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import strategies as st

import fuzz.classify
import fuzz.compare
from adapters import TargetUnavailable
from forkdiff.cli import main
from forkdiff.spec import load_spec
from forkdiff.types import Command
from fuzz.campaign import Campaign, Options
from fuzz.catalogue import FILE, Catalogue, fold, is_active, read_records
from fuzz.classify import SPLIT
from fuzz.programs import Program
from fuzz.reclassify import plan
from fuzz.run import Runner
from fuzz.targets import start_targets, stop_targets, versions

SPEC = load_spec()
C = Command.of
REPO = Path(__file__).resolve().parent.parent
# Redis 6.2 lacks HGETEX and HGETDEL: a value on Redis 8.2 against "unknown command" (error_vs_value), and for an
# HGETEX that 8.2 refuses too, two error texts (error_text). The reference answers as 8.2 does.
PROGRAMS = (
    Program((C("HSET", "h", "f", "v"), C("HGETEX", "h", "FIELDS", "1", "f"))),
    Program((C("HSET", "h", "f", "v"), C("HGETDEL", "h", "FIELDS", "1", "f")), resp=3),
    Program((C("HGETEX", "h", "FIELDS", "0", "f"),)),
)
HGETEX_MISSING = "target;redis@6.2;hgetex;error_vs_value;array;error:ERR"
HGETEX_TEXT = "target;redis@6.2;hgetex;error_text;error:ERR;error:ERR"
HGETDEL_MISSING = "target;redis@6.2;hgetdel;error_vs_value;array;error:ERR"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A catalogue written by a short real campaign over a fixed batch on redis@8.2 (the reference), redis@6.2 and
    the reference server."""
    try:
        targets = start_targets(["redis@8.2", "redis@6.2", "reference"])
    except TargetUnavailable as exc:
        pytest.skip(f"servers not installed: {exc}")
    out = tmp_path_factory.mktemp("campaign")
    catalogue = Catalogue(out)
    try:
        campaign = Campaign(Runner(targets, spec=SPEC), ["redis@8.2"], st.just(PROGRAMS), catalogue, SPEC,
                            Options(budget_s=3.0, reruns=2, shrink_s=1.0, chunk=1), versions=versions(targets))
        campaign.run()
    finally:
        catalogue.close()
        stop_targets(targets)
    return out


@pytest.fixture
def copy(store, tmp_path) -> Path:
    shutil.copy(store / FILE, tmp_path / FILE)
    return tmp_path


def entries(out: Path) -> dict[str, dict]:
    return fold(read_records(out / FILE))


def by_signature(out: Path) -> dict[str, dict]:
    return {e["signature"]: e for e in entries(out).values()}


def reclassify(out: Path, *extra: str) -> int:
    return main(["fuzz", "reclassify", "--out", str(out), "--quiet", *extra])


def patch_errors(monkeypatch, renamed: dict) -> None:
    """The error rule, with some classes renamed (None: no longer a difference)."""
    errors = fuzz.compare._errors

    def patched(a, b, v):
        cls = errors(a, b, v)
        return renamed.get(cls, cls)

    monkeypatch.setattr(fuzz.compare, "_errors", patched)


def forgive_error_text(monkeypatch) -> None:
    patch_errors(monkeypatch, {"error_text": None})


def test_the_campaign_stores_what_reclassification_needs(store):
    found = by_signature(store)
    assert {HGETEX_MISSING, HGETEX_TEXT, HGETDEL_MISSING} <= set(found), list(found)
    for e in found.values():
        assert e["references"] == ["redis@8.2"] and set(e["traces"]) == {"redis@8.2", "redis@6.2", "reference"}
        assert all("raw" in r for t in e["traces"].values() for r in t["replies"])
    assert all(e["target"] == "redis@6.2" for e in found.values())  # the reference answers exactly as 8.2


def test_unchanged_rules_keep_every_entry_and_append_nothing(store, capsys):
    before = (store / FILE).read_bytes()
    result = plan(entries(store).values(), SPEC)
    assert {o.status for o in result.outcomes} == {"kept"} and result.records == []
    assert reclassify(store) == 0
    assert (store / FILE).read_bytes() == before
    assert f"kept {len(result.outcomes)}, changed 0, resolved 0, merged 0" in capsys.readouterr().out


def test_forgiving_error_text_resolves_entries_but_keeps_them_in_the_file(copy, monkeypatch, capsys):
    before = (copy / FILE).read_text()
    forgive_error_text(monkeypatch)
    assert reclassify(copy, "--dry-run") == 0
    assert (copy / FILE).read_text() == before  # a dry run writes nothing
    assert "resolved 1," in capsys.readouterr().out
    assert reclassify(copy) == 0
    after = (copy / FILE).read_text()
    assert after.startswith(before)  # append-only
    [record] = [json.loads(line) for line in after[len(before):].splitlines()]
    assert record["record"] == "reclassified" and record["status"] == "resolved"
    found = by_signature(copy)
    assert found[HGETEX_TEXT]["status"] == "resolved" and not is_active(found[HGETEX_TEXT])
    assert is_active(found[HGETEX_MISSING]) and is_active(found[HGETDEL_MISSING])
    catalogue = Catalogue(copy)
    assert HGETEX_TEXT not in catalogue and HGETEX_MISSING in catalogue
    assert len(catalogue.active()) == len(catalogue.entries) - 1
    catalogue.close()
    assert "1 more resolved or merged" in (copy / "DIVERGENCES.md").read_text()
    assert reclassify(copy) == 0 and (copy / FILE).read_text() == after  # nothing more to say
    monkeypatch.undo()
    assert reclassify(copy) == 0  # the rule is back: the entry diverges again under its own signature
    assert is_active(by_signature(copy)[HGETEX_TEXT]) and "reopened 1" in capsys.readouterr().out


def test_a_campaign_that_meets_a_resolved_signature_again_files_it_anew(copy, monkeypatch):
    forgive_error_text(monkeypatch)
    assert reclassify(copy) == 0
    old = by_signature(copy)[HGETEX_TEXT]
    catalogue = Catalogue(copy)
    assert HGETEX_TEXT not in catalogue
    catalogue.seen(HGETEX_TEXT)  # not counted on the resolved entry
    fresh = catalogue.add({key: old[key] for key in ("signature", "verdict", "target", "command", "class",
                                                     "program", "traces", "references", "mismatch")})
    catalogue.close()
    folded = entries(copy)
    assert fresh["id"] != old["id"] and folded[old["id"]]["status"] == "resolved"
    assert folded[old["id"]]["count"] == old["count"] and is_active(folded[fresh["id"]])


def test_a_changed_class_and_rule_update_the_entry(copy, monkeypatch):
    patch_errors(monkeypatch, {"error_vs_value": "error_code"})  # a value against an error: an error code difference
    rule_for = fuzz.compare.rule_for
    monkeypatch.setattr(fuzz.compare, "rule_for",  # HGETDEL's replies compared as multisets
                        lambda s: "multiset" if s is not None and s.name == "hgetdel" else rule_for(s))
    assert reclassify(copy) == 0
    found = by_signature(copy)
    assert HGETEX_MISSING not in found and HGETDEL_MISSING not in found
    hgetex = found["target;redis@6.2;hgetex;error_code;array;error:ERR"]
    assert hgetex["status"] == "changed" and hgetex["class"] == hgetex["mismatch"]["class"] == "error_code"
    assert hgetex["was"] == HGETEX_MISSING and hgetex["mismatch"]["rules"] == ["exact"]
    hgetdel = found["target;redis@6.2;hgetdel;error_code;array;error:ERR"]
    assert hgetdel["mismatch"]["rules"] == ["multiset"]
    assert found[HGETEX_TEXT].get("status") is None  # untouched
    catalogue = Catalogue(copy)  # a later campaign counts the new signature, not the old one
    assert hgetex["signature"] in catalogue and HGETEX_MISSING not in catalogue
    catalogue.close()
    assert f"was `{HGETEX_MISSING}`" in (copy / "DIVERGENCES.md").read_text()


def test_entries_that_now_share_a_signature_merge_with_counts_summed(copy, monkeypatch):
    monkeypatch.setattr(fuzz.classify.Finding, "signature",  # one divergence per target and command
                        property(lambda f: ";".join([f.verdict, f.target, f.command])))
    old = by_signature(copy)
    assert reclassify(copy) == 0
    folded = entries(copy).values()
    [hgetex] = [e for e in folded if e["signature"] == "target;redis@6.2;hgetex" and is_active(e)]
    [merged] = [e for e in folded if e.get("status") == "merged"]
    assert merged["merged_into"] == hgetex["id"] and hgetex["merged"] == [merged["id"]]
    assert hgetex["count"] == old[HGETEX_MISSING]["count"] + old[HGETEX_TEXT]["count"]
    assert hgetex["reruns"] == 4 and hgetex["reproduced"] == old[HGETEX_MISSING]["reproduced"] + \
        old[HGETEX_TEXT]["reproduced"]
    assert hgetex["id"] == old[HGETEX_MISSING]["id"] or hgetex["id"] == old[HGETEX_TEXT]["id"]
    assert sum(is_active(e) for e in folded) == len(old) - 1


def test_older_entries_without_references_are_kept_as_recorded_or_reblamed(copy, capsys):
    lines = [json.loads(line) for line in (copy / FILE).read_text().splitlines()]
    for r in lines:
        r.pop("references", None)  # as entries filed before references were recorded
    (copy / FILE).write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert reclassify(copy) == 0
    assert "kept as recorded 3" in capsys.readouterr().out
    assert all(e["status"] == "as_recorded" and "no references" in e["reason"] for e in entries(copy).values())
    # with two references that disagree, nothing is blamed on redis@6.2: each step is an ecosystem split
    assert reclassify(copy, "--reference", "redis@8.2,redis@6.2") == 0
    active = [e for e in entries(copy).values() if is_active(e)]
    assert {e["verdict"] for e in active} == {SPLIT} and {e["target"] for e in active} == {"redis@6.2"}
    assert all(e["references"] == ["redis@8.2", "redis@6.2"] for e in active)


def test_a_last_line_cut_short_is_skipped_and_the_new_records_start_on_their_own_line(copy, monkeypatch, capsys):
    whole = (copy / FILE).read_text()
    last = whole.splitlines()[-1]
    (copy / FILE).write_text(whole + last[: len(last) // 2])  # as a campaign killed while writing
    forgive_error_text(monkeypatch)
    assert reclassify(copy) == 0
    out = capsys.readouterr().out
    assert f"1 line(s) cut short skipped ({len(whole.splitlines()) + 1})" in out and "resolved 1," in out
    lines = (copy / FILE).read_text().splitlines()
    assert lines[-2] == last[: len(last) // 2] and json.loads(lines[-1])["status"] == "resolved"
    assert by_signature(copy)[HGETEX_TEXT]["status"] == "resolved"


def test_report_counts_agree_after_reclassification(tmp_path, monkeypatch):
    """On the published store: a rule change that forgives error texts, then `forkdiff report`; every file gives
    the same count of reproducing divergences per target, and resolved entries leave the lists."""
    shutil.copytree(REPO / "results" / "data", tmp_path / "data")
    fuzz_dir = tmp_path / "data" / "fuzz"
    before = [e for e in entries(fuzz_dir).values() if is_active(e)]
    already = len(entries(fuzz_dir)) - len(before)  # resolved earlier (a recheck, an earlier re-classification)
    forgive_error_text(monkeypatch)
    assert reclassify(fuzz_dir) == 0
    assert main(["report", "--out", str(tmp_path)]) == 0
    active = [e for e in entries(fuzz_dir).values() if is_active(e)]
    resolved = len(before) - len(active)
    assert resolved > 0 and all(e["class"] != "error_text" or e["verdict"] != "target" for e in active)
    data = json.loads((tmp_path / "compat.json").read_text())
    divergences = (tmp_path / "DIVERGENCES.md").read_text()
    compatibility = (tmp_path / "COMPATIBILITY.md").read_text()
    assert f"{resolved + already} more resolved or merged by re-classification" in divergences
    for t in data["targets"]:
        mine = [e for e in active if e["verdict"] == "target" and e["target"] == t["spec"]]
        reproducing = sum(1 for e in mine if e.get("reproduced") or not e.get("reruns"))
        assert t["fuzz_divergences"] == reproducing, t["spec"]
        summary = [line for line in divergences.splitlines() if line.startswith(f"| [{t['spec']}]")]
        if mine or summary:
            assert summary and summary[0].rstrip(" |").endswith(f" {reproducing}"), (t["spec"], summary)
        if t.get("overall"):
            row = next(line for line in compatibility.splitlines() if line.startswith(f"| {t['spec']} "))
            assert row.rstrip(" |").endswith(f" {reproducing}")


@pytest.mark.parametrize("args,message", [
    (["fuzz", "reclassify"], "--out"),
    (["fuzz", "reclassify", "--out", "no/such/dir"], "no catalogue in no/such/dir"),
    (["fuzz", "reclassify", "--out", "results/data/fuzz", "--reference", ","], "comma-separated list"),
    (["fuzz", "reclassify", "--out", "results/data/fuzz", "--known", "README.md"], "README.md"),
    (["fuzz"], "--targets is required"),
])
def test_bad_arguments_get_a_clear_error(args, message):
    proc = subprocess.run([sys.executable, "-m", "forkdiff", *args], capture_output=True, text=True, timeout=60,
                          cwd=REPO)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr

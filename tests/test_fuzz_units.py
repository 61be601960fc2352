"""Unit tests of the fuzzer's pure parts: programs, comparison rules, classification, shrinking, catalogue."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from forkdiff.spec import load_spec
from forkdiff.types import Command, Kind, Reply, array, bulk, bulks, double, error, integer, simple
from fuzz.catalogue import Catalogue, divergence_id, fold, read_records
from fuzz.encoding import MAX_DB, codec_for
from fuzz.classify import SPLIT, TARGET, classify
from fuzz.compare import compare
from fuzz.known import Known, label, load_known
from fuzz.programs import Program, build_catalog
from fuzz.render import render_markdown, repro_script, write_markdown
from fuzz.repro import ddmin
from fuzz.run import Trace, _Plan, _Wire, setup
from fuzz.skips import skip_reason
from fuzz.strategies import variants

SPEC = load_spec()


def test_program_json_round_trip_keeps_bytes():
    p = Program((Command.of("SET", "k", b"\x00\xff"), Command.of("GET", "k")), resp=3)
    again = Program.from_json(json.loads(p.dumps()))
    assert again == p and again.steps[0].args[2] == b"\x00\xff"


def test_catalog_skips_dangerous_commands():
    catalog = build_catalog(groups=["all"], spec=SPEC)
    names = {n for group in catalog.commands.values() for n in group}
    assert {"set", "zadd", "hset"} <= names
    assert not names & {"shutdown", "debug|sleep", "monitor", "subscribe", "client|kill", "save", "config|set"}
    assert skip_reason(SPEC["acl|setuser"]) and skip_reason(SPEC["cluster|info"])


def test_variants_fill_numkeys_and_give_blocking_commands_tiny_timeouts():
    for cmd in variants(SPEC, "zunionstore", count=20):
        assert int(cmd.args[2]) == len(cmd.args[3:cmd.args.index(b"WEIGHTS")] if b"WEIGHTS" in cmd.args else
                                       [a for a in cmd.args[3:3 + int(cmd.args[2])]])
    for cmd in variants(SPEC, "blpop", count=10):
        assert float(cmd.args[-1]) <= 0.05


def test_a_batch_is_one_pipeline_with_a_reset_before_every_program():
    blocking = Program((Command.of("SET", "a", 1), Command.of("BLPOP", "l", "0.01"), Command.of("GET", "a")))
    queued = Program((Command.of("MULTI"), Command.of("BLPOP", "l", "0.01"), Command.of("EXEC")), resp=3)
    wire = _Wire(SPEC)
    plan = _Plan([queued, blocking, queued], wire)
    assert [len(setup(p)) for p in (queued, blocking)] == [3, 2]  # RESET, HELLO 3, FLUSHALL / RESET, FLUSHALL
    assert plan.starts == [0, 6, 11] and plan.setups == [3, 2, 3]
    # BLPOP outside MULTI may block: it ends a chunk, whose wait gets its grace; the rest follows its reply
    assert [(c.count, c.blocking) for c in plan.chunks] == [(10, True), (7, False)]
    assert not _Plan([queued], wire).chunks[0].blocking  # inside MULTI nothing blocks
    assert plan.program_at(5) == 0 and plan.program_at(6) == 1 and plan.program_at(16) == 2
    assert plan.names[6:11] == ["reset", "flushall", "set", "blpop", "get"]


def test_a_command_after_which_a_target_stalled_ends_its_chunk():
    """Once a target left a pipeline unanswered after KEYS, later plans send what follows KEYS after its reply."""
    program = Program((Command.of("SET", "a", 1), Command.of("KEYS", "*"), Command.of("GET", "a")))
    wire = _Wire(SPEC)
    assert [c.count for c in _Plan([program, program], wire).chunks] == [10]
    wire.stalling.add("keys")
    assert [c.count for c in _Plan([program, program], wire).chunks] == [4, 5, 1]
    assert [c.count for c in _Plan([program], wire, pipelined=False).chunks] == [1] * 5


@pytest.mark.parametrize("command,a,b,cls", [
    ("get", bulk("1"), bulk("1"), None),
    ("get", bulk("1"), bulk("2"), "value"),
    ("get", bulk("1"), error("ERR x"), "error_vs_value"),
    ("get", error("ERR a"), error("WRONGTYPE a"), "error_code"),
    ("get", error("ERR a"), error("ERR b"), "error_text"),
    ("get", bulk("1"), integer(1), "resp_type"),
    ("get", bulk("1"), Reply(Kind.CLOSED, "gone"), "transport"),
    ("lrange", bulks("a", "b"), bulks("b", "a"), "order"),
    ("smembers", bulks("a", "b"), bulks("b", "a"), None),
    ("hgetall", bulks("f", "1", "g", "2"), bulks("g", "2", "f", "1"), None),
    ("srandmember", bulk("a"), bulk("b"), None),
    ("ttl", integer(100), integer(99), None),
    ("ttl", integer(100), integer(90), "value"),
    ("ttl", integer(-1), integer(-2), "value"),
    ("incrbyfloat", bulk("3"), bulk("3.0"), "float_format"),
    ("zscore", double(1.5), double(1.5), None),
])
def test_compare_rules(command, a, b, cls):
    assert compare(SPEC.get(command), a, b).cls == cls


def test_compare_tells_null_bulk_from_null_array():
    assert compare(SPEC["lpop"], Reply(Kind.NULL, None, b"$-1\r\n"), Reply(Kind.NULL, None, b"*-1\r\n")).cls \
        == "resp_type"


def _traces(program, **replies):
    return {name: Trace(name, tuple(r)) for name, r in replies.items()}


def test_classify_blames_the_target_only_where_references_agree():
    p = Program((Command.of("SET", "k", "v"), Command.of("STRLEN", "k")))
    refs = ["r1", "r2"]
    agree = _traces(p, r1=[simple("OK"), integer(1)], r2=[simple("OK"), integer(1)], t=[simple("OK"), integer(2)])
    [f] = classify(p, agree, refs, SPEC)
    assert (f.verdict, f.target, f.command, f.mismatch.cls, f.mismatch.step) == (TARGET, "t", "strlen", "value", 1)
    split = _traces(p, r1=[simple("OK"), integer(1)], r2=[simple("OK"), integer(3)], t=[simple("OK"), integer(2)])
    [f] = classify(p, split, refs, SPEC)
    assert f.verdict == SPLIT and f.target == "r2"


def test_classify_ignores_keys_made_random_by_spop():
    p = Program((Command.of("SADD", "s", "a", "b"), Command.of("SPOP", "s"), Command.of("SMEMBERS", "s")))
    traces = _traces(p, r=[integer(2), bulk("a"), bulks("b")], t=[integer(2), bulk("b"), bulks("a")])
    assert classify(p, traces, ["r"], SPEC) == []


def test_classify_compares_exec_replies_with_the_queued_commands_rules():
    p = Program((Command.of("MULTI"), Command.of("SMEMBERS", "s"), Command.of("EXEC")))
    q = simple("QUEUED")
    traces = _traces(p, r=[simple("OK"), q, array(bulks("a", "b"))], t=[simple("OK"), q, array(bulks("b", "a"))])
    assert classify(p, traces, ["r"], SPEC) == []


def test_ddmin_finds_the_one_step_that_matters():
    p = Program(tuple(Command.of("SET", f"k{i}", i) for i in range(17)))
    minimal = ddmin(p, lambda q: any(c.args[1] == b"k11" for c in q.steps))
    assert [str(c) for c in minimal.steps] == ["SET k11 11"]


def test_catalogue_folds_counts_and_renders(tmp_path):
    cat = Catalogue(tmp_path)
    prog = Program((Command.of("STRLEN", "k"),))
    sig = "target;t;strlen;value;integer;integer"
    cat.add({"signature": sig, "verdict": "target", "target": "t", "command": "strlen", "class": "value",
             "program": prog.to_json(), "traces": {"t": Trace("t", (integer(1),)).to_json()}})
    cat.seen(sig)
    cat.seen(sig)
    cat.close()
    [entry] = fold(read_records(tmp_path / "divergences.jsonl")).values()
    assert entry["count"] == 3 and entry["id"] == divergence_id(sig)
    text = render_markdown([entry], [Known({"command": "strlen"}, "a reason", "https://example.org/x")])
    assert "do not edit" in text and "STRLEN k" in text and "[a reason](https://example.org/x)" in text
    assert repro_script(prog).splitlines()[1] == "redis-cli -p $PORT <<'EOF'"


def test_catalogue_survives_a_kill(tmp_path):
    script = textwrap.dedent(f"""
        import os, signal
        from fuzz.catalogue import Catalogue
        cat = Catalogue({str(tmp_path)!r})
        for i in range(3):
            cat.add({{"signature": f"s{{i}}", "program": {{"steps": []}}}})
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.returncode == -signal.SIGKILL
    assert len(fold(read_records(tmp_path / "divergences.jsonl"))) == 3


def test_known_file_labels_and_rejects_entries_without_link(tmp_path):
    good = tmp_path / "k.toml"
    good.write_text('[[divergence]]\ntarget = "redis@6.*"\nreason = "old"\nlink = "https://x"\n')
    known = load_known(good)
    assert label({"target": "redis@6.2"}, known) == {"reason": "old", "link": "https://x"}
    assert label({"target": "redis@8.2"}, known) is None
    bad = tmp_path / "bad.toml"
    bad.write_text('[[divergence]]\ntarget = "x"\nreason = "no link"\n')
    with pytest.raises(ValueError, match="reason and a link"):
        load_known(bad)


def test_shipped_known_file_loads():
    assert all(k.reason and k.link for k in load_known())


def test_codec_reads_slots_as_steps_and_shrinks_towards_simple_programs():
    catalog = build_catalog(["get", "set", "strlen", "lpush"], ["string", "list"], spec=SPEC)
    codec = codec_for(catalog, spec=SPEC, invalid_rate=0.0)
    w = codec.width
    zero = codec.decode(bytes(5 * w))
    assert len(zero) == 5 and len(set(zero)) == 1  # all-zero: five times the first group's simplest variant
    blob = b"".join((codec.plain * i // 7).to_bytes(w, "big") for i in range(6))  # six plain commands
    steps = codec.decode(blob)
    assert len(steps) == 6 and codec.decode(blob[:2 * w] + blob[3 * w:]) == steps[:2] + steps[3:]
    multi = codec.plain + 1  # the first slot of the MULTI region: an empty block ending in EXEC
    assert [str(c) for c in codec.decode(multi.to_bytes(w, "big"))] == ["MULTI", "EXEC"]
    select = (codec.bounds[-2] - 1).to_bytes(w, "big")
    assert [str(c) for c in codec.decode(select)] == [f"SELECT {MAX_DB}"]
    state = (codec.bounds[-1] - 1).to_bytes(w, "big")  # the last region: the states of these groups
    assert codec.decode(state) == codec.states[-1] and [str(c) for c in codec.states[0]][0].startswith("RPUSH l1")
    assert codec.decode(b"\x00" * (w - 1)) == ()  # a trailing partial slot is no step


def test_markdown_keeps_error_texts_that_are_not_utf8(tmp_path):
    prog = Program((Command.of("ACL", "CAT", b"\x00\xff"),))
    bad = error("ERR Unknown category '\x00\udcff'")
    entry = {"signature": "target;t;acl|cat;error_text;error:ERR;error:ERR", "verdict": "target", "target": "t",
             "command": "acl|cat", "class": "error_text", "program": prog.to_json(), "count": 1, "id": "x",
             "traces": {"t": Trace("t", (bad,)).to_json()}}
    write_markdown(tmp_path / "D.md", [entry], [])
    assert "ACL CAT" in (tmp_path / "D.md").read_text()


def test_every_group_is_fuzzable_or_says_why():
    from fuzz.skips import unfuzzable_groups
    groups = {c.group for c in SPEC.commands.values() if c.group}
    why = unfuzzable_groups(SPEC, groups)
    assert set(why) == {"cluster", "module"}
    assert "standalone" in why["cluster"] and "vector sets" in why["module"]
    assert "fcall" in build_catalog(None, ["scripting"], spec=SPEC).commands["scripting"]


def test_script_lines_call_other_groups_and_escape_bytes():
    from fuzz.programs import _script_tables
    from fuzz.scripts import lua_string, uses_scripts
    from fuzz.run import setup
    assert lua_string(b"a'b\\\x00\xff") == "'a\\'b\\\\\\0\\255'"
    [evals, loads] = _script_tables(SPEC, ["eval", "function|load"], seed=1, per_command=40)
    assert len(evals) == 40 and any(b"redis.call('" in c.args[1] for c in evals)
    assert any(c.args[2:3] == (b"REPLACE",) for c in loads)
    p = Program((evals[0],))
    assert uses_scripts(p.steps) and [str(c) for c in setup(p)][-2:] == ["SCRIPT FLUSH", "FUNCTION FLUSH"]


@pytest.mark.parametrize("command,args,long", [
    ("blpop", (b"l", b"0.005"), False), ("blpop", (b"l", b"0x10"), True), ("blpop", (b"l", b"0"), True),
    ("blpop", (b"l", b"x"), False), ("blpop", (b"l", b" 1"), False), ("blmpop", (b"1.5", b"1", b"l", b"LEFT"), True),
    ("bzmpop", (b"0.002", b"1", b"z", b"MIN"), False), ("xread", (b"BLOCK", b"100", b"STREAMS", b"s", b"$"), True),
    ("xread", (b"COUNT", b"100", b"STREAMS", b"s", b"$"), False), ("get", (b"0",), False)])
def test_a_blocking_line_that_could_wait_long_is_told(command, args, long):
    """An invalid variant may turn a tiny timeout into a valid long one (hexadecimal 0x10 is 16 s to Redis's
    strtold): such lines are left out of generation, an invalid number Redis refuses is kept."""
    from fuzz.skips import waits_long
    assert waits_long(SPEC[command], args) is long

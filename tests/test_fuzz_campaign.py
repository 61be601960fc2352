"""End-to-end: bounded campaigns on real servers and on a deliberately broken reference server."""
from __future__ import annotations

import pytest

from adapters import TargetUnavailable
from adapters.inprocess import InProcessTarget
from forkdiff.spec import load_spec
from forkdiff.types import Command
from fuzz.campaign import Campaign, Options
from fuzz.encoding import program_batches
from fuzz.catalogue import Catalogue
from fuzz.faults import FaultyReference, off_by_one
from fuzz.programs import Program, build_catalog, fuzzable
from fuzz.protocol_mode import run_protocol_mode
from fuzz.reference_process import ReferenceProcess, campaign_target
from fuzz.run import Runner
from fuzz.strategies import variants
from fuzz.targets import fuzz_commands, start_targets, stop_targets

SPEC = load_spec()


@pytest.fixture(scope="module")
def servers():
    try:
        targets = start_targets(["redis@8.2", "redis@6.2", "reference"])
    except TargetUnavailable as exc:
        pytest.skip(f"servers not installed: {exc}")
    yield targets
    stop_targets(targets)


def test_generated_commands_are_accepted_by_redis(servers):
    """With invalid_rate=0 almost nothing the strategies build is rejected for its arity or syntax."""
    runner = Runner({"redis@8.2": servers["redis@8.2"]})
    rejected = total = 0
    for cmd in fuzzable(SPEC):
        lines = variants(SPEC, cmd.name, count=4, seed=7)
        [trace] = runner.run(Program(lines)).values()
        for line, reply in zip(lines, trace.replies):
            total += 1
            if reply.is_error and ("wrong number of arguments" in reply.value or "syntax error" in reply.value):
                rejected += 1
    assert total > 500 and rejected / total < 0.03


def test_a_batch_answers_as_programs_run_one_by_one(servers):
    """Programs share a pipeline, yet each starts on a fresh keyspace and a reset connection: an open MULTI, a
    SELECT, a name or RESP3 left by one program change nothing for the next; a blocking wait holds what follows."""
    C = Command.of
    dirty = Program((C("CLIENT", "SETNAME", "n1"), C("SET", "a", "1"), C("SELECT", "2"), C("SET", "b", "x"),
                     C("MULTI"), C("INCR", "a")), resp=3)
    probe = Program((C("GET", "a"), C("DBSIZE"), C("CLIENT", "GETNAME"), C("BLPOP", "l", "0.005"),
                     C("RPUSH", "l", "v"), C("HSET", "h", "f", "v"), C("HGETALL", "h")))
    runner = Runner({k: servers[k] for k in ("redis@8.2", "reference")}, spec=SPEC)
    batch = [dirty, probe, dirty.without([0]), Program(probe.steps, resp=3), probe]
    together = runner.run_many(batch)
    alone = [runner.run(p) for p in batch]
    for both, single in zip(together, alone):
        for name in single:
            assert [r.raw for r in both[name].replies] == [r.raw for r in single[name].replies]
    assert [r.raw for r in together[4]["redis@8.2"].replies][:4] == [b"$-1\r\n", b":0\r\n", b"$-1\r\n", b"*-1\r\n"]
    assert runner.programs == 10 and runner.commands == 2 * 2 * sum(len(p) for p in batch)
    second = start_targets(["redis@8.2", "reference"])
    try:
        laned = Runner(runner.targets, spec=SPEC, lanes=[second])  # the batch is split between two instances each
        for both, single in zip(laned.run_many(batch), alone):
            assert {n: [r.raw for r in t.replies] for n, t in both.items()} == \
                {n: [r.raw for r in t.replies] for n, t in single.items()}
        assert laned.programs == 5
    finally:
        stop_targets(second)


def test_a_hang_inside_a_batch_restarts_the_targets_and_runs_the_programs_after_it_again(servers):
    C = Command.of
    ok = Program((C("SET", "a", "1"), C("GET", "a")))
    hang = Program((C("SET", "a", "1"), C("BLPOP", "l", "0"), C("GET", "a")))  # 0: blocks for ever
    runner = Runner({k: servers[k] for k in ("redis@8.2", "reference")}, spec=SPEC, timeout=0.3)
    out = runner.run_many([ok, hang, ok])
    kinds = [{name: [r.kind.value for r in t.replies] for name, t in traces.items()} for traces in out]
    assert kinds[1] == {"redis@8.2": ["simple", "timeout", "timeout"], "reference": ["simple", "timeout", "timeout"]}
    assert kinds[0] == kinds[2] == {"redis@8.2": ["simple", "bulk"], "reference": ["simple", "bulk"]}
    assert all(t.restarted for t in out[1].values()) and runner.restarts == {"redis@8.2": 1, "reference": 1}
    assert runner.programs == 3 and runner.commands == 2 * 7


def test_the_reference_out_of_process_is_the_same_server_under_the_same_name():
    target = campaign_target("reference")
    assert isinstance(target, ReferenceProcess) and isinstance(campaign_target("reference", True), InProcessTarget)
    target.start()
    try:
        [trace] = Runner({"reference": target}, spec=SPEC).run(
            Program((Command.of("SET", "k", "v"), Command.of("APPEND", "k", "w"), Command.of("BLPOP", "l", "0.002")),
                    resp=3)).values()
        assert [r.raw for r in trace.replies] == [b"+OK\r\n", b":2\r\n", b"_\r\n"]
        assert trace.target == "reference" and target.is_alive()
        target.restart()
        assert target.is_alive()
    finally:
        target.stop()
    assert not target.is_alive()


def _campaign(targets, references, groups, tmp_path, budget, seed=1):
    catalog = build_catalog(fuzz_commands(targets, references, spec=SPEC), groups, spec=SPEC)
    strategy = program_batches(catalog, spec=SPEC, resp=(2, 3), min_steps=6, max_steps=20, batch=8, seed=seed)
    c = Campaign(Runner(targets, spec=SPEC), references, strategy, Catalogue(tmp_path), SPEC,
                 Options(budget_s=budget, reruns=2, shrink_s=3.0, database=None))
    c.run()
    c.catalogue.close()
    return list(c.catalogue.entries.values())


def test_campaign_finds_what_redis_6_2_lacks(servers, tmp_path):
    targets = {k: servers[k] for k in ("redis@8.2", "redis@6.2")}
    found = _campaign(targets, ["redis@8.2"], ["hash", "sorted-set", "list"], tmp_path, budget=12)
    missing = [e for e in found if e["target"] == "redis@6.2" and e["class"] == "error_vs_value"]
    assert missing, [e["signature"] for e in found]
    assert min(e["steps"] for e in missing) <= 3
    assert all(e["still_reproduces"] for e in missing)


def test_campaign_finds_and_shrinks_an_injected_off_by_one(servers, tmp_path):
    from reference_server.commands import HANDLERS
    command = next(c for c in ("strlen", "append", "echo") if c in HANDLERS)
    faulty = FaultyReference({command: off_by_one})
    faulty.start()
    try:
        targets = {"reference": servers["reference"], faulty.spec: faulty}
        found = _campaign(targets, ["reference"], [SPEC[command].group], tmp_path, budget=15)
    finally:
        faulty.stop()
    hits = [e for e in found if e["target"] == faulty.spec and e["command"] == command]
    assert hits, [e["signature"] for e in found]
    assert min(e["steps"] for e in hits) <= 2
    assert all(e["still_reproduces"] for e in hits)


def test_protocol_mode_finds_no_difference_between_redis_and_the_reference(servers):
    targets = {k: servers[k] for k in ("redis@8.2", "reference")}
    report = run_protocol_mode(targets, "redis@8.2", timeout=0.2, mutations=0)  # the base set of malformed frames
    assert report["frames"] >= 20
    assert report["differences"] == []

"""Throughput of `forkdiff fuzz` against the anchor: fakeredis's own style of Hypothesis differential test.

    python bench/fuzz_throughput.py [--seconds 30]

1. forkdiff: a campaign on reference,redis@8.2,valkey@9.1 (references redis@8.2 and valkey@9.1) for N seconds, as
   `forkdiff fuzz` runs it: batches of programs per Hypothesis example, each program in RESP2 and RESP3, the
   reference in a process of its own, two instances of every target sharing each batch (--lanes). Time spent
   shrinking and storing divergences found counts too.
2. The anchor, for the same wall time: a Hypothesis RuleBasedStateMachine in the manner of fakeredis's
   test/test_hypothesis (one rule per command, each command run through redis-py on live redis@8.2 and on
   fakeredis.FakeRedis, results or exceptions compared), over the string/hash/list/set/zset commands.

"Compared commands" are command executions whose reply entered a comparison (a step on K servers counts K).
Prints both rates and their ratio.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, settings, strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test  # noqa: E402

KEYS = st.sampled_from(["k1", "k2", "k3"])
FIELDS = st.sampled_from(["f1", "f2", "f3"])
VALUES = st.sampled_from(["v", "", "1", "-2", "3.5", "abc"])
INTS = st.integers(-3, 10)
SCORES = st.sampled_from([0, 1, -1, 1.5, 2.5])
ANCHOR_COMMANDS = st.one_of(
    st.tuples(st.just("SET"), KEYS, VALUES), st.tuples(st.just("GET"), KEYS), st.tuples(st.just("APPEND"), KEYS, VALUES),
    st.tuples(st.just("INCRBY"), KEYS, INTS), st.tuples(st.just("STRLEN"), KEYS), st.tuples(st.just("DEL"), KEYS),
    st.tuples(st.just("HSET"), KEYS, FIELDS, VALUES), st.tuples(st.just("HGET"), KEYS, FIELDS),
    st.tuples(st.just("HDEL"), KEYS, FIELDS), st.tuples(st.just("LPUSH"), KEYS, VALUES),
    st.tuples(st.just("RPOP"), KEYS), st.tuples(st.just("LRANGE"), KEYS, INTS, INTS),
    st.tuples(st.just("SADD"), KEYS, VALUES), st.tuples(st.just("SREM"), KEYS, VALUES),
    st.tuples(st.just("SCARD"), KEYS), st.tuples(st.just("ZADD"), KEYS, SCORES, VALUES),
    st.tuples(st.just("ZSCORE"), KEYS, VALUES), st.tuples(st.just("ZRANGE"), KEYS, INTS, INTS),
    st.tuples(st.just("TYPE"), KEYS), st.tuples(st.just("EXISTS"), KEYS))


def _outcome(client, command):
    try:
        return ("ok", client.execute_command(*command))
    except Exception as exc:  # noqa: BLE001 - the anchor compares exceptions as fakeredis's tests do
        return ("error", type(exc).__name__)


def anchor_rate(seconds: float) -> tuple[int, float]:
    """Commands compared per second by the fakeredis-style stateful test against live redis@8.2."""
    import fakeredis
    import redis
    from adapters import make_target
    target = make_target("redis@8.2")
    target.start()
    real = redis.Redis(*target.address)
    fake = fakeredis.FakeRedis()
    state = {"compared": 0, "mismatches": 0}
    deadline = time.monotonic() + seconds

    class Machine(RuleBasedStateMachine):
        @initialize()
        def flush(self):
            real.flushall()
            fake.flushall()

        @rule(command=ANCHOR_COMMANDS)
        def same_result(self, command):
            if time.monotonic() >= deadline:
                return
            state["compared"] += 2  # one execution on each side
            if _outcome(real, command) != _outcome(fake, command):
                state["mismatches"] += 1

    started = time.monotonic()
    try:
        while time.monotonic() < deadline:
            run_state_machine_as_test(Machine, settings=settings(
                max_examples=50, stateful_step_count=50, deadline=None, database=None,
                suppress_health_check=list(HealthCheck)))
    finally:
        target.stop()
    return state["compared"], time.monotonic() - started


def forkdiff_rate(seconds: float, lanes: int = 2) -> tuple[int, float]:
    from fuzz.campaign import Campaign, Options
    from fuzz.catalogue import Catalogue
    from fuzz.encoding import program_batches
    from fuzz.programs import build_catalog
    from fuzz.reference_process import campaign_target
    from fuzz.run import Runner
    from fuzz.targets import fuzz_commands, start_targets, stop_targets
    from forkdiff.spec import load_spec
    spec = load_spec()
    references = ["redis@8.2", "valkey@9.1"]
    started = []
    try:
        for _ in range(lanes):  # as `forkdiff fuzz --lanes N` starts them
            started.append(start_targets(["reference", *references], factory=campaign_target))
        targets = started[0]
        catalog = build_catalog(fuzz_commands(targets, references, spec=spec), spec=spec)
        strategy = program_batches(catalog, spec=spec, resp=(2, 3), min_steps=20, max_steps=60)
        with tempfile.TemporaryDirectory() as out:
            c = Campaign(Runner(targets, spec=spec, lanes=started[1:]), references, strategy, Catalogue(out), spec,
                         Options(budget_s=seconds, reruns=2, shrink_s=3.0, database=None))
            c.run()
            c.catalogue.close()
            return c.runner.commands, time.monotonic() - c.started
    finally:
        for lane in started:
            stop_targets(lane)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--lanes", type=int, default=2, help="as `forkdiff fuzz --lanes` (default 2)")
    args = ap.parse_args()
    ours, our_s = forkdiff_rate(args.seconds, args.lanes)
    theirs, their_s = anchor_rate(args.seconds)
    ours_rate, their_rate = ours / our_s, theirs / their_s
    print(f"forkdiff fuzz (reference,redis@8.2,valkey@9.1): {ours} compared commands in {our_s:.1f}s "
          f"= {ours_rate:,.0f}/s")
    print(f"fakeredis-style Hypothesis test (fakeredis vs redis@8.2): {theirs} compared commands in {their_s:.1f}s "
          f"= {their_rate:,.0f}/s")
    print(f"ratio: {ours_rate / their_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

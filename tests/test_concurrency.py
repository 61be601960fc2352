"""The concurrency checker: hand-written histories it must judge right, every workload on every runtime and on live
servers, and a deliberately broken runtime it must catch."""
from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from adapters import TargetUnavailable, make_target
from adapters.inprocess import InProcessTarget
from forkdiff.types import NULL, OK, Command, array, bulk, bulks, integer
from fuzz.concurrency import WORKLOADS, Settings, run_workload
from fuzz.history import Op
from fuzz.linearizability import OK as LINEARIZABLE
from fuzz.linearizability import UNKNOWN, VIOLATION, check
from fuzz.model import EngineModel
from fuzz.wing_gong import partitions
from reference_server.commands import HANDLERS
from reference_server.runtimes import RUNTIMES

pytestmark = pytest.mark.timeout(120)

SMALL = Settings(clients=4, ops=100, check_time_s=10)


def op(index: int, client: int, call: int, ret: int | None, reply, *args) -> Op:
    """One operation of a hand-written history; times in microseconds."""
    return Op(index, client, (Command.of(*args),), call * 1000, None if ret is None else ret * 1000, reply)


def tx(index: int, client: int, call: int, ret: int, reply, *commands: tuple) -> Op:
    return Op(index, client, tuple(Command.of(*c) for c in commands), call * 1000, ret * 1000, reply, True)


# -- hand-written histories ------------------------------------------------------------------------------------------
def test_lost_update_is_a_violation_with_both_increments_offending():
    history = [op(0, 0, 0, 10, integer(1), "INCR", "c"), op(1, 1, 1, 11, integer(1), "INCR", "c"),
               op(2, 0, 20, 30, bulk("1"), "GET", "c")]
    verdict = check(history)
    assert verdict.status == VIOLATION
    assert [o.id for o in verdict.explanation.offending] == [0, 1]
    assert "INCR c -> (integer) 1" in verdict.text()


def test_stale_read_is_a_violation_keeping_the_writes_it_needs():
    history = [op(0, 0, 0, 10, OK, "SET", "x", "1"), op(1, 1, 11, 20, OK, "SET", "x", "2"),
               op(2, 0, 25, 30, bulk("1"), "GET", "x")]
    verdict = check(history)
    assert verdict.status == VIOLATION
    assert [o.id for o in verdict.explanation.offending] == [0, 1, 2]
    assert verdict.explanation.stuck.id == 2 and verdict.explanation.model_answer == bulk("2")


def test_torn_read_is_a_violation():
    history = [op(0, 0, 0, 10, OK, "MSET", "a", "1", "b", "1"), op(1, 1, 0, 10, OK, "MSET", "a", "2", "b", "2"),
               op(2, 2, 20, 30, bulks("1", "2"), "MGET", "a", "b")]
    verdict = check(history)
    assert verdict.status == VIOLATION
    assert {o.id for o in verdict.explanation.offending} == {0, 1, 2}


def test_concurrent_operations_may_linearize_in_either_order():
    history = [op(0, 0, 0, 10, integer(2), "INCR", "c"), op(1, 1, 1, 11, integer(1), "INCR", "c"),
               op(2, 0, 5, 8, bulk("1"), "GET", "c"), op(3, 1, 20, 30, bulk("2"), "GET", "c")]
    assert check(history).status == LINEARIZABLE


def test_unknown_outcome_may_have_happened_or_not():
    lost = op(0, 0, 0, None, None, "INCR", "c")
    assert check([lost, op(1, 1, 20, 30, bulk("1"), "GET", "c")]).status == LINEARIZABLE
    assert check([lost, op(1, 1, 20, 30, NULL, "GET", "c")]).status == LINEARIZABLE
    assert check([lost, op(1, 1, 20, 30, bulk("2"), "GET", "c")]).status == VIOLATION


def test_transaction_is_one_atomic_operation():
    moved = tx(0, 0, 0, 10, array(integer(-5), integer(5)), ("DECRBY", "a", 5), ("INCRBY", "b", 5))
    reader = op(1, 1, 2, 8, bulks("-5", None), "MGET", "a", "b")  # half of the transaction seen
    assert check([moved, op(1, 1, 2, 8, bulks("-5", "5"), "MGET", "a", "b")]).status == LINEARIZABLE
    assert check([moved, reader]).status == VIOLATION


def test_blocking_pop_linearizes_after_the_push_that_fed_it():
    pop = op(0, 0, 0, 30, bulks("q", "x"), "BLPOP", "q", "1")
    push = op(1, 1, 10, 20, integer(1), "RPUSH", "q", "x")
    assert check([pop, push]).status == LINEARIZABLE
    early = op(0, 0, 0, 5, bulks("q", "x"), "BLPOP", "q", "1")  # returned before anything was pushed
    assert check([early, push]).status == VIOLATION


def test_too_large_a_search_is_unknown():
    """Sixteen increments of unknown outcome and a read no subset of them explains: 2^16 sums to try."""
    history = [op(i, i, 0, None, None, "INCRBY", "c", 1 << i) for i in range(16)]
    history.append(op(16, 16, 200, 210, bulk("-1"), "GET", "c"))
    verdict = check(history, max_steps=5_000)
    assert verdict.status == UNKNOWN and "budget" in verdict.reason


def test_history_is_partitioned_by_keys_transitively():
    history = [op(0, 0, 0, 1, OK, "SET", "a", "1"), op(1, 0, 2, 3, OK, "SET", "b", "1"),
               op(2, 0, 4, 5, OK, "SET", "c", "1"), op(3, 0, 6, 7, OK, "MSET", "a", "2", "b", "2")]
    groups = sorted(sorted(o.id for o in part) for part in partitions(history, EngineModel()))
    assert groups == [[0, 1, 3], [2]]


def test_commands_the_model_lacks_make_the_check_skipped():
    verdict = check([op(0, 0, 0, 1, integer(1), "NOSUCHCOMMAND", "k")])
    assert verdict.status == "skipped" and "NOSUCHCOMMAND" in verdict.reason


# -- every workload on every runtime and on live servers -------------------------------------------------------------
LIVE = ["redis@8.2", "valkey@9.1"]


@pytest.fixture(scope="module", params=[f"reference:{r}" for r in sorted(RUNTIMES)] + LIVE)
def live_or_reference(request):
    spec = request.param
    server = InProcessTarget(spec) if spec.startswith("reference") else make_target(spec)
    try:
        server.start()
    except TargetUnavailable as exc:
        pytest.skip(f"{spec}: {exc}")
    yield server
    server.stop()


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_workload_holds(live_or_reference, workload):
    target = live_or_reference
    result = run_workload(target.address, workload, SMALL, target.spec)
    if result.skipped:
        if target.spec in LIVE:
            pytest.fail(f"{workload} skipped on a live server: {result.skipped}")
        pytest.skip(f"{workload} on {target.spec}: {result.skipped}")
    assert all(c.ok for c in result.checks), result.text()
    # a queue's orderings are the hardest search: on a stalled run it may end unknown, never as a violation
    accepted = (LINEARIZABLE, UNKNOWN) if workload == "blocking" else (LINEARIZABLE,)
    assert result.linearizability.status in accepted, result.text()


# -- a deliberately broken runtime is caught --------------------------------------------------------------------------
def yielding_incr(engine, client, argv):
    """INCR as a read, a pause and a write: harmless under key locks, a lost update without them."""
    read = HANDLERS["get"](engine, client, [b"get", argv[1]])
    time.sleep(0.0005)
    value = int(read or 0) + 1
    HANDLERS["set"](engine, client, [b"set", argv[1], str(value).encode()])
    return value


class NoLocks:
    @contextmanager
    def hold(self, scope, give_up=None):
        yield True


@contextmanager
def locked_server(broken_locks: bool):
    with InProcessTarget("reference:locked") as server:
        server.server.engine.handlers = {**HANDLERS, "incr": yielding_incr}
        if broken_locks:
            server.server.locks = NoLocks()
        yield server


def test_lost_updates_of_a_runtime_without_locks_are_caught():
    with locked_server(broken_locks=True) as server:
        result = run_workload(server.address, "counters", Settings(clients=8, ops=400), "broken locked")
    assert result.status == VIOLATION, result.text()
    assert not next(c for c in result.checks if c.name == "no lost update").ok
    assert result.linearizability.status == VIOLATION
    assert "INCR" in result.linearizability.explanation.text()


def test_the_same_yielding_handler_under_key_locks_passes():
    with locked_server(broken_locks=False) as server:
        result = run_workload(server.address, "counters", Settings(clients=8, ops=400), "locked")
    assert result.status == LINEARIZABLE, result.text()

"""Workloads about races: WATCH rounds, blocking pops against pushes, Lua scripts as atomic transfers.

The histories are recorded as the atomic steps each feature promises, so the linearizability check holds them to
it: a won WATCH round is the transaction "GET then SET" (the read and the write with nothing between), a lost round
is just its GET; a script is the transaction of the commands it calls.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

from forkdiff.types import TRANSPORT, Command, Kind, array

from .history import Op, Session
from .workload_base import Check, Run, bulk_values, check_that, integer_value
from .workloads import BALANCE, key_names, ops_named, total_never_changes

BARRIER_TIMEOUT_S = 10.0
POP_TIMEOUT = "0.05"  # seconds a consumer's BLPOP waits before it checks whether the producers are done


# -- WATCH races: every client of a round watches, reads, then all try to write ----------------------------------
def watch(run: Run) -> list[Check]:
    key = "watched"
    run.one_client(lambda s: s.call("SET", key, 0))
    clients = max(2, run.settings.clients)
    rounds = max(1, run.settings.ops // clients)
    stop = threading.Event()
    barrier = threading.Barrier(clients, timeout=BARRIER_TIMEOUT_S,
                                action=lambda: None if run.time_left() else stop.set())
    outcomes: dict[int, list[str]] = defaultdict(list)  # round -> "won" | "lost" | "unknown" per client

    def work(session: Session, index: int) -> None:
        for number in range(rounds):
            barrier.wait()  # the previous round is over for everyone; the action decides whether time is up
            if stop.is_set():
                return
            outcomes[number].append(_watch_round(session, key, barrier))

    run.clients(clients, work)
    final = run.one_client(lambda s: s.call("GET", key))
    return [one_winner_per_round(outcomes), final_counts_winners(outcomes, final)]


def _watch_round(session: Session, key: str, barrier: threading.Barrier) -> str:
    """WATCH and GET, wait until every client has read, then MULTI/SET/EXEC: exactly one EXEC may succeed."""
    started = time.monotonic_ns()
    session.unrecorded("WATCH", key)
    seen = session.unrecorded("GET", key)
    barrier.wait()
    value = integer_value(seen)
    if value is None:
        return "unknown"
    get, put = Command.of("GET", key), Command.of("SET", key, value + 1)
    replies = session.conn.pipeline([Command.of("MULTI"), put, Command.of("EXEC")])
    answer = next((r for r in replies if r.kind in TRANSPORT), replies[-1])
    if answer.kind in TRANSPORT:
        session.record([get, put], started, answer, True)
        return "unknown"
    if answer.kind is Kind.ARRAY:
        session.record([get, put], started, array(seen, *answer.value), True)
        return "won"
    session.record([get], started, seen, False)
    return "lost"


def one_winner_per_round(outcomes: dict[int, list[str]]) -> Check:
    problems = []
    for number, results in sorted(outcomes.items()):
        won, unsure = results.count("won"), results.count("unknown")
        if won > 1 or (won == 0 and not unsure):
            problems.append(f"round {number}: {won} winners")
    return check_that("exactly one EXEC wins each round", problems)


def final_counts_winners(outcomes: dict[int, list[str]], final: list[Op]) -> Check:
    won = sum(r.count("won") for r in outcomes.values())
    unsure = sum(r.count("unknown") for r in outcomes.values())
    value = integer_value(final[0].reply) if final else None
    ok = value is not None and won <= value <= won + unsure
    return Check("final value = successful EXECs", ok, "" if ok else f"final {value}, {won} EXECs succeeded")


# -- blocking pops: BLPOP consumers racing RPUSH producers -----------------------------------------------------------
def blocking(run: Run) -> list[Check]:
    key = "queue"
    producers = max(1, run.settings.clients // 2)
    consumers = max(1, run.settings.clients - producers)
    per_producer = max(1, run.settings.ops // (2 * producers))
    finished = threading.Event()
    done_lock, done = threading.Lock(), [0]

    def work(session: Session, index: int) -> None:
        if index >= producers:
            return _consume(run, session, key, finished)
        try:
            _produce(run, session, key, index, per_producer)
        finally:
            with done_lock:
                done[0] += 1
                if done[0] == producers:
                    finished.set()

    run.clients(producers + consumers, work)
    final = run.one_client(lambda s: s.call("LRANGE", key, 0, -1))
    left = (bulk_values(final[0].reply) or []) if final else []
    return queue_checks(run.history.ops, left)


def _produce(run: Run, session: Session, key: str, index: int, count: int) -> None:
    for n in range(count):
        if not run.time_left():
            return
        session.call("RPUSH", key, f"p{index}-{n:05d}")


def _consume(run: Run, session: Session, key: str, finished: threading.Event) -> None:
    give_up = run.deadline + BARRIER_TIMEOUT_S
    while time.monotonic() < give_up:
        reply = session.call("BLPOP", key, POP_TIMEOUT)
        if reply.kind is Kind.NULL and finished.is_set():
            return


def queue_checks(ops: list[Op], left: list[bytes | None]) -> list[Check]:
    pushes = {op.commands[0].args[2]: op for op in ops_named(ops, "rpush")}
    pops: dict[bytes, list[Op]] = defaultdict(list)
    for op in ops_named(ops, "blpop"):
        if op.reply is not None and op.reply.kind is Kind.ARRAY:
            pops[op.reply.value[1].value].append(op)
    lost = [f"{Command.of(e)} pushed by #{op.id}, never popped nor left" for e, op in pushes.items()
            if not op.unknown and e not in pops and e not in left]
    duplicated = [f"{Command.of(e)} popped {len(p) + left.count(e)} times" for e, p in pops.items()
                  if len(p) + left.count(e) > 1]
    phantom = [f"{Command.of(e)} popped but never pushed" for e in pops if e not in pushes]
    return [check_that("no element lost", lost), check_that("no element duplicated", duplicated + phantom),
            check_that("each producer's elements leave in order", _fifo_problems(pops, left))]


def _fifo_problems(pops: dict[bytes, list[Op]], left: list[bytes | None]) -> list[str]:
    """A producer pushes in order, so its element n+1 may not be popped before element n (in real time), nor
    while element n is still in the list at the end."""
    by_producer: dict[bytes, list[tuple[bytes, Op | None]]] = defaultdict(list)
    for element, popped in pops.items():
        by_producer[element.split(b"-")[0]].append((element, popped[0]))
    for element in left:
        if element is not None:
            by_producer[element.split(b"-")[0]].append((element, None))
    problems = []
    for items in by_producer.values():
        items.sort(key=lambda item: item[0])
        for (first, first_pop), (then, then_pop) in zip(items, items[1:]):
            if then_pop is not None and (first_pop is None or then_pop.return_ns < first_pop.call_ns):
                problems.append(f"{Command.of(then)} left before {Command.of(first)}")
    return problems


# -- Lua: a script moving an amount between two keys is atomic like a transaction ---------------------------------
TRANSFER_SCRIPT = ("local a = redis.call('DECRBY', KEYS[1], ARGV[1]) "
                   "local b = redis.call('INCRBY', KEYS[2], ARGV[1]) return {a, b}")
SCRIPT_ACCOUNTS = 3


def lua(run: Run) -> list[Check]:
    keys = key_names("scripted", SCRIPT_ACCOUNTS)
    run.one_client(lambda s: s.call("MSET", *[x for k in keys for x in (k, BALANCE)]))

    def work(session: Session, index: int) -> None:
        rng = run.rng(index)
        for _ in range(run.settings.per_client()):
            if not run.time_left():
                return
            if rng.random() < 0.5:
                source, dest = rng.sample(keys, 2)
                amount = rng.randint(1, 20)
                session.call_as([Command.of("DECRBY", source, amount), Command.of("INCRBY", dest, amount)],
                                "EVAL", TRANSFER_SCRIPT, 2, source, dest, amount)
            else:
                session.call("MGET", *keys)

    run.clients(run.settings.clients, work)
    run.one_client(lambda s: s.call("MGET", *keys))
    scripts = [op for op in run.history.ops if op.note]
    failed = [f"#{op.id} answered {' '.join(str(op.reply).split())}" for op in scripts
              if not op.unknown and (op.reply.kind is not Kind.ARRAY or len(op.reply.value) != 2)]
    return [total_never_changes(run.history.ops, SCRIPT_ACCOUNTS * BALANCE),
            check_that("every script ran both commands", failed)]

"""Workloads on plain data: counters, registers, appended lists, MSET/MGET and MULTI/EXEC transfers.

Each one records a history on a few keys (small pools, so clients collide), then checks its own invariants; the
linearizability verdict is added by the runner. Values written are unique (client and sequence number), so a read
tells exactly which write it saw.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from forkdiff.types import Command, Kind

from .history import Op, Session
from .workload_base import Check, Run, bulk_values, check_that, integer_value


def key_names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}:{i}" for i in range(count)]


def _key(op: Op) -> bytes:
    return op.commands[0].args[1]


def ops_named(ops: Iterable[Op], *names: str) -> list[Op]:
    return [op for op in ops if not op.transaction and op.commands[0].name in names]


def _repeat(run: Run, session: Session, index: int, step) -> None:
    """Call `step(session, rng, n)` for this client's share of operations, while time is left."""
    rng = run.rng(index)
    for n in range(run.settings.per_client()):
        if not run.time_left():
            return
        step(session, rng, n)


# -- counters: INCR/INCRBY from many clients, GET ------------------------------------------------------------------
def counters(run: Run) -> list[Check]:
    keys = key_names("counter", 3)

    def step(session: Session, rng, n: int) -> None:
        key, roll = rng.choice(keys), rng.random()
        if roll < 0.4:
            session.call("INCR", key)
        elif roll < 0.7:
            session.call("INCRBY", key, rng.randint(1, 5))
        else:
            session.call("GET", key)

    run.clients(run.settings.clients, lambda s, i: _repeat(run, s, i, step))
    final = run.one_client(lambda s: [s.call("GET", k) for k in keys])
    ops = run.history.ops
    return [no_lost_update(ops, final), increments_distinct(ops), reads_never_go_back(ops)]


def _delta(op: Op) -> int:
    return 1 if op.commands[0].name == "incr" else int(op.commands[0].args[2])


def no_lost_update(ops: list[Op], final: list[Op]) -> Check:
    """Final value = the sum of the increments that took effect (unknown outcomes may count or not)."""
    problems = []
    for read in final:
        incrs = [op for op in ops_named(ops, "incr", "incrby") if _key(op) == _key(read)]
        sure = sum(_delta(op) for op in incrs if not op.unknown)
        maybe = sum(_delta(op) for op in incrs if op.unknown)
        value = integer_value(read.reply) or 0
        if not sure <= value <= sure + maybe:
            problems.append(f"{Command.of(_key(read))} ends at {value}, increments add up to {sure}"
                            + (f" (+ up to {maybe} of unknown outcome)" if maybe else ""))
    return check_that("no lost update", problems)


def increments_distinct(ops: list[Op]) -> Check:
    """Every increment is positive, so no two increments of one key may return the same value."""
    seen: dict[tuple[bytes, int], Op] = {}
    problems = []
    for op in ops_named(ops, "incr", "incrby"):
        value = integer_value(op.reply)
        if value is None:
            continue
        other = seen.setdefault((_key(op), value), op)
        if other is not op:
            problems.append(f"#{other.id} and #{op.id} both returned {value}")
    return check_that("increments return distinct values", problems)


def reads_never_go_back(ops: list[Op]) -> Check:
    """A counter only grows: what one client observes of a key never decreases."""
    last: dict[tuple[int, bytes], tuple[int, Op]] = {}
    problems = []
    for op in sorted(ops_named(ops, "incr", "incrby", "get"), key=lambda o: o.call_ns):
        value = integer_value(op.reply)
        if value is None and op.reply is not None and op.reply.kind is Kind.NULL:
            value = 0
        if value is None:
            continue
        before = last.get((op.client, _key(op)))
        if before is not None and value < before[0]:
            problems.append(f"#{op.id} saw {value} after #{before[1].id} saw {before[0]}")
        last[(op.client, _key(op))] = (value, op)
    return check_that("a client's reads never go back", problems)


# -- register: SET/GET -----------------------------------------------------------------------------------------------
def register(run: Run) -> list[Check]:
    keys = key_names("register", 2)

    def step(session: Session, rng, n: int) -> None:
        key = rng.choice(keys)
        if rng.random() < 0.5:
            session.call("SET", key, f"c{session.client}-{n}")
        else:
            session.call("GET", key)

    run.clients(run.settings.clients, lambda s, i: _repeat(run, s, i, step))
    written = {(_key(op), op.commands[0].args[2]) for op in ops_named(run.history.ops, "set")}
    phantom = [f"#{op.id} read {op.reply} that nobody wrote" for op in ops_named(run.history.ops, "get")
               if op.reply is not None and op.reply.kind is Kind.BULK and (_key(op), op.reply.value) not in written]
    return [check_that("reads return written values", phantom)]


# -- lists: RPUSH + LRANGE 0 -1 (every read is a prefix of the final list) -------------------------------------------
def lists(run: Run) -> list[Check]:
    keys = key_names("list", 2)

    def step(session: Session, rng, n: int) -> None:
        key = rng.choice(keys)
        if rng.random() < 0.6:
            session.call("RPUSH", key, f"c{session.client}-{n}")
        else:
            session.call("LRANGE", key, 0, -1)

    run.clients(run.settings.clients, lambda s, i: _repeat(run, s, i, step))
    final = run.one_client(lambda s: [s.call("LRANGE", k, 0, -1) for k in keys])
    finals = {_key(op): bulk_values(op.reply) or [] for op in final}
    ops = run.history.ops
    return [reads_are_prefixes(ops, finals), pushes_kept_once_in_order(ops, finals), pushes_grow_the_list(ops)]


def reads_are_prefixes(ops: list[Op], finals: dict[bytes, list]) -> Check:
    problems = []
    for op in ops_named(ops, "lrange"):
        items = bulk_values(op.reply)
        final = finals.get(_key(op), [])
        if items is not None and items != final[:len(items)]:
            problems.append(f"#{op.id} read {len(items)} items that are not a prefix of the final list")
    return check_that("every read is a prefix of the final list", problems)


def pushes_kept_once_in_order(ops: list[Op], finals: dict[bytes, list]) -> Check:
    problems = []
    for key, final in finals.items():
        pushes = [op for op in ops_named(ops, "rpush") if _key(op) == key]
        pushed = {op.commands[0].args[2]: op for op in pushes}
        position = {item: i for i, item in enumerate(final)}
        if len(position) != len(final):
            problems.append(f"{Command.of(key)} holds a duplicated element")
        problems += [f"{Command.of(item)} in {Command.of(key)} was never pushed" for item in final if item not in pushed]
        problems += [f"#{op.id} pushed {Command.of(op.commands[0].args[2])}, lost"
                     for op in pushes if not op.unknown and op.commands[0].args[2] not in position]
        by_client: dict[int, list[int]] = defaultdict(list)
        for op in pushes:
            if op.commands[0].args[2] in position:
                by_client[op.client].append(position[op.commands[0].args[2]])
        problems += [f"client {c}'s pushes out of order in {Command.of(key)}"
                     for c, where in by_client.items() if where != sorted(where)]
    return check_that("each push kept once, in each client's order", problems)


def pushes_grow_the_list(ops: list[Op]) -> Check:
    seen: dict[tuple[bytes, int], Op] = {}
    problems = []
    for op in ops_named(ops, "rpush"):
        if op.reply is not None and op.reply.kind is Kind.INTEGER:
            other = seen.setdefault((_key(op), op.reply.value), op)
            if other is not op:
                problems.append(f"#{other.id} and #{op.id} both made the list {op.reply.value} long")
    return check_that("every push returns a new length", problems)


# -- MSET/MGET across shards: never a torn read ----------------------------------------------------------------------
def mset(run: Run) -> list[Check]:
    keys = key_names("mset", 4)

    def step(session: Session, rng, n: int) -> None:
        if rng.random() < 0.5:
            value = f"c{session.client}-{n}"
            session.call("MSET", *[x for k in keys for x in (k, value)])
        else:
            session.call("MGET", *keys)

    run.clients(run.settings.clients, lambda s, i: _repeat(run, s, i, step))
    torn = [f"#{op.id} read {[None if v is None else v.decode() for v in values]}"
            for op in ops_named(run.history.ops, "mget")
            if (values := bulk_values(op.reply)) is not None and len(set(values)) > 1]
    return [check_that("no torn MGET", torn)]


# -- MULTI/EXEC transfers between accounts, MGET readers: the total never changes ------------------------------------
ACCOUNTS, BALANCE = 4, 100


def transfers(run: Run) -> list[Check]:
    keys = key_names("account", ACCOUNTS)
    run.one_client(lambda s: s.call("MSET", *[x for k in keys for x in (k, BALANCE)]))

    def step(session: Session, rng, n: int) -> None:
        if rng.random() < 0.5:
            source, dest = rng.sample(keys, 2)
            amount = rng.randint(1, 20)
            session.transaction([Command.of("DECRBY", source, amount), Command.of("INCRBY", dest, amount)])
        else:
            session.call("MGET", *keys)

    run.clients(run.settings.clients, lambda s, i: _repeat(run, s, i, step))
    run.one_client(lambda s: s.call("MGET", *keys))
    return [total_never_changes(run.history.ops, ACCOUNTS * BALANCE), transactions_applied(run.history.ops)]


def total_never_changes(ops: list[Op], total: int) -> Check:
    problems = []
    for op in ops_named(ops, "mget"):
        values = bulk_values(op.reply)
        if values is None:
            continue
        seen = sum(int(v) for v in values if v is not None)
        if seen != total:
            problems.append(f"#{op.id} saw a total of {seen}, not {total}")
    return check_that("the sum of the accounts never changes", problems)


def transactions_applied(ops: list[Op]) -> Check:
    problems = [f"#{op.id}: EXEC answered {' '.join(str(op.reply).split())}" for op in ops
                if op.transaction and not op.unknown
                and (op.reply.kind is not Kind.ARRAY or any(r.kind is not Kind.INTEGER for r in op.reply.value))]
    return check_that("every EXEC ran both commands", problems)

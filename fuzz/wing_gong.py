"""The linearizability search: Wing & Gong's algorithm with Lowe's memoisation, as Porcupine does it.

The call and return events sit in one time-ordered linked list; the search repeatedly linearizes a pending call
whose model reply matches the recorded one, and backtracks when it reaches a return whose operation is still not
linearized. A (linearized set, model state) pair already explored is never explored again. P-compositionality:
operations on disjoint keys are checked as separate histories (union-find over keys; an operation on several keys
joins their groups).

Unknown outcomes (timeouts, closed connections) have no return event: they may linearize anywhere after their call,
with any reply, or not at all. A search ends ok, violation or unknown (its budget ran out).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .history import Op
from .model import EngineModel, State

OK, VIOLATION, UNKNOWN, SKIPPED = "ok", "violation", "unknown", "skipped"
DEFAULT_MAX_STEPS = 2_000_000


@dataclass
class SearchResult:
    status: str
    steps: int
    prefix: list[Op] = field(default_factory=list)  # the longest linearization found, in order
    state: State = ()  # the model state after it
    stuck: Op | None = None  # the operation whose return came while it could not be linearized


@dataclass
class Budget:
    max_steps: int = DEFAULT_MAX_STEPS
    deadline: float | None = None  # time.monotonic() after which the search gives up
    steps: int = 0

    def exhausted(self) -> bool:
        if self.steps > self.max_steps:
            return True
        return self.deadline is not None and self.steps % 512 == 0 and time.monotonic() > self.deadline


class _Node:
    __slots__ = ("op", "index", "is_call", "match", "prev", "next")

    def __init__(self, op: Op | None, index: int, is_call: bool) -> None:
        self.op, self.index, self.is_call = op, index, is_call
        self.match: _Node | None = None
        self.prev: _Node | None = None
        self.next: _Node | None = None


def _event_list(ops: list[Op]) -> _Node:
    """The head sentinel of the time-ordered event list (calls before returns at equal times: concurrent)."""
    events: list[tuple[int, int, _Node]] = []
    for index, op in enumerate(ops):
        call = _Node(op, index, True)
        events.append((op.call_ns, 0, call))
        if not op.unknown:
            call.match = _Node(op, index, False)
            events.append((op.return_ns, 1, call.match))
    events.sort(key=lambda e: (e[0], e[1], e[2].index))
    head = prev = _Node(None, -1, False)
    for _, _, node in events:
        prev.next, node.prev = node, prev
        prev = node
    return head


def _lift(node: _Node) -> None:
    node.prev.next = node.next
    if node.next is not None:
        node.next.prev = node.prev
    ret = node.match
    if ret is not None:
        ret.prev.next = ret.next
        if ret.next is not None:
            ret.next.prev = ret.prev


def _unlift(node: _Node) -> None:
    ret = node.match
    if ret is not None:
        ret.prev.next = ret
        if ret.next is not None:
            ret.next.prev = ret
    node.prev.next = node
    if node.next is not None:
        node.next.prev = node


def search(ops: list[Op], model: EngineModel, budget: Budget) -> SearchResult:
    """Check one partition (a history whose operations may share keys) from the empty keyspace."""
    head = _event_list(ops)
    state: State = ()
    linearized = 0
    known_left = sum(1 for op in ops if not op.unknown)
    seen: set[tuple[int, State]] = set()
    calls: list[tuple[_Node, State]] = []
    best = SearchResult(VIOLATION, 0)
    entry = head.next
    steps_at_start = budget.steps
    while known_left:
        if entry.is_call:
            budget.steps += 1
            if budget.exhausted():
                return SearchResult(UNKNOWN, budget.steps - steps_at_start)
            op = entry.op
            reply, after = model.step(state, op)
            if op.unknown or reply == op.reply:
                key = (linearized | (1 << entry.index), after)
                if key not in seen:
                    seen.add(key)
                    calls.append((entry, state))
                    state, linearized = after, key[0]
                    known_left -= not op.unknown
                    _lift(entry)
                    entry = head.next
                    continue
            entry = entry.next
        else:
            if best.stuck is None or len(calls) > len(best.prefix):
                best = SearchResult(VIOLATION, 0, [n.op for n, _ in calls], state, entry.op)
            if not calls:
                best.steps = budget.steps - steps_at_start
                return best
            entry, state = calls.pop()
            linearized &= ~(1 << entry.index)
            known_left += not entry.op.unknown
            _unlift(entry)
            entry = entry.next
    return SearchResult(OK, budget.steps - steps_at_start, [n.op for n, _ in calls], state)


# -- partitions ----------------------------------------------------------------------------------------------------
def partitions(ops: list[Op], model: EngineModel) -> list[list[Op]]:
    """Groups of operations that share keys, transitively; a keyless operation joins everything."""
    parent: dict[bytes, bytes] = {}

    def root(key: bytes) -> bytes:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keyed: list[tuple[Op, frozenset[bytes]]] = []
    for op in ops:
        keys = model.keys_of(op)
        if keys is None:
            return [list(ops)]
        keyed.append((op, keys))
        first = None
        for key in keys:
            parent.setdefault(key, key)
            if first is None:
                first = root(key)
            else:
                parent[root(key)] = first
    groups: dict[bytes, list[Op]] = {}
    for op, keys in keyed:
        groups.setdefault(root(next(iter(keys))), []).append(op)
    return list(groups.values())

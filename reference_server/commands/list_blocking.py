"""Blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH.

Each tries its non-blocking step first. When nothing is there it blocks (see blocking.py); when a key it waits on
gets data, the whole step is run again, as Redis 7.2+ re-executes the command, so a wrong-typed key among several
gives WRONGTYPE then too. Inside MULTI/EXEC and scripts Redis never blocks: the timeout reply comes at once.
"""
from __future__ import annotations

from ..blocking import parse_timeout_ms, serve_or_block
from . import command
from .list import first_nonempty, get_list, move, parse_mpop, parse_side, pop_from


def _pop_first(keys: list[bytes], head: bool, count: int | None):
    """The step of BLPOP/BRPOP (one element, `count` None) and BLMPOP (a list of up to `count`): pop from the first
    non-empty list of `keys`, or None when all are empty."""

    def step(engine_, client_):
        db = engine_.db(client_)
        found = first_nonempty(db, keys)
        if found is None:
            return None
        key, lst = found
        popped = pop_from(engine_, db, key, lst, count or 1, head)
        return [key, popped if count is not None else popped[0]]

    return step


def _bpop(engine, client, argv, head: bool):
    deadline = parse_timeout_ms(engine, argv[-1])
    keys = list(argv[1:-1])
    return serve_or_block(engine, client, keys, deadline, _pop_first(keys, head, None), argv[0].decode().lower())


@command("blpop")
def blpop(engine, client, argv):
    return _bpop(engine, client, argv, head=True)


@command("brpop")
def brpop(engine, client, argv):
    return _bpop(engine, client, argv, head=False)


@command("blmpop")
def blmpop(engine, client, argv):
    keys, head, count = parse_mpop(argv, 2)
    deadline = parse_timeout_ms(engine, argv[1])
    return serve_or_block(engine, client, keys, deadline, _pop_first(keys, head, count), "blmpop")


def _bmove(engine, client, src: bytes, dst: bytes, from_head: bool, to_head: bool, timeout: bytes, name: str):
    deadline = parse_timeout_ms(engine, timeout)

    def step(engine_, client_):
        if get_list(engine_.db(client_), src) is None:
            return None
        return move(engine_, client_, src, dst, from_head, to_head)

    return serve_or_block(engine, client, [src], deadline, step, name, denied=None)  # Redis 8 answers a null bulk here


@command("blmove")
def blmove(engine, client, argv):
    from_head, to_head = parse_side(argv[3]), parse_side(argv[4])
    return _bmove(engine, client, argv[1], argv[2], from_head, to_head, argv[5], "blmove")


@command("brpoplpush")
def brpoplpush(engine, client, argv):
    return _bmove(engine, client, argv[1], argv[2], False, True, argv[3], "brpoplpush")

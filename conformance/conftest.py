"""Conformance cases: each asserts Redis 8.2's exact reply; a case is right when it passes on live Redis 8.2.3."""
from __future__ import annotations

import pytest

from forkdiff.client import Connection
from forkdiff.types import Kind

from .asserts import assert_ok
from .plugin import CALLS


@pytest.fixture
def config(conn, connect_client):
    """config(name, value): CONFIG SET for one case; the old values come back afterwards, on a connection of
    their own (the target outlives the case, and the case may have broken or blocked `conn`)."""
    saved: dict[str, bytes] = {}

    def set_(name: str, value) -> None:
        if name not in saved:
            reply = conn.call("CONFIG", "GET", name)
            if reply.kind in (Kind.MAP, Kind.ARRAY) and not reply.value:
                # a set-up parameter the target lacks: the case is not measurable there (its own case counts it)
                getattr(conn, "unknown", set()).add(f"config {name}")
                raise AssertionError(f"CONFIG GET {name}: the target has no such parameter")
            saved[name] = reply.value[0][1].value if reply.kind is Kind.MAP else reply.value[1].value
        assert_ok(conn.call("CONFIG", "SET", name, value))

    yield set_
    if saved:
        restore = connect_client()
        for name, value in saved.items():
            restore.call("CONFIG", "SET", name, value)


@pytest.fixture
def raw_client(request, target):
    """Fresh connections with nothing sent yet: no AUTH, no HELLO (so RESP2); their calls go into the case's repro."""
    opened: list[Connection] = []

    def factory() -> Connection:
        c = Connection(*target.address)
        c.log = request.node.stash.setdefault(CALLS, [])
        opened.append(c)
        return c

    yield factory
    for c in opened:
        c.close()

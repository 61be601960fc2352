"""Small helpers that conformance cases of several groups share: reading a value's encoding, building replies."""
from __future__ import annotations

import time
from functools import lru_cache

import pytest

from forkdiff.spec import load_spec
from forkdiff.types import Reply, array, integer

MODULE_COMMANDS_SINCE = "8.0.0"  # the vector-set commands, built into Redis from 8.0; the spec gives them no version


def encoding(conn, key: str) -> bytes:
    """OBJECT ENCODING of `key`: which compact or full representation the server chose."""
    return conn.call("OBJECT", "ENCODING", key).value


def expect_encoding(conn, key: str, want: bytes) -> None:
    """A fixture's check that it built the representation a case is about; a server without OBJECT ENCODING
    cannot show it, and the case still tests the command's replies there."""
    reply = conn.call("OBJECT", "ENCODING", key)
    if not (reply.is_error and "unknown" in reply.value.lower()):
        assert reply.value == want, f"OBJECT ENCODING {key}: {reply.value!r}, the case needs {want!r}"


def ints(*values: int) -> Reply:
    """An array of integers, as BITFIELD, HEXPIRE/HTTL and the like reply."""
    return array(*(integer(v) for v in values))


def wait_blocked(conn, count: int, limit_s: float = 5.0) -> None:
    """Wait until the server reports `count` blocked clients, so that what the case does next cannot overtake a
    blocking command sent on another connection (a missing reply alone does not show the server has read it)."""
    deadline = time.monotonic() + limit_s
    while True:
        info = conn.call("INFO", "clients").value
        text = info[1] if isinstance(info, tuple) else info
        if isinstance(text, bytes):
            text = text.decode()
        if f"blocked_clients:{count}\r" in text:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {count} blocked clients")
        time.sleep(0.005)


@lru_cache(maxsize=None)
def _since(name: str) -> str:
    entry = load_spec().get(name.upper())
    if entry is None:
        return ""
    return entry.since or (MODULE_COMMANDS_SINCE if entry.group == "module" else "")


def since_marks(commands) -> list:
    """A `since` mark for the newest Redis version among the commands a table-driven case runs, so that older Redis
    skips the case as it skips the per-command cases of those commands (other products still run it)."""
    versions = [_since(command[0]) for command in commands if command]
    newest = max((v for v in versions if v), key=lambda v: tuple(int(p) for p in v.split(".")), default="")
    return [pytest.mark.since(newest)] if newest else []

"""Small helpers that conformance cases of several groups share: reading a value's encoding, building replies."""
from __future__ import annotations

from forkdiff.types import Reply, array, integer


def encoding(conn, key: str) -> bytes:
    """OBJECT ENCODING of `key`: which compact or full representation the server chose."""
    return conn.call("OBJECT", "ENCODING", key).value


def ints(*values: int) -> Reply:
    """An array of integers, as BITFIELD, HEXPIRE/HTTL and the like reply."""
    return array(*(integer(v) for v in values))

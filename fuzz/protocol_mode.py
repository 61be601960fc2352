"""Protocol mode: malformed RESP frames sent to every target; the replies and the connection handling compared.

For each frame a fresh connection sends it, then reads what comes back (replies until a protocol error, a close or
a short quiet period), then notes whether the server closed the connection. The frames are a fixed base set
(Redis's protocol errors) plus seeded random mutations of valid frames.
"""
from __future__ import annotations

import random
from typing import Any, Mapping

from forkdiff.client import Connection
from forkdiff.types import Kind, Reply

BASE_FRAMES = [
    b"*1\r\nx\r\n",
    b"*1\r\n$-5\r\n",
    b"*1\r\n$abc\r\n",
    b"*1\r\n$1073741824\r\n",
    b"*abc\r\n",
    b"*4294967296\r\n",
    b"*-1\r\nPING\r\n",
    b"*0\r\nPING\r\n",
    b'SET a "b\r\n',
    b"SET a 'b'c\r\n",
    b"*" + b"1" * 70000,
    b"*1\r\n$" + b"1" * 70000,
    b"A" * 70000,
    b"*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n",
    b"*1\r\n$4\r\nPING\r\n*1\r\nx\r\n",
    b"PING\r\n*2\r\n$4\r\nECHO\r\n:5\r\n",
    b"\r\n\r\nPING\r\n",
    b"ECHO \"a\\x41\"\r\n",
    b"*1\r\n+PING\r\n",
    b"*2\r\n$4\r\nECHO\r\n$-1\r\n",
]


def mutated_frames(count: int, seed: int = 0) -> list[bytes]:
    """Valid command frames with one byte changed, dropped or duplicated, deterministic for a seed."""
    rng = random.Random(seed)
    valid = [b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n", b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
             b"*1\r\n$4\r\nPING\r\n"]
    out = []
    for _ in range(count):
        frame = bytearray(rng.choice(valid))
        i = rng.randrange(len(frame))
        op = rng.randrange(3)
        if op == 0:
            frame[i] = rng.choice(b"*$:+-x0\r\n9")
        elif op == 1:
            del frame[i]
        else:
            frame.insert(i, frame[i])
        out.append(bytes(frame))
    return out


def probe_frame(address: tuple[str, int], frame: bytes, quiet_s: float) -> dict:
    """What a server does with one frame: the replies it sends, and whether it then closes the connection."""
    replies: list[Reply] = []
    with Connection(*address, timeout=quiet_s) as conn:
        conn.send_raw(frame)
        while len(replies) < 8:
            r = conn.read_reply(quiet_s)
            if r.kind is Kind.TIMEOUT:
                return {"replies": replies, "closed": False}
            if r.kind is Kind.CLOSED:
                return {"replies": replies, "closed": True}
            replies.append(r)
            if r.is_error and "Protocol error" in str(r.value):
                return {"replies": replies, "closed": conn.is_closed(quiet_s * 4)}
    return {"replies": replies, "closed": False}


def _view(outcome: Mapping) -> dict:
    return {"replies": [str(r) for r in outcome["replies"]], "closed": outcome["closed"]}


def run_protocol_mode(targets: Mapping[str, Any], reference: str, *, timeout: float = 0.3, mutations: int = 40,
                      seed: int = 0) -> dict:
    frames = BASE_FRAMES + mutated_frames(mutations, seed)
    differences = []
    for frame in frames:
        outcomes = {name: _view(probe_frame(t.address, frame, timeout)) for name, t in targets.items()}
        expected = outcomes[reference]
        for name, got in outcomes.items():
            if name != reference and got != expected:
                differences.append({"frame": frame[:80].decode("latin-1"), "target": name, "expected": expected,
                                    "got": got})
    return {"frames": len(frames), "reference": reference, "differences": differences}

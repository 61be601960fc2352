"""The CLIENT LIST / CLIENT INFO line: Redis 8.2's fields in Redis 8.2's order.

Values that describe Redis's own memory layout (buffer sizes, tot-mem) are modelled on what an idle Redis 8.2
connection reports, so the line has the same shape; they are not measurements of this server.
"""
from __future__ import annotations

from typing import Any

from ..util import as_text

QUERY_BUFFER_SIZE = 20474  # qbuf + qbuf-free of a connection reading a small command
REPLY_BUFFER_SIZE = 16384
BASE_CLIENT_MEMORY = 17280

CLIENT_TYPES = {b"normal": "normal", b"slave": "replica", b"replica": "replica", b"master": "master",
                b"pubsub": "pubsub"}


def subscriptions(engine: Any, client: Any) -> tuple[int, int, int]:
    """(channels, patterns, shard channels) as the pub/sub module reports them; none without it."""
    count = engine.extensions.get("subscription_counts")
    return count(client) if count is not None else (0, 0, 0)


def client_type(engine: Any, client: Any) -> str:
    return "pubsub" if any(subscriptions(engine, client)) else "normal"


def _flags(engine: Any, client: Any) -> str:
    tracking = client.extra.get("tracking")
    marks = [("P", client_type(engine, client) == "pubsub"), ("x", client.in_multi),
             ("b", client.blocked is not None), ("t", tracking is not None),
             ("R", bool(tracking and tracking.get("broken_redirect"))), ("B", bool(tracking and tracking.get("bcast"))),
             ("d", client.dirty_cas), ("c", client.close_after_reply), ("e", client.no_evict), ("T", client.no_touch)]
    return "".join(mark for mark, on in marks if on) or "N"


def _multi_memory(client: Any) -> int:
    """Redis counts each queued command's argument bytes plus one pointer per argument."""
    return sum(sum(map(len, argv)) + 8 * len(argv) for _spec, _handler, argv in client.queue)


def _request_size(argv: list[bytes]) -> int:
    """The command's size as a RESP request: what sits in the query buffer while it runs."""
    return len(b"*%d\r\n" % len(argv)) + sum(len(b"$%d\r\n\r\n" % len(a)) + len(a) for a in argv)


def info_line(engine: Any, client: Any, caller: Any, argv: list[bytes]) -> str:
    """One client's line; `caller` is the client running CLIENT LIST/INFO (`argv` its command)."""
    now_ms = engine.now_ms()
    current = client is caller
    qbuf = _request_size(argv) if current else 0
    argv_mem = sum(map(len, argv)) if current else 0
    multi_mem = _multi_memory(client)
    sub, psub, ssub = subscriptions(engine, client)
    tracking = client.extra.get("tracking")
    fields = [
        ("id", client.id), ("addr", client.addr), ("laddr", client.laddr), ("fd", client.fd),
        ("name", as_text(client.name)), ("age", now_ms // 1000 - client.created_ms // 1000),
        ("idle", 0 if current else (now_ms - client.last_interaction_ns // 1_000_000) // 1000),
        ("flags", _flags(engine, client)), ("db", client.db), ("sub", sub), ("psub", psub), ("ssub", ssub),
        ("multi", len(client.queue) if client.in_multi else -1),
        ("watch", 0 if client.dirty_cas else len(client.watched)),
        ("qbuf", qbuf), ("qbuf-free", max(QUERY_BUFFER_SIZE - qbuf, 0) if current else 0),
        ("argv-mem", argv_mem), ("multi-mem", multi_mem), ("rbs", REPLY_BUFFER_SIZE), ("rbp", REPLY_BUFFER_SIZE),
        ("obl", 0), ("oll", 0), ("omem", 0),
        ("tot-mem", BASE_CLIENT_MEMORY + multi_mem + argv_mem + (QUERY_BUFFER_SIZE if current else 0)),
        ("events", "r"), ("cmd", client.last_command), ("user", client.user),
        ("redir", tracking.get("redirect", 0) if tracking else -1), ("resp", client.resp),
        ("lib-name", as_text(client.lib_name)), ("lib-ver", as_text(client.lib_ver)), ("io-thread", 0),
        ("tot-net-in", client.net_in), ("tot-net-out", client.net_out), ("tot-cmds", client.commands_processed),
    ]
    return " ".join(f"{key}={value}" for key, value in fields)

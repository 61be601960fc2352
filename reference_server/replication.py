"""The instance's replication role: master, or replica of HOST PORT.

REPLICAOF makes the instance a replica as Redis does: ROLE and INFO replication say so, and with replica-read-only
(the default) normal clients' writes get READONLY. The reference does not fetch its master's dataset: the link
stays in Redis's "connect" state (master_link_status:down), which is what Redis shows until a master answers.
REPLICAOF NO ONE makes it a master again with a new replication id, the old one kept as replid2.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_NO_ID = "0" * 40


@dataclass
class Replication:
    replid: str
    replid2: str = _NO_ID
    second_offset: int = -1
    master: tuple[str, int] | None = None
    sync_attempts: int = 0
    extra: dict = field(default_factory=dict)


def state(engine: Any) -> Replication:
    found = engine.extensions.get("replication")
    if found is None:
        found = engine.extensions.setdefault("replication", Replication(_new_id(engine)))
    return found


def _new_id(engine: Any) -> str:
    return "%040x" % engine.rng.getrandbits(160)


def is_replica(engine: Any) -> bool:
    found = engine.extensions.get("replication")
    return found is not None and found.master is not None


def is_readonly_replica(engine: Any) -> bool:
    found = engine.extensions.get("replication")
    return found is not None and found.master is not None and engine.config.get("replica-read-only") == "yes"


def start_replica(engine: Any, host: str, port: int) -> bool:
    """Become a replica of host:port; False when already one of that very master."""
    repl = state(engine)
    if repl.master == (host, port):
        return False
    if repl.master is None:  # a master turning replica keeps its history as the id to continue from
        repl.replid2, repl.second_offset = _NO_ID, -1
    repl.master = (host, port)
    repl.sync_attempts = 1
    return True


def stop_replica(engine: Any) -> None:
    """REPLICAOF NO ONE: a master with a new replication id, the previous one kept as the secondary."""
    repl = state(engine)
    if repl.master is None:
        return
    repl.replid2, repl.second_offset = repl.replid, 1
    repl.replid = _new_id(engine)
    repl.master = None


def role_reply(engine: Any) -> list:
    repl = state(engine)
    if repl.master is None:
        return [b"master", 0, []]
    host, port = repl.master
    return [b"slave", host.encode(), port, b"connect", -1]


def info_fields(engine: Any) -> list[tuple[str, Any]]:
    repl = state(engine)
    fields: list[tuple[str, Any]] = []
    if repl.master is None:
        fields.append(("role", "master"))
    else:
        host, port = repl.master
        read_only = int(engine.config.get("replica-read-only") == "yes")
        fields += [("role", "slave"), ("master_host", host), ("master_port", port),
                   ("master_link_status", "down"), ("master_last_io_seconds_ago", -1),
                   ("master_sync_in_progress", 0), ("slave_read_repl_offset", 0), ("slave_repl_offset", 0),
                   ("replica_full_sync_buffer_size", 0), ("replica_full_sync_buffer_peak", 0),
                   ("master_current_sync_attempts", repl.sync_attempts),
                   ("master_total_sync_attempts", repl.sync_attempts), ("master_link_down_since_seconds", -1),
                   ("total_disconnect_time_sec", 0), ("slave_priority", 100), ("slave_read_only", read_only),
                   ("replica_announced", 1)]
    fields += [("connected_slaves", 0), ("master_failover_state", "no-failover"), ("master_replid", repl.replid),
               ("master_replid2", repl.replid2), ("master_repl_offset", 0),
               ("second_repl_offset", repl.second_offset), ("repl_backlog_active", 0),
               ("repl_backlog_size", 1048576), ("repl_backlog_first_byte_offset", 0), ("repl_backlog_histlen", 0)]
    return fields

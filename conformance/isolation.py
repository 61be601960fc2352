"""Every case starts from the server state the target had when it started, not just from an empty keyspace.

A case may change more than keys: CONFIG values, the replication role, ACL users, cached scripts and function
libraries, a client pause. After each case `restore` compares the server with the `Baseline` taken at start and
undoes what differs; when the server no longer answers, is another process, or stays unwritable after the
undo, the target is *broken* and the caller restarts it, recording the break against the case that caused it
(never against the cases after it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from forkdiff.client import Connection
from forkdiff.types import Command, Kind, Reply

CHECK_TIMEOUT = 3.0  # seconds a healthy server needs at most for the handful of commands below
PROBE_KEY = "forkdiff:isolation:probe"
ROLE_SETTINGS = (b"replicaof", b"slaveof")  # put back by REPLICAOF NO ONE, not by CONFIG SET
NOAUTH = "\0noauth"  # not a run_id any server reports


@dataclass(frozen=True)
class Baseline:
    """What a target looked like right after it started."""
    run_id: str
    config: dict[bytes, bytes]
    acl: tuple[bytes, ...]
    replication: tuple[str, ...] = ()  # the replication history (master_replid2, second_repl_offset)


@dataclass
class Restored:
    """What `restore` found: the settings it put back, and why the target is broken (None when it is not)."""
    undone: list[str] = field(default_factory=list)
    broken: str | None = None
    reset: str | None = None  # a change no command undoes (not a break): a restart puts it back


def take_baseline(address: tuple[str, int], password: str | None = None) -> Baseline:
    with _open(address, password) as c:
        state = _look(c)
        c.call("DEL", PROBE_KEY)
    return Baseline(_run_id(state["info"]), _config(state["config"]), _acl(state["acl"]),
                    _history(state["replication"]))


def restore(address: tuple[str, int], baseline: Baseline, password: str | None = None) -> Restored:
    """Undo a case's changes to server state; `broken` says why the target must be restarted instead."""
    out = Restored()
    try:
        c = _open(address, password)
    except OSError as exc:
        out.broken = f"stopped accepting connections ({exc.strerror or exc})"
        return out
    with c:
        # A lone command first: it waits out a client pause the case left running (its time ends it), so the
        # pipelined look that follows is read as one burst by any server.
        c.call("PING")
        state = _look(c)
        run_id = _run_id(state["info"])
        if run_id != baseline.run_id:
            out.broken = {"": "not answering", NOAUTH: "asking for a password (requirepass left set)"}.get(
                run_id, "restarted by itself (another run_id)")
            return out
        _undo_role(c, state["role"], out)
        history = _history(c.call("INFO", "replication") if out.undone else state["replication"])
        if history != baseline.replication:
            # a server that was a replica, or was told REPLICAOF NO ONE, keeps a shifted replication history
            # (master_replid2, second_repl_offset) that INFO shows: only a restart gives the next case a fresh one
            out.reset = "its replication history changed (INFO replication's second_repl_offset)"
        _undo_config(c, baseline, _config(state["config"]), out)
        _undo_acl(c, baseline, _acl(state["acl"]), out)
        _undo_scripts(c, state["functions"], state["memory"], out)
        written = state["write"] if not out.undone else c.call("SET", PROBE_KEY, "1")
        c.call("DEL", PROBE_KEY)
        out.broken = _unwritable(written)
    return out


_LOOK = {"unpause": ("CLIENT", "UNPAUSE"), "info": ("INFO", "server"), "role": ("ROLE",),
         "config": ("CONFIG", "GET", "*"), "acl": ("ACL", "LIST"), "functions": ("FUNCTION", "LIST"),
         "memory": ("INFO", "memory"), "replication": ("INFO", "replication"), "write": ("SET", PROBE_KEY, "1")}


def _look(c: Connection) -> dict[str, Reply]:
    """Everything the check reads, in one round trip (the pause is lifted before the write is tried)."""
    replies = c.pipeline([Command(tuple(a.encode() for a in args)) for args in _LOOK.values()])
    return dict(zip(_LOOK, replies))


def _open(address: tuple[str, int], password: str | None) -> Connection:
    c = Connection(*address, timeout=CHECK_TIMEOUT, connect_timeout=CHECK_TIMEOUT)
    if password:
        c.call("AUTH", password)
    return c


def _text(reply: Reply) -> str:
    if reply.kind is Kind.BULK:
        return reply.value.decode(errors="replace")
    if reply.kind is Kind.VERBATIM:
        return reply.value[1].decode(errors="replace")
    return ""


def _run_id(reply: Reply) -> str:
    """The server's run_id (another process after a restart); '' when it does not answer INFO at all."""
    if reply.kind in (Kind.TIMEOUT, Kind.CLOSED, Kind.PROTOCOL_ERROR):
        return ""
    if reply.error_code == "NOAUTH":
        return NOAUTH
    for line in _text(reply).splitlines():
        if line.startswith("run_id:"):
            return line[7:].strip()
    return "no run_id"  # a server without the field: constant, so only silence counts as a change


def _history(reply: Reply) -> tuple[str, ...]:
    fields = dict(line.split(":", 1) for line in _text(reply).splitlines() if ":" in line)
    return fields.get("master_replid2", ""), fields.get("second_repl_offset", "")


def _config(reply: Reply) -> dict[bytes, bytes]:
    if reply.kind is Kind.MAP:
        return {k.value: v.value for k, v in reply.value if isinstance(v.value, bytes)}
    if reply.kind is not Kind.ARRAY:
        return {}
    items = reply.value
    return {k.value: v.value for k, v in zip(items[::2], items[1::2]) if isinstance(v.value, bytes)}


def _acl(reply: Reply) -> tuple[bytes, ...]:
    return tuple(x.value for x in reply.value) if reply.kind is Kind.ARRAY else ()


def _undo_role(c: Connection, reply: Reply, out: Restored) -> None:
    if reply.kind is not Kind.ARRAY or not reply.value or reply.value[0].value in (b"master", "master"):
        return
    if c.call("REPLICAOF", "NO", "ONE").is_error:
        c.call("SLAVEOF", "NO", "ONE")
    out.undone.append("replication role (REPLICAOF NO ONE)")


def _undo_config(c: Connection, baseline: Baseline, now: dict[bytes, bytes], out: Restored) -> None:
    if not baseline.config:
        return
    for name, value in baseline.config.items():
        if name in now and now[name] != value and name not in ROLE_SETTINGS:
            c.call("CONFIG", "SET", name, value)
            out.undone.append(f"CONFIG {name.decode(errors='replace')}")


def _undo_acl(c: Connection, baseline: Baseline, now: tuple[bytes, ...], out: Restored) -> None:
    if not baseline.acl or now == baseline.acl:
        return
    wanted = {line.split()[1]: line for line in baseline.acl}
    for line in now:
        user = line.split()[1]
        if user not in wanted:
            c.call("ACL", "DELUSER", user)
    for user, line in wanted.items():
        if line not in now:
            c.call("ACL", "SETUSER", user, "reset", *line.split()[2:])
    out.undone.append("ACL users")


def _undo_scripts(c: Connection, libraries: Reply, memory: Reply, out: Restored) -> None:
    if libraries.kind is Kind.ARRAY and libraries.value:
        c.call("FUNCTION", "FLUSH")
        out.undone.append("function libraries")
    for line in _text(memory).splitlines():
        if line.startswith("number_of_cached_scripts:") and line.split(":", 1)[1].strip() not in ("", "0"):
            c.call("SCRIPT", "FLUSH")
            out.undone.append("script cache")


def _unwritable(reply: Reply) -> str | None:
    """Why the server refused the probe write, or None when it took it."""
    if reply.kind is Kind.SIMPLE:
        return None
    if reply.kind is Kind.TIMEOUT:
        return "not answering a write (paused or hung)"
    if reply.kind in (Kind.CLOSED, Kind.PROTOCOL_ERROR):
        return f"dropped the connection ({reply.value})"
    return f"refusing writes ({str(reply.value)[:120]})"


def _keyspace(c: Connection) -> dict[int, int]:
    """Keys per database, from INFO keyspace."""
    counts: dict[int, int] = {}
    for line in _text(c.call("INFO", "keyspace")).splitlines():
        if line.startswith("db") and ":keys=" in line:
            db, rest = line.split(":", 1)
            counts[int(db[2:])] = int(rest.split(",", 1)[0].split("=", 1)[1])
    return counts


def refuse_unless_empty(target) -> None:
    """A server forkdiff may not flush is used only when it holds no key: the cases then remove what they made."""
    from adapters.base import TargetUnavailable
    with _open(target.address, getattr(target, "password", None)) as c:
        counts = _keyspace(c)
    if any(counts.values()):
        total = sum(counts.values())
        raise TargetUnavailable(f"{target.spec}: holds {total} keys and may not be flushed; the suite needs an empty "
                                "keyspace: add ?flush=1 to the spec if its data may be flushed, or point it at an "
                                "empty server")


def empty_keyspace(address: tuple[str, int], password: str | None = None) -> None:
    """Remove every key of a server that was empty when the run began (so every key is one a case made)."""
    with _open(address, password) as c:
        for db, keys in _keyspace(c).items():
            if not keys:
                continue
            c.call("SELECT", db)
            cursor = b"0"
            while True:
                reply = c.call("SCAN", cursor, "COUNT", 1000)
                if reply.kind is not Kind.ARRAY:
                    break
                cursor, names = reply.value[0].value, [k.value for k in reply.value[1].value]
                if names:
                    c.call("UNLINK", *names)
                if cursor == b"0":
                    break

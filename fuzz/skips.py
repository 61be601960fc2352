"""Which commands a differential fuzzer must not send, and which ones block.

A command is skipped when its effect reaches past one program's keyspace (SHUTDOWN, replication, persistence,
ACL users, client kills), changes the connection so later replies cannot be paired with their commands (MONITOR,
SUBSCRIBE, CLIENT REPLY, HELLO), or answers with values no two servers share (ids, clocks, statistics).
"""
from __future__ import annotations

from forkdiff.spec import CommandSpec

SKIP: dict[str, str] = {
    "shutdown": "stops the server",
    "debug": "crashes or reconfigures the server on purpose",
    "monitor": "turns the connection into an event stream",
    "subscribe": "turns the connection into pub/sub mode",
    "psubscribe": "turns the connection into pub/sub mode",
    "ssubscribe": "turns the connection into pub/sub mode",
    "unsubscribe": "pub/sub mode only",
    "punsubscribe": "pub/sub mode only",
    "sunsubscribe": "pub/sub mode only",
    "sync": "replication handshake",
    "psync": "replication handshake",
    "replconf": "replication handshake",
    "replicaof": "reconfigures replication",
    "slaveof": "reconfigures replication",
    "failover": "reconfigures replication",
    "save": "writes to disk",
    "bgsave": "writes to disk",
    "bgrewriteaof": "writes to disk",
    "migrate": "talks to another server",
    "hello": "switches the protocol and reports connection ids",
    "quit": "closes the connection",
    "info": "statistics differ by nature",
    "time": "the clock",
    "lastsave": "the clock",
    "config|set": "server-wide settings outlive the program",
    "config|rewrite": "writes the config file",
    "config|resetstat": "statistics",
    "config|get": "defaults differ by product and version by design",
    "acl|setuser": "server-wide users outlive the program",
    "acl|deluser": "server-wide users outlive the program",
    "acl|load": "reads a file",
    "acl|save": "writes a file",
    "acl|log": "statistics",
    "acl|genpass": "random by nature",
    "acl|list": "lists server-wide state",
    "acl|users": "lists server-wide state",
    "acl|getuser": "product-specific user details",
    "client|kill": "closes connections",
    "client|pause": "stalls the server",
    "client|unpause": "pairs with CLIENT PAUSE",
    "client|reply": "suppresses replies, breaking pipelining",
    "client|tracking": "sends push messages",
    "client|caching": "pairs with CLIENT TRACKING",
    "client|getredir": "pairs with CLIENT TRACKING",
    "client|trackinginfo": "pairs with CLIENT TRACKING",
    "client|id": "connection ids differ by nature",
    "client|list": "connection ids, ports and ages",
    "client|info": "connection ids, ports and ages",
    "client|no-evict": "server-wide eviction behaviour",
    "command|docs": "version-specific documentation",
    "command|info": "version-specific documentation",
    "command|list": "version-specific command table",
    "command": "version-specific command table",
    "command|count": "version-specific command table",
    "latency": "statistics",
    "slowlog": "statistics",
    "memory": "allocator-specific",
    "object|freq": "needs an LFU policy; statistics",
    "object|idletime": "the clock",
    "object|refcount": "implementation detail",
    "module": "loads code",
    "cluster": "cluster mode only",
    "readonly": "cluster mode only",
    "readwrite": "cluster mode only",
    "asking": "cluster mode only",
    "function|dump": "the serialisation format is version-specific",
    "function|restore": "the serialisation format is version-specific",
    "script|debug": "the Lua debugger takes over the connection",
    "pfdebug": "debugging internals",
    "pfselftest": "debugging internals",
    "lolwut": "art differs by version on purpose",
    "dump": "the serialisation format is version-specific",
    "restore": "the serialisation format is version-specific",
    "restore-asking": "cluster mode only",
    "waitaof": "needs an append-only file",
    "multi": "generated as whole MULTI/EXEC blocks by the program strategy",
    "exec": "generated as whole MULTI/EXEC blocks by the program strategy",
    "discard": "generated as whole MULTI/EXEC blocks by the program strategy",
    "reset": "resets the connection (protocol, selected database)",
    "auth": "kept out: NOAUTH/WRONGPASS texts depend on server setup",
}


def skip_reason(spec: CommandSpec) -> str | None:
    """Why `spec` must not be fuzzed, or None. A container's entry covers all of its subcommands."""
    if spec.group == "module":  # Redis 8.2's only module commands are the vector sets, which the reference has
        return ("vector sets: the spec carries no argument tree to draw them from, and their graph (VLINKS, VINFO, "
                "VRANDMEMBER) is random; conformance/test_vectorset.py covers them")
    if spec.group == "cluster" or spec.name != spec.name.lower():
        return "cluster mode only: the targets run standalone"
    if spec.name in SKIP:
        return SKIP[spec.name]
    if spec.container and spec.container in SKIP:
        return SKIP[spec.container]
    if spec.subcommands and "|" not in spec.name:
        return "a container: its subcommands are fuzzed one by one"
    if "help" in spec.name.split("|")[-1:]:
        return "help text differs by version on purpose"
    return None


BLOCKING_TOKENS = frozenset({b"block"})


def is_blocking(spec: CommandSpec | None, args: tuple[bytes, ...]) -> bool:
    """Whether this command line may wait on the server: it must not be pipelined with others."""
    if spec is None or "blocking" not in spec.flags:
        return False
    if spec.name in ("xread", "xreadgroup"):
        return any(a.lower() in BLOCKING_TOKENS for a in args)
    return True


MAX_WAIT_S = 0.05  # the longest a generated blocking command may wait (its grace covers this, not a long block)


def _seconds(text: bytes) -> float | None:
    """A timeout as Redis's strtold reads it (hexadecimal too, no leading space), or None when it refuses it."""
    t = text.decode("latin-1")
    if not t or t[0].isspace():
        return None
    try:
        return float.fromhex(t) if t.lower().lstrip("+-").startswith("0x") else float(t)
    except ValueError:
        return None


def waits_long(spec: CommandSpec | None, args: tuple[bytes, ...]) -> bool:
    """Whether this blocking line could wait longer than MAX_WAIT_S (or for ever): a deliberately invalid
    variant can turn a tiny timeout into a valid long one (0x10 is 16 seconds to Redis)."""
    if not is_blocking(spec, args) or not args:  # args: the line's arguments, after the command name
        return False
    name = spec.name
    if name in ("xread", "xreadgroup"):
        at = [i for i, a in enumerate(args) if a.lower() == b"block"]
        values, scale = [args[i + 1] for i in at if i + 1 < len(args)], 0.001
    elif name in ("blmpop", "bzmpop"):
        values, scale = [args[0]], 1.0
    elif name in ("wait", "waitaof"):
        values, scale = [args[-1]], 0.001
    else:
        values, scale = [args[-1]], 1.0
    for v in values:
        seconds = _seconds(v)
        if seconds is not None and (seconds == 0 or seconds * scale > MAX_WAIT_S):
            return True
    return False


def unfuzzable_groups(spec, groups) -> dict[str, str]:
    """Each of `groups` (spec spelling) in which no command may be fuzzed, with the reasons its commands give."""
    reasons: dict[str, set[str]] = {}
    fuzzable: set[str] = set()
    for cmd in spec.commands.values():
        container = spec.get(cmd.container) if cmd.container else None
        group = cmd.group or (container.group if container else "")
        if group not in groups:
            continue
        why = skip_reason(cmd)
        if why is None:
            fuzzable.add(group)
        elif not why.startswith("a container"):
            reasons.setdefault(group, set()).add(why)
    return {g: "; ".join(sorted(reasons.get(g, {"no command in the spec"})))
            for g in groups if g not in fuzzable and g != "all"}

"""Server configuration the reference honours: CONFIG GET/SET read and write this table.

Each parameter has a default (as Redis 8.2 reports it) and a kind that validates CONFIG SET values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


INT_MIN, INT_MAX, UINT_MAX, LLONG_MAX = -(1 << 31), (1 << 31) - 1, (1 << 32) - 1, (1 << 63) - 1


@dataclass(frozen=True)
class Param:
    name: str
    default: str
    kind: str = "string"  # string | int | uint | bool | memory | memory-percent | enum | save | events
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    aliases: tuple[str, ...] = ()
    immutable: bool = False
    hidden: bool = False  # Redis's HIDDEN_CONFIG: settable and readable by name, left out of pattern matches
    listener: bool = False  # where the server listens: CONFIG SET accepts the address it already listens on


_PROTECTED_CHOICES = ("no", "yes", "local")  # DEBUG, MODULE and protected configs: never, always, loopback only

PARAMS: list[Param] = [
    Param("databases", "16", "int", immutable=True),
    Param("port", "6379", "int", minimum=0, maximum=65535, listener=True),
    Param("bind", "127.0.0.1", listener=True),
    Param("requirepass", ""),
    Param("proto-max-bulk-len", "536870912", "memory", minimum=1024 * 1024, maximum=LLONG_MAX),
    Param("client-query-buffer-limit", "1073741824", "memory", minimum=1024 * 1024, maximum=LLONG_MAX),
    Param("maxmemory", "0", "memory"),
    Param("maxmemory-policy", "noeviction", "enum", ("volatile-lru", "volatile-lfu", "volatile-random",
                                                     "volatile-ttl", "allkeys-lru", "allkeys-lfu",
                                                     "allkeys-random", "noeviction")),
    Param("timeout", "0", "int", minimum=0, maximum=INT_MAX),
    Param("hz", "10", "int", minimum=0, maximum=INT_MAX),
    Param("save", "", "save"),
    Param("appendonly", "no", "bool"),
    Param("rdbcompression", "yes", "bool"),
    Param("lazyfree-lazy-user-del", "no", "bool"),
    Param("lazyfree-lazy-user-flush", "no", "bool"),
    Param("list-max-listpack-size", "-2", "int", minimum=INT_MIN, maximum=INT_MAX, aliases=("list-max-ziplist-size",)),
    Param("list-compress-depth", "0", "int", minimum=0, maximum=INT_MAX),
    Param("hash-max-listpack-entries", "512", "uint", minimum=0, maximum=LLONG_MAX, aliases=("hash-max-ziplist-entries",)),
    Param("hash-max-listpack-value", "64", "memory", minimum=0, aliases=("hash-max-ziplist-value",)),
    Param("set-max-intset-entries", "512", "uint", minimum=0, maximum=LLONG_MAX),
    Param("set-max-listpack-entries", "128", "uint", minimum=0, maximum=LLONG_MAX),
    Param("set-max-listpack-value", "64", "uint", minimum=0, maximum=LLONG_MAX),
    Param("zset-max-listpack-entries", "128", "uint", minimum=0, maximum=LLONG_MAX, aliases=("zset-max-ziplist-entries",)),
    Param("zset-max-listpack-value", "64", "memory", minimum=0, aliases=("zset-max-ziplist-value",)),
    Param("notify-keyspace-events", "", "events"),
    Param("slowlog-log-slower-than", "10000", "int", minimum=-1, maximum=LLONG_MAX),
    Param("slowlog-max-len", "128", "int", minimum=0, maximum=LLONG_MAX),
    Param("io-threads", "1", "int", immutable=True),
    Param("maxclients", "10000", "uint", minimum=1, maximum=UINT_MAX),
    Param("busy-reply-threshold", "5000", "int", minimum=0, maximum=LLONG_MAX, aliases=("lua-time-limit",)),
    Param("hll-sparse-max-bytes", "3000", "memory", minimum=0),
    Param("stream-node-max-bytes", "4096", "memory", minimum=0),
    Param("stream-node-max-entries", "100", "int", minimum=0, maximum=LLONG_MAX),
    Param("lfu-log-factor", "10", "int", minimum=0, maximum=INT_MAX),
    Param("lfu-decay-time", "1", "int", minimum=0, maximum=INT_MAX),
    Param("maxmemory-samples", "5", "int", minimum=1, maximum=64),
    Param("maxmemory-eviction-tenacity", "10", "int", minimum=0, maximum=100),
    Param("maxmemory-clients", "0", "memory-percent"),
    Param("active-expire-effort", "1", "int", minimum=1, maximum=10),
    Param("lazyfree-lazy-eviction", "no", "bool"),
    Param("lazyfree-lazy-expire", "no", "bool"),
    Param("lazyfree-lazy-server-del", "no", "bool"),
    Param("latency-tracking", "yes", "bool"),
    Param("latency-monitor-threshold", "0", "int", minimum=0, maximum=LLONG_MAX),
    Param("tracking-table-max-keys", "1000000", "uint", minimum=0, maximum=LLONG_MAX),
    Param("tcp-keepalive", "300", "int", minimum=0, maximum=INT_MAX),
    Param("protected-mode", "yes", "bool"),
    Param("appendfsync", "everysec", "enum", ("everysec", "always", "no")),
    Param("enable-debug-command", "no", "enum", _PROTECTED_CHOICES, immutable=True),
    Param("enable-module-command", "no", "enum", _PROTECTED_CHOICES, immutable=True),
    Param("enable-protected-configs", "no", "enum", _PROTECTED_CHOICES, immutable=True),
    Param("replica-read-only", "yes", "bool", aliases=("slave-read-only",)),
    Param("replica-serve-stale-data", "yes", "bool", aliases=("slave-serve-stale-data",)),
    Param("repl-ping-replica-period", "10", "int", minimum=1, maximum=INT_MAX, aliases=("repl-ping-slave-period",)),
    Param("min-replicas-to-write", "0", "int", minimum=0, maximum=INT_MAX, aliases=("min-slaves-to-write",)),
    Param("min-replicas-max-lag", "10", "int", minimum=0, maximum=INT_MAX, aliases=("min-slaves-max-lag",)),
    # Settings of subsystems the reference does not have (AOF, RDB files, defragmentation, the replication
    # backlog): kept and reported as Redis keeps them, without effect.
    Param("aof-use-rdb-preamble", "yes", "bool"),
    Param("auto-aof-rewrite-percentage", "100", "int", minimum=0, maximum=INT_MAX),
    Param("rdb-key-save-delay", "0", "int", minimum=INT_MIN, maximum=INT_MAX, hidden=True),
    Param("key-load-delay", "0", "int", minimum=INT_MIN, maximum=INT_MAX, hidden=True),
    Param("loading-process-events-interval-bytes", "2097152", "int", minimum=1024, maximum=INT_MAX, hidden=True),
    Param("repl-backlog-size", "1048576", "memory", minimum=1, maximum=LLONG_MAX),
    Param("repl-backlog-ttl", "3600", "int", minimum=0, maximum=LLONG_MAX),
    Param("repl-diskless-sync", "yes", "bool"),
    Param("repl-diskless-sync-delay", "5", "int", minimum=0, maximum=INT_MAX),
    Param("repl-diskless-load", "disabled", "enum", ("disabled", "on-empty-db", "swapdb")),
    Param("repl-timeout", "60", "int", minimum=1, maximum=INT_MAX),
    Param("repl-rdb-channel", "yes", "bool", hidden=True),
    Param("loglevel", "notice", "enum", ("debug", "verbose", "notice", "warning", "nothing")),
    Param("propagation-error-behavior", "ignore", "enum", ("ignore", "panic", "panic-on-replicas")),
    Param("dynamic-hz", "yes", "bool"),
    Param("crash-memcheck-enabled", "yes", "bool"),
    Param("hide-user-data-from-log", "no", "bool"),
    Param("activedefrag", "no", "bool"),
    Param("active-defrag-cycle-min", "1", "int", minimum=1, maximum=99),
    Param("active-defrag-cycle-max", "25", "int", minimum=1, maximum=99),
    Param("active-defrag-threshold-lower", "10", "int", minimum=0, maximum=1000),
    Param("active-defrag-threshold-upper", "100", "int", minimum=0, maximum=1000),
    Param("active-defrag-ignore-bytes", "104857600", "memory", minimum=1, maximum=LLONG_MAX),
    Param("active-defrag-max-scan-fields", "1000", "int", minimum=1, maximum=LLONG_MAX),
    # TLS settings of a server that serves no TLS port (tls-port 0): kept as Redis keeps them
    Param("tls-key-file-pass", ""),
    Param("tls-client-key-file-pass", ""),
    Param("tls-cluster", "no", "bool"),
    Param("tls-replication", "no", "bool"),
    Param("tls-auth-clients", "yes", "enum", ("no", "yes", "optional")),
    Param("tls-prefer-server-ciphers", "no", "bool"),
    Param("tls-session-caching", "yes", "bool"),
    Param("tls-session-cache-size", "20480", "int", minimum=0, maximum=INT_MAX),
    Param("tls-session-cache-timeout", "300", "int", minimum=0, maximum=INT_MAX),
    Param("tls-ciphers", ""),
    Param("tls-ciphersuites", ""),
    Param("tls-protocols", ""),
    Param("masterauth", ""),
    Param("masteruser", ""),
    Param("cluster-enabled", "no", immutable=True),
    Param("daemonize", "no", immutable=True),
]


class Config:
    def __init__(self, **overrides: str) -> None:
        self.params = {p.name: p for p in PARAMS}
        self.aliases = {a: p.name for p in PARAMS for a in p.aliases}
        self.values = {p.name: p.default for p in PARAMS}
        self.listeners: list[Callable[[str, str], None]] = []
        for k, v in overrides.items():
            self.values[self.canonical(k.replace("_", "-"))] = v

    def canonical(self, name: str) -> str:
        name = name.lower()
        return self.aliases.get(name, name)

    def get(self, name: str) -> str:
        return self.values[self.canonical(name)]

    def get_int(self, name: str) -> int:
        return int(self.values[self.canonical(name)])

    @property
    def requirepass(self) -> str:
        return self.values["requirepass"]

    def set(self, name: str, value: str) -> None:
        self.values[self.canonical(name)] = value
        for listener in self.listeners:
            listener(self.canonical(name), value)

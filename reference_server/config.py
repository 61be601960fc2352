"""Server configuration the reference honours: CONFIG GET/SET read and write this table.

Each parameter has a default (as Redis 8.2 reports it) and a kind that validates CONFIG SET values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Param:
    name: str
    default: str
    kind: str = "string"  # string | int | bool | memory | enum
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    aliases: tuple[str, ...] = ()
    immutable: bool = False


PARAMS: list[Param] = [
    Param("databases", "16", "int", immutable=True),
    Param("port", "6379", "int", immutable=True),
    Param("bind", "127.0.0.1", immutable=True),
    Param("requirepass", ""),
    Param("proto-max-bulk-len", "536870912", "memory", minimum=1024 * 1024),
    Param("client-query-buffer-limit", "1073741824", "memory", minimum=1024 * 1024),
    Param("maxmemory", "0", "memory"),
    Param("maxmemory-policy", "noeviction", "enum", ("volatile-lru", "volatile-lfu", "volatile-random",
                                                     "volatile-ttl", "allkeys-lru", "allkeys-lfu",
                                                     "allkeys-random", "noeviction")),
    Param("timeout", "0", "int", minimum=0),
    Param("hz", "10", "int", minimum=0),
    Param("save", ""),
    Param("appendonly", "no", "bool"),
    Param("lazyfree-lazy-user-del", "no", "bool"),
    Param("lazyfree-lazy-user-flush", "no", "bool"),
    Param("list-max-listpack-size", "-2", "int", aliases=("list-max-ziplist-size",)),
    Param("list-compress-depth", "0", "int", minimum=0),
    Param("hash-max-listpack-entries", "128", "int", minimum=0, aliases=("hash-max-ziplist-entries",)),
    Param("hash-max-listpack-value", "64", "int", minimum=0, aliases=("hash-max-ziplist-value",)),
    Param("set-max-intset-entries", "512", "int", minimum=0),
    Param("set-max-listpack-entries", "128", "int", minimum=0),
    Param("set-max-listpack-value", "64", "int", minimum=0),
    Param("zset-max-listpack-entries", "128", "int", minimum=0, aliases=("zset-max-ziplist-entries",)),
    Param("zset-max-listpack-value", "64", "int", minimum=0, aliases=("zset-max-ziplist-value",)),
    Param("notify-keyspace-events", ""),
    Param("slowlog-log-slower-than", "10000", "int"),
    Param("slowlog-max-len", "128", "int", minimum=0),
    Param("io-threads", "1", "int", immutable=True),
    Param("maxclients", "10000", "int", minimum=1),
    Param("lua-time-limit", "5000", "int", aliases=("busy-reply-threshold",)),
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

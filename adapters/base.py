"""The Target protocol: a server with a lifecycle, an address and probed capabilities."""
from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from forkdiff.client import connect
from forkdiff.types import Kind


class TargetUnavailable(RuntimeError):
    """The target cannot be started here; the message says why (shown to users as-is)."""


@dataclass(frozen=True)
class Capabilities:
    product: str  # redis | valkey | dragonfly | keydb | garnet | reference | unknown
    version: str
    resp3: bool = True
    commands: frozenset[str] = field(default_factory=frozenset)
    info: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return version_tuple(self.version)


def version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3]) or (0,)


@runtime_checkable
class Target(Protocol):
    spec: str
    capabilities: Capabilities | None
    may_flush: bool

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def restart(self) -> None: ...
    @property
    def address(self) -> tuple[str, int]: ...
    def is_alive(self) -> bool: ...
    def log_tail(self, lines: int = 40) -> str: ...


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def parse_info(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def probe(address: tuple[str, int], password: str | None = None) -> Capabilities:
    """Product and version from INFO server; RESP3 support from HELLO 3; the command list from COMMAND LIST."""
    with connect(address, password=password) as c:
        r = c.call("INFO", "server")
        info = parse_info(r.value.decode() if r.kind is Kind.BULK else "")
        hello = c.call("HELLO", "3")
        resp3 = hello.kind is Kind.MAP
        if resp3:
            c.call("HELLO", "2")
        commands = listed_commands(c)
    product, version = identify(info)
    return Capabilities(product, version, resp3, commands, info)


def listed_commands(c) -> frozenset[str]:
    """The server's command names: COMMAND LIST (Redis 7+), else the names in COMMAND's full table (older servers
    and forks without LIST), else COMMAND INFO of every command of the spec (a nil entry is a missing command)."""
    reply = c.call("COMMAND", "LIST")
    if reply.kind is Kind.ARRAY and reply.value:
        return frozenset(x.value.decode().lower() for x in reply.value)
    reply = c.call("COMMAND")
    if reply.kind is Kind.ARRAY and reply.value:
        # a name is a bulk string in Redis's table, a simple string in Dragonfly's
        return frozenset((n.decode() if isinstance(n, bytes) else n).lower()
                         for e in reply.value if e.kind is Kind.ARRAY and e.value
                         for n in [e.value[0].value] if isinstance(n, (bytes, str)))
    from forkdiff.spec import load_spec
    names = sorted(c.name for c in load_spec().top_level())
    reply = c.call("COMMAND", "INFO", *names)
    if reply.kind is not Kind.ARRAY or len(reply.value) != len(names):
        return frozenset()
    return frozenset(n for n, e in zip(names, reply.value) if e.kind is Kind.ARRAY)


def identify(info: dict[str, str]) -> tuple[str, str]:
    """Which server it is. Valkey reports a fixed redis_version, so its own fields are checked first."""
    if "dragonfly_version" in info:
        return "dragonfly", info["dragonfly_version"].lstrip("df-v")
    if "forkdiff_version" in info:
        return "reference", info.get("redis_version", "0")
    if "valkey_version" in info:
        return "valkey", info["valkey_version"]
    name = info.get("server_name", "").lower()
    if "garnet" in name or "garnet_version" in info:
        return "garnet", info.get("garnet_version", info.get("redis_version", "0"))
    if "keydb" in name or any(k.startswith("keydb") for k in info) or info.get("executable", "").endswith("keydb-server"):
        return "keydb", info.get("redis_version", "0")
    if "redis_version" in info:
        return "redis", info["redis_version"]
    return "unknown", "0"

"""Architecture facts probed from a live target, each with the probe that established it (measured, not copied)."""
from __future__ import annotations

from typing import Any

from adapters.base import parse_info
from forkdiff.client import Connection
from forkdiff.types import Kind


def _config(c: Connection, name: str) -> str | None:
    r = c.call("CONFIG", "GET", name)
    if r.kind in (Kind.ARRAY, Kind.MAP) and r.value:
        pairs = r.value if r.kind is Kind.MAP else list(zip(r.value[::2], r.value[1::2]))
        for k, v in pairs:
            if k.value == name.encode():
                return v.value.decode(errors="replace")
    return None


def _info(c: Connection, section: str) -> dict[str, str]:
    r = c.call("INFO", section)
    text = r.value if r.kind is Kind.BULK else (r.value[1] if r.kind is Kind.VERBATIM else b"")
    return parse_info(text.decode(errors="replace"))


def threading_model(c: Connection) -> dict[str, str]:
    server = _info(c, "server")
    if "forkdiff_runtime" in server:
        return {"value": f"reference runtime '{server['forkdiff_runtime']}'", "probe": "INFO server forkdiff_runtime"}
    # KeyDB reports its worker threads in INFO cpu, Dragonfly its proactor (shard) threads in INFO server.
    for section, field, label in (("cpu", "server_threads", "worker threads (shared keyspace)"),
                                  ("server", "thread_count", "shard threads (shared-nothing)")):
        fields = server if section == "server" else _info(c, section)
        if field in fields:
            return {"value": f"{fields[field]} {label}", "probe": f"INFO {section} {field}"}
    for name, label in (("server-threads", "worker threads (shared keyspace)"),
                        ("proactor_threads", "shard threads (shared-nothing)")):
        value = _config(c, name)
        if value is not None:
            return {"value": f"{value} {label}", "probe": f"CONFIG GET {name}"}
    io = _config(c, "io-threads")
    if io is not None:
        active = server.get("io_threads_active", _info(c, "threads").get("io_threads_active", "?"))
        return {"value": f"single command thread, io-threads={io} (active={active})", "probe": "CONFIG GET io-threads"}
    return {"value": "not probed: no known threading parameter answered", "probe": "CONFIG GET io-threads"}


def cluster_support(c: Connection) -> dict[str, str]:
    r = c.call("CLUSTER", "INFO")
    if r.kind is Kind.BULK or r.kind is Kind.VERBATIM:
        return {"value": "yes (enabled)", "probe": "CLUSTER INFO"}
    text = str(r.value).lower()
    if "disabled" in text:
        return {"value": "yes (disabled in this instance)", "probe": "CLUSTER INFO"}
    if "unknown command" in text:
        return {"value": "no", "probe": "CLUSTER INFO"}
    return {"value": f"unclear: {r.value}", "probe": "CLUSTER INFO"}


def multi_master(c: Connection) -> dict[str, str]:
    for name in ("multi-master", "active-replica"):
        value = _config(c, name)
        if value is not None:
            return {"value": f"supported (CONFIG {name}={value} in this instance)", "probe": f"CONFIG GET {name}"}
    return {"value": "no (no multi-master parameter)", "probe": "CONFIG GET multi-master, active-replica"}


def tiered_storage(c: Connection) -> dict[str, str]:
    for name in ("tiered_prefix", "tiered-storage", "storage-tier"):
        value = _config(c, name)
        if value is not None:
            return {"value": f"yes (CONFIG {name})", "probe": f"CONFIG GET {name}"}
    return {"value": "no (no tiering parameter)", "probe": "CONFIG GET tiered_prefix, storage-tier"}


PROBES = {"threading": threading_model, "cluster": cluster_support, "multi_master": multi_master,
          "tiered_storage": tiered_storage}


def probe_facts(address: tuple[str, int]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    with Connection(*address, timeout=5) as c:
        for name, fn in PROBES.items():
            try:
                facts[name] = fn(c)
            except (OSError, AttributeError, IndexError) as exc:
                facts[name] = {"value": f"not probed: {exc}", "probe": name}
    return facts

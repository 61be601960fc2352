"""INFO [section ...]: Redis 8.2's sections, field names and order, with the values this server can honestly give.

Measured here: clients, blocking and WATCH counts, command/error statistics, keyspace sizes, process memory and
CPU. What the reference has no counterpart for (replicas, forks, AOF, defragmentation) shows Redis's resting
values. The server section carries two extra fields: forkdiff_version, by which adapters recognise this server,
and forkdiff_runtime, the concurrency model serving it.
"""
from __future__ import annotations

import os
import platform
import resource
import selectors
import sys
from typing import Any, Callable, Iterable

from .. import replication, tracking
from ..maxmemory import used_memory
from ..keyspace import type_name
from ..replies import Verbatim
from . import command
from . import info_fields as F

Fields = dict[str, Any]


@command("info")
def info(engine, client, argv):
    wanted = _sections(argv[1:])
    text = "\r\n".join(_render(name, SECTIONS[name](engine)) for name in F.ORDER if name in wanted)
    return Verbatim(text.encode("utf-8", "surrogateescape"))


def _sections(args: list[bytes]) -> set[str]:
    """Unknown section names are ignored, as Redis does; no argument means the default sections."""
    names = {a.decode("utf-8", "surrogateescape").lower() for a in args} or {"default"}
    wanted = names & set(F.ORDER)
    if "default" in names:
        wanted |= set(F.ORDER) - F.NOT_DEFAULT
    if names & {"all", "everything"}:
        wanted |= set(F.ORDER)
    return wanted


def _render(name: str, lines: Iterable[tuple[str, Any]]) -> str:
    title = {"cpu": "CPU"}.get(name, name.capitalize())
    return f"# {title}\r\n" + "".join(f"{key}:{value}\r\n" for key, value in lines)


def _fill(template: tuple[tuple[str, str], ...], values: Fields) -> list[tuple[str, Any]]:
    return [(name, values.get(name, rest)) for name, rest in template]


def human_bytes(n: int) -> str:
    """Redis's bytesToHuman: B below 1024, then K, M, G, T, P with two decimals."""
    if n < 1024:
        return f"{n}B"
    for power, unit in enumerate("KMGTP", start=1):
        if n < 1024 ** (power + 1) or unit == "P":
            return f"{n / 1024 ** power:.2f}{unit}"
    raise AssertionError("unreachable")


# -- sections ------------------------------------------------------------------------------------------------------
def _server(engine) -> list[tuple[str, Any]]:
    now_ms, config = engine.now_ms(), engine.config
    port = config.get("port")
    return _fill(F.SERVER, {
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "multiplexing_api": selectors.DefaultSelector.__name__.removesuffix("Selector").lower(),
        "process_id": os.getpid(), "run_id": _run_id(engine), "tcp_port": port,
        "server_time_usec": now_ms * 1000, "uptime_in_seconds": (now_ms - engine.started_ms) // 1000,
        "uptime_in_days": (now_ms - engine.started_ms) // 86_400_000,
        "hz": config.get("hz"), "configured_hz": config.get("hz"), "lru_clock": (now_ms // 1000) & 0xFFFFFF,
        "executable": sys.executable, "listener0": f"name=tcp,bind={config.get('bind')},port={port}",
        "forkdiff_runtime": engine.runtime,
    })


def _run_id(engine) -> str:
    return engine.extensions.setdefault("run_id", "%040x" % engine.rng.getrandbits(160))


def _clients(engine) -> list[tuple[str, Any]]:
    clients = list(engine.clients.values())
    blocked = [c for c in clients if c.blocked is not None]
    dbs = engine.keyspace.dbs
    return _fill(F.CLIENTS, {
        "connected_clients": len(clients), "maxclients": engine.config.get("maxclients"),
        "blocked_clients": len(blocked) + sum(1 for c in clients if c.extra.get("postponed")),
        "watching_clients": sum(1 for c in clients if c.watched),
        "clients_in_timeout_table": sum(1 for c in blocked if getattr(c.blocked, "deadline_ms", 0)),
        "total_watched_keys": sum(len(db.watchers) for db in dbs),
        "total_blocking_keys": sum(len(db.blocked) for db in dbs),
        "total_blocking_keys_on_nokey": sum(1 for db in dbs for waiting in db.blocked.values()
                                            if any(getattr(c.blocked, "unblock_on_nokey", False) for c in waiting)),
        "tracking_clients": tracking.client_count(engine),
    })


def _memory(engine) -> list[tuple[str, Any]]:
    rss, used = _rss_bytes(), used_memory(engine)
    peak = engine.extensions["used_memory_peak"] = max(engine.extensions.get("used_memory_peak", 0), used)
    system = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    maxmemory = int(engine.config.get("maxmemory"))
    return _fill(F.MEMORY, {
        "used_memory": used, "used_memory_human": human_bytes(used),
        "used_memory_rss": rss, "used_memory_rss_human": human_bytes(rss),
        "used_memory_peak": peak, "used_memory_peak_human": human_bytes(peak),
        "used_memory_peak_time": engine.started_ms // 1000, "used_memory_peak_perc": f"{used * 100 / peak:.2f}%",
        "total_system_memory": system, "total_system_memory_human": human_bytes(system),
        "maxmemory": maxmemory, "maxmemory_human": human_bytes(maxmemory),
        "maxmemory_policy": engine.config.get("maxmemory-policy"),
        **_script_counts(engine), "lazyfreed_objects": engine.stats.get("lazyfreed_objects", 0),
    })


def _script_counts(engine) -> dict[str, int]:
    """How many scripts the EVAL cache holds and how many functions and libraries are loaded."""
    scripts, functions = engine.extensions.get("scripting"), engine.extensions.get("functions")
    return {"number_of_cached_scripts": len(scripts.scripts) if scripts is not None else 0,
            "number_of_functions": len(functions.by_name) if functions is not None else 0,
            "number_of_libraries": len(functions.libraries) if functions is not None else 0}


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _persistence(engine) -> list[tuple[str, Any]]:
    return _fill(F.PERSISTENCE, {
        "rdb_changes_since_last_save": engine.stats.get("dirty", 0), "rdb_last_save_time": engine.lastsave,
        "aof_enabled": int(engine.config.get("appendonly") == "yes"),
    })


def _threads(engine) -> list[tuple[str, Any]]:
    stats = engine.stats
    return [("io_thread_0", f"clients={len(engine.clients)},reads={stats.get('total_reads_processed', 0)},"
                            f"writes={stats.get('total_writes_processed', 0)}")]


def _stats(engine) -> list[tuple[str, Any]]:
    return _fill(F.STATS, {**engine.stats, "total_commands_processed": engine.commands_processed(),
                           **tracking.totals(engine)})


def _replication(engine) -> list[tuple[str, Any]]:
    return replication.info_fields(engine)


def _cpu(engine) -> list[tuple[str, Any]]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    loop = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))  # the event loop's thread
    return _fill(F.CPU, {
        "used_cpu_sys": f"{own.ru_stime:.6f}", "used_cpu_user": f"{own.ru_utime:.6f}",
        "used_cpu_sys_children": f"{children.ru_stime:.6f}", "used_cpu_user_children": f"{children.ru_utime:.6f}",
        "used_cpu_sys_main_thread": f"{loop.ru_stime:.6f}", "used_cpu_user_main_thread": f"{loop.ru_utime:.6f}",
    })


def _nothing(engine) -> list[tuple[str, Any]]:
    """Modules (none are loaded) and latency percentiles (not tracked): the header alone."""
    return []


def _commandstats(engine) -> list[tuple[str, Any]]:
    out = []
    for name, (calls, rejected, failed, usec, *_rest) in engine.command_stats.items():
        if calls or rejected or failed:
            per_call = usec / calls if calls else 0
            out.append((f"cmdstat_{name}", f"calls={calls},usec={usec},usec_per_call={per_call:.2f},"
                                           f"rejected_calls={rejected},failed_calls={failed}"))
    return out


def _errorstats(engine) -> list[tuple[str, Any]]:
    return [(f"errorstat_{code}", f"count={count}") for code, count in sorted(engine.error_stats.items())]


def _cluster(engine) -> list[tuple[str, Any]]:
    return list(F.CLUSTER)


def _keyspace(engine) -> list[tuple[str, Any]]:
    now = engine.now_ms()
    out = []
    for db in engine.keyspace.dbs:
        if not len(db):
            continue
        ttls = [when - now for when in db.expires.values() if when > now]
        avg_ttl = sum(ttls) // len(ttls) if ttls else 0
        subexpiry = sum(1 for value in db.data.values() if _has_field_expiry(value))
        out.append((f"db{db.index}", f"keys={len(db)},expires={len(db.expires)},avg_ttl={avg_ttl},"
                                     f"subexpiry={subexpiry}"))
    return out


def _has_field_expiry(value: Any) -> bool:
    """Hashes whose fields carry their own TTLs (HEXPIRE) report it through a `has_field_expiry` attribute."""
    flag = getattr(value, "has_field_expiry", False)
    return bool(flag() if callable(flag) else flag)


_KEYSIZE_KINDS = (("string", "strings_sizes"), ("list", "lists_items"), ("set", "sets_items"),
                  ("zset", "zsets_items"), ("hash", "hashes_items"))


def _keysizes(engine) -> list[tuple[str, Any]]:
    """Per database and type, how many keys fall in each power-of-two bucket of length or element count."""
    out = []
    for db in engine.keyspace.dbs:
        buckets: dict[str, dict[int, int]] = {}
        for value in db.data.values():
            size = _size(value)
            if size is not None:
                bucket = 1 << (size.bit_length() - 1) if size else 0
                counts = buckets.setdefault(type_name(value), {})
                counts[bucket] = counts.get(bucket, 0) + 1
        for kind, label in _KEYSIZE_KINDS:
            if kind in buckets:
                shown = ",".join(f"{_bucket_label(b)}={n}" for b, n in sorted(buckets[kind].items()))
                out.append((f"db{db.index}_distrib_{label}", shown))
    return out


def _bucket_label(bucket: int) -> str:
    """A power of two as Redis labels its bins: 512, then 1K, 2K ... 512K, 1M ... (K, M, G, T, P, E)."""
    for suffix in "EPTGMK":
        unit = 1 << (10 * ("KMGTPE".index(suffix) + 1))
        if bucket >= unit:
            return f"{bucket // unit}{suffix}"
    return str(bucket)


def _size(value: Any) -> int | None:
    try:
        return len(value)
    except TypeError:
        return None


SECTIONS: dict[str, Callable[[Any], list[tuple[str, Any]]]] = {
    "server": _server, "clients": _clients, "memory": _memory, "persistence": _persistence, "threads": _threads,
    "stats": _stats, "replication": _replication, "cpu": _cpu, "modules": _nothing, "commandstats": _commandstats,
    "errorstats": _errorstats, "latencystats": _nothing, "cluster": _cluster, "keyspace": _keyspace,
    "keysizes": _keysizes,
}

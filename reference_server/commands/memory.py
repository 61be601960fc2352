"""MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP.

Byte counts are the allocator's in Redis; the reference has no allocator of its own, so it answers with the same
shapes and field order and estimates in the same spirit (key and value sizes plus fixed overheads). MALLOC-STATS
answers as a Redis built without jemalloc does.
"""
from __future__ import annotations

from .. import errors
from ..errors import CommandError
from ..replies import OK, Double, Map, Verbatim
from ..util import string2ll
from . import command
from .generic_keys import peek

OBJECT_OVERHEAD = 16  # robj header
ENTRY_OVERHEAD = 24  # dict entry
STARTUP_BYTES = 900_000
_SMALL_INSTANCE_REPORT = (
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these "
    "conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back "
    "to our programming as soon as I finished rebooting.\n")


def estimate(key: bytes, value) -> int:
    """A rough size of one key and its value, in bytes."""
    return ENTRY_OVERHEAD + OBJECT_OVERHEAD + len(key) + 1 + _value_size(value)


def _value_size(value) -> int:
    if isinstance(value, (bytes, bytearray)):
        return len(value) + 1
    if isinstance(value, int):
        return 0  # shared or embedded in the object
    if isinstance(value, dict):
        return sum(_value_size(k) + _value_size(v) + ENTRY_OVERHEAD for k, v in value.items())
    try:
        return sum(_value_size(item) + 8 for item in value)
    except TypeError:
        return 64


@command("memory|usage")
def memory_usage(engine, client, argv):
    i = 3
    while i < len(argv):
        if argv[i].lower() == b"samples" and i + 1 < len(argv):
            samples = string2ll(argv[i + 1])
            if samples is None:
                raise CommandError(errors.NOT_INTEGER)
            if samples < 0:
                raise CommandError(errors.SYNTAX)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    value = peek(engine.db(client), argv[2])  # not an access: the key's LRU/LFU field stays
    return None if value is None else estimate(argv[2], value)


def _dataset_bytes(engine) -> tuple[int, int]:
    total = keys = 0
    for db in engine.keyspace.dbs:
        for key in db.keys():
            total += estimate(key, db.data[key])
            keys += 1
    return total, keys


@command("memory|stats")
def memory_stats(engine, client, argv):
    dataset, keys = _dataset_bytes(engine)
    clients = len(engine.clients) * 20_000
    overhead = STARTUP_BYTES + clients
    total = overhead + dataset
    fields = [(b"peak.allocated", total), (b"total.allocated", total), (b"startup.allocated", STARTUP_BYTES),
              (b"replication.backlog", 0), (b"replica.fullsync.buffer", 0), (b"clients.slaves", 0),
              (b"clients.normal", clients), (b"cluster.links", 0), (b"aof.buffer", 0), (b"lua.caches", 0),
              (b"functions.caches", 0), (b"script.VMs", 0)]
    for index, db in enumerate(engine.keyspace.dbs):
        if len(db):
            fields.append((b"db.%d" % index, Map([(b"overhead.hashtable.main", len(db) * ENTRY_OVERHEAD),
                                                 (b"overhead.hashtable.expires", 0),
                                                 (b"overhead.db.hashtable.lut", 32),
                                                 (b"overhead.db.hashtable.rehashing", 0)])))
    fields += [(b"overhead.total", overhead), (b"db.dict.rehashing.count", 0), (b"keys.count", keys),
               (b"keys.bytes-per-key", dataset // keys if keys else 0), (b"dataset.bytes", dataset),
               (b"dataset.percentage", Double(100.0 * dataset / total)), (b"peak.percentage", Double(100.0)),
               (b"allocator.allocated", total), (b"allocator.active", total), (b"allocator.resident", total),
               (b"allocator.muzzy", 0), (b"allocator-fragmentation.ratio", Double(1.0)),
               (b"allocator-fragmentation.bytes", 0), (b"allocator-rss.ratio", Double(1.0)),
               (b"allocator-rss.bytes", 0), (b"rss-overhead.ratio", Double(1.0)), (b"rss-overhead.bytes", 0),
               (b"fragmentation", Double(1.0)), (b"fragmentation.bytes", 0)]
    return Map(fields)


@command("memory|doctor")
def memory_doctor(engine, client, argv):
    return Verbatim(_SMALL_INSTANCE_REPORT.encode())


@command("memory|malloc-stats")
def memory_malloc_stats(engine, client, argv):
    return Verbatim(b"Stats not supported for the current allocator")


@command("memory|purge")
def memory_purge(engine, client, argv):
    return OK


_HELP = [
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Print this help.",
]


@command("memory|help")
def memory_help(engine, client, argv):
    return list(_HELP)

"""Concurrency models wrapping the same engine. Each module exposes a server class with the same lifecycle:
``start()`` (background thread, returns once listening), ``serve_forever()``, ``stop()``, ``address``."""
from __future__ import annotations

import importlib

RUNTIMES = {
    "reactor": "reference_server.runtimes.reactor:ReactorServer",  # Redis
    "io-threads": "reference_server.runtimes.io_threads:IOThreadsServer",  # Valkey
    "sharded": "reference_server.runtimes.sharded:ShardedServer",  # Dragonfly
    "locked": "reference_server.runtimes.locked:LockedServer",  # KeyDB
    "tasks": "reference_server.runtimes.tasks:TasksServer",  # Garnet
}


def server_class(name: str):
    try:
        module, cls = RUNTIMES[name].split(":")
    except KeyError:
        raise ValueError(f"unknown runtime {name!r}; known: {', '.join(RUNTIMES)}") from None
    return getattr(importlib.import_module(module), cls)

"""Command handlers, one module per Redis command group, registered by name.

A handler is ``fn(engine, client, argv) -> reply`` with ``argv[0]`` the command name. Arity, unknown-command and
unknown-subcommand checks happen before it is called, from the generated spec; the handler parses options and
raises ``CommandError`` (or returns ``Err``) for everything else.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Callable

Handler = Callable[[Any, Any, list], Any]
HANDLERS: dict[str, Handler] = {}


def command(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more lower-case names ("get", "config|get")."""

    def register(fn: Handler) -> Handler:
        for name in names:
            if name in HANDLERS:
                raise ValueError(f"command {name!r} registered twice")
            HANDLERS[name] = fn
        return fn

    return register


_loaded = False


def load_all() -> None:
    """Import every command module once, so their decorators fill HANDLERS."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True

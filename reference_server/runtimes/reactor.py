"""Redis's model: one event loop reads, parses, executes every command to completion and writes, in turn."""
from __future__ import annotations

from .base import LoopServer


class ReactorServer(LoopServer):
    name = "reactor"
    io_loops = 1

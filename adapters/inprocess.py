"""The reference server in this process, on a free loopback port (runtime chosen by 'reference:RUNTIME')."""
from __future__ import annotations

from typing import Any

from .base import Capabilities, probe


class InProcessTarget:
    may_flush = True

    def __init__(self, spec: str = "reference", **engine_kwargs: Any) -> None:
        self.spec = spec
        self.runtime = spec.split(":", 1)[1] if ":" in spec else "reactor"
        self.engine_kwargs = engine_kwargs
        self.source = f"in-process reference ({self.runtime})"  # how the server was obtained, shown in its row
        self.capabilities: Capabilities | None = None
        self.server: Any = None

    @property
    def address(self) -> tuple[str, int]:
        return self.server.address

    def start(self) -> None:
        from reference_server.engine import Engine
        from reference_server.runtimes import server_class
        self.server = server_class(self.runtime)("127.0.0.1", 0, engine=Engine(**self.engine_kwargs)).start()
        self.capabilities = probe(self.address)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_alive(self) -> bool:
        return self.server is not None and self.server._thread is not None and self.server._thread.is_alive()

    def log_tail(self, lines: int = 40) -> str:
        return ""

    def __enter__(self) -> "InProcessTarget":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

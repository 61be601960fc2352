"""Test hook: the in-process reference server with deliberately injected bugs, to prove the fuzzer finds them.

    target = FaultyReference({"strlen": off_by_one})   # spec name "reference+strlen"

The fault wraps the engine's handler lookup on that one server instance only: production code is untouched and
other engines in the same process keep their correct handlers.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from adapters.inprocess import InProcessTarget

Handler = Callable[[Any, Any, list], Any]


def off_by_one(handler: Handler) -> Handler:
    """Integers come back one too high, bulk strings one byte too long."""

    def wrong(engine: Any, client: Any, argv: list) -> Any:
        reply = handler(engine, client, argv)
        if type(reply) is int:
            return reply + 1
        if type(reply) is bytes:
            return reply + b"!"
        return reply

    return wrong


class FaultyReference(InProcessTarget):
    def __init__(self, faults: Mapping[str, Callable[[Handler], Handler]], spec: str | None = None) -> None:
        super().__init__("reference")
        self.spec = spec or "reference+" + "+".join(sorted(faults))
        self.faults = dict(faults)

    def start(self) -> None:
        super().start()
        engine = self.server.engine
        lookup = engine.lookup

        def faulty_lookup(name: str, argv: list) -> tuple:
            spec, handler, rejection = lookup(name, argv)
            if handler is not None and spec.name in self.faults:
                handler = self.faults[spec.name](handler)
            return spec, handler, rejection

        engine.lookup = faulty_lookup

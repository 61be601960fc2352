"""Test hook: the in-process reference server with deliberately injected bugs, to prove the fuzzer finds them.

    target = FaultyReference({"strlen": off_by_one})   # spec name "reference+strlen"

The fault replaces handlers in that one engine's own command table (Engine.handlers, the engine's test hook):
production code is untouched and other engines in the same process keep their correct handlers.
"""
from __future__ import annotations

import time
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


def stall(seconds: float) -> Callable[[Handler], Handler]:
    """The server stops answering for `seconds` on this command: a hang, as a runner with a shorter timeout sees it."""

    def fault(handler: Handler) -> Handler:
        def stalled(engine: Any, client: Any, argv: list) -> Any:
            time.sleep(seconds)
            return handler(engine, client, argv)

        return stalled

    return fault


class FaultyReference(InProcessTarget):
    def __init__(self, faults: Mapping[str, Callable[[Handler], Handler]], spec: str | None = None) -> None:
        super().__init__("reference")
        self.spec = spec or "reference+" + "+".join(sorted(faults))
        self.faults = dict(faults)

    def start(self) -> None:
        super().start()
        engine = self.server.engine
        handlers = dict(engine.handlers)  # the engine's own copy: the shared registry stays correct
        for name, fault in self.faults.items():
            handlers[name] = fault(handlers[name])
        engine.handlers = handlers

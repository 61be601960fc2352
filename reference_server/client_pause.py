"""CLIENT PAUSE holding commands back: which commands a pause holds, and waking held clients when it ends.

CLIENT PAUSE (commands/client.py) records {"end_ms", "all"} in engine.extensions["client_pause"]. Redis checks the
pause after a command passed its other checks (unknown command, arity, auth, ACL), so those errors still answer at
once: ALL then holds every command, CLIENT UNPAUSE from another client included; WRITE holds the commands that write
or may replicate (PUBLISH, SPUBLISH, PFCOUNT, EVAL, EVALSHA, FCALL), and EXEC of a transaction holding one; a script
whose shebang says no-writes is not held. The engine answers POSTPONED; the connection keeps the command, and runs it
again when CLIENT UNPAUSE wakes it or the pause's time is over.
"""
from __future__ import annotations

from typing import Any, Callable

from .scripting.declared_flags import command_flags


class _Postponed:
    __slots__ = ()

    def __repr__(self) -> str:
        return "POSTPONED"


POSTPONED = _Postponed()
# Not flagged "write" in the command table, but MAY_REPLICATE in Redis's, which a write pause also holds.
_MAY_REPLICATE = frozenset({"publish", "spublish", "pfcount", "eval", "evalsha", "fcall"})


def _pause(engine: Any) -> dict | None:
    pause = engine.extensions.get("client_pause")
    if pause is not None and pause["end_ms"] <= engine.now_ms():
        engine.extensions.pop("client_pause_waiters", None)  # held clients woke on their own timers
        return None
    return pause


def active_pause(engine: Any) -> dict | None:
    """The pause in force ({"end_ms", "all"}), None when there is none or it is over."""
    return _pause(engine)


def remaining_ms(engine: Any) -> int:
    """How long the current pause still lasts (0 when there is none)."""
    pause = _pause(engine)
    return 0 if pause is None else pause["end_ms"] - engine.now_ms()


def _may_write(engine: Any, spec: Any, argv: list[bytes]) -> bool:
    if spec.name in _MAY_REPLICATE:
        declared = command_flags(engine, spec.name, spec.flags, argv)  # a script's own flags: no-writes runs
        return declared is spec.flags or "write" in declared
    return "write" in spec.flags


def holds(engine: Any, client: Any, spec: Any, argv: list[bytes]) -> bool:
    """Whether the current pause keeps `client` from running this command now."""
    pause = _pause(engine)
    if pause is None:
        return False
    if pause["all"]:
        return True
    if spec.name == "exec" and client.in_multi:
        return any(_may_write(engine, queued_spec, queued_argv) for queued_spec, _, queued_argv in client.queue)
    return _may_write(engine, spec, argv)


def wait_for_unpause(engine: Any, wake: Callable[[], None]) -> None:
    """Call `wake` when CLIENT UNPAUSE ends the pause (the caller also sets its own timer for the pause's end)."""
    engine.extensions.setdefault("client_pause_waiters", []).append(wake)


def release_all(engine: Any) -> None:
    """The pause ended: wake the held clients, in the order they were held."""
    for wake in engine.extensions.pop("client_pause_waiters", []):
        wake()

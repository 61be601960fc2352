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


def remaining_ms(engine: Any) -> int:
    """How long the current pause still lasts (0 when there is none)."""
    pause = _pause(engine)
    return 0 if pause is None else pause["end_ms"] - engine.now_ms()


def _no_writes_script(argv: list[bytes]) -> bool:
    """EVAL of a script whose `#!lua flags=...` line says no-writes (Redis takes the command flags from it)."""
    body = argv[1] if argv[0].lower() == b"eval" and len(argv) > 1 else b""
    if not body.startswith(b"#!"):
        return False
    first_line = body.split(b"\n", 1)[0]
    _, _, flags = first_line.partition(b"flags=")
    return b"no-writes" in flags.split(b" ", 1)[0].split(b",")


def _may_write(spec: Any, argv: list[bytes]) -> bool:
    if spec.name in _MAY_REPLICATE:
        return not _no_writes_script(argv)
    return "write" in spec.flags


def holds(engine: Any, client: Any, spec: Any, argv: list[bytes]) -> bool:
    """Whether the current pause keeps `client` from running this command now."""
    pause = _pause(engine)
    if pause is None:
        return False
    if pause["all"]:
        return True
    if spec.name == "exec" and client.in_multi:
        return any(_may_write(queued_spec, queued_argv) for queued_spec, _, queued_argv in client.queue)
    return _may_write(spec, argv)


def wait_for_unpause(engine: Any, wake: Callable[[], None]) -> None:
    """Call `wake` when CLIENT UNPAUSE ends the pause (the caller also sets its own timer for the pause's end)."""
    engine.extensions.setdefault("client_pause_waiters", []).append(wake)


def release_all(engine: Any) -> None:
    """The pause ended: wake the held clients, in the order they were held."""
    for wake in engine.extensions.pop("client_pause_waiters", []):
        wake()

"""The command flags of EVAL/EVALSHA/FCALL as Redis's processCommand sees them: a script that declares flags (a
shebang, or any function) replaces the command's write, denyoom and stale flags with its own (Redis's
scriptFlagsToCmdFlags), so OOM, NOREPLICAS, READONLY and MASTERDOWN refuse it before it runs."""
from __future__ import annotations

from typing import Any

_SCRIPT_COMMANDS = frozenset({"eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro"})


def command_flags(engine: Any, name: str, flags: frozenset, argv: list[bytes]) -> frozenset:
    if name not in _SCRIPT_COMMANDS or len(argv) < 2:
        return flags
    declared = _declared(engine, name, argv[1])
    if declared is None:
        return flags
    out = set(flags) - {"stale", "denyoom", "write"}
    if not declared & {"allow-oom", "no-writes"}:
        out.add("denyoom")
    if "no-writes" not in declared:
        out.add("write")
    if "allow-stale" in declared:
        out.add("stale")
    return frozenset(out)


def _declared(engine: Any, name: str, target: bytes) -> set[str] | None:
    if name.startswith("fcall"):
        state = engine.extensions.get("functions")
        function = state.find(target) if state is not None else None
        return set(function.flags) if function is not None else None
    body = target
    if name.startswith("evalsha"):
        state = engine.extensions.get("scripting")
        script = state.scripts.get(target.decode("utf-8", "surrogateescape").lower()) if state is not None else None
        if script is None:
            return None
        body = script.body
    return _shebang_flags(body)


def _shebang_flags(body: bytes) -> set[str] | None:
    if not body.startswith(b"#!"):
        return None
    line = body.split(b"\n", 1)[0].split()
    found: set[str] = set()
    for option in line[1:]:
        if option.startswith(b"flags="):
            found.update(f.decode("utf-8", "surrogateescape") for f in option[6:].split(b",") if f)
    return found

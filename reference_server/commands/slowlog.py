"""SLOWLOG GET / LEN / RESET / HELP: commands slower than slowlog-log-slower-than (µs), newest first.

Entries are recorded by a slow-call hook (see engine.CALL_HOOKS) with Redis's shape: id, unix time, duration in µs, the
arguments (at most 32, each at most 128 bytes, with "... (N more …)" notes), the client's address and name.
Secrets are never shown: AUTH and HELLO AUTH passwords, ACL SETUSER rules… appear as "(redacted)".
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .. import errors
from ..engine import ENGINE_SETUP, SLOW_CALL_HOOKS
from ..errors import CommandError
from ..replies import OK, Err
from ..util import string2ll
from . import command

MAX_ARGS = 32
MAX_ARG_BYTES = 128
REDACTED = b"(redacted)"
_SENSITIVE_CONFIGS = (b"requirepass", b"masterauth", b"masteruser", b"tls-key-file-pass", b"tls-client-key-file-pass")


@dataclass
class SlowLog:
    entries: list = field(default_factory=list)  # newest first
    next_id: int = 0
    threshold: int = 10000  # slowlog-log-slower-than, kept here so each command does not parse the config
    max_len: int = 128


def slowlog(engine) -> SlowLog:
    log = engine.extensions.get("slowlog")
    if log is None:
        log = engine.extensions["slowlog"] = SlowLog()
        _follow_config(engine, log)
    return log


def _follow_config(engine, log: SlowLog) -> None:
    def on_config_set(name: str, value: str) -> None:
        if name == "slowlog-log-slower-than":
            log.threshold = int(value)
        elif name == "slowlog-max-len":
            log.max_len = int(value)
        else:
            return
        engine.slow_call_threshold("slowlog", None if log.threshold < 0 or not log.max_len else log.threshold)

    on_config_set("slowlog-log-slower-than", engine.config.get("slowlog-log-slower-than"))
    on_config_set("slowlog-max-len", engine.config.get("slowlog-max-len"))
    engine.config.listeners.append(on_config_set)


def redacted_argv(spec, argv: list[bytes]) -> list[bytes]:
    """The arguments as the slowlog and MONITOR may show them."""
    hidden = _secret_positions(spec.name, argv)
    return [REDACTED if i in hidden else arg for i, arg in enumerate(argv)] if hidden else argv


def _secret_positions(name: str, argv: list[bytes]) -> set[int]:
    if name == "auth" or name in ("acl|setuser", "acl|deluser", "acl|getuser"):
        return set(range(1 if name == "auth" else 2, len(argv)))
    if name == "hello":
        at = next((i for i in range(2, len(argv) - 2) if argv[i].lower() == b"auth"), None)
        return {at + 1, at + 2} if at is not None else set()
    if name == "migrate":  # AUTH password, AUTH2 username password
        hidden: set[int] = set()
        for i in range(6, len(argv)):
            word = argv[i].lower()
            if word == b"auth":
                hidden.add(i + 1)
            elif word == b"auth2":
                hidden.update((i + 1, i + 2))
            elif word == b"keys":
                break
        return {i for i in hidden if i < len(argv)}
    if name == "config|set":
        return {i + 1 for i in range(2, len(argv) - 1, 2) if argv[i].lower() in _SENSITIVE_CONFIGS}
    return set()


def _shown(argv: list[bytes]) -> list[bytes]:
    """Redis keeps 31 arguments and a note when there are more than 32, and cuts long ones."""
    kept = argv if len(argv) <= MAX_ARGS else argv[:MAX_ARGS - 1]
    shown = [a if len(a) <= MAX_ARG_BYTES else a[:MAX_ARG_BYTES] + b"... (%d more bytes)" % (len(a) - MAX_ARG_BYTES)
             for a in kept]
    if len(argv) > MAX_ARGS:
        shown.append(b"... (%d more arguments)" % (len(argv) - MAX_ARGS + 1))
    return shown


def _record(engine, client, spec, argv: list[bytes], duration_us: int) -> None:
    log = engine.extensions.get("slowlog") or slowlog(engine)
    if duration_us < log.threshold or log.threshold < 0 or not log.max_len:
        return
    if "skip_slowlog" in spec.flags or client.blocked is not None:
        return
    max_len = log.max_len
    entry = [log.next_id, int(time.time()), duration_us, _shown(redacted_argv(spec, argv)),
             client.addr.encode(), client.name]
    log.next_id += 1
    log.entries.insert(0, entry)
    del log.entries[max_len:]


SLOW_CALL_HOOKS.append(_record)
ENGINE_SETUP.append(slowlog)


@command("slowlog|get")
def slowlog_get(engine, client, argv):
    if len(argv) > 3:
        return Err(errors.SUBCOMMAND_SYNTAX % (argv[1].decode("utf-8", "surrogateescape"), "SLOWLOG"))
    count = 10
    if len(argv) == 3:
        count = string2ll(argv[2])
        if count is None or count < -1:
            raise CommandError(errors.SLOWLOG_COUNT)
    entries = slowlog(engine).entries
    return [list(e) for e in (entries if count == -1 else entries[:count])]


@command("slowlog|len")
def slowlog_len(engine, client, argv):
    return len(slowlog(engine).entries)


@command("slowlog|reset")
def slowlog_reset(engine, client, argv):
    slowlog(engine).entries.clear()
    return OK


_HELP = [
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Print this help.",
]


@command("slowlog|help")
def slowlog_help(engine, client, argv):
    return list(_HELP)

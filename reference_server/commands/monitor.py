"""MONITOR: every executed command is streamed to monitoring clients as one status line, in Redis's format

    +1339518083.107412 [0 127.0.0.1:60866] "SET" "k" "v"

(unix time with microseconds, the database after the command ran, the client's address, each argument quoted as
Redis's sdscatrepr quotes it). Administrative commands are never shown and secrets appear as "(redacted)". Commands
run by EXEC are shown one by one, before the EXEC line.
"""
from __future__ import annotations

import time

from ..replies import OK
from . import command
from .slowlog import redacted_argv

_ESCAPES = {ord("\\"): b"\\\\", ord('"'): b'\\"', ord("\n"): b"\\n", ord("\r"): b"\\r", ord("\t"): b"\\t",
            7: b"\\a", 8: b"\\b"}


def quote(arg: bytes) -> bytes:
    """sdscatrepr: printable bytes as they are, the usual escapes, anything else as \\xHH."""
    out = bytearray(b'"')
    for b in arg:
        if b in _ESCAPES:
            out += _ESCAPES[b]
        elif 0x20 <= b < 0x7F:
            out.append(b)
        else:
            out += b"\\x%02x" % b
    out += b'"'
    return bytes(out)


def monitors(engine) -> list:
    return engine.extensions.setdefault("monitors", [])


@command("monitor")
def monitor(engine, client, argv):
    watchers = monitors(engine)
    if client not in watchers:
        watchers.append(client)
        engine.arm_call_hook(_feed)
        for hooks in ("drop_hooks", "reset_hooks"):  # a closed or RESET connection stops monitoring
            registered = engine.extensions.setdefault(hooks, [])
            if _forget not in registered:
                registered.append(_forget)
    return OK


def _forget(engine, client) -> None:
    watchers = engine.extensions.get("monitors")
    if watchers and client in watchers:
        watchers.remove(client)


def _feed(engine, client, spec, argv: list[bytes], duration_us: int) -> None:
    watchers = engine.extensions.get("monitors")
    if not watchers or "admin" in spec.flags or "skip_monitor" in spec.flags:
        return
    _send(watchers, client, redacted_argv(spec, argv))


def feed_script_call(engine, client, argv: list[bytes]) -> None:
    """EVAL, EVALSHA and FCALL are shown before they run (they skip the usual feed after the call), so the
    commands of the script follow them, as Redis's evalCommand feeds them."""
    watchers = engine.extensions.get("monitors")
    if watchers and "script" not in client.flags:
        _send(watchers, client, argv)


def _send(watchers: list, client, argv: list[bytes]) -> None:
    now = time.time_ns() // 1000
    source = b"lua" if "script" in client.flags else client.addr.encode()  # a script's commands: [db lua]
    line = b"%d.%06d [%d %s] %s" % (now // 1_000_000, now % 1_000_000, client.db, source,
                                     b" ".join(quote(a) for a in argv))
    text = line.decode("utf-8", "surrogateescape")
    for watcher in list(watchers):
        if watcher is client:  # its own command: the line follows the command's reply
            client.extra.setdefault("pending_pushes", []).append(text)
        elif watcher.deliver is not None:
            watcher.deliver(text)


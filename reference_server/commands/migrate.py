"""MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS key...]

As Redis does it: the keys' DUMP payloads go to the target over a client connection (AUTH, SELECT, then one
RESTORE per key with its remaining TTL), synchronously, the server waiting for the answers; every key the target
accepted is deleted here unless COPY. Redis keeps the connection for the next MIGRATE; the reference opens one per
call, which the target cannot tell apart except in its connection count.
"""
from __future__ import annotations

import socket

from .. import errors
from ..errors import CommandError
from ..notify import notify
from ..replies import OK, Err
from ..util import string2ll
from . import command
from .dump import dump
from .generic_keys import lookup_read

_CONNECT_FAILED = "IOERR error or timeout connecting to the client"
_IO_FAILED = "IOERR error or timeout %s to target instance"
_TARGET_ERROR = "ERR Target instance replied with error: %s"
_KEYS_NEED_EMPTY_KEY = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"


class _Options:
    def __init__(self) -> None:
        self.copy = self.replace = False
        self.username: bytes | None = None
        self.password: bytes | None = None
        self.first_key, self.num_keys = 3, 1


def _parse(argv: list[bytes]) -> _Options:
    opts, j = _Options(), 6
    while j < len(argv):
        word, more = argv[j].lower(), len(argv) - 1 - j
        if word == b"copy":
            opts.copy = True
        elif word == b"replace":
            opts.replace = True
        elif word == b"auth":
            if not more:
                raise CommandError(errors.SYNTAX)
            j += 1
            opts.password = argv[j]
        elif word == b"auth2":
            if more < 2:
                raise CommandError(errors.SYNTAX)
            opts.username, opts.password = argv[j + 1], argv[j + 2]
            j += 2
        elif word == b"keys":
            if argv[3]:
                raise CommandError(_KEYS_NEED_EMPTY_KEY)
            opts.first_key, opts.num_keys = j + 1, len(argv) - j - 1
            break
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return opts


def _long(arg: bytes) -> int:
    n = string2ll(arg)
    if n is None:
        raise CommandError(errors.NOT_INTEGER)
    return n


@command("migrate")
def migrate(engine, client, argv):
    opts = _parse(argv)
    timeout_ms, dbid = _long(argv[5]), _long(argv[4])
    if timeout_ms <= 0:
        timeout_ms = 1000
    db = engine.db(client)
    keys = [key for key in argv[opts.first_key:opts.first_key + opts.num_keys]
            if lookup_read(engine, db, key) is not None]
    if not keys:
        return "NOKEY"
    now = engine.now_ms()
    restores = []
    for key in keys:
        payload = dump(engine, client, [b"dump", key])
        when = db.expires.get(key)
        ttl = 0 if when is None else max(when - now, 1)
        restores.append([b"RESTORE", key, b"%d" % ttl, payload] + ([b"REPLACE"] if opts.replace else []))
    request = []
    if opts.password is not None:
        request.append([b"AUTH", opts.password] if opts.username is None else
                       [b"AUTH", opts.username, opts.password])
    request.append([b"SELECT", b"%d" % dbid])  # a fresh connection has no database selected yet
    request += restores
    replies = _exchange(argv[1], argv[2], request, timeout_ms / 1000)
    if isinstance(replies, Err):
        return replies
    preamble, answers = replies[:len(request) - len(restores)], replies[len(request) - len(restores):]
    refused = next((line for line in preamble if line.startswith(b"-")), None)  # AUTH or SELECT failed
    failure, moved = refused, []
    for key, answer in zip(keys, answers):
        if refused is None and not answer.startswith(b"-"):
            moved.append(key)
        elif failure is None:
            failure = answer
    if not opts.copy:
        for key in moved:
            db.delete(key)
            notify(engine, db, "g", "del", key)
            engine.stats["dirty"] = engine.stats.get("dirty", 0) + 1
    if failure is not None:
        return Err(_TARGET_ERROR % failure[1:].decode("utf-8", "surrogateescape"))
    return OK


def _exchange(host: bytes, port: bytes, request: list[list[bytes]], timeout: float) -> list[bytes] | Err:
    """Send every command at once and read one line per command; Redis's IOERR texts on failure."""
    try:
        conn = socket.create_connection((host.decode("utf-8", "surrogateescape"), int(port)), timeout=timeout)
    except ConnectionRefusedError:  # Redis connects without waiting: a refusal shows when it writes
        return Err(_IO_FAILED % "writing")
    except (OSError, ValueError, OverflowError):
        return Err(_CONNECT_FAILED)
    with conn:
        try:
            conn.sendall(b"".join(_resp(args) for args in request))
        except OSError:
            return Err(_IO_FAILED % "writing")
        try:
            reader = conn.makefile("rb")
            lines = []
            for _ in request:
                line = reader.readline()
                if not line.endswith(b"\r\n"):
                    raise OSError("connection closed")
                lines.append(line[:-2])
            return lines
        except OSError:
            return Err(_IO_FAILED % "reading")


def _resp(args: list[bytes]) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)

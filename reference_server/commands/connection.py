"""Connection group: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET, CLIENT *."""
from __future__ import annotations

from .. import errors
from ..replies import Err
from . import command


@command("ping")
def ping(engine, client, argv):
    if len(argv) > 2:
        return Err(errors.WRONG_ARITY % "ping")
    return argv[1] if len(argv) == 2 else "PONG"


@command("echo")
def echo(engine, client, argv):
    return argv[1]

"""Connection group: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET (CLIENT * lives in client.py)."""
from __future__ import annotations

from .. import acl_state, errors
from ..errors import CommandError
from ..replies import OK, Err, Map
from ..util import string2ll
from . import command

SERVER_VERSION = b"8.2.3"
# Redis 8 loads its vector-set module as a built-in: HELLO lists it like any loaded module.
BUILTIN_MODULES = ((b"vectorset", 1),)
INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1


@command("ping")
def ping(engine, client, argv):
    if len(argv) > 2:
        return Err(errors.WRONG_ARITY % "ping")
    if "pubsub" in client.flags and client.resp == 2:  # a subscribed RESP2 client reads it like a message
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    return argv[1] if len(argv) == 2 else "PONG"


@command("echo")
def echo(engine, client, argv):
    return argv[1]


# -- authentication --------------------------------------------------------------------------------------------
def password_matches(engine, username: bytes, password: bytes) -> bool:
    """The ACL users decide (the default user takes any password while requirepass is empty: "nopass")."""
    return acl_state.credentials_ok(engine, username, password)


def authenticate(engine, client, username: bytes, password: bytes, command: bytes = b"AUTH") -> None:
    """Log the client in as `username`, or raise WRONGPASS (a failed attempt keeps the previous login and is
    recorded in the ACL log under the command's name as typed)."""
    if not password_matches(engine, username, password):
        acl_state.log_failed_auth(engine, client, username, command)
        raise CommandError(errors.WRONGPASS)
    client.authenticated = True
    client.user = username.decode("utf-8", "surrogateescape")


def default_auth(engine, client) -> None:
    """What a new connection gets: logged in as default unless a password is required."""
    client.user = "default"
    client.authenticated = acl_state.default_login(engine)


@command("auth")
def auth(engine, client, argv):
    if len(argv) > 3:
        return Err(errors.SYNTAX)
    if len(argv) == 2:
        if acl_state.default_nopass(engine):
            return Err(errors.AUTH_NOT_CONFIGURED)
        authenticate(engine, client, b"default", argv[1], argv[0])
    else:
        authenticate(engine, client, argv[1], argv[2], argv[0])
    return OK


# -- HELLO -----------------------------------------------------------------------------------------------------
def _hello_version(argv: list[bytes]) -> int:
    if len(argv) < 2:
        return 0
    version = string2ll(argv[1])
    if version is None:
        raise CommandError(errors.HELLO_PROTOVER)
    if version not in (2, 3):
        raise CommandError(errors.NOPROTO)
    return version


def _hello_options(argv: list[bytes]) -> tuple[tuple[bytes, bytes] | None, bytes | None]:
    """(username, password) of AUTH and the SETNAME name; the last of a repeated option wins."""
    credentials = name = None
    i = 2
    while i < len(argv):
        option, more = argv[i].lower(), len(argv) - 1 - i
        if option == b"auth" and more >= 2:
            credentials = (argv[i + 1], argv[i + 2])
            i += 3
        elif option == b"setname" and more >= 1:
            name = argv[i + 1]
            check_client_name(name)
            i += 2
        else:
            raise CommandError(errors.HELLO_SYNTAX % argv[i].decode("utf-8", "surrogateescape"))
    return credentials, name


def hello_reply(engine, client) -> Map:
    modules = [Map([(b"name", name), (b"ver", ver), (b"path", b""), (b"args", [])])
               for name, ver in BUILTIN_MODULES]
    return Map([(b"server", b"redis"), (b"version", SERVER_VERSION), (b"proto", client.resp), (b"id", client.id),
                (b"mode", b"standalone"), (b"role", b"master"), (b"modules", modules)])


@command("hello")
def hello(engine, client, argv):
    version = _hello_version(argv)
    credentials, name = _hello_options(argv)
    if credentials is not None:
        authenticate(engine, client, *credentials, argv[0])
    if not client.authenticated:
        return Err(errors.HELLO_NOAUTH)
    if name is not None:
        client.name = name
    if version:
        client.resp = version
    return hello_reply(engine, client)


def is_listable(value: bytes) -> bool:
    """CLIENT LIST splits on spaces, so names and library attributes are printable ASCII without spaces.

    Redis scans the value as a C string: nothing after a NUL byte is looked at.
    """
    return all(0x21 <= b <= 0x7E for b in value.split(b"\x00", 1)[0])


def check_client_name(name: bytes) -> None:
    if not is_listable(name):
        raise CommandError(errors.CLIENT_NAME_INVALID)


# -- database, leaving, starting over -----------------------------------------------------------------------
@command("select")
def select(engine, client, argv):
    index = string2ll(argv[1])
    if index is None:
        return Err(errors.NOT_INTEGER)
    if not INT_MIN <= index <= INT_MAX:  # Redis reads the index as a C int
        return Err(errors.VALUE_OUT_OF_RANGE_BETWEEN % (INT_MIN, INT_MAX))
    if not 0 <= index < len(engine.keyspace.dbs):
        return Err(errors.DB_INDEX)
    client.db = index
    return OK


@command("quit")
def quit_(engine, client, argv):
    client.close_after_reply = True
    return OK


@command("reset")
def reset(engine, client, argv):
    """Back to a fresh connection's state; the library name and version stay (they describe the client)."""
    from .transactions import discard_transaction
    discard_transaction(engine, client)
    client.db = 0
    client.resp = 2
    client.name = b""
    client.reply_mode = "on"
    client.no_evict = client.no_touch = False
    for hook in engine.extensions.get("reset_hooks", ()):  # pub/sub, tracking… drop their per-client state
        hook(engine, client)
    default_auth(engine, client)
    return "RESET"

"""CLIENT subcommands: ID, SETNAME/GETNAME, INFO/LIST, SETINFO, NO-EVICT/NO-TOUCH, REPLY, KILL, UNBLOCK,
PAUSE/UNPAUSE, the tracking queries, HELP."""
from __future__ import annotations

from .. import errors
from ..blocking import unblock
from ..client_pause import active_pause, release_all
from ..errors import CommandError
from ..replies import OK, Err, Verbatim
from ..util import string2ll
from . import command
from .client_info import CLIENT_TYPES, client_type, info_line
from .connection import check_client_name, is_listable

HELP = [
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "    * ID <client-id>",
    "      Kill connections by client id.",
    "    * MAXAGE <maxage>",
    "      Kill connections older than the specified age.",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Will not touch LRU/LFU stats when this mode is on.",
    "HELP",
    "    Print this help.",
]


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def _subcommand_syntax(argv: list[bytes]) -> Err:
    return Err(errors.SUBCOMMAND_SYNTAX % (_text(argv[1][:128]), "CLIENT"))


def _on_off(arg: bytes) -> bool:
    value = arg.lower()
    if value not in (b"on", b"off"):
        raise CommandError(errors.SYNTAX)
    return value == b"on"


@command("client|help")
def client_help(engine, client, argv):
    return list(HELP)


@command("client|id")
def client_id(engine, client, argv):
    return client.id


@command("client|setname")
def client_setname(engine, client, argv):
    check_client_name(argv[2])
    client.name = argv[2]
    return OK


@command("client|getname")
def client_getname(engine, client, argv):
    return client.name or None


@command("client|setinfo")
def client_setinfo(engine, client, argv):
    attr, value = argv[2], argv[3]
    if attr.lower() not in (b"lib-name", b"lib-ver"):
        return Err(errors.CLIENT_SETINFO_OPTION % _text(attr))
    if not is_listable(value):
        return Err(errors.CLIENT_ATTR_INVALID % _text(attr))
    if attr.lower() == b"lib-name":
        client.lib_name = value
    else:
        client.lib_ver = value
    return OK


@command("client|no-evict")
def client_no_evict(engine, client, argv):
    client.no_evict = _on_off(argv[2])
    return OK


@command("client|no-touch")
def client_no_touch(engine, client, argv):
    client.no_touch = _on_off(argv[2])
    return OK


@command("client|reply")
def client_reply(engine, client, argv):
    """The engine withholds replies by `reply_mode`; SKIP silences itself and the next command."""
    mode = argv[2].lower()
    if mode == b"on":
        client.reply_mode = "on"
    elif mode == b"off":
        client.reply_mode = "off"
    elif mode == b"skip":
        if client.reply_mode != "off":
            client.reply_mode = "skip-next"
    else:
        return Err(errors.SYNTAX)
    return OK


# -- INFO / LIST -----------------------------------------------------------------------------------------------
@command("client|info")
def client_info(engine, client, argv):
    return Verbatim((info_line(engine, client, client, argv) + "\n").encode("utf-8", "surrogateescape"))


def _listed_by_id(engine, ids: list[bytes]) -> list:
    found = []
    for arg in ids:
        wanted = string2ll(arg)
        if wanted is None:
            raise CommandError(errors.CLIENT_ID_INVALID)
        if wanted in engine.clients:
            found.append(engine.clients[wanted])
    return found


def _listed(engine, argv: list[bytes]) -> list:
    if len(argv) == 4 and argv[2].lower() == b"type":
        kind = CLIENT_TYPES.get(argv[3].lower())
        if kind is None:
            raise CommandError(errors.CLIENT_TYPE_UNKNOWN % _text(argv[3]))
        return [c for c in engine.clients.values() if client_type(engine, c) == kind]
    if len(argv) > 3 and argv[2].lower() == b"id":
        return _listed_by_id(engine, argv[3:])
    if len(argv) != 2:
        raise CommandError(errors.SYNTAX)
    return list(engine.clients.values())


@command("client|list")
def client_list(engine, client, argv):
    lines = "".join(info_line(engine, c, client, argv) + "\n" for c in _listed(engine, argv))
    return Verbatim(lines.encode("utf-8", "surrogateescape"))


# -- KILL ------------------------------------------------------------------------------------------------------
def _kill_filters(engine, argv: list[bytes]) -> dict:
    """The new form's options; every one of them must match for a client to be killed."""
    filters: dict = {"skipme": True}
    i = 2
    while i < len(argv):
        if i + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        option, value = argv[i].lower(), argv[i + 1]
        _parse_kill_option(engine, filters, option, value)
        i += 2
    return filters


def _parse_kill_option(engine, filters: dict, option: bytes, value: bytes) -> None:
    if option == b"id":
        number = string2ll(value)
        if number is None or number < 1:
            raise CommandError(errors.CLIENT_ID_NOT_POSITIVE)
        filters["id"] = number
    elif option == b"maxage":
        filters["maxage"] = _positive_maxage(value)
    elif option == b"type":
        if value.lower() not in CLIENT_TYPES:
            raise CommandError(errors.CLIENT_TYPE_UNKNOWN % _text(value))
        filters["type"] = CLIENT_TYPES[value.lower()]
    elif option in (b"addr", b"laddr"):
        filters[option.decode()] = _text(value)
    elif option == b"user":
        if _text(value) not in _known_users(engine):
            raise CommandError(errors.NO_SUCH_USER % _text(value))
        filters["user"] = _text(value)
    elif option == b"skipme" and value.lower() in (b"yes", b"no"):
        filters["skipme"] = value.lower() == b"yes"
    else:
        raise CommandError(errors.SYNTAX)


def _positive_maxage(value: bytes) -> int:
    age = string2ll(value)
    if age is None:
        raise CommandError(errors.CLIENT_MAXAGE_NOT_INTEGER)
    if age <= 0:
        raise CommandError(errors.CLIENT_MAXAGE_NOT_POSITIVE)
    return age


def _known_users(engine) -> set[str]:
    return {"default", *engine.extensions.get("acl_users", ())}


def _matches(engine, target, caller, filters: dict) -> bool:
    age = engine.now_ms() // 1000 - target.created_ms // 1000
    return all((
        filters.get("addr", target.addr) == target.addr,
        filters.get("laddr", target.laddr) == target.laddr,
        filters.get("type", client_type(engine, target)) == client_type(engine, target),
        filters.get("id", target.id) == target.id,
        filters.get("user", target.user) == target.user,
        not (filters["skipme"] and target is caller),
        age >= filters.get("maxage", 0),
    ))


def disconnect(engine, target) -> None:
    """Forget the client now (so a following CLIENT LIST no longer shows it) and close its connection."""
    close = target.close
    engine.drop_client(target)
    if close is not None:
        close()


@command("client|kill")
def client_kill(engine, client, argv):
    old_form = len(argv) == 3
    filters = {"addr": _text(argv[2]), "skipme": False} if old_form else _kill_filters(engine, argv)
    victims = [c for c in list(engine.clients.values()) if _matches(engine, c, client, filters)]
    for victim in victims:
        if victim is client:
            client.close_after_reply = True
        else:
            disconnect(engine, victim)
    if old_form:
        return OK if victims else Err(errors.NO_SUCH_CLIENT)
    return len(victims)


# -- UNBLOCK, PAUSE --------------------------------------------------------------------------------------------
@command("client|unblock")
def client_unblock(engine, client, argv):
    if len(argv) > 4:
        return _subcommand_syntax(argv)
    as_error = False
    if len(argv) == 4:
        reason = argv[3].lower()
        if reason not in (b"timeout", b"error"):
            return Err(errors.UNBLOCK_REASON)
        as_error = reason == b"error"
    wanted = string2ll(argv[2])
    if wanted is None:
        return Err(errors.NOT_INTEGER)
    target = engine.clients.get(wanted)
    if target is None or target.blocked is None:
        return 0
    reply = Err(errors.UNBLOCKED) if as_error else target.blocked.timeout_reply
    return int(unblock(engine, target, reply))


@command("client|pause")
def client_pause(engine, client, argv):
    """Record the pause; the runtime holds back the paused clients' commands until it ends."""
    if len(argv) > 4:
        return _subcommand_syntax(argv)
    pause_all = True
    if len(argv) == 4:
        mode = argv[3].lower()
        if mode not in (b"write", b"all"):
            return Err(errors.PAUSE_MODE)
        pause_all = mode == b"all"
    end_ms = _pause_end(engine, argv[2])
    current = active_pause(engine)
    if current is not None:  # a pause in force keeps its later end, and ALL stays ALL (Redis's pauseActions)
        end_ms, pause_all = max(end_ms, current["end_ms"]), pause_all or current["all"]
    engine.extensions["client_pause"] = {"end_ms": end_ms, "all": pause_all}
    return OK


def _pause_end(engine, arg: bytes) -> int:
    timeout = string2ll(arg)
    if timeout is None:
        raise CommandError(errors.PAUSE_TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(errors.PAUSE_TIMEOUT_NEGATIVE)
    now = engine.now_ms()
    if timeout > (1 << 63) - 1 - now:
        raise CommandError(errors.PAUSE_TIMEOUT_OUT_OF_RANGE)
    return now + timeout


@command("client|unpause")
def client_unpause(engine, client, argv):
    engine.extensions.pop("client_pause", None)
    release_all(engine)
    return OK

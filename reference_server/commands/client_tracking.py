"""CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO: the client-side caching settings and their checks.

The settings live in ``client.extra["tracking"]`` (absent when tracking is off): redirect id, bcast, optin,
optout, noloop, prefixes, the one-shot caching flag and whether the redirect client went away. What is remembered
and the invalidation messages are tracking.py's.
"""
from __future__ import annotations

from .. import errors, tracking
from ..errors import CommandError
from ..replies import OK, Err, Map, RSet
from ..util import as_text, string2ll
from . import command

REDIRECT_MISSING = "ERR The client ID you want redirect to does not exist"
REDIRECT_TWICE = "ERR A client can only redirect to a single other client"
PREFIX_NEEDS_BCAST = "ERR PREFIX option requires BCAST mode to be enabled"
BCAST_SWITCH = ("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
                "re-enabling it with a different mode.")
BCAST_WITH_OPT = "ERR OPTIN and OPTOUT are not compatible with BCAST"
OPTIN_AND_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode"
OPT_SWITCH = ("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
              "re-enabling it with a different mode.")
PREFIX_OVERLAP_EXISTING = ("ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client "
                           "must not overlap.")
PREFIX_OVERLAP_PROVIDED = ("ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single "
                           "client must not overlap.")
CACHING_YES_NEEDS_OPTIN = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
CACHING_NO_NEEDS_OPTOUT = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."

MODE_FLAGS = (b"bcast", b"optin", b"optout", b"noloop")


def _parse_options(engine, argv: list[bytes]) -> tuple[int, set[bytes], list[bytes]]:
    """(redirect id or 0, mode flags, prefixes) from the arguments after ON/OFF."""
    redirect, flags, prefixes = 0, set(), []
    i = 3
    while i < len(argv):
        option, more = argv[i].lower(), i + 1 < len(argv)
        if option == b"redirect" and more:
            redirect = _redirect_target(engine, redirect, argv[i + 1])
            i += 1
        elif option in MODE_FLAGS:
            flags.add(option)
        elif option == b"prefix" and more:
            prefixes.append(argv[i + 1])
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    return redirect, flags, prefixes


def _redirect_target(engine, current: int, arg: bytes) -> int:
    if current:
        raise CommandError(REDIRECT_TWICE)
    target = string2ll(arg)
    if target is None:
        raise CommandError(errors.NOT_INTEGER)
    if target not in engine.clients:
        raise CommandError(REDIRECT_MISSING)
    return target


def _check_modes(state: dict | None, flags: set[bytes], prefixes: list[bytes]) -> None:
    bcast = b"bcast" in flags
    if not bcast and prefixes:
        raise CommandError(PREFIX_NEEDS_BCAST)
    if state is not None and state["bcast"] != bcast:
        raise CommandError(BCAST_SWITCH)
    if bcast and (b"optin" in flags or b"optout" in flags):
        raise CommandError(BCAST_WITH_OPT)
    if b"optin" in flags and b"optout" in flags:
        raise CommandError(OPTIN_AND_OPTOUT)
    if state is not None and ((b"optin" in flags and state["optout"]) or (b"optout" in flags and state["optin"])):
        raise CommandError(OPT_SWITCH)


def _check_prefixes(existing: list[bytes], prefixes: list[bytes]) -> None:
    """BCAST prefixes may not be prefixes of one another, among the new ones or against those registered."""
    for i, new in enumerate(prefixes):
        for old in existing:
            if new.startswith(old) or old.startswith(new):
                raise CommandError(PREFIX_OVERLAP_EXISTING % (as_text(new), as_text(old)))
        for other in prefixes[i + 1:]:
            if new.startswith(other) or other.startswith(new):
                raise CommandError(PREFIX_OVERLAP_PROVIDED % (as_text(new), as_text(other)))


def _enable(engine, client, redirect: int, flags: set[bytes], prefixes: list[bytes]) -> None:
    state = client.extra.get("tracking")
    if state is None:
        state = client.extra["tracking"] = {"redirect": 0, "bcast": False, "optin": False, "optout": False,
                                            "noloop": False, "caching": False, "prefixes": []}
    state["redirect"] = redirect
    state["broken_redirect"] = False
    for flag in MODE_FLAGS:  # the modes are replaced on every TRACKING ON; BCAST prefixes accumulate
        state[flag.decode()] = flag in flags
    wanted = []
    if state["bcast"]:
        wanted = prefixes or [b""]  # BCAST without a prefix follows every key
        state["prefixes"] = sorted(set(state["prefixes"]) | set(wanted))
    tracking.enable(engine, client, wanted)


@command("client|tracking")
def client_tracking(engine, client, argv):
    redirect, flags, prefixes = _parse_options(engine, argv)
    switch = argv[2].lower()
    if switch == b"on":
        state = client.extra.get("tracking")
        _check_modes(state, flags, prefixes)
        if b"bcast" in flags:
            _check_prefixes(state["prefixes"] if state else [], prefixes)
        _enable(engine, client, redirect, flags, prefixes)
    elif switch == b"off":
        tracking.disable(engine, client)
    else:
        return Err(errors.SYNTAX)
    return OK


@command("client|caching")
def client_caching(engine, client, argv):
    state = client.extra.get("tracking")
    if state is None:
        return Err(errors.CLIENT_CACHING_NOT_TRACKING)
    answer = argv[2].lower()
    if answer == b"yes" and not state["optin"]:
        return Err(CACHING_YES_NEEDS_OPTIN)
    if answer == b"no" and not state["optout"]:
        return Err(CACHING_NO_NEEDS_OPTOUT)
    if answer not in (b"yes", b"no"):
        return Err(errors.SYNTAX)
    state["caching"] = True
    return OK


@command("client|getredir")
def client_getredir(engine, client, argv):
    state = client.extra.get("tracking")
    return state["redirect"] if state is not None else -1


def _tracking_flags(state: dict | None) -> list[bytes]:
    if state is None:
        return [b"off"]
    flags = [b"on"]
    for name, shown in (("bcast", b"bcast"), ("optin", b"optin"), ("optout", b"optout")):
        if state[name]:
            flags.append(shown)
            if name != "bcast" and state["caching"]:
                flags.append(b"caching-yes" if name == "optin" else b"caching-no")
    if state["noloop"]:
        flags.append(b"noloop")
    if state.get("broken_redirect"):
        flags.append(b"broken_redirect")
    return flags


@command("client|trackinginfo")
def client_trackinginfo(engine, client, argv):
    state = client.extra.get("tracking")
    return Map([(b"flags", RSet(_tracking_flags(state))),
                (b"redirect", state["redirect"] if state is not None else -1),
                (b"prefixes", list(state["prefixes"]) if state is not None else [])])


"""CONFIG GET / SET / RESETSTAT / HELP over the parameter table in config.py, with Redis's validation messages."""
from __future__ import annotations

from .. import errors
from ..config import LLONG_MAX, Param
from ..errors import CommandError
from ..glob import stringmatch as match
from ..maxmemory import over_limit
from ..replies import OK, Map
from ..util import string2ll
from . import command

_HZ_RANGE = (1, 500)  # Redis clamps hz into this range when it is set
_EVENT_FLAGS = "g$lshzxetdn"  # the classes, in the order Redis prints them
_EVENT_ALL = set("g$lshzxetd")  # what 'A' stands for: neither n nor m
_EVENT_CHARS = set("A" + _EVENT_FLAGS + "KEm")
_MEMORY_UNITS = {b"": 1, b"b": 1, b"k": 1000, b"kb": 1024, b"m": 1000 ** 2, b"mb": 1024 ** 2,
                 b"g": 1000 ** 3, b"gb": 1024 ** 3}


@command("config|get")
def config_get(engine, client, argv):
    """Exact names are looked up (and answered under the name as asked); patterns match every name and alias."""
    config = engine.config
    matched: dict[str, tuple[str, str]] = {}  # lower-case name -> (name as shown, canonical name)
    for raw in argv[2:]:
        name = raw.decode("utf-8", "surrogateescape")
        if not any(ch in name for ch in "[*?"):
            if name.lower() not in matched and config.canonical(name) in config.params:
                matched[name.lower()] = (name, config.canonical(name))
            continue
        for candidate in _all_names(config):
            if candidate not in matched and match(raw, candidate.encode(), True):
                matched[candidate] = (candidate, config.canonical(candidate))
    return Map((shown.encode("utf-8", "surrogateescape"), _shown(config, canonical).encode())
               for shown, canonical in matched.values())


def _shown(config, name: str) -> str:
    """The value as CONFIG GET prints it: Redis leaves n out of notify-keyspace-events where it prints 'A'."""
    value = config.get(name)
    if config.params[name].kind == "events" and "A" in value:
        return value.replace("n", "")
    return value


def _all_names(config) -> list[str]:
    shown = [name for name, param in config.params.items() if not param.hidden]
    return [*shown, *(alias for alias, name in config.aliases.items() if not config.params[name].hidden)]


@command("config|set")
def config_set(engine, client, argv):
    """All pairs are validated before any is applied, so a failing CONFIG SET changes nothing."""
    if len(argv) % 2:
        raise CommandError(errors.SYNTAX)
    pairs = [(argv[i].decode("utf-8", "surrogateescape"), argv[i + 1]) for i in range(2, len(argv), 2)]
    params = _lookup_all(engine.config, [name for name, _ in pairs])
    values = [_parse(param, name.lower(), value) for param, (name, value) in zip(params, pairs)]
    for param, value, (name, _raw) in zip(params, values, pairs):
        if param.listener and value != engine.config.get(param.name):  # the runtimes do not move their listener
            raise CommandError(errors.CONFIG_SET_FAILED % (name, _LISTENER_FAILURES[param.name]))
    for param, value in zip(params, values):
        engine.config.set(param.name, value)
    if any(param.name == "maxmemory" for param in params):  # Redis starts evicting at once (evictionTimeProc)
        over_limit(engine)
    return OK


_LISTENER_FAILURES = {"port": "Unable to listen on this port. Check server logs.",
                      "bind": "Failed to bind to specified addresses."}


def _lookup_all(config, names: list[str]) -> list[Param]:
    """The first unknown, immutable or repeated name, in argument order, is the one reported."""
    params, seen = [], set()
    for name in names:
        if config.canonical(name) not in config.params:
            raise CommandError(errors.CONFIG_SET_UNKNOWN % name)
        param = config.params[config.canonical(name)]
        if param.immutable:
            raise CommandError(errors.CONFIG_SET_FAILED % (name, "can't set immutable config"))
        if name.lower() in seen:
            raise CommandError(errors.CONFIG_SET_FAILED % (name, "duplicate parameter"))
        seen.add(name.lower())
        params.append(param)
    return params


def _parse(param: Param, name: str, raw: bytes) -> str:
    """The value as CONFIG GET will show it, or the CONFIG SET error naming the parameter (or alias) given."""
    parser = _PARSERS.get(param.kind, _parse_string)
    try:
        return parser(param, raw)
    except ValueError as exc:
        raise CommandError(errors.CONFIG_SET_FAILED % (name, exc)) from None


def parse_value(param: Param, raw: bytes) -> str:
    """The value as CONFIG GET will show it; ValueError with Redis's reason when it is not valid."""
    return _PARSERS.get(param.kind, _parse_string)(param, raw)


def _parse_string(param: Param, raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _parse_bool(param: Param, raw: bytes) -> str:
    value = raw.lower()
    if value not in (b"yes", b"no"):
        raise ValueError("argument must be 'yes' or 'no'")
    return value.decode()


def _parse_enum(param: Param, raw: bytes) -> str:
    value = raw.decode("utf-8", "surrogateescape").lower()
    if value not in param.choices:
        raise ValueError("argument(s) must be one of the following: " + ", ".join(param.choices))
    return value


def _integer(raw: bytes) -> int:
    n = string2ll(raw)
    if n is None:
        raise ValueError("argument couldn't be parsed into an integer")
    return n


def _parse_int(param: Param, raw: bytes) -> str:
    return _bounded(param, _integer(raw))


def _parse_uint(param: Param, raw: bytes) -> str:
    """Unsigned parameters refuse a negative number with their own message."""
    n = _integer(raw)
    if n < 0:
        raise ValueError("argument must be greater or equal to 0")
    return _bounded(param, n)


def _parse_memory(param: Param, raw: bytes) -> str:
    n = memory_value(raw)
    if n is None:
        raise ValueError("argument must be a memory value")
    if n > LLONG_MAX and param.maximum is None:
        raise ValueError("argument must be greater or equal to 0")
    return _bounded(param, n)


def _parse_memory_percent(param: Param, raw: bytes) -> str:
    if raw.endswith(b"%") and len(raw) > 1 and (string2ll(raw[:-1]) or -1) >= 0:
        return raw.decode()
    n = memory_value(raw)
    if n is None:
        raise ValueError("argument must be a memory or percent value")
    return str(n)


def _bounded(param: Param, n: int) -> str:
    low, high = param.minimum, param.maximum
    if (low is not None and n < low) or (high is not None and n > high):
        raise ValueError(f"argument must be between {low} and {high} inclusive")
    if param.name == "hz":
        n = min(max(n, _HZ_RANGE[0]), _HZ_RANGE[1])
    return str(n)


def memory_value(raw: bytes) -> int | None:
    """Redis's memtoull: digits and an optional unit (b, k, kb, m, mb, g, gb; any case)."""
    value = raw.lower()
    digits = value.rstrip(b"bkmg")
    unit = value[len(digits):]
    if not digits.isdigit() or unit not in _MEMORY_UNITS:
        return None
    return min(int(digits) * _MEMORY_UNITS[unit], (1 << 64) - 1)  # strtoull saturates on overflow


def _parse_events(param: Param, raw: bytes) -> str:
    """notify-keyspace-events is stored as flags in Redis's canonical order ('KEA' reads back 'AKE'); a class n
    beside 'A' is kept at the end, where CONFIG GET does not show it (Redis prints 'A' alone then, n still on)."""
    classes = raw.decode("latin-1")
    if any(ch not in _EVENT_CHARS for ch in classes):
        raise ValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    flags = set(classes) | (_EVENT_ALL if "A" in classes else set())
    if _EVENT_ALL <= flags:
        return "A" + "".join(ch for ch in "KEmn" if ch in flags)
    return "".join(ch for ch in _EVENT_FLAGS + "KEm" if ch in flags)


def _parse_save(param: Param, raw: bytes) -> str:
    """Pairs of '<seconds> <changes>'; the empty string turns snapshots off."""
    fields = raw.split()
    if len(fields) % 2 or any(string2ll(f) is None or string2ll(f) < 0 for f in fields):
        raise ValueError("Invalid save parameters")
    return " ".join(f.decode() for f in fields)


_PARSERS = {"bool": _parse_bool, "enum": _parse_enum, "int": _parse_int, "uint": _parse_uint,
            "memory": _parse_memory, "memory-percent": _parse_memory_percent, "events": _parse_events,
            "save": _parse_save, "string": _parse_string}


@command("config|resetstat")
def config_resetstat(engine, client, argv):
    for name in engine.stats:
        if name != "dirty":  # changes since the last save are not a statistic
            engine.stats[name] = 0
    engine.command_stats.clear()
    engine.error_stats.clear()
    engine.extensions.get("latency_histograms", {}).clear()  # LATENCY HISTOGRAM counts are command stats too
    return OK


_HELP = [
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Print this help.",
]


@command("config|help")
def config_help(engine, client, argv):
    return list(_HELP)

"""How a write command is written into the replication stream: Redis rewrites some before propagating them.

Relative times become absolute (so a replica applying the command later agrees on the deadline), commands whose
outcome was random or depended on the old value are sent as their effect. Each rule reads the state the command
left (the key's deadline, the value now stored) and its reply, as Redis's rewriteClientCommandVector calls do.
"""
from __future__ import annotations

from typing import Any, Callable

_EXPIRE_OPTIONS = (b"ex", b"px", b"exat")


def rewrite(engine: Any, client: Any, name: str, argv: list[bytes], reply: Any) -> list[list[bytes]]:
    rule = _RULES.get(name)
    if rule is None:
        return [list(argv)]
    return rule(engine, client, argv, reply)


def _deadline(engine: Any, client: Any, key: bytes) -> int | None:
    return engine.db(client).expires.get(key)


def _present(engine: Any, client: Any, key: bytes) -> bool:
    return key in engine.db(client).data


def _set(engine, client, argv, reply):
    options = [a.lower() for a in argv[3:]]
    when = _deadline(engine, client, argv[1])
    if any(o in _EXPIRE_OPTIONS for o in options) and when is not None:
        return [[b"SET", argv[1], argv[2], b"PXAT", str(when).encode()]]
    if b"get" in options:
        return [argv[:3] + [a for a in argv[3:] if a.lower() != b"get"]]
    return [list(argv)]


def _setex(engine, client, argv, reply):
    when = _deadline(engine, client, argv[1])
    if when is None:
        return [list(argv)]
    return [[b"SET", argv[1], argv[3], b"PXAT", str(when).encode()]]


def _getex(engine, client, argv, reply):
    key = argv[1]
    if not _present(engine, client, key):
        return [[b"DEL", key]]
    when = _deadline(engine, client, key)
    if when is not None and len(argv) > 2:
        return [[b"PEXPIREAT", key, str(when).encode()]]
    return [[b"PERSIST", key]]


def _expire(engine, client, argv, reply):
    key = argv[1]
    if not _present(engine, client, key):
        verb = b"UNLINK" if engine.config.get("lazyfree-lazy-expire") == "yes" else b"DEL"
        return [[verb, key]]
    when = _deadline(engine, client, key)
    if when is None:
        return [list(argv)]
    return [[b"PEXPIREAT", key, str(when).encode(), *argv[3:]]]


def _getdel(engine, client, argv, reply):
    return [[b"DEL", argv[1]]]


def _getset(engine, client, argv, reply):
    return [[b"SET", argv[1], argv[2]]]


def _incrbyfloat(engine, client, argv, reply):
    return [[b"SET", argv[1], bytes(reply), b"KEEPTTL"]]


def _hincrbyfloat(engine, client, argv, reply):
    return [[b"HSET", argv[1], argv[2], bytes(reply)]]


def _spop(engine, client, argv, reply):
    key = argv[1]
    if len(argv) == 2:
        return [[b"SREM", key, bytes(reply)]]
    if not _present(engine, client, key):
        verb = b"UNLINK" if engine.config.get("lazyfree-lazy-server-del") == "yes" else b"DEL"
        return [[verb, key]]
    members = [bytes(m) for m in reply]
    return [[b"SREM", key, *members[i:i + 1024]] for i in range(0, len(members), 1024)]


def _restore(engine, client, argv, reply):
    ttl = int(argv[2])
    if ttl == 0 or any(a.lower() == b"absttl" for a in argv[4:]):
        return [list(argv)]
    return [[argv[0], argv[1], str(engine.now_ms() + ttl).encode(), *argv[3:], b"ABSTTL"]]


def _xadd(engine, client, argv, reply):
    i = 2
    while i < len(argv):
        word = argv[i].lower()
        if word in (b"nomkstream", b"keepref", b"delref", b"acked"):
            i += 1
        elif word in (b"maxlen", b"minid"):
            i += 3 if argv[i + 1] in (b"=", b"~") else 2
        elif word == b"limit":
            i += 2
        else:
            break
    if i < len(argv) and b"*" in argv[i] and isinstance(reply, (bytes, bytearray)):
        return [argv[:i] + [bytes(reply)] + argv[i + 1:]]
    return [list(argv)]


def _popped_as(verb: bytes) -> Callable:
    """A blocking pop served at once is sent as its non-blocking form on the key it popped from."""
    def rule(engine, client, argv, reply):
        return [[verb, bytes(reply[0])]]
    return rule


def _blmove(engine, client, argv, reply):
    return [[b"LMOVE", *argv[1:5]]]


def _brpoplpush(engine, client, argv, reply):
    return [[b"RPOPLPUSH", argv[1], argv[2]]]


def _mpop(first_key: int, verbs: tuple[bytes, bytes]) -> Callable:
    """LMPOP/BLMPOP/ZMPOP/BZMPOP: the plain pop on the key served, with the count actually popped."""
    def rule(engine, client, argv, reply):
        if not isinstance(reply, (list, tuple)) or len(reply) != 2:
            return [list(argv)]
        numkeys = int(argv[first_key - 1])
        side = argv[first_key + numkeys].lower()
        verb = verbs[0] if side in (b"left", b"min") else verbs[1]
        return [[verb, bytes(reply[0]), b"%d" % len(reply[1])]]
    return rule


_RULES: dict[str, Callable] = {
    "set": _set, "setex": _setex, "psetex": _setex, "getex": _getex, "getdel": _getdel, "getset": _getset,
    "expire": _expire, "pexpire": _expire, "expireat": _expire, "pexpireat": _expire,
    "incrbyfloat": _incrbyfloat, "hincrbyfloat": _hincrbyfloat, "spop": _spop, "restore": _restore, "xadd": _xadd,
    "blpop": _popped_as(b"LPOP"), "brpop": _popped_as(b"RPOP"), "bzpopmin": _popped_as(b"ZPOPMIN"),
    "bzpopmax": _popped_as(b"ZPOPMAX"), "blmove": _blmove, "brpoplpush": _brpoplpush,
    "lmpop": _mpop(2, (b"LPOP", b"RPOP")), "blmpop": _mpop(3, (b"LPOP", b"RPOP")),
    "zmpop": _mpop(2, (b"ZPOPMIN", b"ZPOPMAX")), "bzmpop": _mpop(3, (b"ZPOPMIN", b"ZPOPMAX")),
}

"""Reply values the engine returns, and their RESP2/RESP3 encoding.

Plain Python values where the wire type is unambiguous, small wrappers where it is not:

    bytes/bytearray -> bulk string        int -> integer             None -> null bulk ($-1 / _)
    str             -> simple string      list/tuple -> array        Err("ERR ...") -> error
    Map([(k, v)…])  -> map (flat array in RESP2)     RSet([...]) -> set (array in RESP2)
    Double(x)       -> double (bulk in RESP2)        Bool(b) -> boolean (integer in RESP2)
    Verbatim(text)  -> verbatim string (bulk in RESP2)   Push([...]) -> push (array in RESP2)
    Pushes([...])   -> each element written in turn (several replies to one command)
    BigNumber(text) -> big number (bulk in RESP2)
    NULL_ARRAY      -> *-1 in RESP2, _ in RESP3      NO_REPLY -> nothing is written
    Raw(b"...")     -> written as it is, whatever the protocol (Redis's addReplyProto)
"""
from __future__ import annotations

from typing import Any

from .dtoa import d2string


class Err(str):
    """An error reply; the text starts with its code (ERR, WRONGTYPE, …)."""

    __slots__ = ()


class Map(list):
    __slots__ = ()


class RSet(list):
    __slots__ = ()


class Push(list):
    __slots__ = ()


class Pushes(list):
    """Several replies written one after another: SUBSCRIBE's confirmation per channel, or a reply followed by
    the pushes the command sent to its own client. Redis writes pushes even while CLIENT REPLY is OFF/SKIP."""

    __slots__ = ()


class Double(float):
    __slots__ = ()


class Bool(int):
    __slots__ = ()


class Verbatim(bytes):
    __slots__ = ()


class BigNumber(bytes):
    """A RESP3 big number (a script's {big_number=...}): bulk string in RESP2."""

    __slots__ = ()


class Raw(bytes):
    """Bytes already in wire form: a tracking flush writes the null of the tracking client's protocol even where
    another client, speaking the other protocol, receives it."""

    __slots__ = ()


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NULL_ARRAY = _Sentinel("NULL_ARRAY")
NO_REPLY = _Sentinel("NO_REPLY")
OK = "OK"


def format_double(d: float) -> bytes:
    """A double as Redis prints it in replies (its d2string: Grisu2 digits, integers below 2**62 plainly)."""
    return d2string(d)


def encode(value: Any, resp: int, out: list[bytes]) -> None:
    """Append the wire bytes of `value` to `out`."""
    t = type(value)
    if t is bytes or t is bytearray:
        out.append(b"$%d\r\n%s\r\n" % (len(value), value))
    elif t is int:
        out.append(b":%d\r\n" % value)
    elif t is str:
        out.append(b"+%s\r\n" % value.encode("utf-8", "surrogateescape"))
    elif value is None:
        out.append(b"_\r\n" if resp == 3 else b"$-1\r\n")
    elif t is list or t is tuple:
        out.append(b"*%d\r\n" % len(value))
        for v in value:
            tv = type(v)
            if tv is bytes:  # the most common elements inline (ranges of members, scores): no call for each
                out.append(b"$%d\r\n%s\r\n" % (len(v), v))
            elif tv is Double:
                text = d2string(v)
                out.append(b",%s\r\n" % text if resp == 3 else b"$%d\r\n%s\r\n" % (len(text), text))
            else:
                encode(v, resp, out)
    elif t is Err:
        text = value.encode("utf-8", "surrogateescape")
        if b"\r" in text or b"\n" in text:  # as Redis's addReplyErrorFormat: trim line ends, others become spaces
            text = text.rstrip(b"\r\n").replace(b"\r", b" ").replace(b"\n", b" ")
        out.append(b"-%s\r\n" % text)
    elif t is Map:
        out.append((b"%%%d\r\n" if resp == 3 else b"*%d\r\n") % (len(value) if resp == 3 else 2 * len(value)))
        for k, v in value:
            encode(k, resp, out)
            encode(v, resp, out)
    elif t is RSet:
        out.append((b"~%d\r\n" if resp == 3 else b"*%d\r\n") % len(value))
        for v in value:
            encode(v, resp, out)
    elif t is Double:
        text = format_double(value)
        out.append(b",%s\r\n" % text if resp == 3 else b"$%d\r\n%s\r\n" % (len(text), text))
    elif t is Bool:
        out.append((b"#t\r\n" if value else b"#f\r\n") if resp == 3 else (b":1\r\n" if value else b":0\r\n"))
    elif t is Verbatim:
        if resp == 3:
            out.append(b"=%d\r\ntxt:%s\r\n" % (len(value) + 4, value))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(value), value))
    elif t is Push:
        out.append((b">%d\r\n" if resp == 3 else b"*%d\r\n") % len(value))
        for v in value:
            encode(v, resp, out)
    elif t is BigNumber:
        out.append(b"(%s\r\n" % value if resp == 3 else b"$%d\r\n%s\r\n" % (len(value), value))
    elif t is Pushes:
        for v in value:
            encode(v, resp, out)
    elif t is Raw:
        out.append(value)
    elif value is NULL_ARRAY:
        out.append(b"_\r\n" if resp == 3 else b"*-1\r\n")
    elif value is NO_REPLY:
        pass
    elif isinstance(value, int):  # IntEnum and friends
        out.append(b":%d\r\n" % int(value))
    else:
        raise TypeError(f"cannot encode reply value of type {t.__name__}")


def to_bytes(value: Any, resp: int) -> bytes:
    out: list[bytes] = []
    encode(value, resp, out)
    return b"".join(out)

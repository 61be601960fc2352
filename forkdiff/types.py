"""The value types that flow between subsystems: commands as raw bytes, replies that keep their wire type."""
from __future__ import annotations

import base64
import decimal
import math
import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Kind(str, enum.Enum):
    SIMPLE = "simple"
    BULK = "bulk"
    VERBATIM = "verbatim"
    ERROR = "error"
    INTEGER = "integer"
    DOUBLE = "double"
    BIGNUM = "bignum"
    BOOLEAN = "boolean"
    NULL = "null"
    ARRAY = "array"
    MAP = "map"
    SET = "set"
    PUSH = "push"
    ATTRIBUTE = "attribute"
    # not wire types: what happened instead of a reply
    TIMEOUT = "timeout"
    CLOSED = "closed"
    PROTOCOL_ERROR = "protocol_error"


AGGREGATES = frozenset({Kind.ARRAY, Kind.MAP, Kind.SET, Kind.PUSH, Kind.ATTRIBUTE})
TRANSPORT = frozenset({Kind.TIMEOUT, Kind.CLOSED, Kind.PROTOCOL_ERROR})


def _as_bytes(arg: Any) -> bytes:
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, (bytearray, memoryview)):
        return bytes(arg)
    if isinstance(arg, float):
        return repr(arg).encode()
    return str(arg).encode()


@dataclass(frozen=True, slots=True)
class Command:
    """One command as the client sends it: raw bytes end to end."""

    args: tuple[bytes, ...]

    @classmethod
    def of(cls, *args: Any) -> "Command":
        return cls(tuple(_as_bytes(a) for a in args))

    @property
    def name(self) -> str:
        return self.args[0].decode("utf-8", "replace").lower() if self.args else ""

    def __str__(self) -> str:
        return " ".join(_quote(a) for a in self.args)

    def to_json(self) -> list[str]:
        return [_json_bytes(a) for a in self.args]

    @classmethod
    def from_json(cls, items: list[str]) -> "Command":
        return cls(tuple(_unjson_bytes(a) for a in items))


def _quote(arg: bytes) -> str:
    """Quote one argument the way redis-cli accepts it back."""
    if arg and all(32 < b < 127 and b not in b'"\'\\' for b in arg):
        return arg.decode()
    out = []
    for b in arg:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= b < 127:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(f"\\x{b:02x}")
    return '"' + "".join(out) + '"'


def _json_bytes(b: bytes) -> str:
    """Bytes as JSON text: plain when valid UTF-8 without a NUL-ish prefix, else 'b64:' + base64."""
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        return "b64:" + base64.b64encode(b).decode()
    if text.startswith("b64:"):
        return "b64:" + base64.b64encode(b).decode()
    return text


def _unjson_bytes(s: str) -> bytes:
    if s.startswith("b64:"):
        return base64.b64decode(s[4:])
    return s.encode("utf-8")


@dataclass(frozen=True, slots=True, eq=False)
class Reply:
    """A reply as it came off the wire.

    Equality is exact on what the wire carries: the type, the value, the null kind (`$-1` null bulk, `*-1` null
    array, `_` the one RESP3 null, which stands for either) and a double's text (`1.5` is not `1.50`, `inf` not
    `Inf`). A hand-written expectation has no `raw`: its null is a null bulk unless built as `NULL_ARRAY`, and its
    double is written as Redis writes it (`double_text`).

    `attributes`: the RESP3 attribute (`|`, kind ATTRIBUTE) the server sent just before this reply; it belongs to
    this reply and is never a reply of its own. `raw` holds the reply's own bytes, `wire` those bytes with it.
    """

    kind: Kind
    value: Any = None
    raw: bytes = field(default=b"", repr=False)
    attributes: "Reply | None" = field(default=None, repr=False)

    @property
    def wire(self) -> bytes:
        return (self.attributes.wire if self.attributes is not None else b"") + self.raw

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reply):
            return NotImplemented
        if self.kind is not other.kind:
            return False
        if self.kind is Kind.NULL:
            return _null_kinds_agree(null_kind(self), null_kind(other))
        if self.kind is Kind.DOUBLE:
            return wire_text(self) == wire_text(other)
        return self.value == other.value

    def __hash__(self) -> int:
        if self.kind is Kind.DOUBLE:
            return hash((self.kind, wire_text(self)))
        return hash((self.kind, None if self.kind is Kind.NULL else self.value))

    @property
    def is_error(self) -> bool:
        return self.kind is Kind.ERROR

    @property
    def error_code(self) -> str:
        return self.value.split(" ", 1)[0] if self.kind is Kind.ERROR and self.value else ""

    def plain(self) -> Any:
        """The reply as plain Python values (loses wire types): for membership-style checks."""
        k = self.kind
        if k in (Kind.ARRAY, Kind.SET, Kind.PUSH):
            return [r.plain() for r in self.value]
        if k is Kind.MAP or k is Kind.ATTRIBUTE:
            return [(a.plain(), b.plain()) for a, b in self.value]
        if k is Kind.VERBATIM:
            return self.value[1]
        return self.value

    def to_json(self) -> dict:
        k = self.kind
        if k in AGGREGATES:
            if k in (Kind.MAP, Kind.ATTRIBUTE):
                v: Any = [[a.to_json(), b.to_json()] for a, b in self.value]
            else:
                v = [r.to_json() for r in self.value]
        elif k in (Kind.BULK,):
            v = _json_bytes(self.value)
        elif k is Kind.VERBATIM:
            v = [self.value[0], _json_bytes(self.value[1])]
        elif k is Kind.DOUBLE:
            v = repr(self.value)
        else:
            v = self.value
        out = {"kind": k.value, "value": v}
        if self.raw:
            out["raw"] = _json_bytes(self.raw)
        if self.attributes is not None:
            out["attributes"] = self.attributes.to_json()
        return out

    @classmethod
    def from_json(cls, obj: dict) -> "Reply":
        k = Kind(obj["kind"])
        v = obj.get("value")
        if k in (Kind.MAP, Kind.ATTRIBUTE):
            v = tuple((cls.from_json(a), cls.from_json(b)) for a, b in v)
        elif k in AGGREGATES:
            v = tuple(cls.from_json(x) for x in v)
        elif k is Kind.BULK:
            v = _unjson_bytes(v)
        elif k is Kind.VERBATIM:
            v = (v[0], _unjson_bytes(v[1]))
        elif k is Kind.DOUBLE:
            v = float(v)
        raw = _unjson_bytes(obj["raw"]) if "raw" in obj else b""
        attributes = cls.from_json(obj["attributes"]) if "attributes" in obj else None
        return cls(k, v, raw, attributes)

    def __str__(self) -> str:
        return render(self)


def null_kind(r: Reply) -> str:
    """'bulk' (`$-1`), 'array' (`*-1`) or 'resp3' (`_`, which RESP3 sends for both)."""
    head = r.raw[:1]
    return {b"*": "array", b"_": "resp3"}.get(head, "bulk")


def _null_kinds_agree(a: str, b: str) -> bool:
    return a == b or "resp3" in (a, b)


def double_text(x: float) -> str:
    """A double as Redis writes it (`d2string`): `nan`, `inf`, `-inf`, whole numbers within ±2^62 as integers,
    otherwise the shortest digits that read back the same, laid out as fpconv_dtoa lays them out."""
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    if x == int(x) and abs(x) <= 2 ** 62:
        return str(int(x))
    sign, digits, k = decimal.Decimal(repr(x)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    k += len(digits) - len(text)
    return ("-" if sign else "") + _fpconv_layout(text, k)


def _fpconv_layout(digits: str, k: int) -> str:
    """digits × 10^k: plain when short, else d.ddde±x (no zero padding of the exponent)."""
    n = len(digits)
    exp = abs(k + n - 1)
    if k >= 0 and exp < n + 7:
        return digits + "0" * k
    if k < 0 and (k > -7 or exp < 4):
        if -k >= n:
            return "0." + "0" * (-k - n) + digits
        return digits[:n + k] + "." + digits[n + k:]
    mantissa = digits[0] + ("." + digits[1:] if n > 1 else "")
    return f"{mantissa}e{'-' if k + n - 1 < 0 else '+'}{exp}"


def wire_text(r: Reply) -> str:
    """A double's text: from the wire when it came from one, else as Redis would write the value."""
    if r.raw[:1] == b",":
        return r.raw[1:].rstrip(b"\r\n").decode()
    return double_text(r.value)


def render(r: Reply, indent: str = "") -> str:
    """redis-cli-like rendering, with the wire type shown where it matters."""
    if r.attributes is not None:
        return f"(attributes {render(r.attributes, indent)}) " + render(replace(r, attributes=None), indent)
    k = r.kind
    if k is Kind.BULK:
        return _quote(r.value)
    if k is Kind.SIMPLE:
        return r.value
    if k is Kind.ERROR:
        return f"(error) {r.value}"
    if k is Kind.INTEGER:
        return f"(integer) {r.value}"
    if k is Kind.DOUBLE:
        return f"(double) {r.value!r}"
    if k is Kind.NULL:
        return "(nil)"
    if k is Kind.BOOLEAN:
        return f"({'true' if r.value else 'false'})"
    if k is Kind.VERBATIM:
        return f"(verbatim {r.value[0]}) {_quote(r.value[1])}"
    if k is Kind.BIGNUM:
        return f"(big number) {r.value}"
    if k in (Kind.TIMEOUT, Kind.CLOSED, Kind.PROTOCOL_ERROR):
        return f"<{k.value}{': ' + str(r.value) if r.value else ''}>"
    if k in (Kind.MAP, Kind.ATTRIBUTE):
        if not r.value:
            return "(empty map)"
        return "\n".join(f"{indent}{i}# {render(a)} => {render(b, indent + '   ')}"
                         for i, (a, b) in enumerate(r.value, 1))
    if not r.value:
        return "(empty array)" if k is Kind.ARRAY else f"(empty {k.value})"
    return "\n".join(f"{indent}{i}) {render(x, indent + '   ')}" if i > 1 or not indent else f"{i}) {render(x, indent + '   ')}"
                     for i, x in enumerate(r.value, 1))


# Constructors for expectations, e.g. ``assert reply == array(bulk(b"a"), integer(1))``.
def simple(s: str) -> Reply:
    return Reply(Kind.SIMPLE, s)


def bulk(b: bytes | str) -> Reply:
    return Reply(Kind.BULK, b.encode() if isinstance(b, str) else b)


def integer(n: int) -> Reply:
    return Reply(Kind.INTEGER, n)


def error(msg: str) -> Reply:
    return Reply(Kind.ERROR, msg)


def double(x: float | str) -> Reply:
    """A RESP3 double; given as text (`double("1.5")`), that exact text is expected on the wire."""
    if isinstance(x, str):
        return Reply(Kind.DOUBLE, float(x), f",{x}\r\n".encode())
    return Reply(Kind.DOUBLE, x)


def boolean(x: bool) -> Reply:
    return Reply(Kind.BOOLEAN, x)


NULL = Reply(Kind.NULL, None)  # a null bulk string: `$-1` in RESP2, `_` in RESP3
NULL_ARRAY = Reply(Kind.NULL, None, b"*-1\r\n")  # a null array: `*-1` in RESP2, `_` in RESP3
OK = Reply(Kind.SIMPLE, "OK")


def array(*items: Reply) -> Reply:
    return Reply(Kind.ARRAY, tuple(items))


def bulks(*items: bytes | str | None) -> Reply:
    return Reply(Kind.ARRAY, tuple(NULL if i is None else bulk(i) for i in items))


def map_(*pairs: tuple[Reply, Reply]) -> Reply:
    return Reply(Kind.MAP, tuple(pairs))


def set_(*items: Reply) -> Reply:
    return Reply(Kind.SET, tuple(items))

"""RESP2/RESP3 on the client side: encode commands, parse replies keeping their exact wire type and bytes."""
from __future__ import annotations

from typing import Iterable

from .types import Kind, Reply


class ProtocolError(Exception):
    """The peer sent bytes that are not RESP."""


class _Incomplete(Exception):
    pass


def encode_command(args: Iterable[bytes]) -> bytes:
    args = list(args)
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


_SCALAR_PREFIXES = frozenset(b"+-:$,(#_=!")
_AGG_KINDS = {ord("*"): Kind.ARRAY, ord("~"): Kind.SET, ord(">"): Kind.PUSH}


class ReplyParser:
    """Incremental parser: ``feed`` bytes, then ``get`` returns the next whole Reply or None."""

    COMPACT_AT = 1 << 16  # consumed bytes are dropped from the buffer in bulk, not after every reply

    def __init__(self, max_bulk: int = 1 << 31) -> None:
        self._buf = bytearray()
        self._start = 0  # where the next unread reply begins
        self._max_bulk = max_bulk

    def feed(self, data: bytes) -> None:
        if self._start >= self.COMPACT_AT or self._start == len(self._buf):
            del self._buf[:self._start]
            self._start = 0
        self._buf += data

    @property
    def buffered(self) -> int:
        return len(self._buf) - self._start

    def get(self) -> Reply | None:
        if self._start >= len(self._buf):
            return None
        try:
            reply, end = self._parse(self._start)
        except _Incomplete:
            return None
        self._start = end
        return reply

    def _line(self, pos: int) -> tuple[bytes, int]:
        nl = self._buf.find(b"\r\n", pos)
        if nl < 0:
            if len(self._buf) - pos > 1 << 20:
                raise ProtocolError("line too long")
            raise _Incomplete
        return bytes(self._buf[pos:nl]), nl + 2

    def _int(self, text: bytes) -> int:
        try:
            return int(text)
        except ValueError:
            raise ProtocolError(f"bad length or integer {text[:40]!r}") from None

    def _parse(self, start: int) -> tuple[Reply, int]:
        buf = self._buf
        if start >= len(buf):
            raise _Incomplete
        prefix = buf[start]
        line, pos = self._line(start + 1)
        if prefix == 43:  # +
            return Reply(Kind.SIMPLE, line.decode("utf-8", "surrogateescape"), bytes(buf[start:pos])), pos
        if prefix == 45:  # -
            return Reply(Kind.ERROR, line.decode("utf-8", "surrogateescape"), bytes(buf[start:pos])), pos
        if prefix == 58:  # :
            return Reply(Kind.INTEGER, self._int(line), bytes(buf[start:pos])), pos
        if prefix in (36, 61, 33):  # $ = !
            n = self._int(line)
            if n == -1 and prefix == 36:
                return Reply(Kind.NULL, None, bytes(buf[start:pos])), pos
            if n < 0 or n > self._max_bulk:
                raise ProtocolError(f"bad bulk length {n}")
            if len(buf) < pos + n + 2:
                raise _Incomplete
            if buf[pos + n:pos + n + 2] != b"\r\n":
                raise ProtocolError("bulk string not terminated by CRLF")
            data = bytes(buf[pos:pos + n])
            end = pos + n + 2
            raw = bytes(buf[start:end])
            if prefix == 36:
                return Reply(Kind.BULK, data, raw), end
            if prefix == 33:
                return Reply(Kind.ERROR, data.decode("utf-8", "surrogateescape"), raw), end
            return Reply(Kind.VERBATIM, (data[:3].decode(), data[4:]), raw), end
        if prefix == 44:  # ,
            return Reply(Kind.DOUBLE, _parse_double(line), bytes(buf[start:pos])), pos
        if prefix == 40:  # (
            return Reply(Kind.BIGNUM, self._int(line), bytes(buf[start:pos])), pos
        if prefix == 35:  # #
            if line not in (b"t", b"f"):
                raise ProtocolError(f"bad boolean {line!r}")
            return Reply(Kind.BOOLEAN, line == b"t", bytes(buf[start:pos])), pos
        if prefix == 95:  # _
            return Reply(Kind.NULL, None, bytes(buf[start:pos])), pos
        if prefix in _AGG_KINDS:
            n = self._int(line)
            if n == -1 and prefix == 42:
                return Reply(Kind.NULL, None, bytes(buf[start:pos])), pos
            if n < 0:
                raise ProtocolError(f"bad aggregate length {n}")
            items = []
            for _ in range(n):
                item, pos = self._parse(pos)
                items.append(item)
            return Reply(_AGG_KINDS[prefix], tuple(items), bytes(buf[start:pos])), pos
        if prefix in (37, 124):  # % |
            n = self._int(line)
            if n < 0:
                raise ProtocolError(f"bad map length {n}")
            pairs = []
            for _ in range(n):
                k, pos = self._parse(pos)
                v, pos = self._parse(pos)
                pairs.append((k, v))
            kind = Kind.MAP if prefix == 37 else Kind.ATTRIBUTE
            return Reply(kind, tuple(pairs), bytes(buf[start:pos])), pos
        raise ProtocolError(f"unknown reply type byte {bytes([prefix])!r}")


def _parse_double(line: bytes) -> float:
    text = line.decode()
    low = text.lower()
    if low in ("inf", "+inf"):
        return float("inf")
    if low == "-inf":
        return float("-inf")
    if low == "nan":
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise ProtocolError(f"bad double {text!r}") from None

"""RESP2/RESP3 on the client side: encode commands, parse replies keeping their exact wire type and bytes."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from .types import Kind, Reply


class ProtocolError(Exception):
    """The peer sent bytes that are not RESP."""


def encode_command(args: Iterable[bytes]) -> bytes:
    args = list(args)
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


_AGG_KINDS = {ord("*"): Kind.ARRAY, ord("~"): Kind.SET, ord(">"): Kind.PUSH, ord("%"): Kind.MAP,
              ord("|"): Kind.ATTRIBUTE}
_PAIRED = frozenset((Kind.MAP, Kind.ATTRIBUTE))  # their header counts pairs: twice as many elements follow
_BULK_PREFIXES = frozenset(b"$=!")
MAX_LINE = 1 << 20

# A push arrives on its own (pub/sub messages, invalidations, DEBUG PROTOCOL push...) except the confirmations of
# the subscribe family, which RESP3 sends as pushes but which answer the command.
ANSWERING_PUSHES = frozenset((b"subscribe", b"psubscribe", b"ssubscribe", b"unsubscribe", b"punsubscribe",
                              b"sunsubscribe"))


def is_out_of_band(reply: Reply) -> bool:
    """True for a push that answers no command, so a caller pairing replies with commands must set it aside."""
    if reply.kind is not Kind.PUSH:
        return False
    head = reply.value[0] if reply.value else None
    named = head is not None and head.kind in (Kind.BULK, Kind.SIMPLE)
    return not (named and _as_name(head.value) in ANSWERING_PUSHES)


def _as_name(value: bytes | str) -> bytes:
    return (value if isinstance(value, bytes) else value.encode()).lower()


_OPENED = Reply(Kind.NULL, "an aggregate header, its elements still to come")


class _Aggregate:
    """An aggregate whose elements are still arriving, and an attribute waiting for the element it precedes."""

    __slots__ = ("kind", "start", "left", "items", "attributes")

    def __init__(self, kind: Kind, start: int, count: int) -> None:
        self.kind, self.start, self.left = kind, start, count
        self.items: list[Reply] = []
        self.attributes: Reply | None = None


class ReplyParser:
    """Incremental parser: ``feed`` bytes, then ``get`` returns the next whole top-level Reply or None.

    Nothing is read twice: finished elements of an unfinished aggregate are kept on a stack, the search for a line
    end resumes where it stopped, and a bulk header is parsed once while its body arrives. `scanned` counts the bytes
    examined, so tests can check that parsing stays linear in the input. An attribute (`|`) is attached to the value
    it precedes (Reply.attributes), at any depth; pushes come out in stream order like any other reply."""

    COMPACT_AT = 1 << 16  # consumed bytes are dropped from the buffer in bulk, not after every reply

    def __init__(self, max_bulk: int = 1 << 31) -> None:
        self._buf = bytearray()
        self._start = 0  # where the unfinished top-level reply begins
        self._pos = 0  # where parsing resumes
        self._max_bulk = max_bulk
        self._stack: list[_Aggregate] = []
        self._top_attributes: Reply | None = None
        self._line_search = (-1, 0)  # (line start, where the search for its end resumes)
        self._bulk_header: tuple[int, int, int] | None = None  # (start, declared length, body start)
        self.scanned = 0

    def feed(self, data: bytes) -> None:
        idle = self._pos == self._start and not self._stack and self._top_attributes is None
        if idle and (self._start >= self.COMPACT_AT or self._start == len(self._buf)):
            del self._buf[:self._start]
            self._start = self._pos = 0
            self._line_search, self._bulk_header = (-1, 0), None
        self._buf += data

    @property
    def buffered(self) -> int:
        return len(self._buf) - self._start

    def get(self) -> Reply | None:
        while self._pos < len(self._buf):
            start = self._pos
            item = self._next_item(start)
            if item is None:
                return None
            if item is _OPENED:
                continue
            reply = self._finish(item)
            if reply is not None:
                self._start = self._pos
                return reply
        return None

    # -- one element --------------------------------------------------------------------------------------------
    def _next_item(self, start: int) -> Reply | None:
        """The element starting at `start` if it is a whole scalar or an empty aggregate (the cursor moves past
        it); _OPENED when a non-empty aggregate's header opened a stack entry (cursor past the header); None with
        the cursor unmoved when more bytes are needed."""
        prefix = self._buf[start]
        if prefix in _BULK_PREFIXES:
            return self._bulk(start, prefix)
        found = self._line(start + 1)
        if found is None:
            return None
        line, end = found
        kind = _AGG_KINDS.get(prefix)
        if kind is None:
            reply = self._scalar(prefix, line, bytes(self._buf[start:end]))
        else:
            reply = self._open(kind, start, line, end)
        self._pos = end
        return reply

    def _open(self, kind: Kind, start: int, line: bytes, end: int) -> Reply:
        n = self._int(line)
        if n == -1 and kind is Kind.ARRAY:
            return Reply(Kind.NULL, None, bytes(self._buf[start:end]))
        if n < 0:
            raise ProtocolError(f"bad aggregate length {n}")
        count = 2 * n if kind in _PAIRED else n
        if count == 0:
            return Reply(kind, (), bytes(self._buf[start:end]))
        self._stack.append(_Aggregate(kind, start, count))
        return _OPENED

    def _bulk(self, start: int, prefix: int) -> Reply | None:
        header = self._bulk_header
        if header is None or header[0] != start:
            found = self._line(start + 1)
            if found is None:
                return None
            line, body = found
            n = self._int(line)
            if n == -1 and prefix == 36:
                self._pos = body
                return Reply(Kind.NULL, None, bytes(self._buf[start:body]))
            if n < 0 or n > self._max_bulk:
                raise ProtocolError(f"bad bulk length {n}")
            header = self._bulk_header = (start, n, body)
        _, n, body = header
        end = body + n + 2
        self.scanned += 1
        if len(self._buf) < end:
            return None
        if self._buf[end - 2:end] != b"\r\n":
            raise ProtocolError("bulk string not terminated by CRLF")
        self.scanned += n
        self._bulk_header, self._pos = None, end
        data, raw = bytes(self._buf[body:body + n]), bytes(self._buf[start:end])
        if prefix == 36:
            return Reply(Kind.BULK, data, raw)
        if prefix == 33:
            return Reply(Kind.ERROR, data.decode("utf-8", "surrogateescape"), raw)
        return Reply(Kind.VERBATIM, (data[:3].decode(), data[4:]), raw)

    def _scalar(self, prefix: int, line: bytes, raw: bytes) -> Reply:
        if prefix == 43:  # +
            return Reply(Kind.SIMPLE, line.decode("utf-8", "surrogateescape"), raw)
        if prefix == 45:  # -
            return Reply(Kind.ERROR, line.decode("utf-8", "surrogateescape"), raw)
        if prefix == 58:  # :
            return Reply(Kind.INTEGER, self._int(line), raw)
        if prefix == 44:  # ,
            return Reply(Kind.DOUBLE, _parse_double(line), raw)
        if prefix == 40:  # (
            return Reply(Kind.BIGNUM, self._int(line), raw)
        if prefix == 35:  # #
            if line not in (b"t", b"f"):
                raise ProtocolError(f"bad boolean {line!r}")
            return Reply(Kind.BOOLEAN, line == b"t", raw)
        if prefix == 95:  # _
            return Reply(Kind.NULL, None, raw)
        raise ProtocolError(f"unknown reply type byte {bytes([prefix])!r}")

    # -- putting elements together ------------------------------------------------------------------------------
    def _finish(self, item: Reply | None) -> Reply | None:
        """Give a finished element to the aggregate waiting for it, closing every aggregate it completes; the
        finished top-level reply, or None while one is still open."""
        while item is not None:
            holder = self._stack[-1] if self._stack else None
            if item.kind is Kind.ATTRIBUTE:
                self._set_attributes(holder, item)
                return None
            pending = self._top_attributes if holder is None else holder.attributes
            if pending is not None:
                item = replace(item, attributes=pending)
                self._set_attributes(holder, None)
            if holder is None:
                return item
            holder.items.append(item)
            holder.left -= 1
            item = self._close(holder) if holder.left == 0 else None
        return None

    def _set_attributes(self, holder: _Aggregate | None, attributes: Reply | None) -> None:
        if holder is None:
            self._top_attributes = attributes
        else:
            holder.attributes = attributes

    def _close(self, done: _Aggregate) -> Reply:
        self._stack.pop()
        items = done.items
        value = tuple(zip(items[::2], items[1::2])) if done.kind in _PAIRED else tuple(items)
        return Reply(done.kind, value, bytes(self._buf[done.start:self._pos]))

    # -- lines and numbers --------------------------------------------------------------------------------------
    def _line(self, pos: int) -> tuple[bytes, int] | None:
        """The line starting at `pos` and where the next begins, or None until its CRLF has arrived."""
        line_start, resume = self._line_search
        if line_start != pos:
            resume = pos
        nl = self._buf.find(b"\r\n", resume)
        self.scanned += (nl + 2 if nl >= 0 else len(self._buf)) - resume
        if nl < 0:
            if len(self._buf) - pos > MAX_LINE:
                raise ProtocolError("line too long")
            self._line_search = (pos, max(pos, len(self._buf) - 1))  # a CR at the end may get its LF next
            return None
        return bytes(self._buf[pos:nl]), nl + 2

    @staticmethod
    def _int(text: bytes) -> int:
        try:
            return int(text)
        except ValueError:
            raise ProtocolError(f"bad length or integer {text[:40]!r}") from None


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

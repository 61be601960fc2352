"""The server side of RESP: split a client's byte stream into command lines as Redis does, with its errors.

``RequestParser.parse`` returns complete commands and, on a protocol error, the error text after which the server
replies and closes the connection (Redis's setProtocolError). Lengths are validated before anything is buffered,
so a huge claimed length never allocates.
"""
from __future__ import annotations


from . import errors
from .util import string2ll

INLINE_MAX = 64 * 1024
INT_MAX = (1 << 31) - 1
UNAUTH_MAX_ARGS = 10
UNAUTH_MAX_BULK = 16384
UNAUTH_MAX_QUERY_BUFFER = 1024 * 1024
# Requests that betray an HTTP client (cross-protocol scripting): Redis closes the connection without a reply, and
# the replies of the commands before it in the same read are lost with it.
CROSS_PROTOCOL_NAMES = frozenset((b"post", b"host:"))
CROSS_PROTOCOL = "cross-protocol request"  # the violation that closes without an error reply
# Length lines as a client writes them, for the fast path (anything else is parsed and judged by the general one).
_MULTIBULK_LINES = {b"*%d" % n: n for n in range(1, 1025)}
_BULK_LINES_MAX = 4096
_BULK_LINES = {b"$%d" % n: n for n in range(_BULK_LINES_MAX + 1)}
SPLIT_MAX = 1 << 20  # reads up to this size are cut at every CRLF at once


def is_cross_protocol(argv: list[bytes]) -> bool:
    return argv[0].lower() in CROSS_PROTOCOL_NAMES


def request_size(argv: list[bytes]) -> int:
    """The bytes of a request's arguments (what Redis counts of queued commands)."""
    return sum(len(arg) for arg in argv)


class QueryBufferLimit:
    """Redis closes a client (no reply) whose query buffer, plus the arguments MULTI has queued, passes
    client-query-buffer-limit (1 MB before AUTH); it checks after every read of at most 16 KB, so what counts is the
    request being received. Here whole pipelines may arrive at once, so the check is on each request: an incomplete
    one as it grows, a complete one before it runs. The queued arguments are summed as the queue grows."""

    __slots__ = ("counted", "queued_bytes", "head", "_setting", "_limit")

    def __init__(self) -> None:
        self.counted = 0  # how many queued commands queued_bytes covers
        self.queued_bytes = 0
        self.head: object = None  # the first of them: another first entry means another transaction
        self._setting, self._limit = "", 0

    def limit(self, setting: str) -> int:
        """client-query-buffer-limit from its configured text, converted again only when it changed."""
        if setting is not self._setting:
            self._setting, self._limit = setting, int(setting)
        return self._limit

    def exceeded(self, request_bytes: int, queue: list, limit: int, authenticated: bool) -> bool:
        size = request_bytes + self._queued(queue)
        return size > limit or (size > UNAUTH_MAX_QUERY_BUFFER and not authenticated)

    def cannot_exceed(self, requests_bytes: int, queue: list, limit: int) -> bool:
        """True when requests of `requests_bytes` in all, run in turn, cannot pass the limit whatever they do: the
        queue grows by at most their own bytes, AUTH or RESET may change the 1 MB rule, and CONFIG SET cannot
        set the limit below 1 MB. The connection then skips the check of each one."""
        return requests_bytes + self._queued(queue) <= min(limit, UNAUTH_MAX_QUERY_BUFFER)

    def _queued(self, queue: list) -> int:
        if not queue:  # no transaction, mostly
            self.counted = self.queued_bytes = 0
            self.head = None
            return 0
        if len(queue) < self.counted or queue[0] is not self.head:  # EXEC, DISCARD or a new MULTI emptied it
            self.counted = self.queued_bytes = 0
            self.head = queue[0]
        elif len(queue) == self.counted:  # nothing queued since the last look
            return self.queued_bytes
        for _, _, argv in queue[self.counted:]:
            self.queued_bytes += request_size(argv)
        self.counted = len(queue)
        return self.queued_bytes


def _canonical_lines(tokens: list[bytes], start: int, end: int) -> bool:
    """Every other token from `start` to `end` is the canonical length line of the token after it."""
    sizes = _BULK_LINES
    return all(sizes.get(tokens[i]) == len(tokens[i + 1]) for i in range(start, end, 2))


class ProtocolViolation(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class RequestParser:
    __slots__ = ("buf", "pos", "_argc", "_argv", "_bulklen", "max_bulk", "parsed_bytes")

    def __init__(self, max_bulk: int = 512 * 1024 * 1024) -> None:
        self.buf = bytearray()
        self.pos = 0
        self._argc = 0  # remaining args of the multibulk being read
        self._argv: list[bytes] = []
        self._bulklen = -1
        self.max_bulk = max_bulk
        self.parsed_bytes = 0  # the argument bytes of the commands the last parse returned (see request_size)

    @property
    def pending(self) -> int:
        return len(self.buf) - self.pos

    def feed(self, data: bytes) -> None:
        self.buf += data

    def parse(self, authenticated: bool = True) -> list[list[bytes]]:
        """Every complete command in the buffer. Raises ProtocolViolation (after the complete ones are taken
        the caller should execute them first: see `parse_until_error`)."""
        out, err = self.parse_until_error(authenticated)
        if err is not None:
            raise ProtocolViolation(err)
        return out

    def parse_until_error(self, authenticated: bool = True, limit: int = 1 << 30
                          ) -> tuple[list[list[bytes]], str | None]:
        """Up to `limit` complete commands, then the protocol error met after them (if any)."""
        self.parsed_bytes = 0
        if self.pos >= len(self.buf):  # all read (after every pipeline)
            return [], None
        out: list[list[bytes]] = []
        if self._argc == 0 and limit > UNAUTH_MAX_ARGS and 0 < len(self.buf) - self.pos <= SPLIT_MAX:
            self._split_multibulks(out, limit, authenticated)
        try:
            while self.pos < len(self.buf) and len(out) < limit:
                if self._argc == 0 and self.buf[self.pos] == 42:  # '*': first the common shape, in one pass
                    self._plain_multibulks(out, limit, authenticated)
                    if self.pos >= len(self.buf) or len(out) >= limit:
                        break
                if self._argc == 0 and self.buf[self.pos] != 42:  # not '*': inline
                    cmd = self._inline()
                else:
                    cmd = self._multibulk(authenticated)
                if cmd is None:
                    break
                if cmd and is_cross_protocol(cmd):
                    raise ProtocolViolation(CROSS_PROTOCOL)
                if cmd:
                    out.append(cmd)
                    self.parsed_bytes += request_size(cmd)
        except ProtocolViolation as exc:
            self._compact()
            return out, exc.text
        self._compact()
        return out, None

    def _split_multibulks(self, out: list[list[bytes]], limit: int, authenticated: bool) -> None:
        """The fastest path, once per parse of a whole read: the buffer cut at every CRLF, and the leading
        commands taken while each is a multibulk whose length lines are the exact canonical ones (looked up, not
        parsed) and whose every argument is exactly its line (no CRLF inside). At the first command that is not,
        `_plain_multibulks` and the general path go on from there (at most one cut per parse: never quadratic)."""
        max_bulk = self.max_bulk if authenticated else min(self.max_bulk, UNAUTH_MAX_BULK)
        if max_bulk < _BULK_LINES_MAX:  # a length in the table could pass the limit: the other paths judge
            return
        pos = self.pos
        tokens = bytes(self.buf[pos:] if pos else self.buf).split(b"\r\n")
        last = len(tokens) - 1  # the piece after the final CRLF: not a complete line
        heads, sizes, protocol_names = _MULTIBULK_LINES, _BULK_LINES, CROSS_PROTOCOL_NAMES
        max_args = INT_MAX if authenticated else UNAUTH_MAX_ARGS
        at = parsed = 0
        room = limit - len(out)
        while at < last and room:
            # Each length line must be the canonical one of its argument's length (which also rules out a CRLF
            # inside an argument). One to three arguments (most commands) are unrolled.
            argc = heads.get(tokens[at])
            if argc == 2:
                end = at + 5
                if end > last:
                    break
                first, second = tokens[at + 2], tokens[at + 4]
                size, rest = len(first), len(second)
                if sizes.get(tokens[at + 1]) != size or sizes.get(tokens[at + 3]) != rest:
                    break
                argv = [first, second]
            elif argc == 3:
                end = at + 7
                if end > last:
                    break
                first, second, third = tokens[at + 2], tokens[at + 4], tokens[at + 6]
                size, rest = len(first), len(second)
                if (sizes.get(tokens[at + 1]) != size or sizes.get(tokens[at + 3]) != rest
                        or sizes.get(tokens[at + 5]) != len(third)):
                    break
                argv = [first, second, third]
                rest += len(third)
            elif argc == 1:
                end = at + 3
                if end > last:
                    break
                first = tokens[at + 2]
                size, rest = len(first), 0
                if sizes.get(tokens[at + 1]) != size:
                    break
                argv = [first]
            elif argc is None or argc > max_args:
                break
            else:
                end = at + 1 + 2 * argc
                if end > last or not _canonical_lines(tokens, at + 1, end):
                    break
                argv = tokens[at + 2:end:2]
                first = argv[0]
                size = len(first)
                rest = request_size(argv) - size
            if (size == 4 or size == 5) and first.lower() in protocol_names:
                break
            out.append(argv)
            parsed += size + rest
            room -= 1
            at = end
        if at:  # every line taken, each with its CRLF
            self.pos = pos + sum(map(len, tokens[:at])) + 2 * at
            self.parsed_bytes += parsed

    def _plain_multibulks(self, out: list[list[bytes]], limit: int, authenticated: bool) -> None:
        """Take every complete multibulk command at the position whose length lines are plain decimal numbers
        within the limits, in one pass with no state kept between arguments. It stops before the first command it
        cannot take whole (incomplete, inline, a length line to be judged, a cross-protocol request), which the
        general path then reads with Redis's exact waiting and errors: this never decides an error itself."""
        buf, pos, end = self.buf, self.pos, len(self.buf)
        find = buf.find
        max_bulk = self.max_bulk if authenticated else min(self.max_bulk, UNAUTH_MAX_BULK)
        max_args = INT_MAX if authenticated else UNAUTH_MAX_ARGS
        parsed = 0
        while pos < end and buf[pos] == 42 and len(out) < limit:
            cr = find(b"\r", pos)
            if cr < 0 or cr > end - 2:
                break
            line = buf[pos + 1:cr]  # a NUL byte (where strchr would stop) is not a digit either
            if not line.isdigit() or line[0] == 48 or len(line) > 10:
                break
            argc = int(line)
            if argc > max_args:
                break
            argv: list[bytes] = []
            at, args_size = cr + 2, 0
            for _ in range(argc):
                if at >= end or buf[at] != 36:  # '$'
                    break
                cr = find(b"\r", at)
                if cr < 0 or cr > end - 2:
                    break
                line = buf[at + 1:cr]
                if not line.isdigit() or (line[0] == 48 and len(line) > 1) or len(line) > 19:
                    break
                size = int(line)
                start = cr + 2
                at = start + size + 2
                if size > max_bulk or at > end:
                    break
                argv.append(bytes(buf[start:start + size]))
                args_size += size
            else:
                if argv[0].lower() in CROSS_PROTOCOL_NAMES:
                    break
                out.append(argv)
                pos, parsed = at, parsed + args_size
                continue
            break
        self.pos = pos
        self.parsed_bytes += parsed

    def _compact(self) -> None:
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0

    def _find(self, byte: bytes) -> int:
        """Like C's strchr on the query buffer: a NUL byte ends the search (Redis then keeps waiting)."""
        at = self.buf.find(byte, self.pos)
        if at >= 0:
            nul = self.buf.find(b"\0", self.pos, at)
            if nul >= 0:
                return -1
        return at

    def _line_end(self, byte: bytes, too_big: str) -> int:
        """Where `byte` ends the line being read; -1 while it has not arrived (past INLINE_MAX: `too_big`)."""
        at = self._find(byte)
        if at < 0 and len(self.buf) - self.pos > INLINE_MAX:
            raise ProtocolViolation(too_big)
        return at

    def _inline(self) -> list[bytes] | None:
        nl = self._line_end(b"\n", errors.PROTO_TOO_BIG_INLINE)
        if nl < 0:
            return None
        end = nl - 1 if nl > self.pos and self.buf[nl - 1] == 13 else nl
        line = bytes(self.buf[self.pos:end])
        args = split_args(line)
        if args is None:
            raise ProtocolViolation(errors.PROTO_UNBALANCED)
        self.pos = nl + 1
        return args

    def _multibulk(self, authenticated: bool) -> list[bytes] | None:
        buf = self.buf
        if self._argc == 0:
            cr = self._line_end(b"\r", errors.PROTO_TOO_BIG_MBULK)
            if cr < 0 or cr > len(buf) - 2:
                return None
            n = string2ll(bytes(buf[self.pos + 1:cr]))
            if n is None or n > INT_MAX:
                raise ProtocolViolation(errors.PROTO_INVALID_MULTIBULK)
            if n > UNAUTH_MAX_ARGS and not authenticated:
                raise ProtocolViolation("ERR Protocol error: unauthenticated multibulk length")
            self.pos = cr + 2
            if n <= 0:
                return []
            self._argc = n
            self._argv = []
        while self._argc:
            if self._bulklen == -1:
                cr = self._line_end(b"\r", errors.PROTO_TOO_BIG_BULK)
                if cr < 0 or cr > len(buf) - 2:
                    return None
                if buf[self.pos] != 36:  # '$'
                    raise ProtocolViolation(errors.PROTO_EXPECTED_DOLLAR
                                            % bytes(buf[self.pos:self.pos + 1]).decode("latin-1"))
                n = string2ll(bytes(buf[self.pos + 1:cr]))
                if n is None or n < 0 or n > self.max_bulk:
                    raise ProtocolViolation(errors.PROTO_INVALID_BULK)
                if n > UNAUTH_MAX_BULK and not authenticated:
                    raise ProtocolViolation("ERR Protocol error: unauthenticated bulk length")
                self.pos = cr + 2
                self._bulklen = n
            if len(buf) - self.pos < self._bulklen + 2:
                return None
            self._argv.append(bytes(buf[self.pos:self.pos + self._bulklen]))
            self.pos += self._bulklen + 2
            self._bulklen = -1
            self._argc -= 1
        argv, self._argv = self._argv, []
        return argv


def split_args(line: bytes) -> list[bytes] | None:
    """sdssplitargs: spaces separate, "double quotes" with \\x escapes, 'single quotes'; None if unbalanced."""
    args: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in b" \n\r\t\x0b\x0c":
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    return None
                c = line[i]
                if (c == 92 and i + 3 < n and line[i + 1] == 120 and _ishex(line[i + 2]) and _ishex(line[i + 3])):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == 92 and i + 1 < n:
                    i += 1
                    cur.append({110: 10, 114: 13, 116: 9, 98: 8, 97: 7}.get(line[i], line[i]))
                elif c == 34:
                    if i + 1 < n and line[i + 1] not in b" \n\r\t\x0b\x0c":
                        return None
                    inq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            elif insq:
                if i >= n:
                    return None
                c = line[i]
                if c == 92 and i + 1 < n and line[i + 1] == 39:
                    i += 1
                    cur.append(39)
                elif c == 39:
                    if i + 1 < n and line[i + 1] not in b" \n\r\t\x0b\x0c":
                        return None
                    insq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            else:
                if i >= n:
                    break
                c = line[i]
                if c in b" \n\r\t\x0b\x0c":
                    break
                if c == 34:
                    inq = True
                elif c == 39:
                    insq = True
                else:
                    cur.append(c)
            i += 1
        args.append(bytes(cur))


def _ishex(c: int) -> bool:
    return 48 <= c <= 57 or 97 <= c <= 102 or 65 <= c <= 70

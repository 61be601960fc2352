"""SSCAN and ZSCAN: cursor and option parsing as Redis's scanGenericCommand does it, over a collection's members.

A small encoding (intset, listpack) answers everything at once with cursor 0, as Redis does. A big one is walked in
pages of COUNT entries with the position as cursor: Redis's hash-bucket cursors cannot be reproduced, and the
guarantees SCAN gives (every member present throughout is returned, cursor 0 ends) hold for positions as well.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from .. import errors
from ..errors import CommandError
from .collection_common import parse_long

_ULLONG_MAX = (1 << 64) - 1


def parse_cursor(arg: bytes) -> int:
    if not arg.isdigit() or int(arg) > _ULLONG_MAX:
        raise CommandError(errors.INVALID_CURSOR)
    return int(arg)


def _options(argv: list[bytes]) -> tuple[int, bytes | None]:
    count, pattern, i = 10, None, 3
    while i < len(argv):
        opt = argv[i].lower()
        if opt == b"count" and i + 1 < len(argv):
            count = parse_long(argv[i + 1])
            if count < 1:
                raise CommandError(errors.SYNTAX)
        elif opt == b"match" and i + 1 < len(argv):
            pattern = None if argv[i + 1] == b"*" else argv[i + 1]
        elif opt == b"novalues":
            raise CommandError(errors.NOVALUES_ONLY_HSCAN)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    return count, pattern


def scan_members(engine: Any, client: Any, argv: list[bytes], kind: type,
                 entries: Callable[[Any], list[tuple]], is_small: Callable[[Any], bool]) -> list:
    """Reply [cursor, flat list of entry fields]; `entries(value)` gives (member,) or (member, score-bytes)."""
    cursor = parse_cursor(argv[2])
    value = engine.db(client).get_typed(argv[1], kind)
    count, pattern = _options(argv)
    if value is None:
        return [b"0", []]
    items = entries(value)
    if is_small(value):
        page, cursor = items, 0
    else:
        page = items[cursor:cursor + count]
        cursor = cursor + count if cursor + count < len(items) else 0
    matcher = glob_matcher(pattern) if pattern is not None else None
    out: list[bytes] = []
    for entry in page:
        if matcher is None or matcher(entry[0]):
            out.extend(entry)
    return [b"%d" % cursor, out]


def glob_matcher(pattern: bytes) -> Callable[[bytes], bool]:
    try:
        from ..scan import glob_matcher as shared_matcher  # the generic group's matcher, once it exists
    except ImportError:
        return _own_glob(pattern)
    return shared_matcher(pattern)


def _own_glob(pattern: bytes) -> Callable[[bytes], bool]:
    """Redis's stringmatchlen: * ? [abc] [^a-z] and backslash escapes, compared byte for byte."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i:i + 1]
        if c == b"*":
            out.append(b".*")
        elif c == b"?":
            out.append(b".")
        elif c == b"\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i:i + 1]))
        elif c == b"[":
            i, cls = _char_class(pattern, i + 1)
            out.append(cls)
        else:
            out.append(re.escape(c))
        i += 1
    regex = re.compile(b"".join(out) + b"\\Z", re.S)
    return lambda s: regex.match(s) is not None


def _char_class(pattern: bytes, i: int) -> tuple[int, bytes]:
    negate = pattern[i:i + 1] == b"^"
    if negate:
        i += 1
    parts = []
    while i < len(pattern) and pattern[i:i + 1] != b"]":
        if pattern[i:i + 1] == b"\\" and i + 1 < len(pattern):
            i += 1
            parts.append(re.escape(pattern[i:i + 1]))
        elif pattern[i + 1:i + 2] == b"-" and i + 2 < len(pattern) and pattern[i + 2:i + 3] != b"]":
            lo, hi = sorted((pattern[i], pattern[i + 2]))
            parts.append(b"\\x%02x-\\x%02x" % (lo, hi))
            i += 2
        else:
            parts.append(re.escape(pattern[i:i + 1]))
        i += 1
    body = b"".join(parts)
    if not body:
        return i, b"[^\\s\\S]" if not negate else b"[\\s\\S]"
    return i, b"[" + (b"^" if negate else b"") + body + b"]"

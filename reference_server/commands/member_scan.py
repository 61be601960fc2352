"""SSCAN and ZSCAN over the shared cursor machinery (scan.py), in the order Redis checks things: the cursor, then
the key (a missing key answers an empty scan before any option is read), then the options.

A small encoding (intset, listpack) answers everything at once with cursor 0, as Redis does.
"""
from __future__ import annotations

from typing import Any, Callable

from ..scan import glob_matcher, parse_cursor, parse_scan_options, scan
from .generic_keys import read_typed


def scan_members(engine: Any, client: Any, argv: list[bytes], kind: type, kind_name: str,
                 members: Callable[[Any], list[bytes]], extra: Callable[[Any, bytes], list[bytes]],
                 is_small: Callable[[Any], bool]) -> list:
    """Reply [cursor, flat fields]: each member matched by MATCH, followed by `extra(value, member)`."""
    cursor = parse_cursor(argv[2])
    value = read_typed(engine, engine.db(client), argv[1], kind)
    if value is None:
        return [b"0", []]
    opts = parse_scan_options(argv, 3, kind_name)
    cursor, found = scan(members(value), cursor, opts.count, compact=is_small(value))
    matches = glob_matcher(opts.pattern)
    out: list[bytes] = []
    for member in found:
        if matches(member):
            out.append(member)
            out.extend(extra(value, member))
    return [b"%d" % cursor, out]

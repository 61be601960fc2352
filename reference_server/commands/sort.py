"""SORT and SORT_RO over lists, sets and sorted sets: BY (with `*` and `->field` patterns, or a constant for "no
sort"), GET (`#`, key and hash-field patterns), LIMIT, ASC/DESC, ALPHA and STORE.

Lists and hashes belong to other modules: a list is read through its items, a hash through its field lookup, and a
stored result is a list built by pushing, so it takes the encoding the list type gives it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..datatypes.list import ListValue
from ..datatypes.set import SetValue
from ..datatypes.zset import SKIPLIST, ZSetValue
from ..errors import CommandError
from ..keyspace import type_name
from . import command
from .collection_common import parse_long, store_result
from .generic_keys import lookup_read

_FLOAT = re.compile(rb"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity)$", re.I)


@dataclass
class SortRequest:
    desc: bool = False
    alpha: bool = False
    start: int = 0
    count: int = -1
    by: bytes | None = None
    gets: list[bytes] = field(default_factory=list)
    store: bytes | None = None

    @property
    def dont_sort(self) -> bool:
        return self.by is not None and b"*" not in self.by


def _parse(argv: list[bytes], readonly: bool) -> SortRequest:
    req, j = SortRequest(), 2
    while j < len(argv):
        opt, left = argv[j].lower(), len(argv) - j - 1
        if opt in (b"asc", b"desc"):
            req.desc = opt == b"desc"
        elif opt == b"alpha":
            req.alpha = True
        elif opt == b"limit" and left >= 2:
            req.start, req.count = parse_long(argv[j + 1]), parse_long(argv[j + 2])
            j += 2
        elif not readonly and opt == b"store" and left >= 1:
            req.store, j = argv[j + 1], j + 1
        elif opt == b"by" and left >= 1:
            req.by, j = argv[j + 1], j + 1
        elif opt == b"get" and left >= 1:
            req.gets.append(argv[j + 1])
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return req


# -- patterns ------------------------------------------------------------------------------------------------------
def lookup_by_pattern(engine, db, pattern: bytes, element: bytes) -> bytes | None:
    """Redis's lookupKeyByPattern: '#' is the element, the first '*' is replaced by it, 'key->field' reads a hash;
    the key formed is looked up for reading (a keyspace hit or miss)."""
    if pattern == b"#":
        return element
    star = pattern.find(b"*")
    if star < 0:
        return None
    arrow = pattern.find(b"->", star + 1)
    field_name = None
    if arrow >= 0 and arrow + 2 < len(pattern):
        pattern, field_name = pattern[:arrow], pattern[arrow + 2:]
    value = lookup_read(engine, db, pattern[:star] + element + pattern[star + 1:])
    if value is None:
        return None
    if field_name is None:
        return bytes(value) if type_name(value) == "string" else None
    return _hash_field(value, field_name) if type_name(value) == "hash" else None


def _hash_field(value: Any, name: bytes) -> bytes | None:
    found = value.get(name)
    return bytes(found) if found is not None else None


# -- sorting -------------------------------------------------------------------------------------------------------
def _elements(value: Any, req: SortRequest) -> list[bytes]:
    if isinstance(value, ZSetValue):
        value.enc = SKIPLIST  # SORT converts a listpack sorted set for good, as Redis does
        return [m for _, m in value]
    if isinstance(value, SetValue):
        return value.ordered()
    return [bytes(e) for e in value.items]  # a list


def _numeric(text: bytes | None) -> float:
    if text is None:
        return 0.0
    text = text.split(b"\0", 1)[0]
    if text == b"":
        return 0.0
    if not _FLOAT.match(text):
        raise CommandError(errors.SORT_NOT_DOUBLE)
    return float(text)


def _sorted(engine, db, elements: list[bytes], req: SortRequest) -> list[bytes]:
    keys = [lookup_by_pattern(engine, db, req.by, e) if req.by else e for e in elements]
    if req.alpha:
        def compare(a, b):
            if req.by:
                ka, kb = a[1], b[1]
                if ka is None or kb is None:
                    return 0 if ka is kb else (-1 if ka is None else 1)
            else:
                ka, kb = a[0], b[0]
            return (ka > kb) - (ka < kb)
        decorated = list(zip(elements, keys))
    else:
        scores = [_numeric(k) for k in keys]  # a missing BY key sorts as 0

        def compare(a, b):
            if a[1] != b[1]:
                return 1 if a[1] > b[1] else -1
            return (a[0] > b[0]) - (a[0] < b[0])
        decorated = list(zip(elements, scores))
    ordered = sorted(decorated, key=functools.cmp_to_key(compare), reverse=req.desc)
    return [e for e, _ in ordered]


def _window(length: int, req: SortRequest) -> tuple[int, int]:
    """LIMIT as Redis clamps it: (start, end) inclusive, end < start when nothing is selected."""
    start = min(max(req.start, 0), length)
    count = min(max(req.count, -1), length)
    end = length - 1 if count < 0 else start + count - 1
    if start >= length:
        start, end = length - 1, length - 2
    return start, min(end, length - 1)


def _select(engine, db, value: Any, req: SortRequest) -> list[bytes]:
    elements = _elements(value, req) if value is not None else []
    start, end = _window(len(elements), req)
    if req.dont_sort and isinstance(value, SetValue) and req.store is not None:
        req.alpha, req.by = True, None  # a stored result must not depend on a set's internal order
    if not req.dont_sort:
        elements = _sorted(engine, db, elements, req)
    elif req.desc and not isinstance(value, SetValue):
        elements.reverse()
    return elements[start:end + 1] if end >= start else []


def _rows(engine, db, chosen: list[bytes], req: SortRequest, missing: Any) -> list:
    if not req.gets:
        return list(chosen)
    out = []
    for element in chosen:
        for pattern in req.gets:
            got = lookup_by_pattern(engine, db, pattern, element)
            out.append(missing if got is None else got)
    return out


def _sort(engine, client, argv, readonly: bool):
    req = _parse(argv, readonly)
    db = engine.db(client)
    value = lookup_read(engine, db, argv[1])
    if value is not None and type_name(value) not in ("list", "set", "zset"):
        raise CommandError(errors.WRONGTYPE)
    chosen = _select(engine, db, value, req)
    if req.store is None:
        return _rows(engine, db, chosen, req, None)
    rows = _rows(engine, db, chosen, req, b"")
    result = ListValue()
    result.push(rows, head=False, fill=engine.config.get_int("list-max-listpack-size"))
    store_result(engine, db, req.store, result, "l", "sortstore")
    return len(rows)


@command("sort")
def sort(engine, client, argv):
    return _sort(engine, client, argv, readonly=False)


@command("sort_ro")
def sort_ro(engine, client, argv):
    return _sort(engine, client, argv, readonly=True)

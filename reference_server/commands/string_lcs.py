"""LCS: the longest common subsequence of two strings, its length, or the matching ranges (IDX).

The walk back through the table of prefix LCS lengths follows Redis's exactly, because which of several equally long
subsequences is returned, and the order and shape of the IDX ranges, depend on how ties are broken.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..errors import CommandError
from ..replies import Map
from . import command
from .generic_keys import lookup_read
from .strings import STRING_TYPES, c_string, parse_integer

_CELL_BYTES = 4  # Redis's table holds uint32 cells; their total is capped by proto-max-bulk-len


@dataclass
class LcsOptions:
    length: bool = False
    idx: bool = False
    with_match_len: bool = False
    min_match_len: int = 0


def _parse_options(argv: list[bytes]) -> LcsOptions:
    opts = LcsOptions()
    j = 3
    while j < len(argv):
        token = c_string(argv[j])
        if token == b"idx":
            opts.idx = True
        elif token == b"len":
            opts.length = True
        elif token == b"withmatchlen":
            opts.with_match_len = True
        elif token == b"minmatchlen" and j + 1 < len(argv):
            opts.min_match_len = max(parse_integer(argv[j + 1]), 0)
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    if opts.length and opts.idx:
        raise CommandError(errors.LCS_LEN_AND_IDX)
    return opts


class LcsTable:
    """The LCS length of every pair of prefixes a[:i], b[:j], as one bit vector per prefix of `a` (Hyyro's
    bit-parallel algorithm): the zero bits among the low j bits of rows[i] count that length. Far faster and
    smaller than Redis's table of integers, and it answers the same lookups, so the walk back is unchanged."""

    def __init__(self, a: bytes, b: bytes) -> None:
        full = (1 << len(b)) - 1
        where: dict[int, int] = {}
        for j, char in enumerate(b):
            where[char] = where.get(char, 0) | 1 << j
        row = full
        self.rows = [row]
        for char in a:
            matches = row & where.get(char, 0)
            row = ((row + matches) | (row - matches)) & full
            self.rows.append(row)

    def length(self, i: int, j: int) -> int:
        return j - (self.rows[i] & ((1 << j) - 1)).bit_count()


@dataclass
class _Range:
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def reply(self, with_match_len: bool) -> list:
        item = [[self.a_start, self.a_end], [self.b_start, self.b_end]]
        return item + [self.a_end - self.a_start + 1] if with_match_len else item


def _walk_back(a: bytes, b: bytes, table: LcsTable, min_match_len: int) -> tuple[bytes, list[_Range]]:
    """The subsequence and its matching ranges, last range first, as Redis walks the table from the end."""
    i, j = len(a), len(b)
    chars: list[int] = []
    ranges: list[_Range] = []
    current: _Range | None = None
    while i > 0 and j > 0:
        emit = False
        if a[i - 1] == b[j - 1]:
            chars.append(a[i - 1])
            if current is None:
                current = _Range(i - 1, i - 1, j - 1, j - 1)
            elif current.a_start == i and current.b_start == j:
                current.a_start, current.b_start = i - 1, j - 1  # the range grows backwards
            else:
                emit = True
            emit = emit or current.a_start == 0 or current.b_start == 0
            i, j = i - 1, j - 1
        else:
            if table.length(i - 1, j) > table.length(i, j - 1):
                i -= 1
            else:
                j -= 1
            emit = current is not None
        if emit:
            if current.a_end - current.a_start + 1 >= min_match_len:
                ranges.append(current)
            current = None
    return bytes(reversed(chars)), ranges


@command("lcs")
def lcs(engine, client, argv):
    db = engine.db(client)
    a, b = lookup_read(engine, db, argv[1]), lookup_read(engine, db, argv[2])
    if not isinstance(a, (STRING_TYPES, type(None))) or not isinstance(b, (STRING_TYPES, type(None))):
        raise CommandError(errors.LCS_NOT_STRINGS)
    a, b = bytes(a or b""), bytes(b or b"")
    opts = _parse_options(argv)
    if (len(a) + 1) * (len(b) + 1) * _CELL_BYTES > engine.config.get_int("proto-max-bulk-len"):
        raise CommandError(errors.LCS_TOO_MUCH_MEMORY)
    table = LcsTable(a, b)
    total = table.length(len(a), len(b))
    if opts.length:
        return total
    common, ranges = _walk_back(a, b, table, opts.min_match_len)
    if not opts.idx:
        return common
    matches = [r.reply(opts.with_match_len) for r in ranges]
    return Map([(b"matches", matches), (b"len", total)])

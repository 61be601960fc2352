"""Redis's glob matcher (stringmatchlen), byte for byte: KEYS, SCAN MATCH, HSCAN/SSCAN/ZSCAN, CONFIG GET, PUBSUB.

    *       any run of bytes (consecutive stars count as one)
    ?       one byte
    [abc]   one of a set; [^abc] none of it; [a-z] a range, also written backwards ([z-a]); \\x inside is literal
    \\x      x literally; a trailing backslash matches a backslash

The quirks are Redis's own and kept on purpose, since clients observe them:
- an unterminated class ("[abc") ends at the pattern's end; "[^" alone matches any single byte;
- "[a-]" is the range a..']', so the class goes on past that bracket;
- ranges compare C `char`s, which are signed: bytes >= 0x80 sort below the ASCII ones;
- `nocase` folds only A-Z, and never an escaped byte inside a class;
- an empty subject matches nothing, not even "*" (KEYS and SCAN special-case the pattern "*" themselves);
- Redis gives up (no match) past 1000 nested stars, its guard against abusive patterns.

Redis recurses at every star; here the same search runs as a loop. Once the rest of a pattern has failed from every
position after a star, no earlier star can help (Redis's `skipLongerMatches`), so only the latest star is retried.
"""
from __future__ import annotations

MAX_NESTING = 1000  # stars Redis follows before it answers "no match"

_STAR, _QUESTION, _OPEN, _CLOSE, _CARET, _DASH, _BACKSLASH = b"*?[]^-\\"


def _signed(byte: int) -> int:
    return byte - 256 if byte >= 128 else byte


def _lower(byte: int) -> int:
    return byte + 32 if 65 <= byte <= 90 else byte


def _byte_at(data: bytes, i: int) -> int:
    """The byte at i, or the NUL terminator Redis's strings carry past their end."""
    return data[i] if i < len(data) else 0


def _match_class(pattern: bytes, p: int, subject: int, nocase: bool) -> tuple[bool, int]:
    """Match one byte against the class opening at pattern[p] == '['; returns (matched, index of its last byte)."""
    end = len(pattern)
    p += 1
    negate = _byte_at(pattern, p) == _CARET
    if negate:
        p += 1
    matched = False
    while True:
        c, left = _byte_at(pattern, p), end - p
        if c == _BACKSLASH and left >= 2:
            p += 1
            matched |= pattern[p] == subject
        elif c == _CLOSE:
            break
        elif left == 0:
            p -= 1  # an unterminated class: stay on its last byte
            break
        elif left >= 3 and pattern[p + 1] == _DASH:
            lo, hi = sorted((_signed(c), _signed(pattern[p + 2])))
            probe = _signed(subject)
            if nocase:
                lo, hi, probe = _lower(lo), _lower(hi), _lower(probe)
            matched |= lo <= probe <= hi
            p += 2
        elif nocase:
            matched |= _lower(c) == _lower(subject)
        else:
            matched |= c == subject
        p += 1
    return matched != negate, p


def stringmatch(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    """True when `subject` matches the glob `pattern` exactly as Redis's stringmatchlen decides."""
    plen, slen = len(pattern), len(subject)
    p = s = 0
    depth = 0
    retry: tuple[int, int, int] | None = None  # latest star: (pattern index after it, subject index, depth)
    while True:
        while p < plen and s < slen:
            c = pattern[p]
            if c == _STAR:
                while p + 1 < plen and pattern[p + 1] == _STAR:
                    p += 1
                if p == plen - 1:
                    return True
                depth += 1
                if depth > MAX_NESTING:
                    return False
                p += 1
                retry = (p, s, depth)
                continue
            if c == _QUESTION:
                ok = True
            elif c == _OPEN:
                ok, p = _match_class(pattern, p, subject[s], nocase)
            else:
                if c == _BACKSLASH and plen - p >= 2:
                    p += 1
                    c = pattern[p]
                ok = c == subject[s] or (nocase and _lower(c) == _lower(subject[s]))
            if not ok:
                break
            s += 1
            p += 1
            if s == slen:
                while p < plen and pattern[p] == _STAR:
                    p += 1
                break
        if p == plen and s == slen:
            return True
        if retry is None:
            return False
        p, s, depth = retry
        s += 1
        if s >= slen:
            return False
        retry = (p, s, depth)


match = stringmatch  # the short name other modules import

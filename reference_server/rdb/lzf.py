"""LZF as Redis builds it (HLOG 16, VERY_FAST): the compressor step by step, so its output is byte-identical.

Compressed format: 000LLLLL + L+1 literal bytes; LLLooooo oooooooo = back reference of L+2 bytes at offset o+1;
111ooooo LLLLLLLL oooooooo = back reference of L+9 bytes. Redis leaves the hash table uninitialised; an empty
slot here stands for whatever was there, which Redis's own checks reject as a match in practice.
"""
from __future__ import annotations

_HSIZE = 1 << 16
_MAX_LIT = 1 << 5
_MAX_OFF = 1 << 13
_MAX_REF = (1 << 8) + (1 << 3)
_U32 = 0xFFFFFFFF


def _idx(h: int) -> int:
    return ((h >> 8) - h * 5) & (_HSIZE - 1)


def _match_length(data: bytes, ref: int, ip: int, end: int) -> int:
    """Length of the match at ip against ref, counted as lzf_c.c counts it (its unrolled run included)."""
    length = 2
    maxlen = min(end - ip - length, _MAX_REF)
    if maxlen > 16:
        for _ in range(16):
            length += 1
            if data[ref + length] != data[ip + length]:
                return length
    while True:
        length += 1
        if not (length < maxlen and data[ref + length] == data[ip + length]):
            return length


def compress(data: bytes, out_len: int) -> bytes | None:
    """The compressed form if it fits in `out_len` bytes, else None (lzf_compress returning 0)."""
    in_len = len(data)
    if not in_len or not out_len:
        return None
    htab: dict[int, int] = {}
    out = bytearray(out_len + 8)
    op, lit, ip = 1, 0, 0  # out[0] is the pending literal run's length byte
    hval = (data[0] << 8 | data[1]) if in_len > 1 else 0
    while ip < in_len - 2:
        hval = ((hval << 8) | data[ip + 2]) & _U32
        slot = _idx(hval)
        ref = htab.get(slot)
        htab[slot] = ip
        if ref is not None and ref > 0 and ip - ref - 1 < _MAX_OFF and data[ref + 2] == data[ip + 2] \
                and data[ref] == data[ip] and data[ref + 1] == data[ip + 1]:
            off = ip - ref - 1
            if op + 4 >= out_len and op - (not lit) + 4 >= out_len:
                return None
            out[op - lit - 1] = lit - 1 & 0xFF
            op -= not lit
            length = _match_length(data, ref, ip, in_len) - 2
            ip += 1
            if length < 7:
                out[op] = (off >> 8) + (length << 5)
                op += 1
            else:
                out[op], out[op + 1] = (off >> 8) + (7 << 5), length - 7
                op += 2
            out[op] = off & 0xFF
            op += 2  # the offset byte, then room for the next run's length byte
            lit = 0
            ip += length + 1
            if ip >= in_len - 2:
                break
            ip -= 2
            hval = (data[ip] << 8 | data[ip + 1])
            for _ in range(2):
                hval = ((hval << 8) | data[ip + 2]) & _U32
                htab[_idx(hval)] = ip
                ip += 1
        else:
            if op >= out_len:
                return None
            out[op] = data[ip]
            op, lit, ip = op + 1, lit + 1, ip + 1
            if lit == _MAX_LIT:
                out[op - lit - 1] = lit - 1
                lit, op = 0, op + 1
    if op + 3 > out_len:
        return None
    while ip < in_len:
        out[op] = data[ip]
        op, lit, ip = op + 1, lit + 1, ip + 1
        if lit == _MAX_LIT:
            out[op - lit - 1] = lit - 1
            lit, op = 0, op + 1
    out[op - lit - 1] = lit - 1 & 0xFF
    op -= not lit
    return bytes(out[:op])


def decompress(data: bytes, out_len: int) -> bytes | None:
    """The original bytes, or None when the input is malformed or does not expand to exactly `out_len`."""
    out = bytearray()
    ip, end = 0, len(data)
    while ip < end:
        ctrl = data[ip]
        ip += 1
        if ctrl < 32:
            run = ctrl + 1
            if len(out) + run > out_len or ip + run > end:
                return None
            out += data[ip:ip + run]
            ip += run
            continue
        length = ctrl >> 5
        if ip >= end:
            return None
        if length == 7:
            length += data[ip]
            ip += 1
            if ip >= end:
                return None
        ref = len(out) - ((ctrl & 0x1F) << 8) - 1 - data[ip]
        ip += 1
        if len(out) + length + 2 > out_len or ref < 0:
            return None
        for i in range(length + 2):  # byte by byte: the source may overlap what is being written
            out.append(out[ref + i])
    return bytes(out) if len(out) == out_len else None

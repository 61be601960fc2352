"""The partial quicksort Redis uses when COUNT keeps fewer results than were found (its pqsort: Bentley and
McIlroy's qsort that skips the partitions outside the wanted ranks).

It is not stable, and which of several equally distant points make the cut depends on its exact swaps, so the
same steps are taken here. A full sort is glibc's merge sort, which is stable: Python's sort gives the same order.
"""
from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")
Compare = Callable[[T, T], int]


def _med3(a: list, i: int, j: int, k: int, cmp: Compare) -> int:
    if cmp(a[i], a[j]) < 0:
        return j if cmp(a[j], a[k]) < 0 else (k if cmp(a[i], a[k]) < 0 else i)
    return j if cmp(a[j], a[k]) > 0 else (i if cmp(a[i], a[k]) < 0 else k)


def _swap_blocks(a: list, i: int, j: int, n: int) -> None:
    for k in range(n):
        a[i + k], a[j + k] = a[j + k], a[i + k]


def _insertion_sort(a: list, base: int, n: int, cmp: Compare) -> None:
    for m in range(base + 1, base + n):
        j = m
        while j > base and cmp(a[j - 1], a[j]) > 0:
            a[j], a[j - 1] = a[j - 1], a[j]
            j -= 1


def _pivot(a: list, base: int, n: int, cmp: Compare) -> int:
    m = base + n // 2
    if n > 7:
        lo, hi = base, base + n - 1
        if n > 40:
            d = n // 8
            lo = _med3(a, lo, lo + d, lo + 2 * d, cmp)
            m = _med3(a, m - d, m, m + d, cmp)
            hi = _med3(a, hi - 2 * d, hi - d, hi, cmp)
        m = _med3(a, lo, m, hi, cmp)
    return m


def _partition(a: list, base: int, n: int, cmp: Compare) -> tuple[int, int]:
    """Three-way partition around a[base]: returns the sizes of the "less" and "greater" parts, which end up
    at the start and the end of the range."""
    pa = pb = base + 1
    pc = pd = base + n - 1
    while True:
        while pb <= pc and (r := cmp(a[pb], a[base])) <= 0:
            if r == 0:
                a[pa], a[pb] = a[pb], a[pa]
                pa += 1
            pb += 1
        while pb <= pc and (r := cmp(a[pc], a[base])) >= 0:
            if r == 0:
                a[pc], a[pd] = a[pd], a[pc]
                pd -= 1
            pc -= 1
        if pb > pc:
            break
        a[pb], a[pc] = a[pc], a[pb]
        pb += 1
        pc -= 1
    end = base + n
    r = min(pa - base, pb - pa)
    _swap_blocks(a, base, pb - r, r)
    r = min(pd - pc, end - pd - 1)
    _swap_blocks(a, pb, end - r, r)
    return pb - pa, pd - pc


def _overlaps(start: int, size: int, lo: int, hi: int) -> bool:
    return not ((lo < start and hi < start) or (lo >= start + size and hi >= start + size))


def partial_sort(a: list, cmp: Compare, lo: int, hi: int) -> None:
    """Reorder `a` in place so that ranks lo..hi hold the elements a full sort would put there, in order."""
    base, n = 0, len(a)
    while True:
        if n < 7:
            _insertion_sort(a, base, n, cmp)
            return
        m = _pivot(a, base, n, cmp)
        a[base], a[m] = a[m], a[base]
        less, greater = _partition(a, base, n, cmp)
        if less > 1 and _overlaps(base, less, lo, hi):
            _sort_part(a, base, less, cmp, lo, hi)
        if greater <= 1:
            return
        base, n = base + n - greater, greater
        if not _overlaps(base, n, lo, hi):
            return


def _sort_part(a: list, base: int, n: int, cmp: Compare, lo: int, hi: int) -> None:
    """partial_sort on the slice a[base:base + n] (ranks stay absolute)."""
    part = a[base:base + n]
    partial_sort(part, cmp, lo - base, hi - base)
    a[base:base + n] = part

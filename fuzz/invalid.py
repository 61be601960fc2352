"""Deliberately invalid variants of a well-formed argument list: what servers disagree on most is error paths."""
from __future__ import annotations

from typing import Callable

from hypothesis import strategies as st

BAD_NUMBERS = [b"x", b"1.5", b"", b"99999999999999999999", b"-", b"nan", b"1e400", b" 1", b"0x10"]
UNKNOWN_TOKENS = [b"BOGUS", b"NX", b"COUNT", b"WITHSCORES", b"-1"]


def drop_last(draw: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    return words[:-1]


def add_extra(draw: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    return words + [draw(st.sampled_from([b"extra", b"1"]))]


def bad_number(draw: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    spots = [i for i, is_number in enumerate(numeric) if is_number]
    if not spots:
        return add_extra(draw, words, numeric)
    i = draw(st.sampled_from(spots))
    return words[:i] + [draw(st.sampled_from(BAD_NUMBERS))] + words[i + 1:]


def unknown_token(draw: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    i = draw(st.integers(min(1, len(words)), len(words)))
    return words[:i] + [draw(st.sampled_from(UNKNOWN_TOKENS))] + words[i:]


def no_arguments(draw: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    return []


MUTATIONS = [bad_number, unknown_token, drop_last, add_extra, no_arguments]


def mutate(draw: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    """One mutation, chosen by a draw that shrinks towards the first (the least disruptive) of them."""
    return draw(st.sampled_from(MUTATIONS))(draw, words, numeric)

"""Deliberately invalid variants of a well-formed argument list: what servers disagree on most is error paths."""
from __future__ import annotations

from typing import Callable

from .choice import Choice


BAD_NUMBERS = [b"x", b"1.5", b"", b"99999999999999999999", b"-", b"nan", b"1e400", b" 1", b"0x10"]
UNKNOWN_TOKENS = [b"BOGUS", b"NX", b"COUNT", b"WITHSCORES", b"-1"]
BAD_NUMBER_VALUES = Choice(tuple(BAD_NUMBERS))
UNKNOWN_TOKEN_VALUES = Choice(tuple(UNKNOWN_TOKENS))
EXTRAS = Choice((b"extra", b"1"))


def drop_last(pick: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    return words[:-1]


def add_extra(pick: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    return words + [pick(EXTRAS)]


def bad_number(pick: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    spots = [i for i, is_number in enumerate(numeric) if is_number]
    if not spots:
        return add_extra(pick, words, numeric)
    i = pick(Choice(tuple(spots)))
    return words[:i] + [pick(BAD_NUMBER_VALUES)] + words[i + 1:]


def unknown_token(pick: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    i = pick(Choice(tuple(range(min(1, len(words)), len(words) + 1))))
    return words[:i] + [pick(UNKNOWN_TOKEN_VALUES)] + words[i:]


def no_arguments(pick: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    return []


MUTATIONS = [bad_number, unknown_token, drop_last, add_extra, no_arguments]
CHOOSE_MUTATION = Choice(tuple(MUTATIONS))


def mutate(pick: Callable, words: list[bytes], numeric: list[bool]) -> list[bytes]:
    """One mutation, chosen by a draw that shrinks towards the first (the least disruptive) of them."""
    return pick(CHOOSE_MUTATION)(pick, words, numeric)

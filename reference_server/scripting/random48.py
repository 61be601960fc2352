"""Redis's deterministic generator behind Lua's math.random: the 48-bit linear congruential rand48.

Redis starts it from the classic seed and never reseeds it on its own (math.randomseed does), so a fresh server
answers the same sequence of math.random values every time.
"""
from __future__ import annotations

_MULTIPLIER = 0x5DEECE66D
_INCREMENT = 0xB
_MASK = (1 << 48) - 1
_INITIAL = 0x1234ABCD330E
_LRAND48_MAX = (1 << 31) - 1


class Rand48:
    def __init__(self) -> None:
        self.state = _INITIAL

    def next_int(self) -> int:
        """redisLrand48: the top 31 bits of the next state."""
        self.state = (_MULTIPLIER * self.state + _INCREMENT) & _MASK
        return self.state >> 17

    def next_fraction(self) -> float:
        """math.random()'s value in [0, 1)."""
        return (self.next_int() % _LRAND48_MAX) / _LRAND48_MAX

    def seed(self, value: int) -> None:
        """redisSrand48: the seed's 32 bits above the fixed low word."""
        value &= 0xFFFFFFFF
        self.state = (value << 16) | 0x330E

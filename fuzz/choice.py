"""A finite set of options, simplest first, drawn either by Hypothesis (shrinkable) or by a seeded random source."""
from __future__ import annotations

from typing import Any, Callable

from hypothesis import strategies as st


class Choice:
    """The options and, built on first use and then kept, the Hypothesis strategy over them."""

    __slots__ = ("options", "_strategy")

    def __init__(self, options: tuple) -> None:
        if not options:
            raise ValueError("a Choice needs at least one option")
        self.options = options
        self._strategy: st.SearchStrategy | None = None

    @property
    def strategy(self) -> st.SearchStrategy:
        if self._strategy is None:
            self._strategy = st.sampled_from(self.options)
        return self._strategy


Pick = Callable[[Choice], Any]

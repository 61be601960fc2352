"""Argument parsers for `forkdiff fuzz`: each raises argparse.ArgumentTypeError with a clear message."""
from __future__ import annotations

import argparse

from .programs import normalise_group


def parse_list(text: str) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list, got nothing")
    return list(dict.fromkeys(items))


def parse_resp(text: str) -> tuple[int, ...]:
    try:
        values = tuple(sorted({int(x) for x in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--resp takes 2, 3 or 2,3, not {text!r}") from None
    if not values or any(v not in (2, 3) for v in values):
        raise argparse.ArgumentTypeError(f"--resp takes 2, 3 or 2,3, not {text!r}")
    return values


def parse_groups(text: str) -> list[str]:
    from forkdiff.spec import load_spec
    known = {c.group for c in load_spec().top_level()} | {"all"}
    groups = [normalise_group(g) for g in parse_list(text)]
    unknown = [g for g in groups if g not in known]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return groups


def parse_weights(text: str) -> dict[str, int]:
    out = {}
    for item in parse_list(text):
        group, _, weight = item.partition("=")
        try:
            out[normalise_group(group)] = int(weight)
        except ValueError:
            raise argparse.ArgumentTypeError(f"weights look like hash=20,list=5, not {item!r}") from None
    return out


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes I/N, e.g. 1/4, not {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"--shard I/N needs 1 <= I <= N, not {text!r}")
    return index, count

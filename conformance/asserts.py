"""Assertions on typed replies: exact wire type, value and error text, with readable failure messages."""
from __future__ import annotations

from forkdiff.types import Kind, Reply, render

class ErrorTextMismatch(AssertionError):
    """The error code matched but its text did not: counted apart from semantic divergences."""


__all__ = ["ErrorTextMismatch", "assert_reply", "assert_error", "assert_ok", "assert_null", "assert_null_array", "assert_members",
           "assert_help", "pick"]


def _show(r: Reply) -> str:
    return f"{render(r)}  [{r.kind.value}]" + (f"  raw={r.raw[:200]!r}" if r.raw else "")


def assert_reply(got: Reply, expected: Reply) -> None:
    if got == expected:
        return
    text = f"\nexpected: {_show(expected)}\n     got: {_show(got)}"
    if got.is_error and expected.is_error and got.error_code == expected.error_code:
        raise ErrorTextMismatch(text)
    raise AssertionError(text)


def assert_error(got: Reply, message: str | None = None, *, code: str | None = None,
                 startswith: str | None = None) -> None:
    """An error reply; `message` is the whole text (checked exactly), `code` its first word."""
    assert got.kind is Kind.ERROR, f"expected an error, got {_show(got)}"
    if code is not None:
        assert got.error_code == code, f"expected error code {code}, got {got.value!r}"
    if message is not None and got.value != message:
        text = f"\nexpected error: {message!r}\n     got error: {got.value!r}"
        if got.error_code == message.split(" ", 1)[0]:
            raise ErrorTextMismatch(text)
        raise AssertionError(text)
    if startswith is not None:
        assert got.value.startswith(startswith), f"expected an error starting {startswith!r}, got {got.value!r}"


def assert_ok(got: Reply) -> None:
    assert got.kind is Kind.SIMPLE and got.value == "OK", f"expected +OK, got {_show(got)}"


def assert_null(got: Reply, resp: int) -> None:
    """A null bulk string: `$-1` in RESP2, `_` in RESP3."""
    want = b"_\r\n" if resp == 3 else b"$-1\r\n"
    assert got.raw == want, f"expected null {want!r}, got {_show(got)}"


def assert_null_array(got: Reply, resp: int) -> None:
    """A null array: `*-1` in RESP2, `_` in RESP3."""
    want = b"_\r\n" if resp == 3 else b"*-1\r\n"
    assert got.raw == want, f"expected null array {want!r}, got {_show(got)}"


def assert_members(got: Reply, expected: list, kind: Kind | None = None) -> None:
    """An aggregate whose elements equal `expected` in any order (for replies Redis does not order)."""
    if kind is not None:
        assert got.kind is kind, f"expected a {kind.value}, got {_show(got)}"
    assert got.kind in (Kind.ARRAY, Kind.SET), f"expected an array or set, got {_show(got)}"
    assert _same_multiset(list(got.value), list(expected)), \
        f"\nexpected members: {expected}\n     got: {_show(got)}"


def _same_multiset(got: list[Reply], expected: list[Reply]) -> bool:
    """Rule `multiset`: the same elements, each compared exactly, in any order."""
    left = list(got)
    for want in expected:
        match = next((i for i, r in enumerate(left) if r == want), None)
        if match is None:
            return False
        left.pop(match)
    return not left


def assert_help(got: Reply, command: str, lines: int) -> None:
    """A HELP reply of `lines` simple strings: Redis's usage line first, its own HELP entry last."""
    assert got.kind is Kind.ARRAY and len(got.value) == lines, f"expected {lines} help lines, got {_show(got)}"
    assert all(line.kind is Kind.SIMPLE for line in got.value), f"expected simple strings, got {_show(got)}"
    texts = [line.value for line in got.value]
    assert texts[0] == f"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", texts[0]
    assert texts[-2:] == ["HELP", "    Print this help."], texts[-2:]


def pick(resp: int, resp2: Reply, resp3: Reply) -> Reply:
    """The expectation for the connection's protocol version."""
    return resp3 if resp == 3 else resp2

"""The normalised difference behind a failing case or a fuzz finding: a class and a signature.

Two cases share a root cause when their differences normalise to the same signature: numbers, hex digests, key
names and quoted arguments are masked, so the same wording from HEXPIRE and HPEXPIRE, or the same missing ACL flag in
ACL LIST and ACL GETUSER, reads the same. A command the target does not have is one difference per command group
("vector sets are missing"), not one per case. The class names are the fuzzer's (fuzz/compare.py CLASSES).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass

from forkdiff.spec import load_spec
from forkdiff.types import Kind, Reply, render

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_NUMBER = re.compile(r"(?<![A-Za-z_])-?\d+(\.\d+)?(e[+-]?\d+)?")
_HEX = re.compile(r"\b(0x)?[0-9a-f]{12,}\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_UNKNOWN = re.compile(r"unknown (sub)?command ['`]([^'`]*)['`]"
                      r"|unknown (sub)command or wrong number of arguments for '([^']*)'", re.I)
_GOT_ERROR = re.compile(r"got error: (?:'([^'\n]*)'|\"([^\"\n]*)\")"
                        r"|got:? \(error\) ([^\n]*?)  \[error\]"
                        r"|Reply\(kind=<Kind\.ERROR: 'error'>, value=(?:'([^'\n]*)'|\"([^\"\n]*)\")\)")
_EXPECTED_ERROR = re.compile(r"expected (?:error|an error starting): (?:'([^'\n]*)'|\"([^\"\n]*)\")")
_RAW = re.compile(r"raw=b(?:'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?)")
_REPLY_KIND = re.compile(r"\[(simple|bulk|verbatim|error|integer|double|bignum|boolean|null|array|map|set|push)\]")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-|@:.]*")

# The names a user knows for the spec's command groups.
GROUP_LABELS = {"module": "vector sets", "generic": "keys", "sorted-set": "sorted sets", "set": "sets",
                "list": "lists", "hash": "hashes", "string": "strings", "stream": "streams", "bitmap": "bitmaps",
                "hyperloglog": "HyperLogLog", "geo": "geospatial", "pubsub": "pub/sub", "server": "server",
                "connection": "connection", "scripting": "scripting", "transactions": "transactions",
                "cluster": "cluster", "client_tracking": "client tracking", "notifications": "keyspace notifications",
                "protocol": "protocol"}


def command_group(command: str, fallback: str = "") -> str:
    """The spec's group of a command or subcommand ('acl|setuser' is in its container's group)."""
    spec = load_spec()
    cmd = spec.get(command.lower()) if command else None
    if cmd is None:
        return fallback
    return cmd.group or spec[cmd.container].group


def _missing(name: str, group: str) -> Difference:
    """A command the target does not have: one difference per command group the missing command belongs to."""
    group = command_group(name.split(" ")[0], group)
    return Difference("error_vs_value", f"missing|{group}", "", f"unknown command {name}")


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group, group.replace("_", " "))


def plain(text: str) -> str:
    """A stored message without terminal escapes (a run in a real terminal colours pytest's text)."""
    return ANSI.sub("", text or "")


def mask(text: str) -> str:
    """Text with what varies between cases masked: quoted arguments, digests, numbers."""
    text = _QUOTED.sub("'…'", text)
    text = _HEX.sub("#", text)
    return _NUMBER.sub("N", text).strip()


@dataclass(frozen=True)
class Difference:
    cls: str          # a fuzz/compare.py class name
    signature: str    # what the root cause is grouped by (with the product)
    expected: str     # Redis's side, for a title ("" when not known)
    got: str          # the target's side


def unknown_command(text: str) -> str | None:
    """The command (or 'CONTAINER SUB') an 'unknown command' error names, else None."""
    m = _UNKNOWN.search(text)
    if not m or m.group(4) is not None:
        # Redis 6.2's "Unknown subcommand or wrong number of arguments for 'X'" says one or the other: not taken
        # as a missing subcommand (its text is the difference)
        return None
    name = (m.group(2) or m.group(4)).upper()
    container = re.search(r"Try ([A-Z]+) HELP", text[m.start():m.start() + 200])
    return f"{container.group(1)} {name}" if container and (m.group(1) or m.group(3)) else name


_CONFIG_REFUSED = re.compile(r"CONFIG SET '([\w-]+)'|CONFIG SET failed \(possibly related to argument '([\w-]+)'\)")


def _refusal_signature(error: str, group: str) -> str:
    """An error where Redis answered: one cause per command group and text, except a refused CONFIG SET of a
    parameter, which is one cause whatever command the case was about (cases set it up to observe that command)."""
    m = _CONFIG_REFUSED.search(error)
    if m:
        return f"error_vs_value|config|{m.group(1) or m.group(2)}"
    return f"error_vs_value|{group}|{mask(error)}"


def _in_spec(name: str | None, listed: Collection[str] = ()) -> str | None:
    """`name` when it is a command (or CONTAINER SUB) of Redis 8.2.3's table that the target does not list itself
    (`listed`: its own command names, lower case): only those can be missing. A listed command that answers "unknown
    command" (Dragonfly's HELLO with a protocol version it does not take) refuses those arguments; that refusal is
    the difference."""
    if not name or name.lower() in listed:
        return None
    return name if name.lower().replace(" ", "|") in load_spec() else None


def of_message(message: str, command: str, group: str, listed: Collection[str] = ()) -> Difference:
    """The difference a failing conformance case reports in its assertion message (`listed`: see _in_spec)."""
    text = plain(message)
    got_error, want_error = _first(_GOT_ERROR, text), _first(_EXPECTED_ERROR, text)
    # without an extracted error, only what the case got (the left of each `==`/`!=`) can name a missing command
    got_side = got_error or "\n".join(re.split(r" (?:==|!=) ", line)[0] for line in text.splitlines())
    missing = _in_spec(unknown_command(got_side), listed)
    # Redis 6.2 says "Unknown subcommand or wrong number of arguments" for both: only a missing command when Redis
    # answered with a value
    ambiguous = "wrong number of arguments" in (got_error or text) and bool(want_error)
    if missing is not None and unknown_command(want_error) is None and not ambiguous:
        return _missing(missing, group)
    kinds = _REPLY_KIND.findall(text)
    if got_error and want_error:
        return _error_pair(want_error, got_error)
    if got_error:
        want = kinds[0] if kinds and kinds[0] != "error" else "reply"
        return Difference("error_vs_value", _refusal_signature(got_error, group), want, got_error)
    if want_error or "expected an error" in text:
        return Difference("error_vs_value", f"value_vs_error|{command}|{mask(want_error or '')}",
                          want_error or "an error", "a reply")
    if len(kinds) >= 2 and kinds[0] != kinds[1]:
        return Difference("resp_type", f"resp_type|{command}|{kinds[0]}|{kinds[1]}", kinds[0], kinds[1])
    return _value_difference(text, command, group)


def _first(pattern: re.Pattern, text: str) -> str:
    m = pattern.search(text)
    return next((g for g in m.groups() if g is not None), "").strip() if m else ""


def _error_pair(want: str, got: str) -> Difference:
    """Two error texts: by their edit when it is small (a script's SHA left out, "Redis" written "Valkey"), so one
    wording change is one difference whatever message it sits in; else by both masked texts."""
    cls = "error_text" if want.split(" ", 1)[0] == got.split(" ", 1)[0] else "error_code"
    edit = _small_edit(_tokens(mask(want)), _tokens(mask(got)))
    if cls == "error_text" and edit is not None:
        return Difference(cls, f"{cls}|edit|{edit}", want, got)
    return Difference(cls, f"{cls}|{mask(want)}|{mask(got)}", want, got)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def _small_edit(a: list[str], b: list[str], limit: int = 4) -> str | None:
    """The tokens removed and added between two texts, when few are (and most of the text is shared)."""
    removed, added = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    if len(removed) + len(added) > limit or len(removed) + len(added) >= min(len(a), len(b)):
        return None
    return f"-{' '.join(removed)} +{' '.join(added)}"


def _value_difference(text: str, command: str, group: str) -> Difference:
    """Same reply type, other content: what one side has and the other lacks, words only (numbers masked)."""
    want, got = _sides(_RAW.sub("", text))
    if want is None:
        first = text.splitlines()[0] if text else ""
        return Difference("value", f"other|{command}|{first.split(':', 1)[0]}", "", first[:160])
    if "\\x" in want or "\\x" in got:
        return Difference("value", f"value|{command}|bytes", "", "other bytes")
    lacks = sorted(set(_words(want)) - set(_words(got)))
    extra = sorted(set(_words(got)) - set(_words(want)))
    if not lacks and not extra:
        return Difference("value", f"value|{command}|numbers", want[:200], got[:200])
    return Difference("value", f"value|{group}|lacks {' '.join(lacks[:6])}|extra {' '.join(extra[:6])}",
                      " ".join(lacks[:6]), " ".join(extra[:6]))


def _sides(text: str) -> tuple[str | None, str]:
    """Redis's side and the target's side of a message: assert_reply's 'expected:'/'got:' lines, or pytest's
    '- expected' / '+ got' diff lines."""
    m = re.search(r"\nexpected(?: members)?: (.*?)\n\s*got: (.*)", text, re.S)
    if m:
        return m.group(1), m.group(2)
    minus = [line[4:] for line in text.splitlines() if line.startswith("  - ")]
    plus = [line[4:] for line in text.splitlines() if line.startswith("  + ")]
    if minus or plus:
        return "\n".join(minus), "\n".join(plus)
    return None, ""


def _words(text: str) -> list[str]:
    text = re.sub(r"\\x[0-9a-f]{2}|\\[rnt]", " ", _QUOTED.sub(lambda q: q.group(0)[1:-1], text))
    return [w for w in _WORD.findall(text)
            if w not in ("b", "integer", "array", "bulk", "simple", "map", "set", "error", "nil", "empty")]


def of_replies(expected: Reply, got: Reply, command: str, group: str, cls: str,
               listed: Collection[str] = ()) -> Difference:
    """The difference of a fuzz finding, from its stored replies (the same normalisation as of_message)."""
    if got.is_error and _in_spec(unknown_command(got.value), listed) \
            and not (expected.is_error and unknown_command(expected.value)):
        return _missing(unknown_command(got.value), group)
    if expected.is_error and got.is_error:
        return _error_pair(expected.value, got.value)
    if got.is_error:
        return Difference("error_vs_value", _refusal_signature(got.value, group), expected.kind.value, got.value)
    if expected.is_error:
        return Difference("error_vs_value", f"value_vs_error|{command}|{mask(expected.value)}", expected.value,
                          "a reply")
    if expected.kind is not got.kind or (expected.kind is Kind.NULL and expected != got):
        return Difference("resp_type", f"resp_type|{command}|{_wire(expected)}|{_wire(got)}", _wire(expected),
                          _wire(got))
    return _value_difference(f"\nexpected: {render(expected)}\n     got: {render(got)}", command, group) \
        if cls != "order" else Difference("order", f"order|{command}", "", "")


def _wire(r: Reply) -> str:
    return r.raw[:1].decode("latin-1") + r.kind.value if r.kind is Kind.NULL else r.kind.value


def answers(message: str) -> tuple[str, str]:
    """What Redis answered and what the target answered, as a case's message states them (empty when it does
    not): the error texts, assert_reply's two sides, or pytest's diff lines."""
    text = _RAW.sub("", plain(message))
    want_error, got_error = _first(_EXPECTED_ERROR, text), _first(_GOT_ERROR, text)
    want, got = _sides(text)
    redis = f"(error) {want_error}" if want_error else " ".join((want or "").split())
    target = f"(error) {got_error}" if got_error else " ".join(got.split())
    return redis, target

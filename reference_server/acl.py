"""Access control lists: users, their selectors, the ACL SETUSER rule language and the permission check.

A user holds flags, password hashes (SHA-256, hex) and a list of selectors; the first is the root selector
(the rules written outside parentheses), each "(...)" adds another. A command is allowed when any one selector
allows the command, every key it names (with the access the key specs ask for) and every channel it names.

The canonical text of a user (ACL LIST, GETUSER) is rebuilt as Redis keeps it: "+@all" or "-@all" followed by
the command rules in the order they were last given, a rule replacing an earlier one for the same command or
category (and the subcommand rules of a command it names), so that replaying the text gives the same permissions.
"""
from __future__ import annotations

import copy
import functools
import hashlib
from dataclasses import dataclass, field

from forkdiff.spec import Spec

from .glob import stringmatch
from .util import as_text

CATEGORIES = ("keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
              "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
              "transaction", "scripting")
READ, WRITE = 1, 2
# Denial reasons, ranked as Redis ranks them when several selectors fail differently.
DENIED_CMD, DENIED_KEY, DENIED_AUTH, DENIED_CHANNEL = 1, 2, 3, 4
# Commands naming channels: (first argument, last argument or -1 for all, publishes, is a pattern).
_CHANNEL_COMMANDS = {"subscribe": (1, -1, False), "ssubscribe": (1, -1, False), "psubscribe": (1, -1, True),
                     "publish": (1, 1, False), "spublish": (1, 1, False)}


class RuleError(Exception):
    """A rule ACL SETUSER cannot apply; the text is Redis's reason."""


UNKNOWN_NAME = "Unknown command or category name in ACL"
SYNTAX = "Syntax error"
KEYS_AFTER_ALL = ("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
                  "effect. Try 'resetkeys' to start with an empty list of patterns")
CHANNELS_AFTER_ALL = ("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
                      "have any effect. Try 'resetchannels' to start with an empty list of channels")
NO_SUCH_PASSWORD = "The password you are trying to remove from the user does not exist"
BAD_HASH = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
SUBCOMMAND_FIRSTARG = "Allowing first-arg of a subcommand is not supported"


# -- the command table as ACL sees it ----------------------------------------------------------------------
@dataclass(frozen=True)
class CommandTable:
    names: frozenset[str]  # every command and subcommand ("config|get")
    subcommands: dict[str, tuple[str, ...]]
    by_category: dict[str, tuple[str, ...]]  # the commands that carry the category themselves


@functools.cache
def command_table(spec: Spec) -> CommandTable:
    by_category: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for name, cmd in spec.commands.items():
        for category in cmd.acl_categories:
            by_category.setdefault(category.lstrip("@"), []).append(name)
    subs = {name: cmd.subcommands for name, cmd in spec.commands.items() if cmd.subcommands}
    return CommandTable(frozenset(spec.commands), subs, {k: tuple(v) for k, v in by_category.items()})


def hash_password(password: bytes) -> str:
    return hashlib.sha256(password).hexdigest()


def _valid_hash(text: bytes) -> bool:
    return len(text) == 64 and all(c in b"0123456789abcdef" for c in text)


def has_spaces(value: bytes) -> bool:
    """Names and patterns may hold no whitespace (C isspace) nor NUL: rules are split on spaces."""
    return any(b in b" \t\n\v\f\r\x00" for b in value)


# -- selectors ---------------------------------------------------------------------------------------------
@dataclass
class Selector:
    all_keys: bool = False
    all_channels: bool = False
    patterns: list[list] = field(default_factory=list)  # [pattern bytes, READ|WRITE]
    channels: list[bytes] = field(default_factory=list)
    allowed: set[str] = field(default_factory=set)
    future: bool = False  # set by +@all: commands added later are allowed too (Redis's reserved bit)
    first_args: dict[str, list[bytes]] = field(default_factory=dict)  # "+select|0": command -> allowed arg
    rules: list[str] = field(default_factory=list)  # the command rules in force, in order, lower case

    @property
    def unrestricted(self) -> bool:
        return self.all_keys and self.all_channels and self.future and not self.rules

    def apply(self, op: bytes, table: CommandTable) -> None:
        """One selector rule; RuleError (nothing changed) when it cannot be applied."""
        word = op.lower()
        if word in (b"allkeys", b"~*"):
            self.all_keys, self.patterns = True, []
        elif word == b"resetkeys":
            self.all_keys, self.patterns = False, []
        elif word in (b"allchannels", b"&*"):
            self.all_channels, self.channels = True, []
        elif word == b"resetchannels":
            self.all_channels, self.channels = False, []
        elif word in (b"allcommands", b"+@all"):
            self.allowed, self.future, self.rules, self.first_args = set(table.names), True, [], {}
        elif word in (b"nocommands", b"-@all"):
            self.allowed, self.future, self.rules, self.first_args = set(), False, [], {}
        elif op[:1] in (b"~", b"%"):
            self._add_key_pattern(op)
        elif op[:1] == b"&":
            self._add_channel(op[1:])
        elif op[:2] in (b"+@", b"-@"):
            self._set_category(op[2:].decode("utf-8", "surrogateescape").lower(), op[:1] == b"+", table)
        elif op[:1] == b"+":
            self._allow(op[1:].decode("utf-8", "surrogateescape").lower(), table)
        elif op[:1] == b"-":
            name = _lookup(op[1:].decode("utf-8", "surrogateescape").lower(), table)
            self._change(name, False, table)
            self._record(f"-{name}")
        else:
            raise RuleError(SYNTAX)

    def _add_key_pattern(self, op: bytes) -> None:
        if self.all_keys:
            raise RuleError(KEYS_AFTER_ALL)
        flags, offset = READ | WRITE, 1
        if op[:1] == b"%":
            flags, offset = _permission_prefix(op)
        pattern = op[offset:]
        if has_spaces(pattern):
            raise RuleError(SYNTAX)
        for existing in self.patterns:
            if existing[0] == pattern:
                existing[1] |= flags
                return
        self.patterns.append([pattern, flags])

    def _add_channel(self, pattern: bytes) -> None:
        if self.all_channels:
            raise RuleError(CHANNELS_AFTER_ALL)
        if has_spaces(pattern):
            raise RuleError(SYNTAX)
        if pattern not in self.channels:
            self.channels.append(pattern)

    def _set_category(self, category: str, allow: bool, table: CommandTable) -> None:
        if category not in CATEGORIES:
            raise RuleError(UNKNOWN_NAME)
        self._record(("+@" if allow else "-@") + category)
        for name in table.by_category.get(category, ()):
            self._change(name, allow, table)

    def _allow(self, text: str, table: CommandTable) -> None:
        if "|" not in text:
            self._change(_lookup(text, table), True, table)
            self._record(f"+{_lookup(text, table)}")
            return
        command, _, first_arg = text.rpartition("|")
        parent = _lookup(command, table)
        if "|" in parent:
            raise RuleError(SUBCOMMAND_FIRSTARG)
        if not first_arg:
            raise RuleError(SYNTAX)
        if parent in table.subcommands:
            self._change(_lookup(text, table), True, table)
        else:  # a first argument of a command without subcommands ("+select|0"): Redis's deprecated form
            allowed = self.first_args.setdefault(parent, [])
            if first_arg.encode() not in allowed:
                allowed.append(first_arg.encode())
        self._record(f"+{text}")

    def _change(self, name: str, allow: bool, table: CommandTable) -> None:
        """Allow or deny one command; a container carries its subcommands along."""
        self.first_args.pop(name, None)
        for each in (name, *table.subcommands.get(name, ())):
            if allow:
                self.allowed.add(each)
            else:
                self.allowed.discard(each)

    def _record(self, rule: str) -> None:
        """Keep the rule, dropping earlier rules for the same name and for its subcommands."""
        name = rule[1:]
        self.rules = [r for r in self.rules if r[1:] != name and not r[1:].startswith(name + "|")]
        self.rules.append(rule)

    # -- describing -------------------------------------------------------------------------------------
    def command_rules(self) -> str:
        return " ".join(["+@all" if self.future else "-@all", *self.rules])

    def key_rules(self, sep: str = " ") -> str:
        return "~*" if self.all_keys else sep.join(_pattern_text(p, f) for p, f in self.patterns)

    def channel_rules(self) -> str:
        return "&*" if self.all_channels else " ".join("&" + as_text(c) for c in self.channels)

    def describe(self) -> str:
        keys = [self.key_rules()] if self.all_keys or self.patterns else []
        channels = ["&*"] if self.all_channels else ["resetchannels", *("&" + as_text(c) for c in self.channels)]
        return " ".join([*keys, *channels, self.command_rules()])

    # -- checking ---------------------------------------------------------------------------------------
    def check(self, spec, argv: list[bytes], key_refs) -> tuple[int, int] | None:
        """None when allowed, else (reason, index of the offending argument)."""
        if not self._command_allowed(spec, argv):
            return DENIED_CMD, 0
        if not self.all_keys:
            for index, flags in key_refs():
                if not self.key_allowed(argv[index], _access(flags)):
                    return DENIED_KEY, index
        if not self.all_channels:
            for index, is_pattern in channel_args(spec.name, argv):
                if not self.channel_allowed(argv[index], is_pattern):
                    return DENIED_CHANNEL, index
        return None

    def _command_allowed(self, spec, argv: list[bytes]) -> bool:
        if spec.name in self.allowed or "no_auth" in spec.flags:
            return True
        accepted = self.first_args.get(spec.name)
        at = 2 if "|" in spec.name else 1
        return bool(accepted) and len(argv) > at and argv[at].lower() in (a.lower() for a in accepted)

    def key_allowed(self, key: bytes, access: int) -> bool:
        return self.all_keys or any(flags & access == access and stringmatch(pattern, key)
                                    for pattern, flags in self.patterns)

    def channel_allowed(self, channel: bytes, is_pattern: bool) -> bool:
        if self.all_channels:
            return True
        if is_pattern:  # a subscription pattern must be granted literally
            return channel in self.channels
        return any(stringmatch(pattern, channel) for pattern in self.channels)


def _permission_prefix(op: bytes) -> tuple[int, int]:
    """The flags of "%R~", "%W~", "%RW~" and the offset of the pattern after them."""
    flags = 0
    for offset in range(1, len(op)):
        letter = op[offset:offset + 1].upper()
        if letter == b"R" and not flags & READ:
            flags |= READ
        elif letter == b"W" and not flags & WRITE:
            flags |= WRITE
        elif letter == b"~" and flags:
            return flags, offset + 1
        else:
            raise RuleError(SYNTAX)
    if not flags:
        raise RuleError(SYNTAX)
    return flags, len(op)  # "%R" without "~": Redis takes the empty pattern


def _lookup(name: str, table: CommandTable) -> str:
    """A command or "container|subcommand" name, strictly as Redis's ACL lookup takes it."""
    parts = name.split("|")
    if len(parts) > 2 or parts[0] not in table.names:
        raise RuleError(UNKNOWN_NAME)
    if len(parts) == 2 and (parts[0] not in table.subcommands or name not in table.names):
        raise RuleError(UNKNOWN_NAME)
    return name


def _pattern_text(pattern: bytes, flags: int) -> str:
    prefix = {READ | WRITE: "~", READ: "%R~", WRITE: "%W~"}[flags]
    return prefix + as_text(pattern)


def _access(flags) -> int:
    access = READ if "access" in flags else 0
    return access | (WRITE if any(f in flags for f in ("insert", "delete", "update")) else 0)


def channel_args(name: str, argv: list[bytes]) -> list[tuple[int, bool]]:
    """The channel arguments a command subscribes or publishes to (unsubscribing is never refused)."""
    shape = _CHANNEL_COMMANDS.get(name)
    if shape is None:
        return []
    first, last, is_pattern = shape
    end = len(argv) if last < 0 else min(last + 1, len(argv))
    return [(i, is_pattern) for i in range(first, end)]


# -- users -------------------------------------------------------------------------------------------------
@dataclass
class User:
    name: bytes
    enabled: bool = False
    nopass: bool = False
    sanitize: str = "sanitize-payload"  # or "skip-sanitize-payload"
    passwords: list[str] = field(default_factory=list)
    selectors: list[Selector] = field(default_factory=lambda: [Selector()])

    @property
    def root(self) -> Selector:
        return self.selectors[0]

    @property
    def unrestricted(self) -> bool:
        return len(self.selectors) == 1 and self.root.unrestricted

    def flags(self) -> list[str]:
        return ["on" if self.enabled else "off", *(["nopass"] if self.nopass else []), self.sanitize]

    def describe(self) -> str:
        parts = [*self.flags(), *("#" + p for p in self.passwords), self.root.describe()]
        parts += [f"({s.describe()})" for s in self.selectors[1:]]
        return " ".join(parts)

    def password_ok(self, password: bytes) -> bool:
        return self.enabled and (self.nopass or hash_password(password) in self.passwords)

    def apply(self, op: bytes, table: CommandTable) -> None:
        word = op.lower()
        if not op:
            return
        if word in (b"on", b"off"):
            self.enabled = word == b"on"
        elif word in (b"sanitize-payload", b"skip-sanitize-payload"):
            self.sanitize = word.decode()
        elif word == b"nopass":
            self.nopass, self.passwords = True, []
        elif word == b"resetpass":
            self.nopass, self.passwords = False, []
        elif op[:1] in (b">", b"#"):
            self._add_password(op)
        elif op[:1] in (b"<", b"!"):
            self._remove_password(op)
        elif op[:1] == b"(" and op[-1:] == b")":
            self.selectors.append(_selector_from(op[1:-1], table))
        elif word == b"clearselectors":
            del self.selectors[1:]
        elif word == b"reset":
            self.nopass, self.passwords, self.enabled, self.sanitize = False, [], False, "sanitize-payload"
            self.selectors = [Selector()]
        else:
            self.root.apply(op, table)

    def _add_password(self, op: bytes) -> None:
        digest = _digest_of(op)
        if digest not in self.passwords:
            self.passwords.append(digest)
        self.nopass = False

    def _remove_password(self, op: bytes) -> None:
        digest = _digest_of(op)
        if digest not in self.passwords:
            raise RuleError(NO_SUCH_PASSWORD)
        self.passwords.remove(digest)


def _digest_of(op: bytes) -> str:
    """">pass"/"<pass" hash the clear text; "#hash"/"!hash" give the hash itself."""
    if op[:1] in (b">", b"<"):
        return hash_password(op[1:])
    if not _valid_hash(op[1:]):
        raise RuleError(BAD_HASH)
    return op[1:].decode()


def _selector_from(body: bytes, table: CommandTable) -> Selector:
    selector = Selector()
    for op in body.split():
        selector.apply(op, table)
    return selector


def merge_selectors(ops: list[bytes]) -> list[bytes] | int:
    """Join a selector written over several arguments ("(+get", "~a*)"); the index of an unclosed one."""
    merged: list[bytes] = []
    opened = -1
    for i, op in enumerate(ops):
        if opened < 0 and op[:1] == b"(" and op[-1:] != b")":
            opened, merged = i, [*merged, op]
        elif opened >= 0:
            merged[-1] += b" " + op
            if op[-1:] == b")":
                opened = -1
        else:
            merged.append(op)
    return opened if opened >= 0 else merged


def default_user(table: CommandTable, password: str = "") -> User:
    """The user every connection starts as: everything allowed, and requirepass as its password."""
    user = User(b"default", enabled=True)
    for op in (b"+@all", b"~*", b"&*"):
        user.apply(op, table)
    set_password(user, password)
    return user


def set_password(user: User, password: str) -> None:
    """requirepass: the default user's only password, or nopass when empty."""
    user.passwords = [hash_password(password.encode("utf-8", "surrogateescape"))] if password else []
    user.nopass = not password


def copy_user(user: User) -> User:
    return copy.deepcopy(user)


def check_user(user: User, spec, argv: list[bytes], key_refs) -> tuple[int, int] | None:
    """None when some selector allows the command; else the denial Redis reports: a command denial only when
    no selector allows the command, otherwise the highest-ranked key/channel denial (the later argument on a tie).
    `key_refs()` gives the command's (index, key-spec flags), computed once for all selectors."""
    cached: list = []

    def refs():
        if not cached:
            cached.append(list(key_refs()))
        return cached[0]

    worst = (DENIED_CMD, 0)
    for selector in user.selectors:
        denial = selector.check(spec, argv, refs)
        if denial is None:
            return None
        worst = max(worst, denial)
    return worst

"""Configuration given at start-up, read as `redis-server` reads it: an optional config file first (redis.conf syntax,
`-` for standard input), then `--name value...` options that are appended to it as lines, so they win.

Every line is checked as Redis checks it: a parameter this server models is validated with CONFIG SET's own rules
(immutable ones included: start-up is where they are set), a parameter only Redis knows is accepted and reported as
not modelled, and anything else is Redis's fatal configuration error.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .config import Config
from .redis_config_names import REDIS_CONFIG_NAMES

REDIS_VERSION = "8.2.3"
# Directives that are not parameters: what Redis does with them is outside what the reference models.
_DIRECTIVES = {"include": (2, 2), "rename-command": (3, 3), "user": (2, None), "loadmodule": (2, None)}
# Parameters that take several arguments (joined by spaces, as CONFIG GET shows them).
MULTI_ARG = frozenset({"save", "bind", "replicaof", "slaveof", "client-output-buffer-limit", "oom-score-adj-values",
                       "notify-keyspace-events"})


class StartupError(Exception):
    """Redis's fatal configuration error: the offending line (when there is one) and the reason."""

    def __init__(self, reason: str, line_number: int | None = None, line: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line_number, self.line = reason, line_number, line

    def report(self) -> str:
        text = f"\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n"
        if self.line is not None:
            text += f"Reading the configuration file, at line {self.line_number}\n>>> '{self.line}'\n"
        return text + self.reason


@dataclass
class Directive:
    name: str
    args: list[str]
    line_number: int
    line: str


@dataclass
class Startup:
    """What start-up decided: directives applied to the config, and those accepted without a model."""

    config_file: str | None = None
    not_modelled: list[str] = field(default_factory=list)
    replicaof: tuple[str, int] | None = None


# -- reading -------------------------------------------------------------------------------------------------
def split_args(line: str) -> list[str] | None:
    """Redis's sdssplitargs: words, "double quoted" with C escapes, 'single quoted'; None for unbalanced quotes."""
    out: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return out
        word, quote = [], None
        while i < n:
            ch = line[i]
            if quote == '"':
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and _is_hex(line[i + 2:i + 4]):
                    word.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 3
                elif ch == "\\" and i + 1 < n:
                    word.append({"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}.get(line[i + 1], line[i + 1]))
                    i += 1
                elif ch == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        return None  # a closing quote must be followed by a space or nothing
                    quote = "done"
                else:
                    word.append(ch)
            elif quote == "'":
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    word.append("'")
                    i += 1
                elif ch == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        return None
                    quote = "done"
                else:
                    word.append(ch)
            elif ch.isspace():
                break
            elif ch in "\"'" and not word:
                quote = ch
            else:
                word.append(ch)
            i += 1
            if quote == "done":
                break
        if quote in ('"', "'"):
            return None
        out.append("".join(word))


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789abcdefABCDEF" for c in text)


def command_line_lines(args: list[str]) -> tuple[str | None, list[list[str]]]:
    """`[configfile] [--name value...]` as redis-server reads it: the file (or '-'), and one token list per option.

    A `--word` starts a new option only once the previous option has a value, so `--requirepass --x` sets the
    password '--x'; a bare `--save` (last, or followed by an option) means `save ""`."""
    config_file, j = None, 0
    if args and not args[0].startswith("--"):
        config_file, j = args[0], 1
    lines: list[list[str]] = []
    has_value = True
    while j < len(args):
        arg = args[j]
        if arg == "-" and j == len(args) - 1 and config_file is None:
            config_file = "-"
        elif has_value and arg.startswith("--"):
            words = split_args(arg[2:]) or [arg[2:]]
            lines.append(words)
            has_value = len(words) > 1
            if not has_value and words[0].lower() == "save" and (j == len(args) - 1 or args[j + 1].startswith("--")):
                lines[-1].append("")
                has_value = True
        else:
            if not lines:
                raise StartupError("Invalid option: missing '--' before the option name " + repr(arg))
            lines[-1].append(arg)
            has_value = True
        j += 1
    return config_file, lines


def file_directives(text: str) -> list[Directive]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = split_args(line)
        if words is None:
            raise StartupError("Unbalanced quotes in configuration line", number, line)
        if words:
            out.append(Directive(words[0].lower(), words[1:], number, line))
    return out


# -- applying ------------------------------------------------------------------------------------------------
def load(args: list[str], config: Config) -> Startup:
    """Read the file and the options, check every line and apply it to `config`; StartupError on the first bad one."""
    config_file, option_lines = command_line_lines(args)
    directives: list[Directive] = []
    text = _read(config_file) if config_file is not None else ""
    directives += file_directives(text)
    base = len(text.split("\n"))  # Redis appends the options after a newline: they are numbered from there
    for offset, words in enumerate(option_lines, start=1):
        shown = " ".join(_quoted(w) if i else w for i, w in enumerate(words))
        directives.append(Directive(words[0].lower(), words[1:], base + offset, shown))
    state = Startup(config_file=config_file)
    for directive in directives:
        _apply(directive, config, state)
    return state


def _quoted(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read()
    except OSError as exc:
        raise StartupError(f"Fatal error, can't open config file '{path}': {exc.strerror or exc}") from None


def _apply(d: Directive, config: Config, state: Startup) -> None:
    from .commands.config_cmd import parse_value
    name = config.canonical(d.name)
    if name in ("replicaof", "slaveof"):
        state.replicaof = _replicaof(d)
        return
    if name in config.params:
        if name not in MULTI_ARG and len(d.args) != 1:
            raise StartupError("wrong number of arguments", d.line_number, d.line)
        value = " ".join(d.args)
        try:
            config.set(name, parse_value(config.params[name], value.encode("utf-8", "surrogateescape")))
        except ValueError as exc:
            raise StartupError(str(exc), d.line_number, d.line) from None
        return
    if name in REDIS_CONFIG_NAMES or _is_directive(d):
        if not d.args and name in REDIS_CONFIG_NAMES:
            raise StartupError("wrong number of arguments", d.line_number, d.line)
        state.not_modelled.append(name)
        return
    raise StartupError("Bad directive or wrong number of arguments", d.line_number, d.line)


def _is_directive(d: Directive) -> bool:
    bounds = _DIRECTIVES.get(d.name)
    if bounds is None:
        return "." in d.name and bool(d.args)  # a module's parameter
    low, high = bounds
    return low <= len(d.args) + 1 and (high is None or len(d.args) + 1 <= high)


def _replicaof(d: Directive) -> tuple[str, int] | None:
    if len(d.args) != 2:
        raise StartupError("wrong number of arguments", d.line_number, d.line)
    host, port = d.args
    if host.lower() == "no" and port.lower() == "one":
        return None
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise StartupError("Invalid master port", d.line_number, d.line)
    return host, int(port)

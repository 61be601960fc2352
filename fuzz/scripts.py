"""Lua scripts and functions to fuzz: EVAL, EVALSHA, EVAL_RO, SCRIPT, FUNCTION LOAD and FCALL with generated code.

A script's argument is a language of its own, which the spec's argument tree does not describe, so the lines of the
scripting group are built here: scripts made of `redis.call`/`redis.pcall` lines taken from the other groups'
variant tables (so they meet the same keys and states), the conversions between Lua and RESP both ways (tables
with holes, floats, booleans, status and error tables, RESP3 after `redis.setresp(3)`), the error paths (a runtime
error, a call of an unknown or forbidden command, a write in a read-only script, a global variable, bad numkeys),
and the libraries (`redis.register_function`, with flags, REPLACE, clashing names, bad shebangs). Every line is
built from a seeded random source, like the other groups' variant tables.

Program set-up flushes the script cache and the libraries before a program that uses them (fuzz.run.setup), so an
EVALSHA or an FCALL finds only what its own program loaded.
"""
from __future__ import annotations

import hashlib
import random
from typing import Callable, Sequence

from forkdiff.spec import Spec
from forkdiff.types import Command

SCRIPT_COMMANDS = frozenset({"eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro", "script|load",
                             "script|exists", "script|flush", "script|kill", "function|load", "function|delete",
                             "function|flush", "function|list", "function|stats", "function|kill"})
# the groups whose commands scripts call, and the ones a script must not (noscript, blocking in a script is fine)
CALLED_GROUPS = ("string", "list", "hash", "set", "sorted-set", "generic", "bitmap", "hyperloglog", "geo", "stream")
LIBRARIES = (b"lib1", b"lib2")
FUNCTIONS = (b"f1", b"f2", b"f3")

CONSTANT_BODIES = (
    "return 1", "return -2.5", "return 3.99", "return 'x' .. 1", "return {1, 2, nil, 4}",
    "return {1, {2, {3, 'x'}}, true, false}", "return true", "return false", "return nil", "return {}",
    "return {err='bad thing'}", "return {err='MYERR custom'}", "return {ok='FINE'}",
    "return redis.error_reply('ERR custom')", "return redis.error_reply('MYERR custom')",
    "return redis.status_reply('FINE')", "error('boom')", "error({err='tableerr'})", "return redis.call()",
    "return redis.call('nosuchcommand')", "return redis.pcall('nosuchcommand')", "return redis.call('GET')",
    "return redis.call('MULTI')", "return redis.pcall('WATCH', 'k1')", "return redis.call('EVAL', 'return 1', 0)",
    "x = 1 return 1", "return undefined_global", "return #KEYS + #ARGV", "return ARGV", "return KEYS",
    "return {KEYS[1], ARGV[1]}", "return redis.sha1hex('')", "return redis.sha1hex(ARGV[1] or 'abc')",
    "return cjson.encode({1, 2, 'x'})", "return cjson.encode({a=1})", "return cjson.decode('[1,2,{\"a\":3}]')[3].a",
    "return cjson.decode('{\"a\":[1,2.5,null]}').a[2]", "return bit.band(255, 15)", "return bit.tohex(-1)",
    "return bit.bxor(5, 3)", "return struct.pack('>I2', 513)", "return {struct.unpack('>I2', 'AB')}",
    "return cmsgpack.pack({1, 2, 3})", "return cmsgpack.unpack(cmsgpack.pack({1, 'a'}))", "return math.random(1000)",
    "return {math.random(10), math.random(10)}", "return tostring(1e20)", "return tostring(0.1)",
    "return tonumber('0x10')", "return string.format('%5.2f', 3.14159)", "return type(redis)",
    "redis.setresp(3) return redis.call('PING')", "return redis.setresp(4)", "return 2^53",
    "return redis.call('PING')", "return redis.call('ECHO', ARGV[1] or 'e')", "return table.concat({'a', 'b'}, ',')",
    "local t = {} for i = 1, 5 do t[i] = i * i end return t", "return string.rep('ab', 3)",
    "return loadstring('return 1')", "return pcall(error, 'x')", "return redis.breakpoint()",
)
CALL_TEMPLATES: tuple[Callable[[list[str]], str], ...] = (
    lambda c: f"return redis.call({c[0]})",
    lambda c: f"return redis.pcall({c[0]})",
    lambda c: f"redis.call({c[0]}) return redis.call({c[1]})",
    lambda c: f"redis.pcall({c[0]}) redis.pcall({c[1]}) return redis.pcall({c[2]})",
    lambda c: f"return {{redis.pcall({c[0]}), redis.pcall({c[1]})}}",
    lambda c: f"local r = redis.pcall({c[0]}) if type(r) == 'table' and r.err then return 'caught: ' .. r.err end "
              f"return r",
    lambda c: f"return type(redis.pcall({c[0]}))",
    lambda c: f"redis.setresp(3) return redis.pcall({c[0]})",
    lambda c: f"local ok, e = pcall(redis.call, {c[0]}) return {{tostring(ok), type(e)}}",
    lambda c: f"redis.call({c[0]}) error('after a write')",
)
SHEBANGS = ("", "", "", "#!lua\n", "#!lua flags=no-writes\n", "#!lua flags=allow-oom,allow-stale\n",
            "#!lua flags=no-writes,allow-cross-slot-keys\n", "#!lua name=x\n", "#!lua flags=bogus\n", "#!js\n")


def lua_string(arg: bytes) -> str:
    """A Lua string literal of any bytes (decimal escapes for everything outside printable ASCII)."""
    out = []
    for b in arg:
        ch = chr(b)
        out.append("\\" + ch if ch in "'\\" else ch if 32 <= b < 127 else f"\\{b}")
    return "'" + "".join(out) + "'"


def lua_call(cmd: Command, key_slot: bool, in_function: bool = False) -> str:
    """The arguments of redis.call for `cmd`; its first key may become KEYS[1]. In a function it falls back to the
    literal key when no key was given: a function's redis.call with a nil argument leaves Redis 8.2.3's Lua engine
    client with a count and no arguments, and the next FUNCTION FLUSH crashes the server (a known crash, not a
    divergence to find again and again)."""
    parts = [lua_string(a) for a in cmd.args]
    if key_slot and len(parts) > 1:
        parts[1] = f"(KEYS[1] or {parts[1]})" if in_function else "KEYS[1]"
    return ", ".join(parts)


class ScriptLines:
    """The variant lines of the scripting commands, drawn from `called` (lines of the other groups)."""

    def __init__(self, called: Sequence[Command], seed: int) -> None:
        self.called = list(called) or [Command.of("PING")]
        self.seed = seed
        self.scripts: list[str] = []

    def body(self, rng: random.Random, in_function: bool = False) -> str:
        if rng.random() < 0.3:
            return rng.choice(CONSTANT_BODIES)
        key_slot = rng.random() < 0.4
        calls = [lua_call(rng.choice(self.called), key_slot, in_function) for _ in range(3)]
        return rng.choice(CALL_TEMPLATES)(calls)

    def script(self, rng: random.Random) -> str:
        if self.scripts and rng.random() < 0.25:  # the same script again: EVALSHA and SCRIPT EXISTS find it
            return rng.choice(self.scripts)
        text = rng.choice(SHEBANGS) + self.body(rng)
        self.scripts.append(text)
        return text

    def keys_and_args(self, rng: random.Random) -> list[object]:
        numkeys = rng.choice((0, 1, 1, 1, 2, 2, 3, -1, "x"))
        keys = [rng.choice((b"k1", b"l1", b"h1", b"s1", b"z1", b"x1", b"{k}4")) for _ in range(2)]
        args = [rng.choice((b"1", b"v", b"", b"-2.5", b"a", b"9223372036854775807")) for _ in range(rng.randint(0, 2))]
        return [numkeys, *keys[: numkeys if isinstance(numkeys, int) and numkeys > 0 else 0], *args]

    def library(self, rng: random.Random) -> str:
        name = rng.choice(LIBRARIES).decode()
        head = rng.choice((f"#!lua name={name}\n",) * 6 + ("#!lua\n", "#!js name=j\n", "return 1\n",
                                                            f"#!lua name={name} bogus=1\n", "#!lua name=bad-name!\n"))
        registrations = []
        for fn in rng.sample(FUNCTIONS, rng.randint(0, 2)):
            body = self.body(rng, in_function=True)
            if rng.random() < 0.4:
                flags = rng.choice(("'no-writes'", "'allow-oom'", "'no-writes', 'allow-stale'", "'bogus'", ""))
                registrations.append(f"redis.register_function{{function_name='{fn.decode()}', "
                                     f"callback=function(KEYS, ARGV) {body} end, flags={{{flags}}}}}")
            else:
                registrations.append(f"redis.register_function('{fn.decode()}', function(KEYS, ARGV) {body} end)")
        if rng.random() < 0.1:
            registrations.append(rng.choice(("redis.call('PING')", "error('at load')", "return 1",
                                             "redis.register_function('f1', 5)")))
        return head + "\n".join(registrations)

    def line(self, name: str, rng: random.Random) -> Command:
        if name in ("eval", "eval_ro"):
            return Command.of(name.upper(), self.script(rng), *self.keys_and_args(rng))
        if name in ("evalsha", "evalsha_ro"):
            sha = _sha(self.script(rng)) if rng.random() < 0.9 else rng.choice(("0" * 40, "abc", "F" * 40))
            if rng.random() < 0.2:
                sha = sha.upper()
            return Command.of(name.upper(), sha, *self.keys_and_args(rng))
        if name in ("fcall", "fcall_ro"):
            fn = rng.choice(FUNCTIONS + (b"nosuchfunction",))
            return Command.of(name.upper(), fn, *self.keys_and_args(rng))
        if name == "script|load":
            return Command.of("SCRIPT", "LOAD", self.script(rng))
        if name == "script|exists":
            return Command.of("SCRIPT", "EXISTS", *[_sha(self.script(rng)) for _ in range(rng.randint(1, 3))])
        if name in ("script|flush", "function|flush"):
            return Command.of(*name.upper().split("|"), *rng.choice(((), (), ("ASYNC",), ("SYNC",), ("LAZY",))))
        if name == "function|load":
            return Command.of("FUNCTION", "LOAD", *(("REPLACE",) if rng.random() < 0.3 else ()), self.library(rng))
        if name == "function|delete":
            return Command.of("FUNCTION", "DELETE", rng.choice(LIBRARIES + (b"nolib",)))
        if name == "function|list":
            options = rng.choice(((), ("WITHCODE",), ("LIBRARYNAME", "lib*"), ("LIBRARYNAME", "lib1", "WITHCODE"),
                                  ("LIBRARYNAME",), ("BOGUS",)))
            return Command.of("FUNCTION", "LIST", *options)
        return Command.of(*name.upper().split("|"))  # script|kill, function|kill, function|stats

    def variants(self, name: str, count: int) -> list[Command]:
        rng = random.Random(f"{self.seed}:{name}")
        seen: dict[Command, None] = {}
        for _ in range(count * 3):
            if len(seen) >= count:
                break
            seen.setdefault(self.line(name, rng))
        return list(seen)


def _sha(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()


def callable_in_scripts(spec: Spec, name: str) -> bool:
    """A command a script may call and whose reply is compared exactly (no noscript, random, clock or
    order-free output: inside a script's reply no rule relaxes them)."""
    from .compare import rule_for
    cs = spec[name]
    return "noscript" not in cs.flags and rule_for(cs) == "exact" and name not in ("object|idletime", "object|freq")


def called_lines(spec: Spec, names: Sequence[str], per_command: int, seed: int) -> list[Command]:
    """A few lines of each command `names` holds that scripts may call, from the same variant tables."""
    from .paths import covering_variants
    from .strategies import DEFAULT_POOLS, pools_for_group
    out: list[Command] = []
    for name in names:
        if callable_in_scripts(spec, name):
            pools = pools_for_group(DEFAULT_POOLS, spec[name].group)
            lines = covering_variants(spec, name, count=per_command, seed=seed, pools=pools, invalid_rate=0.05)
            out += [line for line, _ in lines[:per_command]]
    return out


def uses_scripts(steps: Sequence[Command]) -> bool:
    return any(c.name in ("eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro", "function", "script")
               for c in steps)

"""The mutants bench/mutate.py applies to the reference: small semantic changes of the kinds forks really show.

Each is one exact text replacement in one file of reference_server/ (the text must occur exactly once), named, with
the command group whose fuzz campaign and conformance files should notice it. The list is fixed: a score is only
comparable with another measured on the same list.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    ident: str
    group: str  # spec spelling: the --groups of its campaign
    path: str  # inside reference_server/
    old: str
    new: str
    what: str  # the fork bug it stands for


MUTANTS: tuple[Mutant, ...] = (
    # -- string ------------------------------------------------------------------------------------------------------
    Mutant("getrange-end", "string", "commands/string_edits.py",
           "    end = min(end, size - 1)\n", "    end = min(end, size - 2)\n",
           "GETRANGE: off by one when the end reaches past the last byte"),
    Mutant("incr-overflow-min", "string", "commands/string_edits.py",
           "    if not LLONG_MIN <= result <= LLONG_MAX:\n", "    if not LLONG_MIN < result <= LLONG_MAX:\n",
           "INCRBY/DECRBY: a result of exactly -2^63 refused as an overflow"),
    Mutant("set-nx-xx", "string", "commands/strings.py",
           'if for_set and token == b"nx" and not opts.xx:', 'if for_set and token == b"nx":',
           "SET: NX after XX accepted instead of a syntax error"),
    Mutant("set-ex-zero", "string", "commands/strings.py",
           "    if amount <= 0 or amount > LLONG_MAX // unit:", "    if amount < 0 or amount > LLONG_MAX // unit:",
           "SET/GETEX EX 0 accepted instead of an invalid expire time"),
    Mutant("decrby-min", "string", "commands/string_edits.py",
           "    if delta == LLONG_MIN:", "    if delta < LLONG_MIN:",
           "DECRBY -2^63: the generic overflow error instead of the decrement one"),
    # -- list --------------------------------------------------------------------------------------------------------
    Mutant("lrange-start-clamp", "list", "commands/list.py",
           "        start = max(length + start, 0)\n", "        start = length + start\n",
           "LRANGE/LTRIM: a start before the head not clamped to 0"),
    Mutant("lrem-zero", "list", "commands/list.py",
           "[:abs(count) or None]", "[:abs(count)]",
           "LREM count 0 removes nothing instead of every match"),
    Mutant("lpos-count-zero", "list", "commands/list.py",
           "            if limit and len(found) >= limit:", "            if len(found) >= limit:",
           "LPOS COUNT 0 stops at the first match instead of returning all"),
    Mutant("llen-wrongtype", "list", "commands/list.py",
           "def llen(engine, client, argv):\n    lst = read_list(engine, client, argv[1])",
           "def llen(engine, client, argv):\n    lst = engine.db(client).get(argv[1])",
           "LLEN: no WRONGTYPE check (a string's length is answered)"),
    # -- hash --------------------------------------------------------------------------------------------------------
    Mutant("hincrby-overflow", "hash", "commands/hash.py",
           "(incr > 0 and value > 0 and incr > LLONG_MAX - value)",
           "(incr > 0 and value > 0 and incr >= LLONG_MAX - value)",
           "HINCRBY: reaching exactly 2^63-1 refused as an overflow"),
    Mutant("hrandfield-negative", "hash", "commands/hash.py",
           "    if count < 0:\n        return [rng.choice(items) for _ in range(-count)]\n",
           "    if count < 0:\n        count = -count\n",
           "HRANDFIELD with a negative count: distinct fields instead of picks with repetition"),
    Mutant("hexpire-now", "hash", "commands/hash_ttl.py",
           "def _expire_or_delete(engine, h, field: bytes, when: int) -> int:\n    if when <= engine.now_ms():",
           "def _expire_or_delete(engine, h, field: bytes, when: int) -> int:\n    if when < engine.now_ms():",
           "HEXPIRE to the current instant (0 s): a TTL set instead of the field deleted"),
    # -- set ---------------------------------------------------------------------------------------------------------
    Mutant("srandmember-negative", "set", "commands/set.py",
           "    if count < 0:\n        return [rng.choice(members) for _ in range(-count)]\n",
           "    if count < 0:\n        count = -count\n",
           "SRANDMEMBER with a negative count: distinct members instead of picks with repetition"),
    Mutant("sintercard-limit-zero", "set", "commands/set_ops.py",
           "            if limit and len(common) >= limit:", "            if limit >= 0 and len(common) >= limit:",
           "SINTER/SINTERCARD: LIMIT 0 (no limit) stops after one member"),
    Mutant("scard-wrongtype", "set", "commands/set.py",
           "def scard(engine, client, argv):\n    value = _read(engine, client, argv[1])",
           "def scard(engine, client, argv):\n    value = engine.db(client).get(argv[1])",
           "SCARD: no WRONGTYPE check"),
    # -- sorted-set --------------------------------------------------------------------------------------------------
    Mutant("zadd-lt-nx", "sorted-set", "commands/zset.py",
           "(flags.gt and flags.nx) or (flags.lt and flags.nx) or", "(flags.gt and flags.nx) or",
           "ZADD LT NX accepted instead of refused"),
    Mutant("zadd-gt-equal", "sorted-set", "commands/zset.py",
           "(flags.gt and score <= current)", "(flags.gt and score < current)",
           "ZADD GT with an equal score is not a no-op (ZADD GT INCR 0 answers the score, not nil)"),
    Mutant("zrange-exclusive-min", "sorted-set", "commands/zset_range.py",
           "(lambda e: e[0] > lo) if lo_ex", "(lambda e: e[0] >= lo) if lo_ex",
           "score ranges: an exclusive minimum '(x' read as inclusive"),
    Mutant("zrange-limit-zero", "sorted-set", "commands/zset_range.py",
           "    count = limit if limit >= 0 else len(z)", "    count = limit if limit > 0 else len(z)",
           "BYSCORE/BYLEX LIMIT off 0: everything instead of nothing"),
    Mutant("zcount-off-by-one", "sorted-set", "commands/zset_range.py",
           "    return span[1] - span[0] + 1 if span else 0", "    return span[1] - span[0] if span else 0",
           "ZCOUNT/ZLEXCOUNT: one short"),
    Mutant("zset-listpack-limit", "sorted-set", "datatypes/zset.py",
           "(len(self.scores) + 1 > limits.entries", "(len(self.scores) > limits.entries",
           "a sorted set leaves the listpack one member late"),
    # -- generic -----------------------------------------------------------------------------------------------------
    Mutant("ttl-rounding", "generic", "commands/generic_expiry.py",
           "    return left if millis else (left + 500) // 1000", "    return left if millis else left // 1000",
           "TTL rounds down instead of to the nearest second"),
    Mutant("expire-gt-equal", "generic", "commands/generic_expiry.py",
           '    if b"gt" in flags and (current is None or when <= current):',
           '    if b"gt" in flags and (current is None or when < current):',
           "EXPIRE GT with the same expiry counts as a change"),
    Mutant("expire-nx-gt", "generic", "commands/generic_expiry.py",
           '    if b"nx" in flags and len(flags) > 1:', '    if b"nx" in flags and b"xx" in flags:',
           "EXPIRE NX GT / NX LT accepted instead of refused"),
    # -- transactions ------------------------------------------------------------------------------------------------
    Mutant("exec-watch-reply", "transactions", "commands/transactions.py",
           "        discard_transaction(engine, client)\n        return NULL_ARRAY",
           "        discard_transaction(engine, client)\n        return []",
           "EXEC after a watched key changed: an empty array instead of a null reply"),
    Mutant("multi-nested", "transactions", "commands/transactions.py",
           "    if client.in_multi:\n        return Err(errors.MULTI_NESTED)\n", "",
           "MULTI inside MULTI: queued instead of refused"),
)

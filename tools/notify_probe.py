"""Diff the keyspace notifications of Redis 8.2 and the reference, command by command.

Each scenario runs on a flushed keyspace with notify-keyspace-events "KEAnm"; the notifications a listener hears
(up to a marker) are compared between the targets. Usage: python3 tools/notify_probe.py [target ...]
(default: redis@8.2 reference). Prints one block per scenario that differs and the count of differing scenarios.
"""
from __future__ import annotations

import sys
import time

from adapters import make_target
from forkdiff.client import Connection
from forkdiff.types import Kind

MARKER = "__keymarker__:end"

S = lambda *a: tuple(a)  # noqa: E731  one command
WAIT = "wait-expired"  # S(WAIT, key, field, ...): not a command; until HKEYS (which removes nothing) stops listing them

SCENARIOS: dict[str, list[tuple]] = {
    # strings and bitmaps
    "set-get": [S("SET", "k", "v", "GET"), S("SET", "k", "w", "KEEPTTL")],
    "msetnx": [S("MSETNX", "a", "1", "b", "2")],
    "psetex": [S("PSETEX", "k", "100000", "v")],
    "getex": [S("SET", "k", "v"), S("GETEX", "k", "PX", "100000"), S("GETEX", "k", "PERSIST"),
              S("GETEX", "k", "PXAT", "1")],
    "decr": [S("DECR", "n"), S("INCRBY", "n", "5"), S("DECRBY", "n", "2")],
    "setbit": [S("SETBIT", "b", "7", "1"), S("SETBIT", "b", "7", "1"), S("SETBIT", "b", "7", "0")],
    "bitfield": [S("BITFIELD", "b", "SET", "u8", "0", "1"), S("BITFIELD", "b", "INCRBY", "u8", "0", "1"),
                 S("BITFIELD", "b", "GET", "u8", "0"), S("BITFIELD", "c", "GET", "u8", "0"),
                 S("BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300")],
    "bitop": [S("SET", "a", "x"), S("BITOP", "OR", "d", "a", "b"), S("BITOP", "AND", "d", "m1", "m2"),
              S("BITOP", "NOT", "e", "a")],
    "setrange-empty": [S("SETRANGE", "k", "0", ""), S("APPEND", "k", "")],
    # generic
    "move": [S("SET", "k", "v"), S("MOVE", "k", "1")],
    "rename-same": [S("SET", "k", "v"), S("RENAME", "k", "k"), S("RENAMENX", "k", "j"), S("RENAME", "j", "k")],
    "rename-overwrite": [S("SET", "k", "v"), S("SET", "j", "w"), S("RENAME", "k", "j")],
    "copy-replace": [S("SET", "k", "v"), S("SET", "j", "w"), S("COPY", "k", "j", "REPLACE"),
                     S("COPY", "k", "z", "DB", "1")],
    "restore": [S("SET", "k", "v"), S("EXPIRE", "k", "100"), S("DEL", "k"),
                S("RESTORE", "k", "0", b"\x00\x01v\x0c\x00\x8f\xe3\xb4\xbd\x9c\xc0\x0e\xf1"),
                S("RESTORE", "k", "0", b"\x00\x01v\x0c\x00\x8f\xe3\xb4\xbd\x9c\xc0\x0e\xf1", "REPLACE")],
    "expire-variants": [S("SET", "k", "v"), S("PEXPIRE", "k", "100000"), S("EXPIREAT", "k", "99999999999"),
                        S("EXPIRE", "k", "10", "NX"), S("EXPIRE", "k", "-1")],
    "flush": [S("SET", "k", "v"), S("FLUSHDB"), S("SET", "k", "v"), S("FLUSHALL")],
    "swapdb": [S("SET", "k", "v"), S("SWAPDB", "0", "1"), S("SWAPDB", "0", "1")],
    # lists
    "list-edit": [S("RPUSH", "l", "a", "b", "c", "b"), S("LSET", "l", "0", "x"), S("LINSERT", "l", "BEFORE", "x", "y"),
                  S("LINSERT", "l", "BEFORE", "zz", "y"), S("LREM", "l", "0", "b"), S("LREM", "l", "0", "q"),
                  S("LTRIM", "l", "0", "1"), S("LTRIM", "l", "0", "0"), S("LTRIM", "l", "5", "9")],
    "rpushx": [S("RPUSHX", "l", "a"), S("RPUSH", "l", "a"), S("RPUSHX", "l", "b")],
    "lmove": [S("RPUSH", "l", "a", "b"), S("LMOVE", "l", "d", "LEFT", "RIGHT"), S("RPOPLPUSH", "l", "d"),
              S("LMOVE", "d", "d", "LEFT", "RIGHT")],
    "lmpop": [S("RPUSH", "l", "a", "b", "c"), S("LMPOP", "1", "l", "LEFT", "COUNT", "2"),
              S("LMPOP", "1", "l", "RIGHT")],
    "blpop-ready": [S("RPUSH", "l", "a"), S("BLPOP", "l", "0"), S("RPUSH", "l", "a", "b"), S("BRPOP", "l", "0"),
                    S("BLMOVE", "l", "d", "LEFT", "LEFT", "0"), S("BRPOPLPUSH", "d", "e", "0"),
                    S("RPUSH", "m", "a"), S("BLMPOP", "0", "1", "m", "LEFT")],
    # hashes
    "hmset": [S("HMSET", "h", "a", "1"), S("HSETNX", "h", "b", "2")],
    "hexpire": [S("HSET", "h", "a", "1", "b", "2"), S("HEXPIRE", "h", "100", "FIELDS", "1", "a"),
                S("HPEXPIRE", "h", "100000", "FIELDS", "1", "b"), S("HPERSIST", "h", "FIELDS", "2", "a", "b"),
                S("HEXPIREAT", "h", "99999999999", "FIELDS", "1", "a"), S("HPEXPIREAT", "h", "1", "FIELDS", "1", "b"),
                S("HEXPIRE", "h", "0", "FIELDS", "1", "a")],
    "hgetdel": [S("HSET", "h", "a", "1", "b", "2"), S("HGETDEL", "h", "FIELDS", "1", "a"),
                S("HGETDEL", "h", "FIELDS", "2", "b", "zz")],
    "hgetex": [S("HSET", "h", "a", "1", "b", "2"), S("HGETEX", "h", "EX", "100", "FIELDS", "1", "a"),
               S("HGETEX", "h", "PERSIST", "FIELDS", "1", "a"), S("HGETEX", "h", "FIELDS", "1", "a"),
               S("HGETEX", "h", "PXAT", "1", "FIELDS", "2", "a", "b")],
    "hsetex": [S("HSETEX", "h", "FIELDS", "1", "a", "1"), S("HSETEX", "h", "EX", "100", "FIELDS", "1", "b", "2"),
               S("HSETEX", "h", "FNX", "FIELDS", "1", "a", "3"),
               S("HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "1", "b", "4"),
               S("HSETEX", "h", "PXAT", "1", "FIELDS", "2", "a", "b", "1", "2"),
               S("HSETEX", "g", "PXAT", "1", "FIELDS", "1", "a", "1")],
    # hash fields expiring: a lookup or the active expire cycle, whichever comes first, publishes the same
    "hexpired-last": [S("HSET", "h", "a", "1"), S("HPEXPIRE", "h", "20", "FIELDS", "1", "a"), S(WAIT, "h", "a"),
                      S("HGET", "h", "a")],
    "hexpired-incr": [S("HSET", "h", "a", "1", "b", "2"), S("HPEXPIRE", "h", "20", "FIELDS", "1", "a"),
                      S(WAIT, "h", "a"), S("HINCRBY", "h", "a", "1"), S("HSETNX", "h", "b", "3")],
    "hexpired-hgetdel": [S("HSET", "h", "a", "1", "b", "2", "c", "3"),
                         S("HPEXPIRE", "h", "20", "FIELDS", "2", "a", "b"), S(WAIT, "h", "a", "b"),
                         S("HGETDEL", "h", "FIELDS", "3", "a", "b", "c")],
    # sets
    "spop": [S("SADD", "s", "a"), S("SPOP", "s"), S("SADD", "s", "a"), S("SPOP", "s", "0"), S("SPOP", "s", "5")],
    "smove": [S("SADD", "s", "a", "b"), S("SMOVE", "s", "d", "a"), S("SMOVE", "s", "d", "zz"),
              S("SMOVE", "s", "d", "b"),
              S("SADD", "e", "x"), S("SMOVE", "e", "e", "x")],
    "setstore": [S("SADD", "a", "1", "2"), S("SADD", "b", "2", "3"), S("SINTERSTORE", "d", "a", "b"),
                 S("SUNIONSTORE", "d", "a", "b"), S("SDIFFSTORE", "d", "a", "b"), S("SINTERSTORE", "d", "a", "zz"),
                 S("SDIFFSTORE", "e", "zz"), S("SUNIONSTORE", "e", "zz", "yy")],
    # sorted sets
    "zadd-variants": [S("ZADD", "z", "1", "a"), S("ZADD", "z", "XX", "2", "b"), S("ZADD", "z", "NX", "1", "a"),
                      S("ZADD", "z", "GT", "CH", "5", "a"), S("ZADD", "z", "INCR", "0", "a"),
                      S("ZADD", "z", "LT", "INCR", "9", "a")],
    "zremrange": [S("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"), S("ZREMRANGEBYSCORE", "z", "1", "1"),
                  S("ZREMRANGEBYSCORE", "z", "9", "10"), S("ZREMRANGEBYRANK", "z", "0", "0"),
                  S("ZREMRANGEBYLEX", "z", "-", "+")],
    "zpop": [S("ZADD", "z", "1", "a", "2", "b", "3", "c"), S("ZPOPMIN", "z"), S("ZPOPMAX", "z", "5"),
             S("ZADD", "z", "1", "a"), S("ZMPOP", "1", "z", "MIN"), S("ZADD", "y", "1", "a", "2", "b"),
             S("BZPOPMIN", "y", "0"), S("BZPOPMAX", "y", "0"), S("ZADD", "x", "1", "a"),
             S("BZMPOP", "0", "1", "x", "MAX")],
    "zstore": [S("ZADD", "a", "1", "x", "2", "y"), S("ZADD", "b", "1", "y"), S("ZUNIONSTORE", "d", "2", "a", "b"),
               S("ZINTERSTORE", "d", "2", "a", "b"), S("ZDIFFSTORE", "d", "2", "a", "b"),
               S("ZINTERSTORE", "d", "2", "a", "zz"), S("ZDIFFSTORE", "e", "1", "zz"),
               S("ZUNIONSTORE", "e", "1", "zz"), S("SADD", "s", "q"), S("ZUNIONSTORE", "f", "2", "a", "s")],
    "zrangestore": [S("ZADD", "a", "1", "x", "2", "y"), S("ZRANGESTORE", "d", "a", "0", "-1"),
                    S("ZRANGESTORE", "d", "a", "5", "9"), S("ZRANGESTORE", "e", "zz", "0", "-1")],
    # geo
    "geo": [S("GEOADD", "g", "13.361389", "38.115556", "p"), S("GEOADD", "g", "NX", "13.361389", "38.115556", "p"),
            S("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "500", "km"),
            S("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "500", "km", "STOREDIST"),
            S("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
            S("GEORADIUS", "g", "13", "38", "500", "km", "STORE", "e"),
            S("GEORADIUSBYMEMBER", "g", "p", "500", "km", "STOREDIST", "f")],
    # hyperloglog
    "pf": [S("PFADD", "p", "a"), S("PFADD", "p", "a"), S("PFADD", "q"), S("PFADD", "q"), S("PFMERGE", "d", "p", "q"),
           S("PFMERGE", "e"), S("PFCOUNT", "p", "q")],
    # sort
    "sort-store": [S("RPUSH", "l", "2", "1"), S("SORT", "l", "STORE", "d"), S("SORT", "zz", "STORE", "d"),
                   S("SORT", "zz", "STORE", "e")],
    # streams
    "xadd": [S("XADD", "x", "NOMKSTREAM", "*", "f", "v"), S("XADD", "x", "1-1", "f", "v"),
             S("XADD", "x", "MAXLEN", "1", "2-1", "f", "v"), S("XADD", "x", "MAXLEN", "5", "3-1", "f", "v")],
    "xtrim-xdel": [S("XADD", "x", "1-1", "f", "v"), S("XADD", "x", "2-1", "f", "v"), S("XDEL", "x", "1-1"),
                   S("XDEL", "x", "9-9"), S("XTRIM", "x", "MAXLEN", "5"), S("XTRIM", "x", "MAXLEN", "0"),
                   S("XSETID", "x", "5-5")],
    "xgroup": [S("XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"), S("XGROUP", "CREATE", "x", "h", "0"),
               S("XGROUP", "SETID", "x", "g", "0"), S("XGROUP", "CREATECONSUMER", "x", "g", "c"),
               S("XGROUP", "CREATECONSUMER", "x", "g", "c"), S("XGROUP", "DELCONSUMER", "x", "g", "c"),
               S("XGROUP", "DESTROY", "x", "h"), S("XGROUP", "DESTROY", "x", "zz")],
    "xreadgroup": [S("XADD", "x", "1-1", "f", "v"), S("XGROUP", "CREATE", "x", "g", "0"),
                   S("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"),
                   S("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "x", ">"),
                   S("XCLAIM", "x", "g", "c3", "0", "1-1"), S("XAUTOCLAIM", "x", "g", "c4", "0", "0"),
                   S("XACK", "x", "g", "1-1")],
    "xdelex": [S("XADD", "x", "1-1", "f", "v"), S("XADD", "x", "2-1", "f", "v"), S("XDELEX", "x", "IDS", "1", "1-1"),
               S("XACKDEL", "x", "g", "IDS", "1", "2-1")],
    "xackdel": [S("XADD", "x", "1-1", "f", "v"), S("XADD", "x", "2-1", "f", "v"), S("XGROUP", "CREATE", "x", "g", "0"),
                S("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"), S("XACKDEL", "x", "g", "IDS", "1", "1-1"),
                S("XACKDEL", "x", "g", "IDS", "1", "1-1"), S("XACKDEL", "x", "g", "KEEPREF", "IDS", "1", "2-1"),
                S("XADD", "x", "NOMKSTREAM", "MINID", "9", "3-1", "f", "v")],
    "store-missing-source": [S("SET", "d", "v"), S("GEOSEARCHSTORE", "d", "zz", "FROMLONLAT", "0", "0", "BYRADIUS", "1",
                                                    "km"),
                             S("SET", "d", "v"), S("SORT", "zz", "STORE", "d"), S("SET", "d", "v"),
                             S("BITOP", "OR", "d", "zz"), S("SET", "d", "v"), S("ZRANGESTORE", "d", "zz", "0", "-1")],
    "overwrite-by-store": [S("SET", "d", "v"), S("SADD", "a", "1"), S("SUNIONSTORE", "d", "a"), S("RPUSH", "l", "1"),
                           S("SORT", "l", "STORE", "d"), S("ZADD", "z", "1", "m"), S("ZUNIONSTORE", "d", "1", "z"),
                           S("SET", "d", "v"), S("BITOP", "NOT", "d", "d")],
    # vector sets
    "vset": [S("VADD", "v", "VALUES", "2", "1", "0", "a"), S("VADD", "v", "VALUES", "2", "0", "1", "b"),
             S("VSETATTR", "v", "a", '{"x":1}'), S("VREM", "v", "a"), S("VREM", "v", "b")],
    # scripting and transactions
    "multi": [S("MULTI"), S("SET", "k", "v"), S("LPUSH", "l", "a"), S("EXEC")],
}


def run_scenario(conn: Connection, listener: Connection, commands: list[tuple]) -> list[str]:
    conn.call("FLUSHALL")
    conn.call("SELECT", "1")
    conn.call("FLUSHDB")
    conn.call("SELECT", "0")
    collect(conn, listener)  # drops whatever an earlier scenario left behind
    conn.call("CONFIG", "SET", "notify-keyspace-events", "KEAnm")
    replies = [wait_expired(conn, *command[1:]) if command[0] == WAIT else conn.call(*command) for command in commands]
    conn.call("CONFIG", "SET", "notify-keyspace-events", "")
    return [f"{reply.kind.name}:{reply.value!r}"[:60] for reply in replies] + ["--"] + collect(conn, listener)


def wait_expired(conn: Connection, key: str, *fields: str):
    deadline = time.monotonic() + 2
    while {f.encode() for f in fields} & set(conn.call("HKEYS", key).plain()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return conn.call("HKEYS", key)


def collect(conn: Connection, listener: Connection) -> list[str]:
    conn.call("PUBLISH", MARKER, "")
    seen = []
    while True:
        reply = listener.read_reply(timeout=2)
        if reply.kind not in (Kind.ARRAY, Kind.PUSH):
            return seen + [f"<{reply.kind.name}>"]
        channel, payload = (part.value.decode(errors="replace") for part in reply.value[2:4])
        if channel == MARKER:
            return seen
        seen.append(f"{channel}={payload}")


def observe(spec: str) -> dict[str, list[str]]:
    target = make_target(spec)
    target.start()
    try:
        host, port = target.address
        conn, listener = Connection(host, port), Connection(host, port)
        listener.call("PSUBSCRIBE", "__key*__:*")
        return {name: run_scenario(conn, listener, commands) for name, commands in SCENARIOS.items()}
    finally:
        target.stop()


def main(specs: list[str]) -> int:
    specs = specs or ["redis@8.2", "reference"]
    observed = [observe(spec) for spec in specs]
    differing = 0
    for name in SCENARIOS:
        if all(o[name] == observed[0][name] for o in observed[1:]):
            continue
        differing += 1
        print(f"== {name}")
        for spec, o in zip(specs, observed):
            print(f"  {spec}:")
            for line in o[name]:
                print(f"    {line}")
    print(f"{differing} of {len(SCENARIOS)} scenarios differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

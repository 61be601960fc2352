"""DEBUG: the subcommands client test suites and Redis's own suite call, with Redis 8.2's replies and errors.

Whether DEBUG may run at all is the engine's decision (enable-debug-command: no, yes or local), taken before
authentication as Redis takes it. What is Redis's memory layout (pointers, sds headers, allocator sizes) is shown in
Redis's format with the reference's own figures; what would crash, restart or leak Redis is refused with Redis's
subcommand error rather than done. RELOAD round-trips every key through the RDB serialisation DUMP uses.
"""
from __future__ import annotations

import hashlib
import time

from .. import errors, replication
from ..access import idle_ms
from ..errors import CommandError
from ..replies import OK, Bool, BigNumber, Double, Map, Pushes, Push, Raw, RSet, Verbatim
from ..util import string2ll
from . import command
from .generic_object import encoding_of

_NO_DIGEST = "0" * 40
_DUMP_TRAILER = 1 + 2 + 8  # type byte, RDB version, CRC64: DUMP's payload around the serialized value
_PROTOCOL_TYPES = "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"


@command("debug")
def debug(engine, client, argv):
    name = argv[1].decode("utf-8", "surrogateescape").lower()
    entry = _SUBCOMMANDS.get(name)
    if entry is None or not entry[0](len(argv)):
        raise CommandError(errors.SUBCOMMAND_SYNTAX % (argv[1].decode("utf-8", "surrogateescape"), "DEBUG"))
    return entry[1](engine, client, argv)


def _argc(low: int, high: int | None = None):
    return lambda n: low <= n and (high is None or n <= high)


# -- replies that simulate server states -------------------------------------------------------------------------
def _error(engine, client, argv):
    """Any error line a client wants to see (LOADING, OOM, READONLY...), newlines made spaces."""
    text = argv[2].decode("utf-8", "surrogateescape").replace("\n", " ").replace("\r", " ")
    return Raw(b"-" + text.encode("utf-8", "surrogateescape") + b"\r\n")


def _sleep(engine, client, argv):
    """The whole server stops, as Redis's nanosleep stops its event loop; the reply comes after."""
    seconds = _strtod(argv[2])
    if seconds > 0:
        time.sleep(int(seconds * 1_000_000) / 1_000_000)
    return OK


def _strtod(arg: bytes) -> float:
    """C's strtod on a prefix: what does not parse counts as 0."""
    text = arg.decode("latin-1").strip()
    for end in range(len(text), 0, -1):
        try:
            return float(text[:end])
        except ValueError:
            continue
    return 0.0


def _atoi(arg: bytes) -> int:
    digits = arg.decode("latin-1").strip()
    sign, i = (-1, 1) if digits[:1] == "-" else (1, 1 if digits[:1] == "+" else 0)
    j = i
    while j < len(digits) and digits[j].isdigit():
        j += 1
    return sign * int(digits[i:j]) if j > i else 0


def _protocol(engine, client, argv):
    kind = argv[2].decode("latin-1").lower()
    simple = {"string": b"Hello World", "integer": 12345, "double": Double(3.141),
              "bignum": BigNumber(b"1234567999999999999999999999999999999"), "null": None, "array": [0, 1, 2],
              "set": RSet([0, 1, 2]), "map": Map([(0, Bool(False)), (1, Bool(True)), (2, Bool(False))]),
              "true": Bool(True), "false": Bool(False), "verbatim": Verbatim(b"This is a verbatim\nstring")}
    if kind in simple:
        return simple[kind]
    if kind == "attrib":
        following = b"Some real reply following the attribute"
        if client.resp < 3:
            return following
        return Pushes([Raw(b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"), following])
    if kind == "push":
        if client.resp < 3:
            raise CommandError("ERR RESP2 is not supported by this command")
        return Pushes([Push([b"server-cpu-usage", 42]), b"Some real reply following the push reply"])
    raise CommandError("ERR Wrong protocol type name. Please use one of the following: " + _PROTOCOL_TYPES)


# -- the dataset -------------------------------------------------------------------------------------------------
def _reload(engine, client, argv):
    """Save every key in RDB form and load it back (MERGE, NOFLUSH and NOSAVE parse; there is no file to load
    without saving, so NOSAVE reloads what is in memory)."""
    for option in argv[2:]:
        if option.lower() not in (b"merge", b"noflush", b"nosave"):
            raise CommandError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    from ..rdb.deserialize import load_payload
    for db in engine.keyspace.dbs:
        for key in list(db.data):
            payload = _payload(engine, db.data[key])
            if payload is not None:
                db.data[key] = load_payload(payload, engine.config)
    engine.lastsave = engine.now_ms() // 1000
    engine.stats["dirty"] = 0
    return OK


def _payload(engine, value) -> bytes | None:
    from ..rdb.serialize import dump_payload
    try:
        return dump_payload(value, compress=engine.config.get("rdbcompression") == "yes",
                            compress_depth=engine.config.get_int("list-compress-depth"))
    except TypeError:  # no RDB form here (vector sets): the value stays as it is
        return None


def _object(engine, client, argv):
    db, key = engine.db(client), argv[2]
    value = db.data.get(key)  # a debugging look: logically expired keys are still there
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    encoding = encoding_of(engine, db, key, value)
    payload = _payload(engine, value)
    serialized = len(payload) - _DUMP_TRAILER if payload is not None else 0
    field = db.lru.get(key, 0)
    line = (f"Value at:0x{id(value):x} refcount:1 encoding:{encoding} serializedlength:{serialized} "
            f"lru:{field} lru_seconds_idle:{idle_ms(field, engine.now_ms()) // 1000}")
    if encoding == "quicklist":
        line += _quicklist_details(engine, value)
    return line


def _quicklist_details(engine, value) -> str:
    from ..datatypes.list import listpack_bytes
    items = value.items
    nodes = value.nodes or [None]
    sizes = [node.size for node in value.nodes] if value.nodes else [listpack_bytes(items)]
    fill = engine.config.get_int("list-max-listpack-size")
    return (f" ql_nodes:{len(nodes)} ql_avg_node:{len(items) / len(nodes):.2f} ql_listpack_max:{fill} "
            f"ql_compressed:{int(engine.config.get_int('list-compress-depth') != 0)} "
            f"ql_uncompressed_size:{sum(sizes)}")


def _sdslen(engine, client, argv):
    db, key = engine.db(client), argv[2]
    value = db.data.get(key)
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    encoding = encoding_of(engine, db, key, value)
    if encoding not in ("raw", "embstr"):
        raise CommandError("ERR Not an sds encoded string.")
    key_alloc = _sds_alloc(len(key))
    value_alloc = 0 if encoding == "embstr" else _sds_alloc(len(value))
    value_avail = max(value_alloc - len(value) - 3, 0) if encoding == "raw" else 0
    return (f"key_sds_len:{len(key)}, key_sds_avail:0, key_zmalloc: {key_alloc}, "
            f"val_sds_len:{len(value)}, val_sds_avail:{value_avail}, val_zmalloc: {value_alloc}")


def _sds_alloc(length: int) -> int:
    """The jemalloc size class of an sds of `length` bytes with an 8-bit header."""
    need = length + 4
    size = 8
    while size < need:
        size = size + 8 if size < 128 else size + size // 4
    return size


def _encoded(wanted: tuple[str, ...], message: str, reply: str):
    def handler(engine, client, argv):
        db = engine.db(client)
        value = db.get(argv[2])
        if value is None:
            raise CommandError(errors.NO_SUCH_KEY)
        if encoding_of(engine, db, argv[2], value) not in wanted:
            raise CommandError(message)
        return reply
    return handler


def _populate(engine, client, argv):
    count = string2ll(argv[2])
    if count is None:
        raise CommandError(errors.NOT_INTEGER)
    if count < 0:
        raise CommandError(errors.VALUE_MUST_BE_POSITIVE)
    size = 0
    if len(argv) == 5:
        size = string2ll(argv[4])
        if size is None:
            raise CommandError(errors.NOT_INTEGER)
        if size < 0:
            raise CommandError(errors.VALUE_MUST_BE_POSITIVE)
    prefix = argv[3] if len(argv) >= 4 else b"key"
    db = engine.db(client)
    for j in range(count):
        key = b"%s:%d" % (prefix, j)
        if db.get(key) is not None:
            continue
        value = b"value:%d" % j
        if size:
            value = value[:size].ljust(size, b"\0")
        db.add(key, value)
        db.signal(key)
    return OK


def _digest(engine, client, argv):
    """A digest of the whole dataset, 40 zeros when it is empty: equal datasets give equal digests (the bytes are
    the reference's own, from each key's RDB form and TTL)."""
    total = 0
    for db in engine.keyspace.dbs:
        for key in db.data:
            total ^= _key_digest(engine, db, key, with_db=True)
    return "%040x" % total if total else _NO_DIGEST


def _digest_value(engine, client, argv):
    db = engine.db(client)
    return ["%040x" % _value_digest(engine, db, key) if key in db.data else _NO_DIGEST for key in argv[2:]]


def _value_digest(engine, db, key: bytes) -> int:
    """DEBUG DIGEST-VALUE digests the value alone (and whether it expires), not its name: a COPY digests alike."""
    value = db.data[key]
    payload = _payload(engine, value) or repr(sorted(value.items() if hasattr(value, "items") else [])).encode()
    sha = hashlib.sha1(payload)
    if key in db.expires:
        sha.update(b"!!expire!!")
    return int.from_bytes(sha.digest(), "big")


def _key_digest(engine, db, key: bytes, with_db: bool = False) -> int:
    value = db.data[key]
    payload = _payload(engine, value) or repr(sorted(value.items() if hasattr(value, "items") else [])).encode()
    sha = hashlib.sha1(key + b"\0" + payload)
    if with_db:
        sha.update(b"%d:%d" % (db.index, db.expires.get(key, -1)))
    return int.from_bytes(sha.digest(), "big")


# -- server switches ---------------------------------------------------------------------------------------------
def _set_active_expire(engine, client, argv):
    engine.active_expire_enabled = _atoi(argv[2]) != 0
    return OK


def _switch(name: str):
    def handler(engine, client, argv):
        engine.extensions.setdefault("debug_switches", {})[name] = _atoi(argv[2])
        return OK
    return handler


def _ok(engine, client, argv):
    return OK


def _quicklist_packed_threshold(engine, client, argv):
    from .config_cmd import memory_value
    size = memory_value(argv[2])
    if size is None or size >= 1 << 32:
        raise CommandError("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
    return OK


def _change_repl_id(engine, client, argv):
    repl = replication.state(engine)
    repl.replid = "%040x" % engine.rng.getrandbits(160)
    repl.replid2, repl.second_offset = "0" * 40, -1
    return OK


def _replybuffer(engine, client, argv):
    option = argv[2].lower()
    if option == b"peak-reset-time":
        if argv[3].lower() not in (b"never", b"reset") and string2ll(argv[3]) is None:
            raise CommandError(errors.NOT_INTEGER)
    elif option != b"resizing":
        raise CommandError(errors.SUBCOMMAND_SYNTAX % (argv[1].decode("utf-8", "surrogateescape"), "DEBUG"))
    return OK


def _structsize(engine, client, argv):
    return b"bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 "


def _stringmatch_test(engine, client, argv):
    return "Apparently Redis did not crash: test passed"


def _script(engine, client, argv):
    target = argv[2]
    if target.lower() != b"list" and len(target) != 40:
        raise CommandError(errors.SUBCOMMAND_SYNTAX % (argv[1].decode("utf-8", "surrogateescape"), "DEBUG"))
    if target.lower() != b"list":
        scripts = engine.extensions.get("scripts", {})
        if target.lower() not in scripts and target not in scripts:
            raise CommandError(errors.NOSCRIPT)
    return OK


def _help(engine, client, argv):
    return list(HELP_LINES)


_SUBCOMMANDS = {
    "help": (_argc(2, 2), _help),
    "error": (_argc(3, 3), _error),
    "sleep": (_argc(3, 3), _sleep),
    "protocol": (_argc(3, 3), _protocol),
    "reload": (_argc(2), _reload),
    "loadaof": (_argc(2, 2), _reload),  # the AOF holds what memory holds: reloading it rebuilds every value
    "object": (_argc(3, 3), _object),
    "sdslen": (_argc(3, 3), _sdslen),
    "listpack": (_argc(3, 3), _encoded(("listpack", "listpackex"), "ERR Not a listpack encoded object.",
                                         "Listpack structure printed on stdout")),
    "quicklist": (_argc(3, 4), _encoded(("quicklist",), "ERR Not a quicklist encoded object.",
                                        "Quicklist structure printed on stdout")),
    "populate": (_argc(3, 5), _populate),
    "digest": (_argc(2, 2), _digest),
    "digest-value": (_argc(2), _digest_value),
    "set-active-expire": (_argc(3, 3), _set_active_expire),
    "quicklist-packed-threshold": (_argc(3, 3), _quicklist_packed_threshold),
    "set-skip-checksum-validation": (_argc(3, 3), _switch("skip-checksum-validation")),
    "aof-flush-sleep": (_argc(3, 3), _switch("aof-flush-sleep")),
    "set-disable-deny-scripts": (_argc(3, 3), _switch("disable-deny-scripts")),
    "pause-cron": (_argc(3, 3), _switch("pause-cron")),
    "dict-resizing": (_argc(3, 3), _switch("dict-resizing")),
    "keysizes-hist-assert": (_argc(3, 3), _switch("keysizes-hist-assert")),
    "replicate": (_argc(3), _ok),
    "log": (_argc(3, 3), _ok),
    "leak": (_argc(3, 3), _ok),
    "change-repl-id": (_argc(2, 2), _change_repl_id),
    "replybuffer": (_argc(4, 4), _replybuffer),
    "structsize": (_argc(2, 2), _structsize),
    "stringmatch-test": (_argc(2, 2), _stringmatch_test),
    "script": (_argc(3, 3), _script),
}

HELP_LINES = [
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "INTERNAL_SECRET",
    "    Return the cluster internal secret (hashed with crc16) or error if not in cluster mode.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid> [full]",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key> [full]",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "KEYSIZES-HIST-ASSERT <0|1>",
    "    Enable/disable keysizes histogram assertion after each command.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys (and hash-fields) in background ",
    "    when they are not accessed (otherwise the Redis behavior). Setting it",
    "    to 1 reenables back the default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "REPL-PAUSE <clear|after-fork|before-rdb-channel|on-streaming-repl-buf>",
    "    Pause the server's main process during various replication steps.",
    "DICT-RESIZING <0|1>",
    "    Enable or disable the main dict and expire dict resizing.",
    "SCRIPT <LIST|<sha>>",
    "    Output SHA and content of all scripts or of a specific script with its SHA.",
    "MARK-INTERNAL-CLIENT [UNMARK]",
    "    Promote the current connection to an internal connection.",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
    "HELP",
    "    Print this help.",
]

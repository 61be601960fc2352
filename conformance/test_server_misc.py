"""Server group, the rest: SLOWLOG, LATENCY, MEMORY, MONITOR, ROLE, REPLICAOF, SAVE/BGSAVE/BGREWRITEAOF, SHUTDOWN
(never a real shutdown: only ABORT and syntax errors), DEBUG and MODULE refusals, FAILOVER and REPLCONF errors.

Cases that change slowlog or latency settings restore Redis's defaults in a finally block.
"""
from __future__ import annotations

import contextlib
import re
import time

import pytest

from forkdiff.types import Kind, bulk, bulks, integer, map_, simple

from .asserts import assert_error, assert_null, assert_ok, assert_reply

SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
DEBUG_REFUSED = ('ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it '
                 'from a local connection, otherwise you need to set this option in the configuration file, and then '
                 'restart the server.')
MODULE_REFUSED = ('ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can '
                  'run it from a local connection, otherwise you need to set this option in the configuration file, '
                  'and then restart the server.')


@pytest.fixture
def slowlog_all(conn):
    """Every command goes to the slowlog for the duration of the case."""
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
    conn.call("SLOWLOG", "RESET")
    yield conn
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128")
    conn.call("SLOWLOG", "RESET")


def entries(conn, *args: str) -> list:
    reply = conn.call("SLOWLOG", "GET", *args)
    assert reply.kind is Kind.ARRAY
    return list(reply.value)


# -- SLOWLOG -----------------------------------------------------------------------------------------------------
def test_slowlog_get_entry_shape(slowlog_all):
    conn = slowlog_all
    conn.call("CLIENT", "SETNAME", "slowpoke")
    conn.call("SET", "k", "v")
    newest = entries(conn, "1")[0].value
    assert [r.kind for r in newest] == [Kind.INTEGER, Kind.INTEGER, Kind.INTEGER, Kind.ARRAY, Kind.BULK, Kind.BULK]
    assert abs(newest[1].value - time.time()) < 5
    assert newest[2].value >= 0
    assert_reply(newest[3], bulks("SET", "k", "v"))
    assert re.fullmatch(rb"127\.0\.0\.1:\d+", newest[4].value)
    assert_reply(newest[5], bulk("slowpoke"))


def test_slowlog_newest_first_with_increasing_ids(slowlog_all):
    conn = slowlog_all
    conn.call("SET", "a", "1")
    conn.call("GET", "a")
    log = entries(conn, "-1")
    ids = [e.value[0].value for e in log]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert [e.value[3].value[0].value for e in log[:2]] == [b"GET", b"SET"]


def test_slowlog_len_and_reset(slowlog_all):
    conn = slowlog_all
    conn.call("PING")
    assert_reply(conn.call("SLOWLOG", "LEN"), integer(2))  # SLOWLOG RESET itself, then PING
    assert_ok(conn.call("SLOWLOG", "RESET"))
    assert_reply(conn.call("SLOWLOG", "LEN"), integer(1))  # the RESET is logged after it ran


def test_slowlog_get_count(slowlog_all):
    conn = slowlog_all
    for _ in range(12):
        conn.call("PING")
    assert len(entries(conn)) == 10
    assert len(entries(conn, "3")) == 3
    assert len(entries(conn, "0")) == 0
    assert len(entries(conn, "-1")) == 16


def test_slowlog_truncates_arguments(slowlog_all):
    conn = slowlog_all
    conn.call("SET", "k", "x" * 200)
    assert_reply(entries(conn, "1")[0].value[3], bulks("SET", "k", "x" * 128 + "... (72 more bytes)"))
    conn.call("RPUSH", "l", *[str(i) for i in range(40)])
    argv = [r.value for r in entries(conn, "1")[0].value[3].value]
    assert len(argv) == 32
    assert argv[:3] == [b"RPUSH", b"l", b"0"] and argv[30] == b"28"
    assert argv[31] == b"... (11 more arguments)"


def test_slowlog_redacts_secrets(slowlog_all):
    conn = slowlog_all
    conn.call("AUTH", "nosuch", "secret")
    assert_reply(entries(conn, "1")[0].value[3], bulks("AUTH", "(redacted)", "(redacted)"))


def test_slowlog_max_len(slowlog_all):
    conn = slowlog_all
    conn.call("CONFIG", "SET", "slowlog-max-len", "3")
    for _ in range(5):
        conn.call("PING")
    assert_reply(conn.call("SLOWLOG", "LEN"), integer(3))


def test_slowlog_disabled_with_negative_threshold(conn):
    try:
        conn.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")
        conn.call("SLOWLOG", "RESET")
        conn.call("PING")
        assert_reply(conn.call("SLOWLOG", "LEN"), integer(0))
    finally:
        conn.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")


@pytest.mark.parametrize("count", ["x", "-2", "1.5"])
def test_slowlog_get_bad_count(conn, count):
    assert_error(conn.call("SLOWLOG", "GET", count), "ERR count should be greater than or equal to -1")


def test_slowlog_errors(conn):
    assert_error(conn.call("SLOWLOG", "GET", "1", "2"),
                 "ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.")
    assert_error(conn.call("SLOWLOG", "LEN", "x"), "ERR wrong number of arguments for 'slowlog|len' command")
    assert_error(conn.call("SLOWLOG", "RESET", "x"), "ERR wrong number of arguments for 'slowlog|reset' command")
    assert_error(conn.call("SLOWLOG", "FOO"), "ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.")


def test_slowlog_help(conn):
    reply = conn.call("SLOWLOG", "HELP")
    assert len(reply.value) == 12 and all(r.kind is Kind.SIMPLE for r in reply.value)
    assert reply.value[1].value == "GET [<count>]"


# -- LATENCY -----------------------------------------------------------------------------------------------------
def test_latency_monitor_disabled_by_default(conn):
    assert_reply(conn.call("LATENCY", "LATEST"), bulks())
    assert_reply(conn.call("LATENCY", "HISTORY", "command"), bulks())
    assert_reply(conn.call("LATENCY", "RESET"), integer(0))
    assert_reply(conn.call("LATENCY", "RESET", "command", "x"), integer(0))
    assert_error(conn.call("LATENCY", "GRAPH", "command"), "ERR No samples available for event 'command'")


def test_latency_doctor_when_disabled(conn, resp):
    reply = conn.call("LATENCY", "DOCTOR")
    assert reply.kind is (Kind.VERBATIM if resp == 3 else Kind.BULK)
    text = reply.value[1] if resp == 3 else reply.value
    assert text.startswith(b"I'm sorry, Dave, I can't do that. Latency monitoring is disabled")


def test_latency_histogram_counts_calls(conn, resp):
    conn.call("CONFIG", "RESETSTAT")
    for _ in range(3):
        conn.call("SET", "k", "v")
    reply = conn.call("LATENCY", "HISTOGRAM", "set", "nosuch")
    pairs = list(reply.value) if resp == 3 else list(zip(reply.value[::2], reply.value[1::2]))
    assert [k.value for k, _ in pairs] == [b"set"]
    details = pairs[0][1]
    flat = [x for pair in details.value for x in pair] if resp == 3 else list(details.value)
    assert [flat[0].value, flat[2].value] == [b"calls", b"histogram_usec"]
    assert_reply(flat[1], integer(3))
    buckets = flat[3]
    counts = [v.value for _, v in buckets.value] if resp == 3 else [v.value for v in buckets.value[1::2]]
    assert counts == sorted(counts) and counts[-1] == 3


def test_latency_histogram_unknown_command(conn, resp):
    assert_reply(conn.call("LATENCY", "HISTOGRAM", "nosuch"), map_() if resp == 3 else bulks())


def test_latency_help(conn):
    reply = conn.call("LATENCY", "HELP")
    assert len(reply.value) == 17 and reply.value[0].value.startswith("LATENCY <subcommand>")


def test_latency_errors(conn):
    assert_error(conn.call("LATENCY", "FOO"), "ERR unknown subcommand 'FOO'. Try LATENCY HELP.")
    assert_error(conn.call("LATENCY", "LATEST", "x"), "ERR wrong number of arguments for 'latency|latest' command")


# -- MEMORY ------------------------------------------------------------------------------------------------------
def test_memory_usage(conn, resp):
    conn.call("SET", "k", "v")
    assert conn.call("MEMORY", "USAGE", "k").kind is Kind.INTEGER
    assert conn.call("MEMORY", "USAGE", "k", "SAMPLES", "0").kind is Kind.INTEGER
    assert_null(conn.call("MEMORY", "USAGE", "nosuch"), resp)
    conn.call("SET", "big", "x" * 1000)
    assert conn.call("MEMORY", "USAGE", "big").value > conn.call("MEMORY", "USAGE", "k").value


@pytest.mark.parametrize("args, message", [(["SAMPLES", "x"], NOT_INTEGER), (["SAMPLES", "-1"], SYNTAX),
                                           (["FOO"], SYNTAX), (["SAMPLES"], SYNTAX)])
def test_memory_usage_errors(conn, args, message):
    conn.call("SET", "k", "v")
    assert_error(conn.call("MEMORY", "USAGE", "k", *args), message)


def test_memory_stats_fields(conn, resp):
    conn.call("SET", "k", "v")
    reply = conn.call("MEMORY", "STATS")
    assert reply.kind is (Kind.MAP if resp == 3 else Kind.ARRAY)
    pairs = list(reply.value) if resp == 3 else list(zip(reply.value[::2], reply.value[1::2]))
    names = [k.value for k, _ in pairs]
    for name in (b"peak.allocated", b"total.allocated", b"db.0", b"keys.count", b"dataset.bytes",
                 b"fragmentation"):
        assert name in names
    assert names[:3] == [b"peak.allocated", b"total.allocated", b"startup.allocated"]
    assert dict(pairs)[next(k for k, _ in pairs if k.value == b"keys.count")] == integer(1)


def test_memory_doctor_and_malloc_stats(conn, resp):
    for sub in ("DOCTOR", "MALLOC-STATS"):
        reply = conn.call("MEMORY", sub)
        assert reply.kind in ((Kind.VERBATIM,) if resp == 3 else (Kind.BULK,))


def test_memory_purge(conn):
    assert_ok(conn.call("MEMORY", "PURGE"))


def test_memory_help(conn):
    reply = conn.call("MEMORY", "HELP")
    assert len(reply.value) == 14 and reply.value[9].value == "USAGE <key> [SAMPLES <count>]"


# -- MONITOR -----------------------------------------------------------------------------------------------------
LINE = re.compile(r"\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)")


def monitor_lines(watcher, count: int) -> list[tuple[str, str]]:
    lines = []
    for _ in range(count):
        reply = watcher.read_reply(timeout=2)
        assert reply.kind is Kind.SIMPLE, reply
        m = LINE.fullmatch(reply.value)
        assert m, reply.value
        lines.append((m.group(1), m.group(2)))
    return lines


def test_monitor_streams_commands(conn, connect_client):
    watcher = connect_client()
    assert_ok(watcher.call("MONITOR"))
    conn.call("SET", "a", "b")
    conn.call("GET", 'x "y"\n\x01')
    conn.call("SELECT", "3")
    conn.call("CONFIG", "GET", "maxmemory")  # administrative: never shown
    conn.call("AUTH", "nosuch", "pw")
    conn.call("MULTI")
    conn.call("GET", "a")
    conn.call("EXEC")
    assert monitor_lines(watcher, 7) == [
        ("0", '"SET" "a" "b"'), ("0", r'"GET" "x \"y\"\n\x01"'), ("3", '"SELECT" "3"'),
        ("3", '"AUTH" "(redacted)" "(redacted)"'), ("3", '"MULTI"'), ("3", '"GET" "a"'), ("3", '"EXEC"')]


def test_monitor_sees_its_own_commands_after_their_reply(connect_client):
    watcher = connect_client()
    assert_ok(watcher.call("MONITOR"))
    reply = watcher.call("PING")
    assert reply.kind is Kind.SIMPLE and reply.value == "PONG"
    assert monitor_lines(watcher, 1) == [("0", '"PING"')]


# -- persistence, replication ------------------------------------------------------------------------------------
def test_save_updates_lastsave(conn):
    before = conn.call("LASTSAVE").value
    assert_ok(conn.call("SAVE"))
    assert conn.call("LASTSAVE").value >= before


def test_bgsave_syntax(conn):
    assert_error(conn.call("BGSAVE", "x"), SYNTAX)
    assert_error(conn.call("BGSAVE", "SCHEDULE", "x"), SYNTAX)


def wait_for_background_work(conn) -> None:
    """A fork finishes in milliseconds, but Redis notices it on its next cron tick: wait so later cases can SAVE."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        reply = conn.call("INFO", "persistence")
        assert reply.kind in (Kind.BULK, Kind.VERBATIM), f"INFO persistence answered {reply}"
        info = reply.value[1] if reply.kind is Kind.VERBATIM else reply.value
        if b"rdb_bgsave_in_progress:0" in info and b"aof_rewrite_in_progress:0" in info \
                and b"aof_rewrite_scheduled:0" in info:
            return
        time.sleep(0.01)


@pytest.mark.parametrize("command, started", [(["BGSAVE"], "Background saving started"),
                                              (["BGSAVE", "SCHEDULE"], "Background saving started"),
                                              (["BGREWRITEAOF"], "Background append only file rewriting started")])
def test_bgsave_starts_in_the_background(conn, command, started):
    wait_for_background_work(conn)
    try:
        reply = conn.call(*command)
        assert reply.kind is Kind.SIMPLE and reply.value == started
    finally:
        wait_for_background_work(conn)


def test_role_is_master_without_replicas(conn):
    reply = conn.call("ROLE")
    assert_reply(reply.value[0], bulk("master"))
    assert reply.value[1].kind is Kind.INTEGER
    assert_reply(reply.value[2], bulks())


@pytest.mark.parametrize("command", ["REPLICAOF", "SLAVEOF"])
def test_replicaof_no_one(conn, command):
    assert_ok(conn.call(command, "NO", "ONE"))
    assert_ok(conn.call(command, "no", "one"))


@pytest.mark.parametrize("port", ["x", "-1", "65536"])
def test_replicaof_invalid_port(conn, connect_client, port):
    try:
        assert_error(conn.call("REPLICAOF", "localhost", port), "ERR Invalid master port")
    finally:  # a server that accepts the port (Redis 6.2) becomes a replica: make it a master again for later cases
        connect_client().call("REPLICAOF", "NO", "ONE")


def test_replicaof_arity(conn):
    assert_error(conn.call("REPLICAOF", "NO"), "ERR wrong number of arguments for 'replicaof' command")


@pytest.mark.parametrize("args, message", [
    (["ABORT"], "ERR No failover in progress."),
    ([], "ERR FAILOVER requires connected replicas."),
    (["TO", "localhost", "1"], "ERR FAILOVER requires connected replicas."),
    (["FORCE", "TIMEOUT", "10"], "ERR FAILOVER requires connected replicas."),
    (["FOO"], SYNTAX),
    (["FORCE", "FORCE"], SYNTAX),
    (["TIMEOUT", "0"], "ERR FAILOVER timeout must be greater than 0"),
    (["TIMEOUT", "x"], NOT_INTEGER),
    (["TO", "localhost", "x"], NOT_INTEGER),
    (["ABORT", "x"], SYNTAX),
])
def test_failover_errors(conn, args, message):
    assert_error(conn.call("FAILOVER", *args), message)


@pytest.mark.parametrize("args, message", [(["listening-port"], SYNTAX), (["foo", "bar"],
                                            "ERR Unrecognized REPLCONF option: foo"),
                                           (["listening-port", "x"], NOT_INTEGER)])
def test_replconf_errors(conn, args, message):
    assert_error(conn.call("REPLCONF", *args), message)


def test_replconf_accepts_known_options(conn):
    assert_ok(conn.call("REPLCONF"))
    assert_ok(conn.call("REPLCONF", "listening-port", "1", "capa", "eof"))


# -- SHUTDOWN (only what leaves the server running), DEBUG, MODULE -----------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["ABORT"], "ERR No shutdown in progress."),
    (["FOO"], SYNTAX),
    (["NOSAVE", "ABORT"], SYNTAX),
    (["SAVE", "NOSAVE"], SYNTAX),
    (["NOW", "ABORT"], SYNTAX),
])
def test_shutdown_abort_and_syntax(conn, args, message):
    assert_error(conn.call("SHUTDOWN", *args), message)


@pytest.mark.parametrize("args", [["SLEEP", "0"], ["OBJECT", "k"], ["JMAP"], ["HELP"]])
def test_debug_refused_by_default(conn, args):
    assert_error(conn.call("DEBUG", *args), DEBUG_REFUSED)


def test_module_list_shows_vectorset(conn, resp):
    reply = conn.call("MODULE", "LIST")
    assert reply.kind is Kind.ARRAY and len(reply.value) == 1
    module = reply.value[0]
    pairs = list(module.value) if resp == 3 else list(zip(module.value[::2], module.value[1::2]))
    assert [(k.value, v) for k, v in pairs] == [(b"name", bulk("vectorset")), (b"ver", integer(1)),
                                               (b"path", bulk("")), (b"args", bulks())]


@pytest.mark.parametrize("args", [["LOAD", "/nonexistent.so"], ["UNLOAD", "x"], ["LOADEX", "/nonexistent.so"]])
def test_module_load_refused_by_default(conn, args):
    assert_error(conn.call("MODULE", *args), MODULE_REFUSED)


def test_module_help_and_unknown(conn):
    assert len(conn.call("MODULE", "HELP").value) == 11
    assert_error(conn.call("MODULE", "FOO"), "ERR unknown subcommand 'FOO'. Try MODULE HELP.")


# -- replica role: REPLICAOF an unreachable master (the link stays down), writes refused, NO ONE restores ---------
READONLY = "READONLY You can't write against a read only replica."


def _replication_info(conn) -> dict[str, str]:
    text = conn.call("INFO", "replication").value
    text = text[1] if isinstance(text, tuple) else text
    text = text.decode() if isinstance(text, bytes) else text
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


@contextlib.contextmanager
def _as_replica(conn, connect_client):
    """The target as a replica of a port where nothing listens, made a master again afterwards."""
    try:
        assert_ok(conn.call("REPLICAOF", "127.0.0.1", "1"))
        yield conn
    finally:
        closer = connect_client()
        closer.call("CONFIG", "SET", "replica-read-only", "yes")
        closer.call("REPLICAOF", "NO", "ONE")


@pytest.fixture
def replica(conn, connect_client):
    with _as_replica(conn, connect_client):
        yield conn


def test_replicaof_makes_the_server_a_replica(conn, connect_client):
    """REPLICAOF itself is what this case tests (the others take the role from the `replica` fixture)."""
    with _as_replica(conn, connect_client):
        _check_replica(conn)


def _check_replica(replica):
    reply = replica.call("ROLE")
    assert [r.value for r in reply.value[:3]] == [b"slave", b"127.0.0.1", 1]
    assert reply.value[3].value in (b"connect", b"connecting") and reply.value[4].value == -1
    info = _replication_info(replica)
    assert (info["role"], info["master_host"], info["master_port"], info["master_link_status"],
            info["slave_read_only"], info["connected_slaves"]) == ("slave", "127.0.0.1", "1", "down", "1", "0")
    assert_reply(replica.call("REPLICAOF", "127.0.0.1", "1"), simple("OK Already connected to specified master"))


def test_replica_refuses_writes_and_serves_reads(replica, resp):
    assert_error(replica.call("SET", "k", "v"), READONLY)
    assert_error(replica.call("INCR", "n"), READONLY)
    assert_error(replica.call("DEL", "k"), READONLY)
    assert_null(replica.call("GET", "k"), resp)
    assert_reply(replica.call("EXISTS", "k"), integer(0))


def test_replica_write_inside_multi_aborts_exec(replica):
    assert_ok(replica.call("MULTI"))
    assert_error(replica.call("SET", "k", "v"), READONLY)
    assert_error(replica.call("EXEC"), "EXECABORT Transaction discarded because of previous errors.")


def test_writable_replica_accepts_writes(replica):
    assert_ok(replica.call("CONFIG", "SET", "replica-read-only", "no"))
    assert_ok(replica.call("SET", "k", "v"))
    assert _replication_info(replica)["slave_read_only"] == "0"


def test_replicaof_no_one_restores_the_master_with_a_new_id(replica):
    during = _replication_info(replica)["master_replid"]
    assert_ok(replica.call("REPLICAOF", "NO", "ONE"))
    reply = replica.call("ROLE")
    assert reply.value[0].value == b"master"
    after = _replication_info(replica)
    assert after["role"] == "master" and after["master_replid2"] == during != after["master_replid"]
    assert "master_host" not in after
    assert_ok(replica.call("SET", "k", "v"))


# -- LOLWUT: the version line, the arguments' errors, and the deterministic parts of the art ----------------------
_POEM_TAIL = ("\nIn 1961, Nanni Balestrini created one of the first computer-generated poems, TAPE MARK I, using an "
              "IBM 7090 mainframe. Each execution combined verses from three literary sources following algorithmic "
              "rules based on metrical compatibility and group constraints. This LOLWUT command reproduces "
              "Balestrini's original algorithm, generating new stanzas through the same computational poetry "
              "process described in Almanacco Letterario Bompiani, 1962.\n\n"
              "https://en.wikipedia.org/wiki/Digital_poetry\n"
              "https://www.youtube.com/watch?v=8i7uFCK7G0o (English subs)\n\n"
              "Use: LOLWUT IT for the original Italian output.\n\n")


def _lolwut(conn, *args: str) -> str:
    reply = conn.call("LOLWUT", *args)
    assert reply.kind in (Kind.BULK, Kind.VERBATIM), reply
    value = reply.value[1] if reply.kind is Kind.VERBATIM else reply.value
    return value.decode()


@pytest.mark.parametrize("version", ["1", "4", "7", "9", "80", "-1"])
def test_lolwut_versions_without_art_print_the_version(conn, version):
    assert _lolwut(conn, "VERSION", version) == "Redis ver. 8.2.3\n"


@pytest.mark.parametrize("args", [["VERSION", "x"], ["VERSION", "1.5"], ["VERSION", "5", "x"],
                                  ["VERSION", "5", "10", "y"]])
def test_lolwut_argument_errors(conn, args):
    assert_error(conn.call("LOLWUT", *args), NOT_INTEGER)


@pytest.mark.parametrize("args", [[], ["VERSION", "8"], ["VERSION", "8", "extra"], ["VERSION"], ["foo"]])
def test_lolwut_8_is_a_stanza_of_known_verses(conn, args):
    text = _lolwut(conn, *args)
    assert text.endswith(_POEM_TAIL)
    verses = text[:-len(_POEM_TAIL)].split("\n")[:-1]
    assert 1 <= len(verses) <= 10 and len(set(verses)) == len(verses)
    assert all(v.startswith(" ") and v.endswith(" ") and v == v.upper() and "/" not in v for v in verses)


def test_lolwut_8_in_italian(conn):
    text = _lolwut(conn, "VERSION", "8", "IT")
    assert text.endswith(_POEM_TAIL) and "THE" not in text[:-len(_POEM_TAIL)]


def test_lolwut_5_smallest_canvas(conn):
    assert _lolwut(conn, "VERSION", "5", "1", "1", "1") == (
        "\u280b\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 8.2.3\n")


def test_lolwut_5_first_rows_are_not_rotated(conn):
    """Schotter's first two rows of squares are drawn straight; only later rows take random turns."""
    first = _lolwut(conn, "VERSION", "5").split("\n")
    again = _lolwut(conn, "VERSION", "5", "66", "8", "12").split("\n")
    assert first[:3] == again[:3] and len(first[0]) == 66
    assert first[-2] == "Georg Nees - schotter, plotter on paper, 1968. Redis ver. 8.2.3" and first[-1] == ""
    assert _lolwut(conn, "VERSION", "5", "20", "2", "1") == _lolwut(conn, "VERSION", "5", "20", "2", "1")

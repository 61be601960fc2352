"""CLIENT subcommands: ID, SETNAME/GETNAME, INFO/LIST (the line field by field), SETINFO, NO-EVICT, NO-TOUCH,
REPLY, KILL, UNBLOCK, PAUSE/UNPAUSE, HELP."""
from __future__ import annotations

import time

import pytest

from forkdiff.client import Connection
from forkdiff.types import Kind, Reply, bulk, integer, simple

from .asserts import assert_error, assert_null, assert_null_array, assert_ok, assert_reply
from .helpers import wait_blocked

SYNTAX = "ERR syntax error"
BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
# The CLIENT LIST / CLIENT INFO fields of Redis 8.2, in order.
FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi",
          "watch", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem",
          "events", "cmd", "user", "redir", "resp", "lib-name", "lib-ver", "io-thread", "tot-net-in",
          "tot-net-out", "tot-cmds"]


def text_of(reply: Reply, resp: int) -> str:
    """CLIENT INFO/LIST text: a verbatim string (format txt) in RESP3, a bulk string in RESP2."""
    if resp == 3:
        assert reply.kind is Kind.VERBATIM and reply.value[0] == "txt", reply
        return reply.value[1].decode()
    assert reply.kind is Kind.BULK, reply
    return reply.value.decode()


def parse_line(line: str) -> dict[str, str]:
    return dict(field.split("=", 1) for field in line.split(" "))


def info(conn, resp: int) -> dict[str, str]:
    text = text_of(conn.call("CLIENT", "INFO"), resp)
    assert text.endswith("\n") and text.count("\n") == 1
    return parse_line(text[:-1])


def listed(conn, resp: int, *args) -> dict[int, dict[str, str]]:
    """CLIENT LIST [args] as {id: fields}."""
    text = text_of(conn.call("CLIENT", "LIST", *args), resp)
    assert text == "" or text.endswith("\n")
    return {int(f["id"]): f for f in (parse_line(line) for line in text.splitlines())}


# -- ID / SETNAME / GETNAME ------------------------------------------------------------------------------------
def test_client_id(conn, connect_client):
    first = conn.call("CLIENT", "ID")
    assert first.kind is Kind.INTEGER and first.value > 0
    assert connect_client().call("CLIENT", "ID").value > first.value


def test_client_id_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "ID", "x"), "ERR wrong number of arguments for 'client|id' command")


def test_client_getname_unset(conn, resp):
    assert_null(conn.call("CLIENT", "GETNAME"), resp)


def test_client_setname(conn):
    assert_ok(conn.call("CLIENT", "SETNAME", "worker-1"))
    assert_reply(conn.call("CLIENT", "GETNAME"), bulk("worker-1"))


def test_client_setname_all_printable(conn):
    name = "".join(chr(c) for c in range(0x21, 0x7F))
    assert_ok(conn.call("CLIENT", "SETNAME", name))
    assert_reply(conn.call("CLIENT", "GETNAME"), bulk(name))


def test_client_setname_empty_clears(conn, resp):
    conn.call("CLIENT", "SETNAME", "x")
    assert_ok(conn.call("CLIENT", "SETNAME", ""))
    assert_null(conn.call("CLIENT", "GETNAME"), resp)


@pytest.mark.parametrize("name", [b"a b", b"a\nb", b"a\r\n", b"\x7f", b"caf\xc3\xa9", b"tab\t"],
                         ids=["space", "newline", "crlf", "del", "utf8", "tab"])
def test_client_setname_invalid(conn, resp, name):
    conn.call("CLIENT", "SETNAME", "kept")
    assert_error(conn.call("CLIENT", "SETNAME", name), BAD_NAME)
    assert_reply(conn.call("CLIENT", "GETNAME"), bulk("kept"))


def test_client_setname_checked_up_to_nul(conn):
    """Redis checks the name as a C string: whatever follows a NUL byte is not looked at, but is kept."""
    assert_ok(conn.call("CLIENT", "SETNAME", b"ok\x00 not checked"))
    assert_reply(conn.call("CLIENT", "GETNAME"), bulk(b"ok\x00 not checked"))
    assert_error(conn.call("CLIENT", "SETNAME", b"no t\x00ok"), BAD_NAME)


def test_client_setname_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "SETNAME", "a", "b"),
                 "ERR wrong number of arguments for 'client|setname' command")


def test_client_getname_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "GETNAME", "x"), "ERR wrong number of arguments for 'client|getname' command")


# -- INFO ------------------------------------------------------------------------------------------------------
@pytest.mark.since("8.0")
def test_client_info_fields(conn, resp):
    text = text_of(conn.call("CLIENT", "INFO"), resp)
    assert [field.split("=", 1)[0] for field in text.rstrip("\n").split(" ")] == FIELDS


@pytest.mark.since("8.0")
def test_client_info_values(conn, resp):
    conn.call("CLIENT", "SETNAME", "me")
    conn.call("SELECT", "3")
    fields = info(conn, resp)
    assert fields["id"] == str(conn.call("CLIENT", "ID").value)
    assert all(fields[k].isdigit() for k in ("fd", "age", "idle", "tot-mem", "tot-net-in", "tot-net-out"))
    expected = {"name": "me", "flags": "N", "db": "3", "sub": "0", "psub": "0", "ssub": "0", "multi": "-1",
                "watch": "0", "qbuf": "26", "argv-mem": "10", "multi-mem": "0", "obl": "0", "oll": "0", "omem": "0",
                "events": "r", "cmd": "client|info", "user": "default", "redir": "-1", "resp": str(resp),
                "lib-name": "", "lib-ver": "", "io-thread": "0"}
    assert {k: fields[k] for k in expected} == expected
    conn.call("SELECT", "0")


@pytest.mark.since("8.0")
@pytest.mark.resp(2)
def test_client_info_traffic_counters(raw_client, resp):
    """tot-net-in counts this request too; tot-net-out and tot-cmds only what came before it."""
    c = raw_client()
    replies = [c.call("PING"), c.call("ECHO", "abc"), c.call("NOSUCH")]
    request = b"*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n"
    sent = len(b"*1\r\n$4\r\nPING\r\n") + len(b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n") + len(b"*1\r\n$6\r\nNOSUCH\r\n")
    fields = info(c, 2)
    assert fields["tot-net-in"] == str(sent + len(request))
    assert fields["tot-net-out"] == str(sum(len(r.raw) for r in replies))
    assert fields["tot-cmds"] == "2"  # the unknown command never ran
    assert fields["addr"] == "%s:%d" % c._sock.getsockname()
    assert fields["laddr"] == "%s:%d" % c._sock.getpeername()


@pytest.mark.since("7.4")
def test_client_info_watch_count(conn, resp):
    conn.call("WATCH", "a", "b", "a")
    assert info(conn, resp)["watch"] == "2"


@pytest.mark.since("7.4")
def test_client_info_watched_key_touched(conn, connect_client, resp):
    """A touched WATCH is marked dirty (flag d) and Redis forgets the client's watched keys at once."""
    conn.call("WATCH", "a", "b")
    connect_client().call("SET", "a", "1")
    fields = info(conn, resp)
    assert (fields["flags"], fields["watch"]) == ("d", "0")


def test_client_info_inside_exec(conn, resp):
    conn.call("MULTI")
    conn.call("CLIENT", "INFO")
    conn.call("PING")
    reply = conn.call("EXEC")
    fields = parse_line(text_of(reply.value[0], resp).rstrip("\n"))
    assert (fields["flags"], fields["multi"], fields["cmd"]) == ("x", "2", "exec")


def test_client_info_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "INFO", "x"), "ERR wrong number of arguments for 'client|info' command")


# -- LIST ------------------------------------------------------------------------------------------------------
@pytest.mark.since("8.0")
def test_client_list_other_connection(conn, connect_client, resp):
    other = connect_client()
    other.call("CLIENT", "SETNAME", "other")
    other_id = other.call("CLIENT", "ID").value
    clients = listed(conn, resp)
    own = clients[conn.call("CLIENT", "ID").value]
    assert list(own) == FIELDS and own["cmd"] == "client|list"
    seen = clients[other_id]
    expected = {"name": "other", "qbuf": "0", "qbuf-free": "0", "argv-mem": "0", "cmd": "client|id",
                "flags": "N", "multi": "-1"}
    assert {k: seen[k] for k in expected} == expected


def test_client_list_type(conn, connect_client, resp):
    other_id = connect_client().call("CLIENT", "ID").value
    own_id = conn.call("CLIENT", "ID").value
    assert {own_id, other_id} <= set(listed(conn, resp, "TYPE", "normal"))
    assert {own_id, other_id} <= set(listed(conn, resp, "type", "NORMAL"))


@pytest.mark.parametrize("kind", ["pubsub", "master", "replica", "slave"])
def test_client_list_type_without_clients(conn, resp, kind):
    assert listed(conn, resp, "TYPE", kind) == {}


def test_client_list_type_unknown(conn):
    assert_error(conn.call("CLIENT", "LIST", "TYPE", "bogus"), "ERR Unknown client type 'bogus'")


def test_client_list_id(conn, connect_client, resp):
    other_id = connect_client().call("CLIENT", "ID").value
    own_id = conn.call("CLIENT", "ID").value
    assert list(listed(conn, resp, "ID", other_id)) == [other_id]
    assert set(listed(conn, resp, "ID", own_id, other_id, 999999, -5, 0)) == {own_id, other_id}


def test_client_list_id_unknown_only(conn, resp):
    assert listed(conn, resp, "ID", 999999) == {}


def test_client_list_id_invalid(conn):
    own_id = conn.call("CLIENT", "ID").value
    assert_error(conn.call("CLIENT", "LIST", "ID", own_id, "x"), "ERR Invalid client ID")


@pytest.mark.parametrize("args", [("foo",), ("ID",), ("TYPE",), ("TYPE", "normal", "x"), ("USER", "default")],
                         ids=["unknown", "id-alone", "type-alone", "type-extra", "user"])
def test_client_list_syntax_error(conn, args):
    assert_error(conn.call("CLIENT", "LIST", *args), SYNTAX)


# -- SETINFO ---------------------------------------------------------------------------------------------------
@pytest.mark.since("7.2")
def test_client_setinfo(conn, resp):
    assert_ok(conn.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py"))
    assert_ok(conn.call("CLIENT", "SETINFO", "lib-ver", "5.0.1"))
    fields = info(conn, resp)
    assert (fields["lib-name"], fields["lib-ver"]) == ("redis-py", "5.0.1")


@pytest.mark.since("7.2")
def test_client_setinfo_empty_clears(conn, resp):
    conn.call("CLIENT", "SETINFO", "LIB-NAME", "x")
    assert_ok(conn.call("CLIENT", "SETINFO", "LIB-NAME", ""))
    assert info(conn, resp)["lib-name"] == ""


@pytest.mark.since("7.2")
@pytest.mark.parametrize("attr", ["LIB-NAME", "lib-ver", "Lib-Name"])
def test_client_setinfo_invalid_value(conn, attr):
    assert_error(conn.call("CLIENT", "SETINFO", attr, "a b"),
                 f"ERR {attr} cannot contain spaces, newlines or special characters.")


@pytest.mark.since("7.2")
def test_client_setinfo_unknown_attribute(conn):
    assert_error(conn.call("CLIENT", "SETINFO", "lib-x", "1"), "ERR Unrecognized option 'lib-x'")


@pytest.mark.since("7.2")
def test_client_setinfo_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "SETINFO", "LIB-NAME"),
                 "ERR wrong number of arguments for 'client|setinfo' command")


# -- NO-EVICT / NO-TOUCH ---------------------------------------------------------------------------------------
@pytest.mark.since("7.2")
@pytest.mark.parametrize("sub,flag", [("NO-EVICT", "e"), ("NO-TOUCH", "T")])
def test_client_no_evict_and_no_touch(conn, resp, sub, flag):
    assert_ok(conn.call("CLIENT", sub, "on"))
    assert info(conn, resp)["flags"] == flag
    assert_ok(conn.call("CLIENT", sub, "OFF"))
    assert info(conn, resp)["flags"] == "N"


@pytest.mark.since("7.2")
def test_client_no_evict_and_no_touch_together(conn, resp):
    conn.call("CLIENT", "NO-TOUCH", "ON")
    conn.call("CLIENT", "NO-EVICT", "ON")
    assert info(conn, resp)["flags"] == "eT"


@pytest.mark.since("7.2")
@pytest.mark.parametrize("sub", ["NO-EVICT", "NO-TOUCH"])
def test_client_no_evict_syntax_error(conn, sub):
    assert_error(conn.call("CLIENT", sub, "maybe"), SYNTAX)


# -- REPLY -----------------------------------------------------------------------------------------------------
def test_client_reply_off_on(conn):
    conn.send("CLIENT", "REPLY", "OFF")
    conn.send("SET", "k", "v")
    conn.send("NOSUCH")  # errors are withheld too
    assert_ok(conn.call("CLIENT", "REPLY", "ON"))
    assert_reply(conn.call("GET", "k"), bulk("v"))


def test_client_reply_skip(conn):
    conn.send("CLIENT", "REPLY", "SKIP")
    conn.send("ECHO", "skipped")
    assert_reply(conn.call("ECHO", "shown"), bulk("shown"))


def test_client_reply_skip_twice(conn):
    conn.send("CLIENT", "REPLY", "SKIP")
    conn.send("CLIENT", "REPLY", "SKIP")
    conn.send("ECHO", "skipped")
    assert_reply(conn.call("ECHO", "shown"), bulk("shown"))


def test_client_reply_skip_then_on(conn):
    conn.send("CLIENT", "REPLY", "SKIP")
    assert_ok(conn.call("CLIENT", "REPLY", "ON"))
    assert_reply(conn.call("ECHO", "shown"), bulk("shown"))


def test_client_reply_skip_while_off(conn):
    conn.send("CLIENT", "REPLY", "OFF")
    conn.send("CLIENT", "REPLY", "SKIP")
    conn.send("ECHO", "withheld")
    assert_ok(conn.call("CLIENT", "REPLY", "ON"))


def test_client_reply_syntax_error(conn):
    assert_error(conn.call("CLIENT", "REPLY", "maybe"), SYNTAX)


# -- KILL ------------------------------------------------------------------------------------------------------
def test_client_kill_id(conn, connect_client):
    victim = connect_client()
    assert_reply(conn.call("CLIENT", "KILL", "ID", victim.call("CLIENT", "ID").value), integer(1))
    assert victim.is_closed()
    assert_reply(conn.call("PING"), simple("PONG"))


def test_client_kill_id_missing(conn):
    assert_reply(conn.call("CLIENT", "KILL", "ID", 999999), integer(0))


def test_client_kill_skips_caller(conn):
    assert_reply(conn.call("CLIENT", "KILL", "ID", conn.call("CLIENT", "ID").value), integer(0))
    assert_reply(conn.call("PING"), simple("PONG"))


def test_client_kill_caller_with_skipme_no(conn):
    own_id = conn.call("CLIENT", "ID").value
    assert_reply(conn.call("CLIENT", "KILL", "ID", own_id, "SKIPME", "no"), integer(1))
    assert conn.is_closed()


def test_client_kill_old_form(conn, connect_client, resp):
    victim = connect_client()
    addr = info(victim, resp)["addr"]
    assert_ok(conn.call("CLIENT", "KILL", addr))
    assert victim.is_closed()


def test_client_kill_old_form_kills_caller(conn, resp):
    assert_ok(conn.call("CLIENT", "KILL", info(conn, resp)["addr"]))
    assert conn.is_closed()


def test_client_kill_old_form_no_such_client(conn):
    assert_error(conn.call("CLIENT", "KILL", "1.2.3.4:5"), "ERR No such client")


def test_client_kill_addr(conn, connect_client, resp):
    victim = connect_client()
    assert_reply(conn.call("CLIENT", "KILL", "ADDR", info(victim, resp)["addr"]), integer(1))
    assert victim.is_closed()


def test_client_kill_laddr_and_filters_combine(conn, connect_client, resp):
    """Every option must match: the local address matches both connections, the ID only one."""
    victim = connect_client()
    laddr = info(victim, resp)["laddr"]
    victim_id = victim.call("CLIENT", "ID").value
    assert_reply(conn.call("CLIENT", "KILL", "LADDR", laddr, "ID", victim_id, "USER", "default"), integer(1))
    assert victim.is_closed()
    assert_reply(conn.call("CLIENT", "KILL", "LADDR", "1.2.3.4:5"), integer(0))


def test_client_kill_user(conn, connect_client):
    victim = connect_client()
    victim.call("PING")
    assert conn.call("CLIENT", "KILL", "USER", "default").value >= 1
    assert victim.is_closed()
    assert_reply(conn.call("PING"), simple("PONG"))


def test_client_kill_type(conn, connect_client):
    victim = connect_client()
    victim.call("PING")
    assert_reply(conn.call("CLIENT", "KILL", "TYPE", "pubsub"), integer(0))
    assert conn.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").value >= 1
    assert victim.is_closed()


@pytest.mark.since("7.4")
def test_client_kill_maxage_spares_young_clients(conn, connect_client):
    victim = connect_client()
    assert_reply(conn.call("CLIENT", "KILL", "MAXAGE", 100000), integer(0))
    assert_reply(victim.call("PING"), simple("PONG"))


@pytest.mark.since("7.4")
@pytest.mark.parametrize("args,message", [
    (("ID", "0"), "ERR client-id should be greater than 0"),
    (("ID", "x"), "ERR client-id should be greater than 0"),
    (("MAXAGE", "0"), "ERR maxage should be greater than 0"),
    (("MAXAGE", "x"), "ERR maxage is not an integer or out of range"),
    (("TYPE", "bogus"), "ERR Unknown client type 'bogus'"),
    (("USER", "nobody"), "ERR No such user 'nobody'"),
    (("SKIPME", "maybe"), SYNTAX),
    (("ID", "5", "extra"), SYNTAX),
    (("a", "b"), SYNTAX),
    (("ID",), "ERR No such client"),  # the old form: an address called 'ID'
])
def test_client_kill_errors(conn, args, message):
    assert_error(conn.call("CLIENT", "KILL", *args), message)


def test_client_kill_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "KILL"), "ERR wrong number of arguments for 'client|kill' command")


# -- UNBLOCK ---------------------------------------------------------------------------------------------------
def blocked_client(conn, connect_client):
    """A connection blocked in BZPOPMIN on a missing key; returns (connection, its id)."""
    c = connect_client()
    client_id = c.call("CLIENT", "ID").value
    c.send("BZPOPMIN", "nokey", "0")
    wait_blocked(conn, 1)
    return c, client_id


def test_client_unblock_timeout(conn, connect_client, resp):
    blocked, blocked_id = blocked_client(conn, connect_client)
    assert_reply(conn.call("CLIENT", "UNBLOCK", blocked_id), integer(1))
    assert_null_array(blocked.read_reply(), resp)
    assert_reply(blocked.call("PING"), simple("PONG"))


def test_client_unblock_timeout_explicit(conn, connect_client, resp):
    blocked, blocked_id = blocked_client(conn, connect_client)
    assert_reply(conn.call("CLIENT", "UNBLOCK", blocked_id, "timeout"), integer(1))
    assert_null_array(blocked.read_reply(), resp)


def test_client_unblock_error(conn, connect_client):
    blocked, blocked_id = blocked_client(conn, connect_client)
    assert_reply(conn.call("CLIENT", "UNBLOCK", blocked_id, "ERROR"), integer(1))
    assert_error(blocked.read_reply(), "UNBLOCKED client unblocked via CLIENT UNBLOCK")


def test_client_unblock_not_blocked(conn, connect_client):
    other_id = connect_client().call("CLIENT", "ID").value
    assert_reply(conn.call("CLIENT", "UNBLOCK", other_id), integer(0))
    assert_reply(conn.call("CLIENT", "UNBLOCK", 999999, "ERROR"), integer(0))
    assert_reply(conn.call("CLIENT", "UNBLOCK", -1), integer(0))


def test_client_unblock_kill_blocked(conn, connect_client):
    blocked, blocked_id = blocked_client(conn, connect_client)
    assert_reply(conn.call("CLIENT", "KILL", "ID", blocked_id), integer(1))
    assert blocked.is_closed()


@pytest.mark.parametrize("args,message", [
    (("1", "maybe"), "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
    (("x", "maybe"), "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
    (("x",), "ERR value is not an integer or out of range"),
    (("1", "2", "3"), "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."),
])
def test_client_unblock_errors(conn, args, message):
    assert_error(conn.call("CLIENT", "UNBLOCK", *args), message)


# -- PAUSE / UNPAUSE -------------------------------------------------------------------------------------------
def test_client_pause_write_lets_reads_through(conn, connect_client):
    conn.call("SET", "k", "v")
    assert_ok(conn.call("CLIENT", "PAUSE", "50", "WRITE"))
    assert_reply(connect_client().call("GET", "k"), bulk("v"))
    assert_ok(conn.call("CLIENT", "UNPAUSE"))


def test_client_unpause_without_pause(conn):
    assert_ok(conn.call("CLIENT", "UNPAUSE"))


@pytest.mark.parametrize("args,message", [
    (("x",), "ERR timeout is not an integer or out of range"),
    (("1.5",), "ERR timeout is not an integer or out of range"),
    (("-1",), "ERR timeout is negative"),
    (("9223372036854775807",), "ERR timeout is out of range"),
    (("10", "maybe"), "ERR CLIENT PAUSE mode must be WRITE or ALL"),
    (("x", "maybe"), "ERR CLIENT PAUSE mode must be WRITE or ALL"),
    (("10", "ALL", "x"), "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."),
])
def test_client_pause_errors(conn, args, message):
    try:
        assert_error(conn.call("CLIENT", "PAUSE", *args), message)
    finally:  # a server that accepts one of these is paused: later cases must not wait for it
        conn.call("CLIENT", "UNPAUSE")


def test_client_unpause_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "UNPAUSE", "x"), "ERR wrong number of arguments for 'client|unpause' command")


# -- HELP, unknown subcommands ---------------------------------------------------------------------------------
@pytest.mark.since("8.0")
def test_client_help(conn):
    reply = conn.call("CLIENT", "HELP")
    assert reply.kind is Kind.ARRAY and len(reply.value) == 58
    assert all(line.kind is Kind.SIMPLE for line in reply.value)
    lines = [line.value for line in reply.value]
    assert lines[0] == "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-2:] == ["HELP", "    Print this help."]
    assert "UNBLOCK <clientid> [TIMEOUT|ERROR]" in lines and "NO-TOUCH (ON|OFF)" in lines


def test_client_help_wrong_arity(conn):
    assert_error(conn.call("CLIENT", "HELP", "x"), "ERR wrong number of arguments for 'client|help' command")


def test_client_unknown_subcommand(conn):
    assert_error(conn.call("CLIENT", "NOSUCH"), "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")


def test_client_wrong_arity(conn):
    assert_error(conn.call("CLIENT"), "ERR wrong number of arguments for 'client' command")


# -- TRACKING settings (GETREDIR, TRACKINGINFO, CACHING) ---------------------------------------------------------
def tracking_info(conn) -> tuple[list[bytes], int, list[bytes]]:
    """(flags, redirect, prefixes) from CLIENT TRACKINGINFO, whose flags are a set in RESP3."""
    reply = conn.call("CLIENT", "TRACKINGINFO")
    pairs = reply.value if reply.kind is Kind.MAP else list(zip(reply.value[::2], reply.value[1::2]))
    fields = {k.value.decode(): v for k, v in pairs}
    assert fields["flags"].kind is (Kind.SET if reply.kind is Kind.MAP else Kind.ARRAY)
    return ([f.value for f in fields["flags"].value], fields["redirect"].value,
            [p.value for p in fields["prefixes"].value])


def test_client_trackinginfo_off(conn):
    assert tracking_info(conn) == ([b"off"], -1, [])
    assert_reply(conn.call("CLIENT", "GETREDIR"), integer(-1))


def test_client_tracking_redirect(conn, connect_client, resp):
    target_id = connect_client().call("CLIENT", "ID").value
    assert_ok(conn.call("CLIENT", "TRACKING", "on", "REDIRECT", target_id, "NOLOOP"))
    assert tracking_info(conn) == ([b"on", b"noloop"], target_id, [])
    assert_reply(conn.call("CLIENT", "GETREDIR"), integer(target_id))
    fields = info(conn, resp)
    assert (fields["flags"], fields["redir"]) == ("t", str(target_id))
    assert_ok(conn.call("CLIENT", "TRACKING", "off"))
    assert tracking_info(conn) == ([b"off"], -1, [])


def test_client_tracking_bcast_prefixes(conn, resp):
    assert_ok(conn.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b", "PREFIX", "a"))
    assert tracking_info(conn) == ([b"on", b"bcast"], 0, [b"a", b"b"])
    assert info(conn, resp)["flags"] == "tB"
    assert_error(conn.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"),
                 "ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap.")


def test_client_tracking_bcast_without_prefix_follows_everything(conn):
    assert_ok(conn.call("CLIENT", "TRACKING", "on", "bcast", "noloop"))
    assert_ok(conn.call("CLIENT", "TRACKING", "on", "bcast"))  # modes are replaced: NOLOOP is gone
    assert tracking_info(conn) == ([b"on", b"bcast"], 0, [b""])
    assert_error(conn.call("CLIENT", "TRACKING", "on", "bcast", "prefix", "c"),
                 "ERR Prefix 'c' overlaps with an existing prefix ''. Prefixes for a single client must not overlap.")


def test_client_caching_optin(conn):
    assert_ok(conn.call("CLIENT", "TRACKING", "on", "OPTIN"))
    assert_ok(conn.call("CLIENT", "CACHING", "yes"))
    assert tracking_info(conn) == ([b"on", b"optin", b"caching-yes"], 0, [])
    assert_error(conn.call("CLIENT", "CACHING", "no"),
                 "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")


def test_client_caching_optout(conn):
    assert_ok(conn.call("CLIENT", "TRACKING", "on", "OPTOUT"))
    assert_ok(conn.call("CLIENT", "CACHING", "NO"))
    assert tracking_info(conn) == ([b"on", b"optout", b"caching-no"], 0, [])
    assert_error(conn.call("CLIENT", "CACHING", "yes"),
                 "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
    assert_error(conn.call("CLIENT", "CACHING", "maybe"), SYNTAX)


def test_client_caching_without_tracking(conn):
    assert_error(conn.call("CLIENT", "CACHING", "yes"),
                 "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode "
                 "enabled")


def test_client_tracking_reset_turns_it_off(conn):
    conn.call("CLIENT", "TRACKING", "on")
    conn.call("RESET")
    assert tracking_info(conn) == ([b"off"], -1, [])


@pytest.mark.parametrize("args,message", [
    (("maybe",), SYNTAX),
    (("on", "foo"), SYNTAX),
    (("on", "redirect"), SYNTAX),
    (("on", "redirect", "x"), "ERR value is not an integer or out of range"),
    (("on", "redirect", "999999"), "ERR The client ID you want redirect to does not exist"),
    (("on", "prefix", "a"), "ERR PREFIX option requires BCAST mode to be enabled"),
    (("on", "bcast", "optin"), "ERR OPTIN and OPTOUT are not compatible with BCAST"),
    (("on", "optin", "optout"), "ERR You can't specify both OPTIN mode and OPTOUT mode"),
    (("on", "bcast", "prefix", "a", "prefix", "ab"),
     "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap."),
    (("on", "bcast", "prefix", "a", "prefix", "a"),
     "ERR Prefix 'a' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap."),
])
def test_client_tracking_errors(conn, args, message):
    assert_error(conn.call("CLIENT", "TRACKING", *args), message)
    assert tracking_info(conn) == ([b"off"], -1, [])


def test_client_tracking_mode_switches_refused(conn):
    conn.call("CLIENT", "TRACKING", "on", "optin")
    assert_error(conn.call("CLIENT", "TRACKING", "on", "optout"),
                 "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
                 "re-enabling it with a different mode.")
    assert_error(conn.call("CLIENT", "TRACKING", "on", "bcast"),
                 "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
                 "re-enabling it with a different mode.")


# -- PAUSE holding commands back (pauses of ~100 ms; UNPAUSE releases at once) -------------------------------------
def _timed(client: Connection, *args) -> tuple[float, Reply]:
    started = time.monotonic()
    reply = client.call(*args, timeout=3)
    return time.monotonic() - started, reply


def test_client_pause_write_holds_a_write_until_it_ends(conn, connect_client):
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "100", "WRITE"))
    elapsed, reply = _timed(other, "SET", "k", "v")
    assert_ok(reply)
    assert elapsed >= 0.08, f"a write ran {elapsed:.3f}s into a 100 ms write pause"


def test_client_pause_write_does_not_hold_a_read(conn, connect_client, resp):
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "1000", "WRITE"))
    elapsed, reply = _timed(other, "GET", "k")
    assert_ok(conn.call("CLIENT", "UNPAUSE"))
    assert_null(reply, resp)
    assert elapsed < 0.5


def test_client_unpause_releases_a_held_write(conn, connect_client):
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "5000", "WRITE"))
    other.send("INCR", "n")
    assert other.read_reply(timeout=0.1).kind is Kind.TIMEOUT
    assert conn.call("EXISTS", "n").value == 0
    assert_ok(conn.call("CLIENT", "UNPAUSE"))
    assert_reply(other.read_reply(timeout=1), integer(1))


def test_client_pause_all_holds_a_read(conn, connect_client):
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "100", "ALL"))
    elapsed, reply = _timed(other, "PING")
    assert_reply(reply, simple("PONG"))
    assert elapsed >= 0.08


def test_client_pause_all_answers_rejected_commands_at_once(conn, connect_client):
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "200", "ALL"))
    elapsed, reply = _timed(other, "GET")
    assert_error(reply, "ERR wrong number of arguments for 'get' command")
    assert elapsed < 0.1
    other.send("CLIENT", "UNPAUSE")  # held too: nothing ends an ALL pause but its time (or a replica)
    assert other.read_reply(timeout=0.05).kind is Kind.TIMEOUT


def test_client_pause_all_answers_a_held_pipeline_whole_when_it_ends(conn, connect_client):
    """Commands pipelined by a client while a pause holds it are all answered once the pause ends, not only the
    first (the rest must not wait for more input from the client)."""
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "100", "ALL"))
    other.send_raw(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n")
    replies = [other.read_reply(timeout=2) for _ in range(3)]
    assert_reply(replies[0], simple("PONG"))
    assert_reply(replies[1], bulk(b"x"))
    assert_reply(replies[2], bulk(b"y"))


@pytest.mark.parametrize("queued,held", [(("SET", "k", "v"), True), (("GET", "k"), False)], ids=["write", "read"])
def test_client_pause_write_holds_exec_of_a_write(conn, connect_client, queued, held):
    other = connect_client()
    assert_ok(other.call("MULTI"))
    assert_reply(other.call(*queued), simple("QUEUED"))
    assert_ok(conn.call("CLIENT", "PAUSE", "100", "WRITE"))
    elapsed, reply = _timed(other, "EXEC")
    assert reply.kind is Kind.ARRAY and len(reply.value) == 1
    assert (elapsed >= 0.08) is held


@pytest.mark.parametrize("args,held", [(("PUBLISH", "c", "m"), True), (("PFCOUNT", "h"), True),
                                       (("EVAL", "return 1", "0"), True),
                                       (("EVAL", "#!lua flags=no-writes\nreturn 1", "0"), False),
                                       (("EVAL_RO", "return 1", "0"), False), (("DEL", "nothing"), True)],
                         ids=["publish", "pfcount", "eval", "eval-no-writes", "eval-ro", "del"])
def test_client_pause_write_holds_commands_that_may_replicate(conn, connect_client, args, held):
    other = connect_client()
    assert_ok(conn.call("CLIENT", "PAUSE", "100", "WRITE"))
    elapsed, reply = _timed(other, *args)
    assert reply.kind is Kind.INTEGER
    assert (elapsed >= 0.08) is held

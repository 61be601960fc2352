"""Connection group: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET (the CLIENT subcommands are in test_client.py).

Cases that need a password set one at run time with CONFIG SET requirepass and always clear it afterwards.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, Reply, array, bulk, integer, simple

from .asserts import assert_error, assert_null, assert_ok, assert_reply

PASSWORD = "s3cret-pw"
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
NOPROTO = "NOPROTO unsupported protocol version"
HELLO_NOAUTH = ("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
                "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
                "version at the same time")
BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
NOT_INTEGER = "ERR value is not an integer or out of range"


@pytest.fixture
def password(connect_client):
    """requirepass set for the duration of the case; connections already open stay logged in."""
    admin = connect_client()
    assert_ok(admin.call("CONFIG", "SET", "requirepass", PASSWORD))
    try:
        yield PASSWORD
    finally:
        admin.call("CONFIG", "SET", "requirepass", "")


def expected_hello(client_id: int, proto: int) -> Reply:
    """Redis 8.2.3's HELLO reply: a map in RESP3, the same pairs flattened in RESP2."""
    def as_map(*pairs: tuple[str, Reply]) -> Reply:
        items = tuple((bulk(k), v) for k, v in pairs)
        if proto == 3:
            return Reply(Kind.MAP, items)
        return array(*(x for pair in items for x in pair))

    module = as_map(("name", bulk("vectorset")), ("ver", integer(1)), ("path", bulk("")), ("args", array()))
    return as_map(("server", bulk("redis")), ("version", bulk("8.2.3")), ("proto", integer(proto)),
                  ("id", integer(client_id)), ("mode", bulk("standalone")), ("role", bulk("master")),
                  ("modules", array(module)))


# -- PING / ECHO -----------------------------------------------------------------------------------------------
def test_ping(conn):
    assert_reply(conn.call("PING"), simple("PONG"))


def test_ping_message(conn):
    assert_reply(conn.call("PING", "hello world"), bulk("hello world"))


def test_ping_empty_message(conn):
    assert_reply(conn.call("PING", ""), bulk(""))


def test_ping_wrong_arity(conn):
    assert_error(conn.call("PING", "a", "b"), "ERR wrong number of arguments for 'ping' command")


def test_echo_binary(conn):
    assert_reply(conn.call("ECHO", b"a\r\nb\x00\xff"), bulk(b"a\r\nb\x00\xff"))


def test_echo_empty(conn):
    assert_reply(conn.call("ECHO", ""), bulk(""))


@pytest.mark.parametrize("args", [(), ("a", "b")], ids=["none", "two"])
def test_echo_wrong_arity(conn, args):
    assert_error(conn.call("ECHO", *args), "ERR wrong number of arguments for 'echo' command")


# -- HELLO -----------------------------------------------------------------------------------------------------
@pytest.mark.since("8.0")
def test_hello_reply_fields(conn, resp):
    """HELLO without a version answers in the connection's current protocol."""
    client_id = conn.call("CLIENT", "ID").value
    assert_reply(conn.call("HELLO"), expected_hello(client_id, resp))


@pytest.mark.since("8.0")
@pytest.mark.parametrize("proto", [2, 3])
def test_hello_switches_protocol(conn, proto):
    client_id = conn.call("CLIENT", "ID").value
    assert_reply(conn.call("HELLO", proto), expected_hello(client_id, proto))
    assert_null(conn.call("GET", "missing"), proto)


def test_hello_3_then_2(conn):
    assert conn.call("HELLO", "3").kind is Kind.MAP
    assert conn.call("HELLO", "2").kind is Kind.ARRAY
    assert_null(conn.call("GET", "missing"), 2)


@pytest.mark.parametrize("version", ["0", "1", "4", "-1", "100"])
def test_hello_noproto(conn, resp, version):
    assert_error(conn.call("HELLO", version), NOPROTO)
    assert_null(conn.call("GET", "missing"), resp)  # the protocol did not change


@pytest.mark.parametrize("version", ["abc", "2.0", " 3", "3 ", "", "99999999999999999999"])
def test_hello_version_not_integer(conn, version):
    assert_error(conn.call("HELLO", version), "ERR Protocol version is not an integer or out of range")


def test_hello_version_checked_before_options(conn):
    assert_error(conn.call("HELLO", "abc", "FOO"), "ERR Protocol version is not an integer or out of range")
    assert_error(conn.call("HELLO", "4", "FOO"), NOPROTO)


@pytest.mark.parametrize("args,option", [
    (("FOO",), "FOO"), (("AUTH",), "AUTH"), (("AUTH", "default"), "AUTH"), (("SETNAME",), "SETNAME"),
    (("SETNAME", "x", "extra"), "extra"), (("auth", "default", "pw", "setname"), "setname"),
])
def test_hello_syntax_error(conn, resp, args, option):
    assert_error(conn.call("HELLO", "3", *args), f"ERR Syntax error in HELLO option '{option}'")
    assert_null(conn.call("GET", "missing"), resp)


def test_hello_setname(conn):
    assert conn.call("HELLO", "2", "SETNAME", "conn-a").kind is Kind.ARRAY
    assert_reply(conn.call("CLIENT", "GETNAME"), bulk("conn-a"))


def test_hello_setname_last_wins(conn):
    assert conn.call("HELLO", "3", "SETNAME", "first", "setname", "second").kind is Kind.MAP
    assert_reply(conn.call("CLIENT", "GETNAME"), bulk("second"))


def test_hello_setname_empty_clears(conn, resp):
    conn.call("CLIENT", "SETNAME", "before")
    assert conn.call("HELLO", str(resp), "SETNAME", "").kind in (Kind.ARRAY, Kind.MAP)
    assert_null(conn.call("CLIENT", "GETNAME"), resp)


def test_hello_setname_invalid(conn, resp):
    assert_error(conn.call("HELLO", "3", "SETNAME", "a b"), BAD_NAME)
    assert_null(conn.call("CLIENT", "GETNAME"), resp)
    assert_null(conn.call("GET", "missing"), resp)


def test_hello_auth_default_user_without_password(conn):
    assert conn.call("HELLO", "3", "AUTH", "default", "anything").kind is Kind.MAP


def test_hello_auth_unknown_user(conn, resp):
    assert_error(conn.call("HELLO", "3", "AUTH", "nobody", "pw"), WRONGPASS)
    assert_null(conn.call("GET", "missing"), resp)


@pytest.mark.since("7.2")
def test_hello_requires_auth(raw_client, password):
    c = raw_client()
    assert_error(c.call("HELLO"), HELLO_NOAUTH)
    assert_error(c.call("HELLO", "3"), HELLO_NOAUTH)
    assert_error(c.call("HELLO", "2", "SETNAME", "x"), HELLO_NOAUTH)
    assert_error(c.call("PING"), NOAUTH)


def test_hello_auth_wrong_password(raw_client, password):
    c = raw_client()
    assert_error(c.call("HELLO", "3", "AUTH", "default", "wrong"), WRONGPASS)
    assert_error(c.call("PING"), NOAUTH)


@pytest.mark.since("8.0")
def test_hello_auth_logs_in(raw_client, password):
    c = raw_client()
    reply = c.call("HELLO", "3", "AUTH", "default", password, "SETNAME", "logged-in")
    assert_reply(reply, expected_hello(reply.value[3][1].value, 3))
    assert_reply(c.call("CLIENT", "GETNAME"), bulk("logged-in"))
    assert_reply(c.call("PING"), simple("PONG"))


@pytest.mark.since("7.2")
def test_hello_errors_checked_before_auth(raw_client, password):
    c = raw_client()
    assert_error(c.call("HELLO", "4", "AUTH", "default", password), NOPROTO)
    assert_error(c.call("HELLO", "3", "AUTH", "default", "wrong", "SETNAME", "a b"), BAD_NAME)
    assert_error(c.call("HELLO", "3", "FOO"), "ERR Syntax error in HELLO option 'FOO'")
    assert_error(c.call("PING"), NOAUTH)


# -- AUTH ------------------------------------------------------------------------------------------------------
def test_auth_without_password_configured(conn):
    assert_error(conn.call("AUTH", "x"),
                 "ERR AUTH <password> called without any password configured for the default user. "
                 "Are you sure your configuration is correct?")


def test_auth_default_user_without_password(conn):
    assert_ok(conn.call("AUTH", "default", "anything"))


def test_auth_unknown_user(conn):
    assert_error(conn.call("AUTH", "nobody", "x"), WRONGPASS)


def test_auth_syntax_error(conn):
    assert_error(conn.call("AUTH", "a", "b", "c"), "ERR syntax error")


def test_auth_wrong_arity(conn):
    assert_error(conn.call("AUTH"), "ERR wrong number of arguments for 'auth' command")


def test_auth_noauth_before_login(raw_client, password):
    c = raw_client()
    for args in (("PING",), ("ECHO", "a"), ("GET", "k"), ("SELECT", "1"), ("CLIENT", "ID"), ("MULTI",)):
        assert_error(c.call(*args), NOAUTH)


def test_auth_checks_come_after_command_lookup(raw_client, password):
    """Unknown commands and wrong arity are reported as such even before logging in."""
    c = raw_client()
    assert_error(c.call("NOSUCH"), "ERR unknown command 'NOSUCH', with args beginning with: ")
    assert_error(c.call("GET"), "ERR wrong number of arguments for 'get' command")
    assert_error(c.call("CLIENT", "NOSUCH"), "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")


def test_auth_exec_before_login(raw_client, password):
    assert_error(raw_client().call("EXEC"), "EXECABORT Transaction discarded because of: " + NOAUTH)


def test_auth_wrong_password(raw_client, password):
    c = raw_client()
    assert_error(c.call("AUTH", "wrong"), WRONGPASS)
    assert_error(c.call("AUTH", "default", "wrong"), WRONGPASS)
    assert_error(c.call("AUTH", "nobody", password), WRONGPASS)
    assert_error(c.call("PING"), NOAUTH)


def test_auth_password(raw_client, password):
    c = raw_client()
    assert_ok(c.call("AUTH", password))
    assert_reply(c.call("PING"), simple("PONG"))


def test_auth_default_user_and_password(raw_client, password):
    c = raw_client()
    assert_ok(c.call("AUTH", "default", password))
    assert_reply(c.call("PING"), simple("PONG"))


def test_auth_failed_attempt_keeps_login(conn, password):
    assert_error(conn.call("AUTH", "wrong"), WRONGPASS)
    assert_reply(conn.call("PING"), simple("PONG"))


def test_auth_open_connections_stay_logged_in(conn, password):
    assert_reply(conn.call("PING"), simple("PONG"))


# -- SELECT ----------------------------------------------------------------------------------------------------
def test_select_databases_are_separate(conn, resp):
    conn.call("SET", "k", "db0")
    assert_ok(conn.call("SELECT", "15"))
    assert_null(conn.call("GET", "k"), resp)
    conn.call("SET", "k", "db15")
    assert_ok(conn.call("SELECT", "0"))
    assert_reply(conn.call("GET", "k"), bulk("db0"))


@pytest.mark.parametrize("index", ["16", "-1", "2147483647", "-2147483648"])
def test_select_out_of_range(conn, index):
    assert_error(conn.call("SELECT", index), "ERR DB index is out of range")


@pytest.mark.parametrize("index", ["abc", "1.5", " 1", "01", "+1", "", "99999999999999999999"])
def test_select_not_integer(conn, index):
    assert_error(conn.call("SELECT", index), NOT_INTEGER)


@pytest.mark.parametrize("index", ["2147483648", "-2147483649", "9223372036854775807"])
def test_select_beyond_int(conn, index):
    assert_error(conn.call("SELECT", index), "ERR value is out of range, value must between -2147483648 and 2147483647")


def test_select_wrong_arity(conn):
    assert_error(conn.call("SELECT"), "ERR wrong number of arguments for 'select' command")


# -- QUIT ------------------------------------------------------------------------------------------------------
def test_quit_replies_then_closes(conn, connect_client):
    assert_ok(conn.call("QUIT"))
    assert conn.is_closed()
    assert_reply(connect_client().call("PING"), simple("PONG"))


def test_quit_ignores_arguments(conn):
    assert_ok(conn.call("QUIT", "now", "please"))
    assert conn.is_closed()


def test_quit_drops_pipelined_commands(conn):
    conn.send_raw(b"QUIT\r\nPING\r\n")
    assert_ok(conn.read_reply())
    assert conn.is_closed()


def test_quit_before_login(raw_client, password):
    c = raw_client()
    assert_ok(c.call("QUIT"))
    assert c.is_closed()


# -- RESET -----------------------------------------------------------------------------------------------------
def test_reset_reply(conn):
    assert_reply(conn.call("RESET"), simple("RESET"))


def test_reset_wrong_arity(conn):
    assert_error(conn.call("RESET", "x"), "ERR wrong number of arguments for 'reset' command")


def test_reset_database_and_protocol(conn):
    conn.call("SELECT", "1")
    conn.call("SET", "k", "db1")
    conn.call("HELLO", "3")
    assert_reply(conn.call("RESET"), simple("RESET"))
    assert_null(conn.call("GET", "k"), 2)


@pytest.mark.since("7.2")
def test_reset_name_kept_library(conn):
    conn.call("CLIENT", "SETNAME", "named")
    conn.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")
    conn.call("RESET")
    assert_null(conn.call("CLIENT", "GETNAME"), 2)
    assert " lib-name=mylib " in conn.call("CLIENT", "INFO").value.decode()


def test_reset_watch(conn, connect_client):
    conn.call("WATCH", "k")
    conn.call("RESET")
    connect_client().call("SET", "k", "1")
    assert_ok(conn.call("MULTI"))
    assert_reply(conn.call("PING"), simple("QUEUED"))
    assert_reply(conn.call("EXEC"), array(simple("PONG")))


def test_reset_reply_mode(conn):
    conn.send("CLIENT", "REPLY", "OFF")
    assert_reply(conn.call("RESET"), simple("RESET"))
    assert_reply(conn.call("PING"), simple("PONG"))


@pytest.mark.since("7.2")
def test_reset_client_flags(conn):
    conn.call("CLIENT", "NO-EVICT", "on")
    conn.call("CLIENT", "NO-TOUCH", "on")
    conn.call("RESET")
    assert " flags=N " in conn.call("CLIENT", "INFO").value.decode()


def test_reset_keeps_login_without_password(conn):
    conn.call("RESET")
    assert_reply(conn.call("PING"), simple("PONG"))


def test_reset_logs_out_when_password_required(conn, password):
    assert_reply(conn.call("RESET"), simple("RESET"))
    assert_error(conn.call("PING"), NOAUTH)
    assert_ok(conn.call("AUTH", password))
    assert_reply(conn.call("PING"), simple("PONG"))


def test_reset_before_login(raw_client, password):
    c = raw_client()
    assert_reply(c.call("RESET"), simple("RESET"))
    assert_error(c.call("PING"), NOAUTH)

"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH — queueing, aborts, errors inside EXEC, and every way a
WATCHed key can change (another client, the client itself, expiry, FLUSHALL/FLUSHDB, SWAPDB)."""
from __future__ import annotations

import time


from forkdiff.types import Kind, array, bulk, error, integer, simple

from .asserts import assert_error, assert_null, assert_null_array, assert_ok, assert_reply

EXECABORT = "EXECABORT Transaction discarded because of previous errors."
NOT_INTEGER = "ERR value is not an integer or out of range"
QUEUED = simple("QUEUED")
PONG = simple("PONG")
SHORT_TTL_MS = 30
WAIT_S = 0.06


def queue(conn, *commands: tuple) -> None:
    """Send MULTI and the commands, checking each is QUEUED."""
    assert_ok(conn.call("MULTI"))
    for args in commands:
        assert_reply(conn.call(*args), QUEUED)


def exec_ping(conn) -> object:
    """A one-command transaction: its EXEC reply tells whether a WATCH failed it."""
    queue(conn, ("PING",))
    return conn.call("EXEC")


def assert_ran(reply) -> None:
    assert_reply(reply, array(PONG))


# -- MULTI / EXEC / DISCARD ------------------------------------------------------------------------------------
def test_multi_exec_queued_replies(conn):
    queue(conn, ("SET", "k", "v"), ("GET", "k"), ("INCR", "n"), ("PING",))
    assert_reply(conn.call("EXEC"), array(simple("OK"), bulk("v"), integer(1), PONG))


def test_multi_exec_empty(conn):
    assert_ok(conn.call("MULTI"))
    assert_reply(conn.call("EXEC"), array())


def test_multi_nested_is_refused_but_keeps_the_transaction(conn):
    queue(conn, ("SET", "k", "1"))
    assert_error(conn.call("MULTI"), "ERR MULTI calls can not be nested")
    assert_reply(conn.call("INCR", "k"), QUEUED)
    assert_reply(conn.call("EXEC"), array(simple("OK"), integer(2)))


def test_multi_wrong_arity(conn):
    assert_error(conn.call("MULTI", "x"), "ERR wrong number of arguments for 'multi' command")


def test_multi_wrong_arity_inside_multi_aborts(conn):
    queue(conn, ("SET", "k", "1"))
    assert_error(conn.call("MULTI", "x"), "ERR wrong number of arguments for 'multi' command")
    assert_error(conn.call("EXEC"), EXECABORT)


def test_exec_without_multi(conn):
    assert_error(conn.call("EXEC"), "ERR EXEC without MULTI")


def test_discard_without_multi(conn):
    assert_error(conn.call("DISCARD"), "ERR DISCARD without MULTI")


def test_discard_drops_the_queue(conn, resp):
    queue(conn, ("SET", "k", "v"))
    assert_ok(conn.call("DISCARD"))
    assert_null(conn.call("GET", "k"), resp)
    assert_error(conn.call("EXEC"), "ERR EXEC without MULTI")


def test_discard_wrong_arity_inside_multi_aborts(conn, resp):
    queue(conn, ("SET", "k", "v"))
    assert_error(conn.call("DISCARD", "x"), "ERR wrong number of arguments for 'discard' command")
    assert_error(conn.call("EXEC"), EXECABORT)
    assert_null(conn.call("GET", "k"), resp)


def test_exec_abort_on_unknown_command(conn, resp):
    queue(conn, ("SET", "k", "v"))
    assert_error(conn.call("NOSUCHCOMMAND", "a"),
                 "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' ")
    assert_reply(conn.call("SET", "j", "v"), QUEUED)
    assert_error(conn.call("EXEC"), EXECABORT)
    assert_null(conn.call("GET", "k"), resp)
    assert_null(conn.call("GET", "j"), resp)


def test_exec_abort_on_wrong_arity(conn, resp):
    queue(conn, ("SET", "k", "v"))
    assert_error(conn.call("GET"), "ERR wrong number of arguments for 'get' command")
    assert_error(conn.call("EXEC"), EXECABORT)
    assert_null(conn.call("GET", "k"), resp)


def test_exec_abort_ends_the_transaction(conn):
    queue(conn, ("SET", "k", "v"))
    conn.call("GET")
    assert_error(conn.call("EXEC"), EXECABORT)
    assert_error(conn.call("EXEC"), "ERR EXEC without MULTI")


def test_exec_runtime_errors_inside_the_reply(conn):
    """Errors found while executing do not stop the others: each lands in its slot of the EXEC array."""
    queue(conn, ("SET", "k", "x"), ("INCR", "k"), ("GET", "k"), ("SADD", "k", "a"), ("SET", "n", "1"))
    assert_reply(conn.call("EXEC"), array(
        simple("OK"), error(NOT_INTEGER), bulk("x"),
        error("WRONGTYPE Operation against a key holding the wrong kind of value"), simple("OK")))


def test_exec_wrong_arity_inside_multi_discards(conn, resp):
    queue(conn, ("SET", "k", "v"))
    assert_error(conn.call("EXEC", "x"),
                 "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")
    assert_error(conn.call("DISCARD"), "ERR DISCARD without MULTI")
    assert_null(conn.call("GET", "k"), resp)


def test_exec_wrong_arity_without_multi(conn):
    assert_error(conn.call("EXEC", "x"),
                 "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")


def test_exec_null_reply_types_by_protocol(conn, resp):
    """A null inside the EXEC array is a null bulk in RESP2 and RESP3's null."""
    queue(conn, ("GET", "missing"))
    reply = conn.call("EXEC")
    assert reply.raw == (b"*1\r\n_\r\n" if resp == 3 else b"*1\r\n$-1\r\n")


def test_exec_hello_inside_switches_protocol(conn, resp):
    """HELLO queued in a transaction takes effect when EXEC runs it."""
    queue(conn, ("HELLO", "3"), ("GET", "missing"))
    reply = conn.call("EXEC")
    assert reply.kind is Kind.ARRAY and reply.value[0].kind is Kind.MAP
    assert reply.value[1].raw == b"_\r\n"
    assert conn.call("HELLO", "2").kind is Kind.ARRAY


def test_multi_select_inside_applies_after(conn):
    queue(conn, ("SELECT", "1"), ("SET", "k", "db1"))
    assert_reply(conn.call("EXEC"), array(simple("OK"), simple("OK")))
    assert_reply(conn.call("GET", "k"), bulk("db1"))
    assert_ok(conn.call("SELECT", "0"))


def test_multi_reset_discards(conn):
    queue(conn, ("SET", "k", "v"))
    assert_reply(conn.call("RESET"), simple("RESET"))
    assert_error(conn.call("EXEC"), "ERR EXEC without MULTI")
    assert_null(conn.call("GET", "k"), 2)  # RESET went back to RESP2


def test_multi_quit_closes_without_running(conn, connect_client, resp):
    queue(conn, ("SET", "k", "v"))
    assert_ok(conn.call("QUIT"))
    assert conn.is_closed()
    assert_null(connect_client().call("GET", "k"), resp)


def test_multi_client_list_while_queued(conn, connect_client):
    own_id = conn.call("CLIENT", "ID").value
    queue(conn, ("SET", "k", "v"), ("GET", "k"))
    line = connect_client().call("CLIENT", "LIST", "ID", own_id).plain().decode()
    fields = dict(field.split("=", 1) for field in line.split())
    assert (fields["flags"], fields["multi"], fields["cmd"]) == ("x", "2", "get")
    assert fields["multi-mem"] == "49"  # argument bytes plus one pointer per argument, per queued command
    assert_ok(conn.call("DISCARD"))


# -- WATCH -----------------------------------------------------------------------------------------------------
def test_watch_unchanged_key_runs(conn):
    conn.call("SET", "k", "1")
    assert_ok(conn.call("WATCH", "k"))
    assert_ran(exec_ping(conn))


def test_watch_key_modified_by_another_client(conn, connect_client, resp):
    conn.call("SET", "k", "1")
    assert_ok(conn.call("WATCH", "k"))
    assert_ok(connect_client().call("SET", "k", "2"))
    queue(conn, ("SET", "k", "3"))
    assert_null_array(conn.call("EXEC"), resp)
    assert_reply(conn.call("GET", "k"), bulk("2"))


def test_watch_key_modified_by_the_same_client(conn, resp):
    assert_ok(conn.call("WATCH", "k"))
    conn.call("SET", "k", "1")
    assert_null_array(exec_ping(conn), resp)


def test_watch_same_value_written_still_fails(conn, connect_client, resp):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    connect_client().call("SET", "k", "1")
    assert_null_array(exec_ping(conn), resp)


def test_watch_missing_key_then_created(conn, connect_client, resp):
    conn.call("WATCH", "k")
    connect_client().call("SET", "k", "1")
    assert_null_array(exec_ping(conn), resp)


def test_watch_key_deleted(conn, connect_client, resp):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    assert_reply(connect_client().call("GETDEL", "k"), bulk("1"))
    assert_null_array(exec_ping(conn), resp)


def test_watch_read_by_another_client_runs(conn, connect_client):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    assert_reply(connect_client().call("GET", "k"), bulk("1"))
    assert_ran(exec_ping(conn))


def test_watch_failed_conditional_write_runs(conn, connect_client, resp):
    """SET NX on an existing key writes nothing, so it touches nothing."""
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    assert_null(connect_client().call("SET", "k", "2", "NX"), resp)
    assert_ran(exec_ping(conn))


def test_watch_other_database_runs(conn, connect_client):
    conn.call("WATCH", "k")
    other = connect_client()
    other.call("SELECT", "1")
    other.call("SET", "k", "1")
    assert_ran(exec_ping(conn))


def test_watch_key_expires_before_exec(conn, resp):
    conn.call("SET", "k", "v", "PX", SHORT_TTL_MS)
    conn.call("WATCH", "k")
    time.sleep(WAIT_S)
    assert_null_array(exec_ping(conn), resp)


def test_watch_key_already_expired_then_read_runs(conn, connect_client):
    """A key expired when WATCHed and then lazily deleted changed nothing a client could see."""
    for _ in range(50):  # until the key is still there (expired, not yet deleted) when WATCHed
        conn.call("SET", "k", "v", "PX", 1)
        time.sleep(0.01)
        conn.call("WATCH", "k")
        if conn.call("DBSIZE").value == 1:  # counts without a lookup: the active expire cycle did not take it
            break
        conn.call("UNWATCH")
    connect_client().call("GET", "k")
    assert_ran(exec_ping(conn))


def test_watch_key_already_expired_then_set_fails(conn, connect_client, resp):
    conn.call("SET", "k", "v", "PX", 1)
    time.sleep(0.01)
    conn.call("WATCH", "k")
    connect_client().call("SET", "k", "new")
    assert_null_array(exec_ping(conn), resp)


def test_watch_flushall_existing_key(conn, connect_client, resp):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    assert_ok(connect_client().call("FLUSHALL"))
    assert_null_array(exec_ping(conn), resp)


def test_watch_flushall_missing_key_runs(conn, connect_client):
    conn.call("SET", "other", "1")
    conn.call("WATCH", "k")
    assert_ok(connect_client().call("FLUSHALL"))
    assert_ran(exec_ping(conn))


def test_watch_flushdb_of_another_database_runs(conn, connect_client):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    other = connect_client()
    other.call("SELECT", "1")
    other.call("SET", "k", "1")
    assert_ok(other.call("FLUSHDB"))
    assert_ran(exec_ping(conn))


def test_watch_swapdb_existing_key(conn, connect_client, resp):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    assert_ok(connect_client().call("SWAPDB", "0", "1"))
    assert_null_array(exec_ping(conn), resp)


def test_watch_swapdb_brings_the_key_in(conn, connect_client, resp):
    other = connect_client()
    other.call("SELECT", "1")
    other.call("SET", "k", "1")
    conn.call("WATCH", "k")
    assert_ok(other.call("SWAPDB", "0", "1"))
    assert_null_array(exec_ping(conn), resp)


def test_watch_swapdb_key_missing_on_both_sides_runs(conn, connect_client):
    conn.call("SET", "other", "1")
    conn.call("WATCH", "k")
    assert_ok(connect_client().call("SWAPDB", "0", "1"))
    assert_ran(exec_ping(conn))


def test_watch_several_keys_one_touched(conn, connect_client, resp):
    assert_ok(conn.call("WATCH", "a", "b", "c"))
    connect_client().call("SET", "c", "1")
    assert_null_array(exec_ping(conn), resp)


def test_watch_twice_same_key(conn, connect_client, resp):
    assert_ok(conn.call("WATCH", "k"))
    assert_ok(conn.call("WATCH", "k"))
    connect_client().call("SET", "k", "1")
    assert_null_array(exec_ping(conn), resp)


def test_watch_inside_multi(conn):
    queue(conn, ("SET", "k", "1"))
    assert_error(conn.call("WATCH", "k"), "ERR WATCH inside MULTI is not allowed")
    assert_reply(conn.call("EXEC"), array(simple("OK")))


def test_watch_wrong_arity(conn):
    assert_error(conn.call("WATCH"), "ERR wrong number of arguments for 'watch' command")


def test_watch_wrong_arity_inside_multi_aborts(conn):
    queue(conn, ("PING",))
    assert_error(conn.call("WATCH"), "ERR wrong number of arguments for 'watch' command")
    assert_error(conn.call("EXEC"), EXECABORT)


def test_watch_ends_with_exec(conn, connect_client):
    """EXEC forgets every WATCH, whatever its outcome."""
    conn.call("WATCH", "k")
    assert_ran(exec_ping(conn))
    connect_client().call("SET", "k", "1")
    assert_ran(exec_ping(conn))


def test_watch_ends_with_failed_exec(conn, connect_client, resp):
    conn.call("WATCH", "k")
    other = connect_client()
    other.call("SET", "k", "1")
    assert_null_array(exec_ping(conn), resp)
    other.call("SET", "k", "2")
    assert_ran(exec_ping(conn))


def test_watch_ends_with_discard(conn, connect_client):
    conn.call("WATCH", "k")
    assert_ok(conn.call("MULTI"))
    assert_ok(conn.call("DISCARD"))
    connect_client().call("SET", "k", "1")
    assert_ran(exec_ping(conn))


def test_watch_transaction_own_writes_do_not_fail_it(conn):
    conn.call("WATCH", "k")
    queue(conn, ("SET", "k", "1"), ("INCR", "k"))
    assert_reply(conn.call("EXEC"), array(simple("OK"), integer(2)))


def test_unwatch_forgets(conn, connect_client):
    conn.call("WATCH", "k")
    assert_ok(conn.call("UNWATCH"))
    connect_client().call("SET", "k", "1")
    assert_ran(exec_ping(conn))


def test_unwatch_clears_an_already_failed_watch(conn, connect_client):
    conn.call("WATCH", "k")
    connect_client().call("SET", "k", "1")
    assert_ok(conn.call("UNWATCH"))
    assert_ran(exec_ping(conn))


def test_unwatch_inside_multi_is_queued(conn):
    queue(conn, ("UNWATCH",), ("PING",))
    assert_reply(conn.call("EXEC"), array(simple("OK"), PONG))


def test_unwatch_wrong_arity(conn):
    assert_error(conn.call("UNWATCH", "x"), "ERR wrong number of arguments for 'unwatch' command")

"""Busy scripts: a script (EVAL, EVALSHA, FCALL) that runs past `busy-reply-threshold` lets other clients in, and
they get BUSY for everything but the allow-busy commands; SCRIPT KILL / FUNCTION KILL end a script that has not
written (its caller gets the "killed" error), UNKILLABLE once it has, NOTBUSY when nothing runs; the cached time a
script reads moves on once it serves others; INFO counts the refusals.

Every case sets a short threshold and ends its script before it returns: a killable script is killed, a script that
writes loops only until a deadline it reads with TIME.
"""
from __future__ import annotations

import hashlib
import time

import pytest

from forkdiff.types import Kind, array, bulk, integer, map_

from .asserts import assert_error, assert_ok, assert_reply
from .test_server_info import cmdstats, fields, info

pytestmark = pytest.mark.timeout(60)

THRESHOLD_MS = 50
BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
UNKILLABLE = ("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait "
              "the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
NOTBUSY = "NOTBUSY No scripts in execution right now."
KILLED = "ERR Script killed by user with SCRIPT KILL..."
SPIN = "local i = 0 while true do i = i + 1 end"
# writes its key, then loops until half a second has passed on the clock TIME reads
WRITE_THEN_WAIT = ("redis.call('SET', KEYS[1], 'v') local t = redis.call('TIME') "
                   "local deadline = t[1] * 1000000 + t[2] + 500000 "
                   "while true do local n = redis.call('TIME') if n[1] * 1000000 + n[2] > deadline then break end end "
                   "return 'done'")
LIBRARY = ("#!lua name=busylib\n"
           "redis.register_function{function_name='busy_spin', callback=function() while true do end end, "
           "flags={'no-writes'}}\n"
           "redis.register_function('busy_write', function(keys) redis.call('SET', keys[1], 'v') "
           "local t = redis.call('TIME') local deadline = t[1] * 1000000 + t[2] + 500000 "
           "while true do local n = redis.call('TIME') if n[1] * 1000000 + n[2] > deadline then break end end "
           "return 'done' end)")


def sha(body: str) -> str:
    return hashlib.sha1(body.encode()).hexdigest()


class Busy:
    """One case's running script: started on a connection of its own, watched from another."""

    def __init__(self, connect_client) -> None:
        self.connect = connect_client
        self.caller = connect_client()
        self.other = connect_client()

    def start(self, *command: str, busy_error: str = BUSY_EVAL) -> None:
        """Send the script and wait until another client is told BUSY."""
        self.caller.send(*command)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            reply = self.other.call("PING")
            if reply.kind is Kind.ERROR:
                assert reply.value == busy_error
                return
            time.sleep(0.01)
        raise AssertionError(f"the script never made the server busy: {reply} {self.caller.read_reply(timeout=1)}")

    def result(self):
        return self.caller.read_reply(timeout=10)

    def finish(self) -> None:
        """End whatever still runs (a case that failed halfway), so the case leaves an idle server."""
        deadline = time.monotonic() + 10
        with self.connect() as c:
            while time.monotonic() < deadline:
                a, b = c.call("SCRIPT", "KILL"), c.call("FUNCTION", "KILL")
                if NOTBUSY in (a.value, b.value) and c.call("PING").kind is not Kind.ERROR:
                    return
                time.sleep(0.05)


@pytest.fixture
def busy(config, connect_client):
    config("busy-reply-threshold", THRESHOLD_MS)
    state = Busy(connect_client)
    yield state
    state.finish()


@pytest.fixture
def busylib(conn):
    assert_reply(conn.call("FUNCTION", "LOAD", "REPLACE", LIBRARY), bulk("busylib"))
    yield
    conn.call("FUNCTION", "DELETE", "busylib")


# -- the threshold ------------------------------------------------------------------------------------------------
def test_busy_reply_threshold_and_its_alias_are_one_setting(conn, config, resp):
    config("busy-reply-threshold", 1234)
    expected = (map_((bulk("lua-time-limit"), bulk("1234"))) if resp == 3
                else array(bulk("lua-time-limit"), bulk("1234")))
    assert_reply(conn.call("CONFIG", "GET", "lua-time-limit"), expected)
    assert_ok(conn.call("CONFIG", "SET", "lua-time-limit", "4321"))
    expected = (map_((bulk("busy-reply-threshold"), bulk("4321"))) if resp == 3
                else array(bulk("busy-reply-threshold"), bulk("4321")))
    assert_reply(conn.call("CONFIG", "GET", "busy-reply-threshold"), expected)


def test_script_kill_and_function_kill_when_nothing_runs(conn):
    assert_error(conn.call("SCRIPT", "KILL"), NOTBUSY)
    assert_error(conn.call("FUNCTION", "KILL"), NOTBUSY)


def test_script_under_the_threshold_blocks_nothing_and_ends(conn, config, connect_client):
    config("busy-reply-threshold", 5000)
    caller = connect_client()
    caller.send("EVAL", "local i = 0 while i < 300000 do i = i + 1 end return i", "0")
    assert conn.call("PING").kind is not Kind.ERROR  # served once the script has ended, never refused
    assert_reply(caller.read_reply(timeout=10), integer(300000))


# -- BUSY ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [("PING",), ("GET", "k"), ("SET", "k", "v"), ("INFO", "server"), ("CLIENT", "ID"),
                                     ("SCRIPT", "LOAD", "return 1"), ("EVAL", "return 1", "0"),
                                     ("SHUTDOWN",), ("SHUTDOWN", "SAVE"), ("DBSIZE",), ("FLUSHALL",)])
def test_busy_script_refuses_other_clients(busy, command):
    busy.start("EVAL", SPIN, "0")
    assert_error(busy.other.call(*command), BUSY_EVAL)
    assert_ok(busy.other.call("SCRIPT", "KILL"))
    assert_error(busy.result(), f"{KILLED} script: {sha(SPIN)}, on @user_script:1.")
    assert busy.other.call("PING").kind is not Kind.ERROR


def test_busy_script_refuses_a_client_that_connects_meanwhile(busy):
    busy.start("EVAL", SPIN, "0")
    late = busy.connect()
    assert_error(late.call("GET", "k"), BUSY_EVAL)
    assert_ok(late.call("SCRIPT", "KILL"))
    assert_error(busy.result(), f"{KILLED} script: {sha(SPIN)}, on @user_script:1.")


def test_busy_script_allows_the_allow_busy_commands(busy):
    busy.start("EVAL", SPIN, "0")
    other = busy.other
    assert_ok(other.call("WATCH", "k"))
    assert_ok(other.call("UNWATCH"))
    assert_ok(other.call("MULTI"))
    assert_ok(other.call("DISCARD"))
    assert other.call("HELLO").kind is not Kind.ERROR
    assert_ok(other.call("SCRIPT", "KILL"))
    busy.result()


def test_busy_script_transaction_is_discarded(busy):
    busy.start("EVAL", SPIN, "0")
    other = busy.other
    assert_ok(other.call("MULTI"))
    assert_error(other.call("SET", "k", "v"), BUSY_EVAL)
    assert_error(other.call("EXEC"), f"EXECABORT Transaction discarded because of: {BUSY_EVAL}")
    assert_error(other.call("DISCARD"), "ERR DISCARD without MULTI")
    assert_error(other.call("EXEC"), f"EXECABORT Transaction discarded because of: {BUSY_EVAL}")  # even alone
    assert_ok(other.call("SCRIPT", "KILL"))
    busy.result()


def test_busy_script_refuses_function_commands_with_the_eval_text(busy):
    busy.start("EVAL", SPIN, "0")
    assert_error(busy.other.call("FUNCTION", "STATS"), BUSY_EVAL)
    assert_error(busy.other.call("FUNCTION", "KILL"), BUSY_EVAL)
    assert_ok(busy.other.call("SCRIPT", "KILL"))
    busy.result()


def test_busy_evalsha_is_killed_like_eval(busy, conn):
    conn.call("SCRIPT", "LOAD", SPIN)
    busy.start("EVALSHA", sha(SPIN), "0")
    assert_ok(busy.other.call("SCRIPT", "KILL"))
    assert_error(busy.result(), f"{KILLED} script: {sha(SPIN)}, on @user_script:1.")


def test_busy_script_counts_its_refusals_in_info(busy, conn):
    conn.call("CONFIG", "RESETSTAT")
    busy.start("EVAL", SPIN, "0")
    busy.other.call("GET", "k")
    assert_ok(busy.other.call("SCRIPT", "KILL"))
    busy.result()
    errorstats = fields(info(conn, "errorstats"))
    assert int(errorstats["errorstat_BUSY"].removeprefix("count=")) >= 2  # the GET, and PINGs while waiting
    assert errorstats["errorstat_ERR"] == "count=1"  # the killed script's error
    get = cmdstats(conn)["get"]
    assert (get["calls"], get["rejected_calls"], get["failed_calls"]) == ("0", "1", "0")


# -- SCRIPT KILL / UNKILLABLE ---------------------------------------------------------------------------------------
def test_script_kill_ends_a_read_only_script(busy):
    busy.start("EVAL", SPIN, "0")
    assert_ok(busy.other.call("SCRIPT", "KILL"))
    assert_error(busy.result(), f"{KILLED} script: {sha(SPIN)}, on @user_script:1.")
    assert_error(busy.other.call("SCRIPT", "KILL"), NOTBUSY)


def test_script_kill_reaches_a_script_that_catches_errors(busy):
    body = "local ok, e = pcall(function() while true do end end)\nreturn e"
    busy.start("EVAL", body, "0")
    assert_ok(busy.other.call("SCRIPT", "KILL"))
    assert_error(busy.result(), f"{KILLED} script: {sha(body)}, on @user_script:2.")


def test_script_that_wrote_is_unkillable_and_ends_by_itself(busy, conn):
    busy.start("EVAL", WRITE_THEN_WAIT, "1", "k")
    assert_error(busy.other.call("GET", "k"), BUSY_EVAL)
    assert_error(busy.other.call("SCRIPT", "KILL"), UNKILLABLE)
    assert_error(busy.other.call("FUNCTION", "KILL"), UNKILLABLE)
    assert_reply(busy.result(), bulk("done"))
    assert_reply(conn.call("GET", "k"), bulk("v"))


def test_script_reads_a_moving_clock_once_it_serves_others(busy):
    """Before the threshold the cached time stands still; once the script is busy it follows the clock."""
    body = ("local t = redis.call('TIME') local deadline = t[1] * 1000000 + t[2] + 200000 local n = 0 "
            "while true do n = n + 1 local x = redis.call('TIME') "
            "if x[1] * 1000000 + x[2] > deadline then break end end return 'done'")
    busy.start("EVAL", body, "0")
    assert_reply(busy.result(), bulk("done"))


# -- functions ----------------------------------------------------------------------------------------------------
def test_function_kill_ends_a_busy_function(busylib, busy):
    busy.start("FCALL", "busy_spin", "0", busy_error=BUSY_FUNCTION)
    assert_error(busy.other.call("GET", "k"), BUSY_FUNCTION)
    assert_error(busy.other.call("SCRIPT", "KILL"), BUSY_FUNCTION)
    assert_ok(busy.other.call("FUNCTION", "KILL"))
    assert_error(busy.result(), f"{KILLED} script: busy_spin, on @user_function:2.")
    assert_error(busy.other.call("FUNCTION", "KILL"), NOTBUSY)


def test_function_stats_shows_the_busy_function(busylib, busy, resp):
    busy.start("FCALL", "busy_spin", "0", busy_error=BUSY_FUNCTION)
    stats = busy.other.call("FUNCTION", "STATS")
    assert stats.kind is (Kind.MAP if resp == 3 else Kind.ARRAY)
    pairs = stats.value if resp == 3 else list(zip(stats.value[::2], stats.value[1::2]))
    running = dict((k.value, v) for k, v in pairs)[b"running_script"]
    fields = running.value if resp == 3 else list(zip(running.value[::2], running.value[1::2]))
    fields = {k.value: v for k, v in fields}
    assert_reply(fields[b"name"], bulk("busy_spin"))
    assert_reply(fields[b"command"], array(bulk("FCALL"), bulk("busy_spin"), bulk("0")))
    assert fields[b"duration_ms"].kind is Kind.INTEGER and fields[b"duration_ms"].value >= THRESHOLD_MS
    assert_ok(busy.other.call("FUNCTION", "KILL"))
    busy.result()


def test_function_that_wrote_is_unkillable(busylib, busy, conn):
    busy.start("FCALL", "busy_write", "1", "k", busy_error=BUSY_FUNCTION)
    assert_error(busy.other.call("FUNCTION", "KILL"), UNKILLABLE)
    assert_error(busy.other.call("SCRIPT", "KILL"), UNKILLABLE)
    assert_reply(busy.result(), bulk("done"))
    assert_reply(conn.call("GET", "k"), bulk("v"))

"""Functions: FUNCTION LOAD/DELETE/FLUSH/LIST/STATS/KILL/HELP, FCALL and FCALL_RO — the library shebang, both forms
of redis.register_function and its flags, every load error text, what library code may touch while it loads,
function errors named after the function, read-only enforcement, and the LIST/STATS shapes in RESP2 and RESP3.

Libraries outlive FLUSHALL, so every case flushes them when it ends (the suite shares one server per target).
"""
from __future__ import annotations

import pytest

from forkdiff.types import NULL, Kind, Reply, array, bulk, integer, map_, set_, simple

from .asserts import assert_error, assert_help, assert_null, assert_ok, assert_reply

pytestmark = pytest.mark.since("7.0")

NAME_RULE = ("Library names can only contain letters, numbers, or underscores(_) and must be at least one "
             "character long")


@pytest.fixture
def fconn(conn):
    conn.call("FUNCTION", "FLUSH")
    try:
        yield conn
    finally:
        conn.call("FUNCTION", "FLUSH")


def library(name: str, *lines: str) -> str:
    return "\n".join([f"#!lua name={name}", *lines])


def one(name: str, body: str = "return 1", flags: str = "") -> str:
    """A registration line: positional without flags, named with them."""
    if not flags:
        return f"redis.register_function('{name}', function(keys, args) {body} end)"
    return (f"redis.register_function{{function_name='{name}', callback=function(keys, args) {body} end, "
            f"flags={{{flags}}}}}")


def load(conn, *args: str):
    return conn.call("FUNCTION", "LOAD", *args)


def pairs(resp: int, *items: tuple[Reply, Reply]) -> Reply:
    return map_(*items) if resp == 3 else array(*(x for pair in items for x in pair))


# -- FUNCTION LOAD --------------------------------------------------------------------------------------------------
def test_function_load_returns_library_name(fconn):
    assert_reply(load(fconn, library("mylib", one("f1"))), bulk("mylib"))
    assert_reply(fconn.call("FCALL", "f1", "0"), integer(1))


def test_function_load_shebang_is_case_insensitive(fconn):
    assert_reply(load(fconn, "#!LUA NAME=lib1\n" + one("f1")), bulk("lib1"))


@pytest.mark.parametrize("code, message", [
    ("return 1", "ERR Missing library metadata"),
    ("#!lua", "ERR Invalid library metadata"),
    ("#!lua\n", "ERR Library name was not given"),
    ("#!   \n", "ERR Library name was not given"),
    ("#!lua name=a name=b\n", "ERR Invalid metadata value, name argument was given multiple times"),
    ("#!lua foo=a\n", "ERR Invalid metadata value given: foo=a"),
    ("#!js name=a\n", "ERR Engine 'js' not found"),
    ("#!lua name=a-b\n", "ERR " + NAME_RULE),
    ("#!lua name=\n", "ERR " + NAME_RULE),
    ("#!lua name=x\n", "ERR No functions registered"),
    ("#!lua name=x\nreturn 1", "ERR No functions registered"),
    ("#!lua name=x\nfoo(", "ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'"),
])
def test_function_load_metadata_and_compile_errors(fconn, code, message):
    assert_error(load(fconn, code), message)


@pytest.mark.parametrize("code, message", [
    ("foo()", "ERR user_function:2: Script attempted to access nonexistent global variable 'foo'"),
    ("redis.call('set','x','y')", "ERR user_function:2: Script attempted to access nonexistent global variable 'call'"),
    ("local a = string.len('x')",
     "ERR user_function:2: Script attempted to access nonexistent global variable 'string'"),
    ("error('bad')", "ERR user_function:2: Script attempted to access nonexistent global variable 'error'"),
    ("x = 1", "ERR user_function:2: Attempt to modify a readonly table"),
    ("redis.x = 1", "ERR user_function:2: Attempt to modify a readonly table"),
    ("redis.register_function('a-b', function() end)", "ERR " + NAME_RULE),
    ("redis.register_function('', function() end)", "ERR " + NAME_RULE),
    ("redis.register_function('a', function() end)\nredis.register_function('a', function() end)",
     "ERR Function already exists in the library"),
    ("redis.register_function('a')", "ERR calling redis.register_function with a single argument is only "
                                     "applicable to Lua table (representing named arguments)."),
    ("redis.register_function()", "ERR wrong number of arguments to redis.register_function"),
    ("redis.register_function(1, 2, 3)", "ERR wrong number of arguments to redis.register_function"),
    ("redis.register_function({})", "ERR redis.register_function must get a function name argument"),
    ("redis.register_function('a', 'b')", "ERR second argument to redis.register_function must be a function"),
    ("redis.register_function({}, 'b')", "ERR first argument to redis.register_function must be a string"),
    ("redis.register_function{function_name='a'}", "ERR redis.register_function must get a callback argument"),
    ("redis.register_function{callback=function() end}",
     "ERR redis.register_function must get a function name argument"),
    ("redis.register_function{function_name='a', callback=function() end, foo=1}",
     "ERR unknown argument given to redis.register_function"),
    ("redis.register_function{function_name='a', callback=function() end, flags='x'}",
     "ERR flags argument to redis.register_function must be a table representing function flags"),
    ("redis.register_function{function_name='a', callback=function() end, flags={'bad'}}", "ERR unknown flag given"),
    ("redis.register_function{function_name='a', callback=function() end, flags={{}}}", "ERR unknown flag given"),
    ("redis.register_function{function_name={}, callback=function() end}",
     "ERR function_name argument given to redis.register_function must be a string"),
    ("redis.register_function{function_name='a', callback=1}",
     "ERR callback argument given to redis.register_function must be a function"),
    ("redis.register_function{function_name='a', callback=function() end, description={}}",
     "ERR description argument given to redis.register_function must be a string"),
])
def test_function_load_registration_errors(fconn, code, message):
    assert_error(load(fconn, library("x", code)), "ERR Error registering functions: " + message)


def test_function_load_sees_only_the_library_api(fconn):
    code = library("x", "redis.log(redis.LOG_WARNING, redis.REDIS_VERSION)", "local v = redis.REDIS_VERSION_NUM",
                   one("f1", "return redis.REDIS_VERSION_NUM"))
    assert_reply(load(fconn, code), bulk("x"))
    assert_error(load(fconn, library("y", "local x = redis.setresp", one("f2"))),
                 "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent "
                 "global variable 'setresp'")


def test_function_load_existing_library_and_function(fconn):
    load(fconn, library("lib1", one("f1")))
    assert_error(load(fconn, library("lib1", one("f9"))), "ERR Library 'lib1' already exists")
    assert_error(load(fconn, library("lib2", one("f1"))), "ERR Function f1 already exists")
    assert_error(load(fconn, library("lib2", one("F1"))), "ERR Function F1 already exists")


def test_function_load_replace(fconn):
    load(fconn, library("lib1", one("f1")))
    assert_reply(load(fconn, "REPLACE", library("lib1", one("f2", "return 2"))), bulk("lib1"))
    assert_error(fconn.call("FCALL", "f1", "0"), "ERR Function not found")
    assert_reply(fconn.call("FCALL", "f2", "0"), integer(2))
    # a failed replacement keeps the old library
    assert_error(load(fconn, "replace", library("lib1", one("f3") + " error")),
                 "ERR Error compiling function: user_function:2: '=' expected near '<eof>'")
    assert_reply(fconn.call("FCALL", "f2", "0"), integer(2))


def test_function_load_options(fconn):
    assert_error(load(fconn, "foo", "bar"), "ERR Unknown option given: foo")
    assert_error(load(fconn, "REPLACE"), "ERR Missing library metadata")
    assert_error(load(fconn, "REPLACE", "REPLACE", "x"), "ERR Missing library metadata")


# -- FUNCTION LIST / STATS / DELETE / FLUSH / KILL / HELP ------------------------------------------------------------
def test_function_list_shape(fconn, resp):
    code = library("x", "redis.register_function{function_name='a', callback=function() end, "
                        "flags={'no-writes','NO-CLUSTER','allow-cross-slot-keys','allow-oom','allow-stale'}, "
                        "description='dd'}")
    load(fconn, code)
    flags = [simple(f) for f in ("no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys")]
    function = pairs(resp, (bulk("name"), bulk("a")), (bulk("description"), bulk("dd")),
                     (bulk("flags"), set_(*flags) if resp == 3 else array(*flags)))
    entry = [(bulk("library_name"), bulk("x")), (bulk("engine"), bulk("LUA")), (bulk("functions"), array(function))]
    assert_reply(fconn.call("FUNCTION", "LIST"), array(pairs(resp, *entry)))
    with_code = pairs(resp, *entry, (bulk("library_code"), bulk(code)))
    assert_reply(fconn.call("FUNCTION", "LIST", "WITHCODE"), array(with_code))
    assert_reply(fconn.call("FUNCTION", "LIST", "libraryname", "X*", "withcode"), array(with_code))


def test_function_list_without_flags_or_description(fconn, resp):
    load(fconn, library("lib1", one("f1")))
    function = pairs(resp, (bulk("name"), bulk("f1")), (bulk("description"), NULL),
                     (bulk("flags"), set_() if resp == 3 else array()))
    got = fconn.call("FUNCTION", "LIST")
    assert_reply(got, array(pairs(resp, (bulk("library_name"), bulk("lib1")), (bulk("engine"), bulk("LUA")),
                                  (bulk("functions"), array(function)))))


def test_function_list_libraryname_filter(fconn, resp):
    load(fconn, library("alpha", one("f1")))
    load(fconn, library("beta", one("f2")))
    assert_reply(fconn.call("FUNCTION", "LIST", "LIBRARYNAME", "y*"), array())
    function = pairs(resp, (bulk("name"), bulk("f2")), (bulk("description"), NULL),
                     (bulk("flags"), set_() if resp == 3 else array()))
    beta = pairs(resp, (bulk("library_name"), bulk("beta")), (bulk("engine"), bulk("LUA")),
                 (bulk("functions"), array(function)))
    assert_reply(fconn.call("FUNCTION", "LIST", "LIBRARYNAME", "B*"), array(beta))


@pytest.mark.parametrize("args, message", [
    (("LIBRARYNAME",), "ERR library name argument was not given"),
    (("LIBRARYNAME", "x", "LIBRARYNAME", "x"), "ERR Unknown argument LIBRARYNAME"),
    (("WITHCODE", "WITHCODE"), "ERR Unknown argument WITHCODE"),
    (("foo",), "ERR Unknown argument foo"),
])
def test_function_list_errors(fconn, args, message):
    assert_error(fconn.call("FUNCTION", "LIST", *args), message)


def test_function_stats(fconn, resp):
    load(fconn, library("lib1", one("f1"), one("f2")))
    counts = pairs(resp, (bulk("libraries_count"), integer(1)), (bulk("functions_count"), integer(2)))
    assert_reply(fconn.call("FUNCTION", "STATS"),
                 pairs(resp, (bulk("running_script"), NULL), (bulk("engines"), pairs(resp, (bulk("LUA"), counts)))))
    assert_error(fconn.call("FUNCTION", "STATS", "x"), "ERR wrong number of arguments for 'function|stats' command")


def test_function_delete(fconn):
    load(fconn, library("lib1", one("f1")))
    assert_error(fconn.call("FUNCTION", "DELETE", "LIB1"), "ERR Library not found")
    assert_ok(fconn.call("FUNCTION", "DELETE", "lib1"))
    assert_error(fconn.call("FCALL", "f1", "0"), "ERR Function not found")
    assert_error(fconn.call("FUNCTION", "DELETE", "lib1"), "ERR Library not found")


def test_function_flush(fconn):
    load(fconn, library("lib1", one("f1")))
    assert_ok(fconn.call("FUNCTION", "FLUSH", "ASYNC"))
    assert_reply(fconn.call("FUNCTION", "LIST"), array())
    assert_ok(fconn.call("FUNCTION", "FLUSH", "sync"))
    assert_error(fconn.call("FUNCTION", "FLUSH", "foo"), "ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    assert_error(fconn.call("FUNCTION", "FLUSH", "sync", "async"),
                 "ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.")


def test_function_kill_without_running_function(fconn):
    assert_error(fconn.call("FUNCTION", "KILL"), "NOTBUSY No scripts in execution right now.")


def test_function_help_and_unknown_subcommand(fconn):
    assert_help(fconn.call("FUNCTION", "HELP"), "FUNCTION", 39)
    assert_error(fconn.call("FUNCTION", "FOO"), "ERR unknown subcommand 'FOO'. Try FUNCTION HELP.")
    assert_error(fconn.call("FUNCTION"), "ERR wrong number of arguments for 'function' command")


# -- FCALL / FCALL_RO -----------------------------------------------------------------------------------------------
def test_fcall_keys_and_args_are_parameters(fconn):
    load(fconn, library("y", one("w", "return {keys, args, redis.call('set', keys[1], args[1])}"),
                        one("n", "return #keys + #args"), one("k", "return KEYS")))
    assert_reply(fconn.call("FCALL", "w", "1", "k", "v"), array(array(bulk("k")), array(bulk("v")), simple("OK")))
    assert_reply(fconn.call("FCALL", "W", "1", "k", "v2"), array(array(bulk("k")), array(bulk("v2")), simple("OK")))
    assert_reply(fconn.call("GET", "k"), bulk("v2"))
    assert_reply(fconn.call("FCALL", "n", "2", "a", "b", "c"), integer(3))
    assert_error(fconn.call("FCALL", "k", "0"), "ERR user_function:4: Script attempted to access nonexistent "
                                               "global variable 'KEYS' script: k, on @user_function:4.")


def test_fcall_numkeys_errors(fconn):
    load(fconn, library("y", one("f")))
    assert_error(fconn.call("FCALL", "nope", "x"), "ERR Function not found")
    assert_error(fconn.call("FCALL_RO", "nope", "0"), "ERR Function not found")
    assert_error(fconn.call("FCALL", "f", "x"), "ERR Bad number of keys provided")
    assert_error(fconn.call("FCALL", "f", "2", "k"), "ERR Number of keys can't be greater than number of args")
    assert_error(fconn.call("FCALL", "f", "-1", "k"), "ERR Number of keys can't be negative")


def test_fcall_ro_read_only_enforcement(fconn):
    load(fconn, library("y", one("w", "return redis.call('set', keys[1], 'x')"),
                        one("r", "return redis.call('get', keys[1])", "'no-writes'"),
                        one("rw", "return redis.call('set', keys[1], 'x')", "'no-writes'")))
    assert_error(fconn.call("FCALL_RO", "w", "1", "k"), "ERR Can not execute a script with write flag using *_ro "
                                                        "command.")
    assert_reply(fconn.call("FCALL", "w", "1", "k"), simple("OK"))
    assert_reply(fconn.call("FCALL_RO", "r", "1", "k"), bulk("x"))
    assert_reply(fconn.call("FCALL", "r", "1", "k"), bulk("x"))
    for command in ("FCALL", "FCALL_RO"):
        assert_error(fconn.call(command, "rw", "1", "k"), "ERR Write commands are not allowed from read-only "
                                                         "scripts. script: rw, on @user_function:4.")


def test_fcall_errors_name_the_function(fconn):
    load(fconn, library("y", one("e1", "return redis.call('nosuch')"), one("e2", "error('boom')"),
                        one("e3", "local t = nil; return t.x"), one("e4", "redis.register_function('z', type)")))
    assert_error(fconn.call("FCALL", "e1", "0"),
                 "ERR Unknown Redis command called from script script: e1, on @user_function:2.")
    assert_error(fconn.call("FCALL", "e2", "0"), "ERR user_function:3: boom script: e2, on @user_function:3.")
    assert_error(fconn.call("FCALL", "e3", "0"),
                 "ERR user_function:4: attempt to index local 't' (a nil value) script: e3, on @user_function:4.")
    assert_error(fconn.call("FCALL", "e4", "0"), "ERR user_function:5: attempt to call field 'register_function' "
                                                "(a nil value) script: e4, on @user_function:5.")


def test_fcall_setresp_and_runtime_api(fconn, resp):
    load(fconn, library("y", one("h", "redis.setresp(3); return redis.call('hgetall', keys[1])"),
                        one("v", "return redis.REDIS_VERSION")))
    fconn.call("HSET", "h", "a", "1")
    got = fconn.call("FCALL", "h", "1", "h")
    assert_reply(got, map_((bulk("a"), bulk("1"))) if resp == 3 else array(bulk("a"), bulk("1")))
    assert fconn.call("FCALL", "v", "0").kind is Kind.BULK


def test_fcall_in_multi(fconn):
    load(fconn, library("y", one("f", "return 2")))
    fconn.call("MULTI")
    assert_reply(fconn.call("FCALL", "f", "0"), simple("QUEUED"))
    assert_reply(fconn.call("EXEC"), array(integer(2)))


def test_fcall_not_allowed_from_scripts(fconn, resp):
    load(fconn, library("y", one("f")))
    body = "return redis.call('fcall', 'f', '0')"
    got = fconn.call("EVAL", body, "0")
    assert_error(got, startswith="ERR This Redis command is not allowed from script script: ")
    assert_null(fconn.call("EVAL", "return redis.register_function", "0"), resp)


# -- FUNCTION DUMP / RESTORE ----------------------------------------------------------------------------------------
EMPTY_DUMP = bytes.fromhex("0c0096ed6880f5553c93")
PADDED = library("l2", one("f2", "return 2"), "-- " + "padding " * 20)


def test_function_dump_payloads(fconn):
    assert_reply(fconn.call("FUNCTION", "DUMP"), bulk(EMPTY_DUMP))
    load(fconn, library("l1", one("f1")))  # opcode, the code as an RDB string, RDB version, CRC64
    plain = ("f5404e23216c7561206e616d653d6c310a72656469732e72656769737465725f66756e6374696f6e28276631272c2066756e"
             "6374696f6e286b6579732c2061726773292072657475726e203120656e64290c00b4550b0c0b5047fa")
    assert_reply(fconn.call("FUNCTION", "DUMP"), bulk(bytes.fromhex(plain)))
    fconn.call("FUNCTION", "FLUSH")
    load(fconn, PADDED)  # long and repetitive: stored LZF-compressed (rdbcompression yes)
    packed = ("f5c3405d40f21f23216c7561206e616d653d6c320a72656469732e72656769737465725f66756e0b6374696f6e2827663227"
              "2c20e0000e1f6b6579732c2061726773292072657475726e203220656e64290a2d2d207061640364696e67e08e070167200c00"
              "a34f26dbaa79a0d5")
    assert_reply(fconn.call("FUNCTION", "DUMP"), bulk(bytes.fromhex(packed)))


def test_function_restore_round_trip_and_policies(fconn):
    load(fconn, library("l1", one("f1")))
    load(fconn, PADDED)
    both = fconn.call("FUNCTION", "DUMP").value
    fconn.call("FUNCTION", "FLUSH")
    load(fconn, library("l3", one("f1", "return 3")))
    other = fconn.call("FUNCTION", "DUMP").value
    assert_error(fconn.call("FUNCTION", "RESTORE", both), "ERR Function f1 already exists")
    fconn.call("FUNCTION", "FLUSH")
    load(fconn, library("l1", one("f1")))
    assert_error(fconn.call("FUNCTION", "RESTORE", both), "ERR Library l1 already exists")
    assert_error(fconn.call("FUNCTION", "RESTORE", other, "APPEND"), "ERR Function f1 already exists")
    assert_ok(fconn.call("FUNCTION", "RESTORE", both, "REPLACE"))
    assert_reply(fconn.call("FCALL", "f2", "0"), integer(2))
    assert_ok(fconn.call("FUNCTION", "RESTORE", other, "flush"))
    assert_reply(fconn.call("FCALL", "f1", "0"), integer(3))
    assert_error(fconn.call("FCALL", "f2", "0"), "ERR Function not found")


def test_function_restore_errors(fconn):
    load(fconn, library("l1", one("f1")))
    payload = bytearray(fconn.call("FUNCTION", "DUMP").value)
    assert_error(fconn.call("FUNCTION", "RESTORE", payload, "foo"),
                 "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    assert_error(fconn.call("FUNCTION", "RESTORE", "x", "append", "y"),
                 "ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP.")
    payload[-1] ^= 1
    assert_error(fconn.call("FUNCTION", "RESTORE", bytes(payload)), "ERR DUMP payload version or checksum are wrong")
    assert_error(fconn.call("FUNCTION", "RESTORE", "x"), "ERR DUMP payload version or checksum are wrong")
    assert_ok(fconn.call("FUNCTION", "RESTORE", EMPTY_DUMP))

"""Scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT — Lua values to replies and back (RESP2 and RESP3, and
redis.setresp(3)), the sandbox, redis.* helpers, error texts with the script's sha and line, read-only scripts,
shebang flags, the script cache, and a script's atomicity as other clients see it.
"""
from __future__ import annotations

import hashlib

import pytest

from forkdiff.types import Kind, Reply, array, bulk, double, integer, map_, set_, simple

from .asserts import assert_error, assert_help, assert_null, assert_ok, assert_reply

LLONG_MIN = -(1 << 63)
READONLY = "Attempt to modify a readonly table"


def sha(body: str) -> str:
    return hashlib.sha1(body.encode()).hexdigest()


def script_error(message: str, body: str, line: int = 1, source: str = "@user_script") -> str:
    """An error raised while a script runs: Redis names the script and the line it was at."""
    return f"{message} script: {sha(body)}, on {source}:{line}."


def run(conn, body: str, *args):
    return conn.call("EVAL", body, *(args or ("0",)))


def assert_script_error(conn, body: str, message: str, line: int = 1) -> None:
    assert_error(run(conn, body), script_error(message, body, line))


# -- Lua values -> replies ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, expected", [
    ("return 1", integer(1)), ("return 3.99", integer(3)), ("return -3.99", integer(-3)),
    ("return 1e20", integer(LLONG_MIN)), ("return 0/0", integer(LLONG_MIN)), ("return 1/0", integer(LLONG_MIN)),
    ("return 2^53", integer(1 << 53)), ("return 'x'", bulk("x")), ("return 'a\\0b'", bulk(b"a\x00b")),
    ("return true", integer(1)),
])
def test_eval_scalar_replies(conn, body, expected):
    assert_reply(run(conn, body), expected)


@pytest.mark.parametrize("body", ["return nil", "return false", "return redis.call('get', 'missing')"])
def test_eval_null_replies(conn, resp, body):
    assert_null(run(conn, body), resp)


def test_eval_table_becomes_array_up_to_first_nil(conn):
    assert_reply(run(conn, "return {1,2,nil,3}"), array(integer(1), integer(2)))
    assert_reply(run(conn, "local t = {}; t[1]=1; t[3]=3; return t"), array(integer(1)))
    assert_reply(run(conn, "return {[1]='a', [2]='b', x='c'}"), array(bulk("a"), bulk("b")))
    assert_reply(run(conn, "local t = {} t[1.5] = 1 return t"), array())


def test_eval_nested_table(conn, resp):
    got = run(conn, "return {1,'a',{2,3},true,false,{ok='x'},{err='y'}}")
    null = Reply(Kind.NULL)
    assert_reply(got, array(integer(1), bulk("a"), array(integer(2), integer(3)), integer(1), null, simple("x"),
                            Reply(Kind.ERROR, "y")))


def test_eval_status_and_error_tables(conn):
    assert_reply(run(conn, "return {ok='fine'}"), simple("fine"))
    assert_reply(run(conn, "return {ok='a\\r\\nb'}"), simple("a  b"))
    assert_error(run(conn, "return {err='bad thing'}"), "bad thing")
    assert_error(run(conn, "return {err='MYERR bad thing'}"), "MYERR bad thing")
    assert_error(run(conn, "return {err='a\\nb'}"), "a b")


def test_eval_metatables_are_ignored(conn):
    assert_reply(run(conn, "local t = setmetatable({}, {__index=function() return 1 end}); return t"), array())


@pytest.mark.parametrize("body, resp2, resp3", [
    ("return {double=3.5}", bulk("3.5"), double(3.5)),
    ("return {double=0.1}", bulk("0.1"), double(0.1)),
    ("return {double=1/0}", bulk("inf"), double(float("inf"))),
    ("return {{double=1.5}}", array(bulk("1.5")), array(double(1.5))),
    ("return {map={a=1}}", array(bulk("a"), integer(1)), map_((bulk("a"), integer(1)))),
    ("return {map={a={1,2}}}", array(bulk("a"), array(integer(1), integer(2))),
     map_((bulk("a"), array(integer(1), integer(2))))),
    ("return {set={a=true}}", array(bulk("a")), set_(bulk("a"))),
    ("return {big_number='123'}", bulk("123"), Reply(Kind.BIGNUM, 123)),
    ("return {verbatim_string={format='txt', string='hi'}}", bulk("hi"), Reply(Kind.VERBATIM, ("txt", b"hi"))),
    ("return {double='abc'}", array(), array()),
])
def test_eval_resp3_shaped_tables(conn, resp, body, resp2, resp3):
    assert_reply(run(conn, body), resp3 if resp == 3 else resp2)


@pytest.mark.parametrize("body, resp2, resp3", [
    ("redis.setresp(3); return true", integer(1), Reply(Kind.BOOLEAN, True)),
    ("redis.setresp(3); return false", integer(0), Reply(Kind.BOOLEAN, False)),
    ("redis.setresp(3); return {double=1.5}", bulk("1.5"), double(1.5)),
])
def test_eval_setresp3_booleans(conn, resp, body, resp2, resp3):
    assert_reply(run(conn, body), resp3 if resp == 3 else resp2)


# -- KEYS, ARGV, numkeys --------------------------------------------------------------------------------------------
def test_eval_keys_and_argv(conn):
    assert_reply(run(conn, "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", "2", "a", "b", "c", "d"),
                 array(bulk("a"), bulk("b"), bulk("c"), integer(2), integer(2)))
    assert_reply(run(conn, "return ARGV"), array())


@pytest.mark.parametrize("numkeys, message", [
    ("2", "ERR Number of keys can't be greater than number of args"),
    ("-1", "ERR Number of keys can't be negative"),
    ("x", "ERR value is not an integer or out of range"),
    ("99999999999999999999", "ERR value is not an integer or out of range"),
])
def test_eval_bad_numkeys(conn, numkeys, message):
    assert_error(conn.call("EVAL", "return 1", numkeys, "a"), message)


def test_eval_wrong_arity(conn):
    assert_error(conn.call("EVAL", "return 1"), "ERR wrong number of arguments for 'eval' command")


# -- errors and where they happened ---------------------------------------------------------------------------------
def test_eval_compile_error(conn):
    assert_error(run(conn, "return 1 +"),
                 "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'")


@pytest.mark.parametrize("body, message, line", [
    ("error('boom')", "ERR user_script:1: boom", 1),
    ("error('x', 0)", "ERR x", 1),
    ("error({err='TABLEERR x'})", "TABLEERR x", 1),
    ("error({err=1})", "1", 1),
    ("error()", "ERR nil", 1),
    ("error({})", "ERR unknown error", 1),
    ("return x", "ERR user_script:1: Script attempted to access nonexistent global variable 'x'", 1),
    ("\n\nreturn x", "ERR user_script:3: Script attempted to access nonexistent global variable 'x'", 3),
    ("local a = nil; return a.b", "ERR user_script:1: attempt to index local 'a' (a nil value)", 1),
    ("return 1 + {}", "ERR user_script:1: attempt to perform arithmetic on a table value", 1),
    ("return string.rep()", "ERR user_script:1: bad argument #1 to 'rep' (string expected, got no value)", 1),
])
def test_eval_runtime_errors(conn, body, message, line):
    assert_script_error(conn, body, message, line)


def test_eval_pcall_inside_script(conn, resp):
    nil = Reply(Kind.NULL)
    assert_reply(run(conn, "return {pcall(function() error('e') end)}"), array(nil, bulk("user_script:1: e")))
    assert_reply(run(conn, "return {pcall(function() error({err='x'}) end)}"), array(nil, bulk("x")))
    assert_reply(run(conn, "return {xpcall(function() error('x') end, function(e) return 'handled ' .. e end)}"),
                 array(nil, bulk("handled user_script:1: x")))


# -- the sandbox ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", ["x = 1", "_G.z = 5", "string.foo = 1", "redis.call = nil",
                                  "local s = string; s.x = 1", "local f = function() y = 2 end; f()"])
def test_eval_globals_are_read_only(conn, body):
    assert_script_error(conn, body, f"ERR user_script:1: {READONLY}")


@pytest.mark.parametrize("body", ["rawset(_G, 'x', 1)", "setmetatable(_G, nil)"])
def test_eval_raw_writes_to_globals_refused(conn, body):
    assert_script_error(conn, body, f"ERR {READONLY}")


@pytest.mark.parametrize("name", ["io", "loadfile", "dofile", "print", "require", "getfenv", "setfenv", "debug",
                                  "module", "package", "newproxy"])
def test_eval_sandbox_hides_globals(conn, name):
    body = f"return tostring({name})"
    assert_script_error(conn, body, f"ERR user_script:1: Script attempted to access nonexistent global variable "
                                    f"'{name}'")


def test_eval_sandbox_keeps_the_lua_builtins(conn):
    assert_reply(run(conn, "return tostring(os.clock ~= nil)"), bulk("true"))
    assert_reply(run(conn, "return tostring(os.time)"), bulk("nil"))
    assert_reply(run(conn, "return string.format('%d %s %5.2f', 3, 'x', 1.5)"), bulk("3 x  1.50"))
    assert_reply(run(conn, "return table.concat({1,2},',')"), bulk("1,2"))
    assert_reply(run(conn, "return _VERSION"), bulk("Lua 5.1"))
    assert_reply(run(conn, "return coroutine.wrap(function() return 5 end)()"), integer(5))
    assert_reply(run(conn, "return _G == _G._G"), integer(1))
    assert_reply(run(conn, "local t = {}; rawset(t,'a',1); return t.a"), integer(1))


def test_eval_loadstring_chunks_share_the_sandbox(conn, resp):
    body = "return loadstring('x = 1')()"
    assert_error(run(conn, body), script_error(f'ERR [string "x = 1"]:1: {READONLY}', body, 1, "x = 1"))
    assert_null(run(conn, "return loadstring('return 1+')"), resp)


def test_eval_redis_table_lists_the_api(conn):
    got = run(conn, "local r = {} for k in pairs(redis) do r[#r+1]=k end table.sort(r) return r")
    assert [r.value.decode() for r in got.value] == [
        "LOG_DEBUG", "LOG_NOTICE", "LOG_VERBOSE", "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM", "REPL_ALL",
        "REPL_AOF", "REPL_NONE", "REPL_REPLICA", "REPL_SLAVE", "acl_check_cmd", "breakpoint", "call", "debug",
        "error_reply", "log", "pcall", "replicate_commands", "set_repl", "setresp", "sha1hex", "status_reply"]


# -- redis.call / redis.pcall ---------------------------------------------------------------------------------------
def test_eval_redis_call_runs_commands(conn):
    assert_reply(run(conn, "return redis.call('set','k','v')"), simple("OK"))
    assert_reply(run(conn, "return redis.call('get','k')"), bulk("v"))
    assert_reply(run(conn, "return redis.call('ping')"), simple("PONG"))
    assert_reply(run(conn, "return type(redis.call('ping'))"), bulk("table"))


@pytest.mark.parametrize("body, message", [
    ("return redis.call('nosuch')", "ERR Unknown Redis command called from script"),
    ("return redis.call(1)", "ERR Unknown Redis command called from script"),
    ("return redis.call('client','nosuch')", "ERR Unknown Redis command called from script"),
    ("return redis.call('get')", "ERR Wrong number of args calling Redis command from script"),
    ("return redis.call('get','a','b')", "ERR Wrong number of args calling Redis command from script"),
    ("return redis.call()", "ERR Please specify at least one argument for this redis lib call"),
    ("return redis.call('set', {}, 'x')", "ERR Lua redis lib command arguments must be strings or integers"),
    ("return redis.call('set', 'k', true)", "ERR Lua redis lib command arguments must be strings or integers"),
    ("return redis.call('get', KEYS[1])", "ERR Lua redis lib command arguments must be strings or integers"),
    ("return redis.call('subscribe','x')", "ERR This Redis command is not allowed from script"),
    ("return redis.call('eval','return 1', 0)", "ERR This Redis command is not allowed from script"),
    ("return redis.call('multi')", "ERR This Redis command is not allowed from script"),
    ("return redis.call('watch', 'k')", "ERR This Redis command is not allowed from script"),
    ("return redis.call('client','id')", "ERR This Redis command is not allowed from script"),
])
def test_eval_redis_call_refusals(conn, body, message):
    assert_script_error(conn, body, message)


def test_eval_redis_call_command_errors_stop_the_script(conn):
    conn.call("SET", "str", "x")
    assert_script_error(conn, "return redis.call('incr','str')", "ERR value is not an integer or out of range")
    assert_script_error(conn, "return redis.call('lpush','str','x')",
                        "WRONGTYPE Operation against a key holding the wrong kind of value")
    body = "redis.call('set','after','1')\nredis.call('incr','str')\nredis.call('set','never','1')"
    assert_script_error(conn, body, "ERR value is not an integer or out of range", 2)
    assert_reply(conn.call("EXISTS", "after", "never"), integer(1))  # no rollback, nothing after the error


def test_eval_redis_pcall_returns_the_error(conn):
    conn.call("SET", "str", "x")
    assert_error(run(conn, "return redis.pcall('incr','str')"), "ERR value is not an integer or out of range")
    assert_reply(run(conn, "local r = redis.pcall('incr','str'); return r['err']"),
                 bulk("ERR value is not an integer or out of range"))
    assert_error(run(conn, "return redis.pcall('nosuch')"), "ERR Unknown Redis command called from script")
    assert_error(run(conn, "return redis.pcall('get')"), "ERR Wrong number of args calling Redis command from script")
    assert_error(run(conn, "return redis.pcall()"), "ERR Please specify at least one argument for this redis lib call")


def test_eval_lua_pcall_catches_redis_call_errors_as_strings(conn):
    conn.call("SET", "str", "x")
    assert_reply(run(conn, "local ok, e = pcall(redis.call, 'incr', 'str'); return {type(e), e}"),
                 array(bulk("string"), bulk("ERR value is not an integer or out of range")))
    assert_reply(run(conn, "local ok, e = pcall(redis.call, 'nosuch'); return e"),
                 bulk("ERR Unknown Redis command called from script"))


def test_eval_redis_call_replies_in_resp2(conn):
    conn.call("ZADD", "z", "1.5", "m")
    conn.call("SADD", "s", "a")
    assert_reply(run(conn, "return type(redis.call('get','nokey'))"), bulk("boolean"))
    assert_reply(run(conn, "local r = redis.call('zscore','z','m'); return {type(r), r}"),
                 array(bulk("string"), bulk("1.5")))
    assert_reply(run(conn, "return type(redis.call('sismember','s','a'))"), bulk("number"))


def test_eval_redis_call_replies_in_resp3(conn, resp):
    conn.call("HSET", "h", "f", "v")
    conn.call("SADD", "s", "a")
    conn.call("ZADD", "z", "1.5", "m")
    assert_reply(run(conn, "redis.setresp(3); local r = redis.call('hgetall','h'); return {type(r.map), r.map.f}"),
                 array(bulk("table"), bulk("v")))
    assert_reply(run(conn, "redis.setresp(3); local r = redis.call('smembers','s'); return tostring(r.set.a)"),
                 bulk("true"))
    assert_reply(run(conn, "redis.setresp(3); local r = redis.call('zscore','z','m'); return tostring(r.double)"),
                 bulk("1.5"))
    assert_reply(run(conn, "redis.setresp(3); return type(redis.call('get','nokey'))"), bulk("nil"))
    hash = run(conn, "redis.setresp(3); return redis.call('hgetall','h')")
    assert_reply(hash, map_((bulk("f"), bulk("v"))) if resp == 3 else array(bulk("f"), bulk("v")))
    assert_reply(run(conn, "redis.setresp(3); return redis.call('zscore','z','m')"),
                 double(1.5) if resp == 3 else bulk("1.5"))


@pytest.mark.parametrize("value, stored", [("10/3", "3.3333333333333335"), ("1e20", "1e+20"),
                                           ("2^62", "4611686018427387904"), ("-0.0", "0"), ("1/0", "inf"),
                                           ("1.5", "1.5"), ("-7", "-7")])
def test_eval_number_arguments_printed_as_redis(conn, value, stored):
    assert_ok(run(conn, f"return redis.call('set', 'n', {value})"))
    assert_reply(conn.call("GET", "n"), bulk(stored))


def test_eval_blocking_command_answers_at_once(conn, resp):
    assert_null(run(conn, "return redis.call('blpop','nolist', 0)"), resp)
    assert_null(run(conn, "return redis.call('brpoplpush','a','b', 0)"), resp)


def test_eval_select_stays_inside_the_script(conn):
    assert_ok(run(conn, "redis.call('select','1'); return redis.call('set','k','in1')"))
    assert_reply(conn.call("EXISTS", "k"), integer(0))
    assert_ok(conn.call("SELECT", "1"))
    assert_reply(conn.call("GET", "k"), bulk("in1"))


# -- redis.* helpers ------------------------------------------------------------------------------------------------
def test_eval_error_and_status_reply_helpers(conn):
    assert_error(run(conn, "return redis.error_reply('oops')"), "ERR oops")
    assert_error(run(conn, "return redis.error_reply('MYCODE oops')"), "MYCODE oops")
    assert_error(run(conn, "return redis.error_reply('-MYCODE oops')"), "MYCODE oops")
    assert_reply(run(conn, "return redis.status_reply('yes')"), simple("yes"))
    for body in ("return redis.error_reply(1)", "return redis.error_reply()", "return redis.status_reply({})"):
        assert_error(run(conn, body), "ERR wrong number or type of arguments")


def test_eval_sha1hex(conn):
    assert_reply(run(conn, "return redis.sha1hex('')"), bulk(sha("")))
    assert_reply(run(conn, "return redis.sha1hex('abc')"), bulk(sha("abc")))
    assert_reply(run(conn, "return redis.sha1hex(1)"), bulk(sha("1")))
    assert_script_error(conn, "return redis.sha1hex()", "ERR wrong number of arguments")


@pytest.mark.parametrize("body, message", [
    ("return redis.setresp(4)", "ERR RESP version must be 2 or 3."),
    ("return redis.setresp()", "ERR redis.setresp() requires one argument."),
    ("return redis.set_repl(5)", "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."),
    ("return redis.set_repl()", "ERR redis.set_repl() requires one argument."),
    ("return redis.log()", "ERR redis.log() requires two arguments or more."),
    ("return redis.log('x','y')", "ERR First argument must be a number (log level)."),
    ("return redis.log(9,'y')", "ERR Invalid log level."),
    ("return redis.acl_check_cmd('nosuch')", "ERR Invalid command passed to redis.acl_check_cmd()"),
])
def test_eval_redis_helper_errors(conn, body, message):
    assert_script_error(conn, body, message)


def test_eval_redis_helpers_that_do_nothing(conn, resp):
    assert_null(run(conn, "return redis.set_repl(redis.REPL_ALL)"), resp)
    assert_null(run(conn, "return redis.log(redis.LOG_WARNING, 'x')"), resp)
    assert_null(run(conn, "return redis.breakpoint()"), resp)
    assert_null(run(conn, "return redis.debug('x')"), resp)
    assert_reply(run(conn, "return redis.replicate_commands()"), integer(1))
    assert_reply(run(conn, "return redis.acl_check_cmd('get','x')"), integer(1))


@pytest.mark.parametrize("name, value", [("REPL_NONE", 0), ("REPL_AOF", 1), ("REPL_SLAVE", 2), ("REPL_REPLICA", 2),
                                         ("REPL_ALL", 3), ("LOG_DEBUG", 0), ("LOG_VERBOSE", 1), ("LOG_NOTICE", 2),
                                         ("LOG_WARNING", 3)])
def test_eval_redis_constants(conn, name, value):
    assert_reply(run(conn, f"return redis.{name}"), integer(value))


def test_eval_redis_version(conn):
    """The version a script sees is the server's own (INFO redis_version), never a fixed number: every version
    answers its own, so only the agreement and the packing of REDIS_VERSION_NUM are Redis's behaviour."""
    raw = conn.call("INFO", "server").value
    text = (raw[1] if isinstance(raw, tuple) else raw).decode()
    version = next(line.split(":", 1)[1] for line in text.split("\r\n") if line.startswith("redis_version:"))
    major, minor, patch = (int(part) for part in version.split("."))
    assert_reply(run(conn, "return redis.REDIS_VERSION"), bulk(version))
    assert_reply(run(conn, "return redis.REDIS_VERSION_NUM"), integer(major << 16 | minor << 8 | patch))


def test_eval_math_random_is_redis_rand48(conn):
    body = "math.randomseed(42); return {math.random(1000), math.random(), math.random(5,10)}"
    assert_reply(run(conn, body), array(integer(745), integer(0), integer(5)))
    assert_script_error(conn, "return math.random(1,2,3)", "ERR user_script:1: wrong number of arguments")
    assert_script_error(conn, "return math.random(0)",
                        "ERR user_script:1: bad argument #1 to 'random' (interval is empty)")


# -- read-only scripts and shebangs ---------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_eval_ro_refuses_writes(conn, resp):
    body = "return redis.call('set','k','v')"
    assert_error(conn.call("EVAL_RO", body, "0"),
                 script_error("ERR Write commands are not allowed from read-only scripts.", body))
    assert_error(conn.call("EVAL_RO", "return redis.pcall('set','k','v')", "0"),
                 "ERR Write commands are not allowed from read-only scripts.")
    assert_null(conn.call("EVAL_RO", "return redis.call('get','k')", "0"), resp)


@pytest.mark.since("7.0")
def test_eval_ro_refuses_a_shebang_without_no_writes(conn, resp):
    body = "#!lua\nreturn redis.call('get','k')"
    assert_error(conn.call("EVAL_RO", body, "0"), "ERR Can not execute a script with write flag using *_ro command.")
    assert_error(conn.call("EVALSHA_RO", sha(body), "0"),
                 "ERR Can not execute a script with write flag using *_ro command.")  # EVAL_RO cached it
    assert_reply(conn.call("EVAL_RO", "#!lua flags=no-writes,allow-oom\nreturn 1", "0"), integer(1))
    assert_error(conn.call("EVAL_RO", "#!lua flags=allow-oom\nreturn 1", "x"), "ERR value is not an integer or out of range")


def test_eval_shebang(conn):
    assert_reply(run(conn, "#!lua\nreturn 1"), integer(1))
    body = "#!lua flags=no-writes\nreturn redis.call('set','k','v')"
    assert_script_error(conn, body, "ERR Write commands are not allowed from read-only scripts.", 2)
    assert_error(run(conn, "#!lua name=x\nreturn 1"), "ERR Unknown lua shebang option: name=x")
    assert_error(run(conn, "#!lua flags=bad\nreturn 1"), "ERR Unexpected flag in script shebang: bad")
    assert_error(run(conn, "#!notlua\nreturn 1"), "ERR Unexpected engine in script shebang: #!notlua")


# -- EVALSHA and the script cache -----------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_evalsha_runs_a_cached_script(conn):
    body = "return {KEYS[1], ARGV[1]}"
    assert_reply(conn.call("SCRIPT", "LOAD", body), bulk(sha(body)))
    assert_reply(conn.call("EVALSHA", sha(body), "1", "k", "a"), array(bulk("k"), bulk("a")))
    assert_reply(conn.call("EVALSHA", sha(body).upper(), "1", "k", "a"), array(bulk("k"), bulk("a")))
    assert_reply(conn.call("EVALSHA_RO", sha(body), "1", "k", "a"), array(bulk("k"), bulk("a")))


def test_evalsha_after_eval(conn):
    body = "return 'cached by eval'"
    assert_reply(run(conn, body), bulk("cached by eval"))
    assert_reply(conn.call("EVALSHA", sha(body), "0"), bulk("cached by eval"))


@pytest.mark.parametrize("digest", ["nope", "f" * 40])
def test_evalsha_unknown_script(conn, digest):
    assert_error(conn.call("EVALSHA", digest, "0"), "NOSCRIPT No matching script. Please use EVAL.")


@pytest.mark.since("7.0")
def test_evalsha_ro_refuses_writes(conn):
    body = "return redis.call('set','k','v')"
    conn.call("SCRIPT", "LOAD", body)
    assert_error(conn.call("EVALSHA_RO", sha(body), "0"),
                 script_error("ERR Write commands are not allowed from read-only scripts.", body))


def test_script_load_compile_error(conn):
    assert_error(conn.call("SCRIPT", "LOAD", "return 1 +"),
                 "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'")


def test_script_exists(conn):
    body = "return 'exists'"
    conn.call("SCRIPT", "LOAD", body)
    assert_reply(conn.call("SCRIPT", "EXISTS", sha(body), sha(body).upper(), "nope"),
                 array(integer(1), integer(1), integer(0)))


@pytest.mark.parametrize("mode", [(), ("ASYNC",), ("SYNC",), ("sync",)])
def test_script_flush(conn, mode):
    body = "return 'flushed'"
    conn.call("SCRIPT", "LOAD", body)
    assert_ok(conn.call("SCRIPT", "FLUSH", *mode))
    assert_reply(conn.call("SCRIPT", "EXISTS", sha(body)), array(integer(0)))
    assert_error(conn.call("EVALSHA", sha(body), "0"), "NOSCRIPT No matching script. Please use EVAL.")


@pytest.mark.parametrize("args", [("BAD",), ("SYNC", "ASYNC")])
def test_script_flush_bad_option(conn, args):
    assert_error(conn.call("SCRIPT", "FLUSH", *args), "ERR SCRIPT FLUSH only support SYNC|ASYNC option")


def test_script_kill_when_nothing_runs(conn):
    assert_error(conn.call("SCRIPT", "KILL"), "NOTBUSY No scripts in execution right now.")
    assert_error(conn.call("SCRIPT", "KILL", "x"), "ERR wrong number of arguments for 'script|kill' command")


def test_script_help(conn):
    assert_help(conn.call("SCRIPT", "HELP"), "SCRIPT", 17)


@pytest.mark.parametrize("args, message", [
    (("SCRIPT",), "ERR wrong number of arguments for 'script' command"),
    (("SCRIPT", "EXISTS"), "ERR wrong number of arguments for 'script|exists' command"),
    (("SCRIPT", "LOAD"), "ERR wrong number of arguments for 'script|load' command"),
    (("SCRIPT", "NOPE"), "ERR unknown subcommand 'NOPE'. Try SCRIPT HELP."),
])
def test_script_argument_errors(conn, args, message):
    assert_error(conn.call(*args), message)


# -- atomicity as other clients see it ------------------------------------------------------------------------------
def test_eval_blocked_client_served_only_after_the_script(conn, resp, connect_client):
    waiter = connect_client()
    waiter.send("BLPOP", "queue", "0")
    assert conn.call("CLIENT", "LIST").kind is not Kind.ERROR  # the BLPOP has reached the server
    body = "redis.call('rpush', KEYS[1], 'a'); redis.call('lpop', KEYS[1]); return redis.call('rpush', KEYS[1], 'b')"
    assert_reply(run(conn, body, "1", "queue"), integer(1))
    assert_reply(waiter.read_reply(), array(bulk("queue"), bulk("b")))


@pytest.mark.resp(3)
def test_eval_publish_to_itself_arrives_after_the_reply(conn, resp):
    conn.send("SUBSCRIBE", "script:ch")
    conn.read_reply()
    assert_reply(run(conn, "return redis.call('publish', 'script:ch', 'hi')"), integer(1))
    assert_reply(conn.read_reply(), Reply(Kind.PUSH, (bulk("message"), bulk("script:ch"), bulk("hi"))))


def test_eval_publish_reaches_other_clients(conn, resp, connect_client):
    listener = connect_client()
    listener.send("SUBSCRIBE", "script:out")
    listener.read_reply()
    assert_reply(run(conn, "return redis.call('publish', 'script:out', 'x')"), integer(1))
    kind = Kind.PUSH if resp == 3 else Kind.ARRAY
    assert_reply(listener.read_reply(), Reply(kind, (bulk("message"), bulk("script:out"), bulk("x"))))

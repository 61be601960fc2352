"""Scripting and pub/sub on the engine, without sockets: the Lua conversions and sandbox, Redis's rand48, what a
script's commands do to blocked clients, and pub/sub delivery, ordering and cleanup seen through ``deliver``."""
from __future__ import annotations

import math

import pytest

from reference_server.engine import Engine
from reference_server.replies import NO_REPLY, BigNumber, Bool, Double, Err, Map, Push, Pushes, RSet, Verbatim
from reference_server.scripting.conversions import lua_argument, lua_number_to_integer, reply_to_lua
from reference_server.scripting.random48 import Rand48
from reference_server.scripting.runner import scripting

LLONG_MIN = -(1 << 63)


def _args(args) -> list[bytes]:
    return [a if isinstance(a, bytes) else str(a).encode() for a in args]


@pytest.fixture
def engine():
    return Engine(clock=lambda: 1_700_000_000_000)


@pytest.fixture
def connect(engine):
    """Clients whose out-of-band replies (messages, unblocked replies) are collected in `client.received`."""

    def make(resp: int = 2):
        client = engine.new_client(resp=resp)
        client.received = []
        client.deliver = client.received.append
        return client

    return make


def call(engine, client, *args):
    return engine.execute(client, _args(args))


# -- conversions ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [(3.99, 3), (-3.99, -3), (2.0 ** 63, LLONG_MIN), (-(2.0 ** 63), LLONG_MIN),
                                             (math.nan, LLONG_MIN), (math.inf, LLONG_MIN), (1 << 70, LLONG_MIN),
                                             (42, 42)])
def test_lua_numbers_become_integers_as_the_c_cast_does(value, expected):
    assert lua_number_to_integer(value) == expected


@pytest.mark.parametrize("value, expected", [(b"x", b"x"), (7, b"7"), (1.5, b"1.5"), (-0.0, b"0"), (1e20, b"1e+20"),
                                             (float(1 << 62), b"4611686018427387904"), (True, None), (None, None)])
def test_redis_call_arguments(value, expected):
    assert lua_argument(value) == expected


def test_replies_to_lua_follow_the_script_protocol(engine):
    bridge = scripting(engine).bridge
    assert reply_to_lua(bridge, None, 2) is False and reply_to_lua(bridge, None, 3) is None
    assert reply_to_lua(bridge, Double(1.5), 2) == b"1.5"
    assert bridge.raw(reply_to_lua(bridge, Double(1.5), 3), b"double") == 1.5
    assert reply_to_lua(bridge, Bool(True), 2) == 1 and reply_to_lua(bridge, Bool(True), 3) is True
    assert bridge.raw(reply_to_lua(bridge, "OK", 2), b"ok") == b"OK"
    assert bridge.raw(reply_to_lua(bridge, Err("ERR x"), 2), b"err") == b"ERR x"
    flat = reply_to_lua(bridge, Map([(b"f", b"v")]), 2)
    assert [flat[1], flat[2]] == [b"f", b"v"]
    assert bridge.raw(bridge.raw(reply_to_lua(bridge, Map([(b"f", b"v")]), 3), b"map"), b"f") == b"v"
    assert bridge.raw(bridge.raw(reply_to_lua(bridge, RSet([b"a"]), 3), b"set"), b"a") is True


def test_script_return_shapes(engine, connect):
    client = connect()
    assert call(engine, client, "EVAL", "return {double=2.5}", 0) == Double(2.5)
    assert call(engine, client, "EVAL", "return {big_number='123'}", 0) == BigNumber(b"123")
    assert type(call(engine, client, "EVAL", "return {verbatim_string={format='txt', string='hi'}}", 0)) is Verbatim
    assert call(engine, client, "EVAL", "return {map={a=1}}", 0) == Map([(b"a", 1)])
    assert call(engine, client, "EVAL", "redis.setresp(3); return false", 0) == Bool(False)
    assert call(engine, client, "EVAL", "return false", 0) is None


# -- rand48 ---------------------------------------------------------------------------------------------------------
def test_rand48_starts_from_redis_seed():
    generator = Rand48()
    firsts = [math.floor(generator.next_fraction() * 1000) + 1 for _ in range(4)]
    assert firsts == [397, 841, 354, 447]  # a fresh Redis 8.2's first math.random(1000) values


def test_rand48_reseeds():
    one, two = Rand48(), Rand48()
    one.seed(42)
    two.seed(42)
    assert [one.next_int() for _ in range(3)] == [two.next_int() for _ in range(3)]


# -- the sandbox ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["python", "io", "debug", "require", "dofile"])
def test_sandbox_reaches_nothing_outside(engine, connect, name):
    reply = call(engine, connect(), "EVAL", f"return tostring({name})", 0)
    assert type(reply) is Err and f"nonexistent global variable '{name}'" in reply


@pytest.mark.parametrize("name", ["execute", "exit", "getenv", "remove"])
def test_sandbox_os_has_only_clock(engine, connect, name):
    assert call(engine, connect(), "EVAL", f"return tostring(os.{name})", 0) == b"nil"


def test_script_globals_do_not_leak_between_scripts(engine, connect):
    client = connect()
    assert type(call(engine, client, "EVAL", "leak = 1", 0)) is Err
    assert type(call(engine, client, "EVAL", "return loadstring('leak = 1')()", 0)) is Err
    assert "nonexistent global variable 'leak'" in call(engine, client, "EVAL", "return leak", 0)


def test_script_commands_use_their_own_client(engine, connect):
    client = connect()
    call(engine, client, "EVAL", "redis.call('select', 3); redis.call('set', 'k', 'v')", 0)
    assert client.db == 0
    assert engine.keyspace[3].get(b"k") is not None
    assert client.last_command == "eval"


# -- atomicity ------------------------------------------------------------------------------------------------------
def test_blocked_client_is_served_after_the_whole_script(engine, connect):
    waiter, scripter = connect(), connect()
    assert call(engine, waiter, "BLPOP", "q", 0) is NO_REPLY
    body = "redis.call('rpush', 'q', 'first'); redis.call('lpop', 'q'); redis.call('rpush', 'q', 'second')"
    call(engine, scripter, "EVAL", body, 0)
    assert waiter.received == [[b"q", b"second"]]


def test_blocking_command_inside_script_does_not_block(engine, connect):
    client = connect()
    assert call(engine, client, "EVAL", "return redis.call('blpop', 'none', 0)", 0) is None
    assert client.blocked is None


# -- pub/sub --------------------------------------------------------------------------------------------------------
def test_subscribe_replies_one_confirmation_per_channel(engine, connect):
    reply = call(engine, connect(), "SUBSCRIBE", "a", "b", "a")
    assert type(reply) is Pushes
    assert list(reply) == [Push([b"subscribe", b"a", 1]), Push([b"subscribe", b"b", 2]), Push([b"subscribe", b"a", 2])]


def test_publish_delivers_in_publish_order(engine, connect):
    listener, publisher = connect(3), connect()
    call(engine, listener, "SUBSCRIBE", "ch")
    call(engine, listener, "PSUBSCRIBE", "c*")
    for i in range(3):
        assert call(engine, publisher, "PUBLISH", "ch", i) == 2
    assert listener.received == [m for i in range(3) for m in (Push([b"message", b"ch", str(i).encode()]),
                                                                Push([b"pmessage", b"c*", b"ch", str(i).encode()]))]


def test_publish_to_itself_follows_the_reply(engine, connect):
    client = connect(3)
    call(engine, client, "SUBSCRIBE", "me")
    reply = call(engine, client, "PUBLISH", "me", "hi")
    assert list(reply) == [1, Push([b"message", b"me", b"hi"])]
    assert client.received == []


def test_subscribed_resp2_client_is_restricted(engine, connect):
    client = connect()
    call(engine, client, "SUBSCRIBE", "ch")
    assert call(engine, client, "GET", "k").startswith("ERR Can't execute 'get'")
    assert call(engine, client, "PING") == [b"pong", b""]
    client.resp = 3
    assert call(engine, client, "GET", "k") is None


def test_dropped_and_reset_clients_leave_their_channels(engine, connect):
    gone, reset, observer = connect(), connect(), connect()
    call(engine, gone, "SUBSCRIBE", "ch")
    call(engine, reset, "PSUBSCRIBE", "p*")
    engine.drop_client(gone)
    assert call(engine, reset, "RESET") == "RESET"
    assert call(engine, observer, "PUBSUB", "NUMSUB", "ch") == [b"ch", 0]
    assert call(engine, observer, "PUBSUB", "NUMPAT") == 0
    assert "pubsub" not in reset.flags
    assert engine.stats["pubsub_channels"] == 0


def test_client_list_shows_subscriptions(engine, connect):
    client, observer = connect(), connect()
    call(engine, client, "SUBSCRIBE", "a")
    call(engine, client, "SSUBSCRIBE", "s")
    listing = call(engine, observer, "CLIENT", "LIST", "ID", client.id)
    assert b" flags=P " in listing and b" sub=1 psub=0 ssub=1 " in listing

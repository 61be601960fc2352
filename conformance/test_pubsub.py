"""Pub/sub: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB — confirmations and their counts, message
shapes (arrays in RESP2, push frames in RESP3), delivery between clients and its order, the RESP2 subscribed mode,
and what RESET, QUIT and a closed connection leave behind.

The server's tables are shared by every case, so each case uses channel names of its own.
"""
from __future__ import annotations

import time

import pytest

from forkdiff.types import NULL, Kind, Reply, array, bulk, integer, simple

from .asserts import assert_error, assert_help, assert_members, assert_ok, assert_reply

CONTEXT = ("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
           "this context")
QUIET_S = 0.05
SHARDED = pytest.mark.since("7.0")  # sharded pub/sub (SSUBSCRIBE, SPUBLISH...) came with Redis 7.0


def push(resp: int, *items: Reply) -> Reply:
    """Pub/sub frames: a push in RESP3, a plain array in RESP2."""
    return Reply(Kind.PUSH if resp == 3 else Kind.ARRAY, tuple(items))


def confirmation(resp: int, word: str, channel: str | None, count: int) -> Reply:
    return push(resp, bulk(word), NULL if channel is None else bulk(channel), integer(count))


def message(resp: int, channel: str, payload: str) -> Reply:
    return push(resp, bulk("message"), bulk(channel), bulk(payload))


def pmessage(resp: int, pattern: str, channel: str, payload: str) -> Reply:
    return push(resp, bulk("pmessage"), bulk(pattern), bulk(channel), bulk(payload))


def replies(conn, count: int) -> list[Reply]:
    return [conn.read_reply() for _ in range(count)]


def assert_quiet(conn) -> None:
    """Nothing more arrives (no stray confirmation or message)."""
    extra = conn.read_reply(QUIET_S)
    assert extra.kind is Kind.TIMEOUT, f"unexpected reply: {extra}"


def subscribed(conn, resp: int, command: str, *channels: str) -> None:
    """Subscribe and check every confirmation."""
    conn.send(command, *channels)
    for reply in replies(conn, len(channels)):
        assert reply.kind is (Kind.PUSH if resp == 3 else Kind.ARRAY), reply
        assert reply.value[0] == bulk(command.lower()), reply


def numsub(conn, channel: str) -> int:
    reply = conn.call("PUBSUB", "NUMSUB", channel)
    return reply.value[1].value


def wait_numsub(conn, channel: str, expected: int, deadline_s: float = 2.0) -> int:
    """A closed connection is noticed by the server a moment later."""
    end = time.monotonic() + deadline_s
    while (count := numsub(conn, channel)) != expected and time.monotonic() < end:
        time.sleep(0.01)
    return count


# -- SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE ----------------------------------------------------------------------------
def test_subscribe_confirms_each_channel_with_the_running_count(conn, resp):
    conn.send("SUBSCRIBE", "sub:a", "sub:b", "sub:a")
    assert replies(conn, 3) == [confirmation(resp, "subscribe", "sub:a", 1),
                                confirmation(resp, "subscribe", "sub:b", 2),
                                confirmation(resp, "subscribe", "sub:a", 2)]
    assert_quiet(conn)


def test_psubscribe_counts_channels_and_patterns_together(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "psub:ch")
    conn.send("PSUBSCRIBE", "psub:*", "psub:?")
    assert replies(conn, 2) == [confirmation(resp, "psubscribe", "psub:*", 2),
                                confirmation(resp, "psubscribe", "psub:?", 3)]


@SHARDED
def test_ssubscribe_counts_shard_channels_apart(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "ssub:plain")
    subscribed(conn, resp, "PSUBSCRIBE", "ssub:*")
    conn.send("SSUBSCRIBE", "ssub:s1", "ssub:s2")
    assert replies(conn, 2) == [confirmation(resp, "ssubscribe", "ssub:s1", 1),
                                confirmation(resp, "ssubscribe", "ssub:s2", 2)]


@pytest.mark.parametrize("command", ["SUBSCRIBE", "PSUBSCRIBE", pytest.param("SSUBSCRIBE", marks=SHARDED)])
def test_subscribe_wrong_arity(conn, command):
    assert_error(conn.call(command), f"ERR wrong number of arguments for '{command.lower()}' command")


def test_subscribe_confirmation_sent_with_replies_off(conn, resp):
    conn.send("CLIENT", "REPLY", "OFF")
    conn.send("SUBSCRIBE", "off:ch")
    assert_reply(conn.read_reply(), confirmation(resp, "subscribe", "off:ch", 1))


def test_subscribe_inside_exec(conn, resp):
    assert_ok(conn.call("MULTI"))
    assert_reply(conn.call("SUBSCRIBE", "exec:a", "exec:b"), simple("QUEUED"))
    assert_reply(conn.call("PING"), simple("QUEUED"))
    # EXEC's array counts commands, not replies: the two confirmations fill it and PING's reply comes after it
    assert_reply(conn.call("EXEC"), array(confirmation(resp, "subscribe", "exec:a", 1),
                                          confirmation(resp, "subscribe", "exec:b", 2)))
    pong = array(bulk("pong"), bulk("")) if resp == 2 else simple("PONG")
    assert_reply(conn.read_reply(), pong)


# -- UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE ----------------------------------------------------------------------
@pytest.mark.parametrize("command", ["UNSUBSCRIBE", "PUNSUBSCRIBE", pytest.param("SUNSUBSCRIBE", marks=SHARDED)])
def test_unsubscribe_from_nothing_confirms_a_null_channel(conn, resp, command):
    assert_reply(conn.call(command), confirmation(resp, command.lower(), None, 0))
    assert_quiet(conn)


@pytest.mark.parametrize("command", ["UNSUBSCRIBE", "PUNSUBSCRIBE", pytest.param("SUNSUBSCRIBE", marks=SHARDED)])
def test_unsubscribe_named_channels_never_subscribed(conn, resp, command):
    conn.send(command, "uns:x", "uns:y")
    assert replies(conn, 2) == [confirmation(resp, command.lower(), "uns:x", 0),
                                confirmation(resp, command.lower(), "uns:y", 0)]


def test_unsubscribe_all_channels_keeps_patterns_in_the_count(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "unall:a", "unall:b")
    subscribed(conn, resp, "PSUBSCRIBE", "unall:*")
    conn.send("UNSUBSCRIBE")
    got = replies(conn, 2)
    assert [r.value[2] for r in got] == [integer(2), integer(1)]  # counts fall in order; channel order is Redis's
    assert sorted(r.value[1].value for r in got) == [b"unall:a", b"unall:b"]
    assert all(r.value[0] == bulk("unsubscribe") for r in got)
    assert_reply(conn.call("PUNSUBSCRIBE"), confirmation(resp, "punsubscribe", "unall:*", 0))
    assert_quiet(conn)


def test_punsubscribe_named_pattern(conn, resp):
    subscribed(conn, resp, "PSUBSCRIBE", "punn:*", "punn:?")
    assert_reply(conn.call("PUNSUBSCRIBE", "punn:?"), confirmation(resp, "punsubscribe", "punn:?", 1))


@SHARDED
def test_sunsubscribe_all_counts_only_shard_channels(conn, resp):
    subscribed(conn, resp, "SSUBSCRIBE", "sunall:1", "sunall:2")
    subscribed(conn, resp, "SUBSCRIBE", "sunall:plain")
    conn.send("SUNSUBSCRIBE")
    got = replies(conn, 2)
    assert [r.value[2] for r in got] == [integer(1), integer(0)]
    assert sorted(r.value[1].value for r in got) == [b"sunall:1", b"sunall:2"]


@SHARDED
def test_unsubscribe_kinds_are_separate(conn, resp):
    subscribed(conn, resp, "SSUBSCRIBE", "kinds:q")
    assert_reply(conn.call("UNSUBSCRIBE", "kinds:q"), confirmation(resp, "unsubscribe", "kinds:q", 0))
    assert_reply(conn.call("PUNSUBSCRIBE", "kinds:q"), confirmation(resp, "punsubscribe", "kinds:q", 0))
    assert_reply(conn.call("SUNSUBSCRIBE", "kinds:q"), confirmation(resp, "sunsubscribe", "kinds:q", 0))


def test_unsubscribe_last_channel_leaves_subscribed_mode(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "leave:ch")
    assert_reply(conn.call("UNSUBSCRIBE", "leave:ch"), confirmation(resp, "unsubscribe", "leave:ch", 0))
    assert_reply(conn.call("PING"), simple("PONG"))
    assert_reply(conn.call("SET", "k", "v"), simple("OK"))


# -- PUBLISH / SPUBLISH ---------------------------------------------------------------------------------------------
def test_publish_without_subscribers(conn):
    assert_reply(conn.call("PUBLISH", "pub:nobody", "hi"), integer(0))


def test_publish_wrong_arity(conn):
    assert_error(conn.call("PUBLISH", "x"), "ERR wrong number of arguments for 'publish' command")


def test_publish_delivers_to_every_subscriber(conn, resp, connect_client):
    first, second = connect_client(), connect_client()
    subscribed(first, resp, "SUBSCRIBE", "pub:news")
    subscribed(second, resp, "SUBSCRIBE", "pub:news")
    assert_reply(conn.call("PUBLISH", "pub:news", "hello"), integer(2))
    assert_reply(first.read_reply(), message(resp, "pub:news", "hello"))
    assert_reply(second.read_reply(), message(resp, "pub:news", "hello"))


def test_publish_frames_follow_each_subscribers_protocol(conn, connect_client):
    old, new = connect_client(2), connect_client(3)
    subscribed(old, 2, "SUBSCRIBE", "mixed:ch")
    subscribed(new, 3, "SUBSCRIBE", "mixed:ch")
    assert_reply(conn.call("PUBLISH", "mixed:ch", "m"), integer(2))
    assert_reply(old.read_reply(), message(2, "mixed:ch", "m"))
    assert_reply(new.read_reply(), message(3, "mixed:ch", "m"))


def test_publish_keeps_the_publishers_order(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SUBSCRIBE", "order:ch")
    for i in range(30):
        conn.send("PUBLISH", "order:ch", str(i))
    assert [r.value for r in replies(conn, 30)] == [1] * 30
    assert replies(listener, 30) == [message(resp, "order:ch", str(i)) for i in range(30)]


def test_publish_to_pattern_subscriber(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "PSUBSCRIBE", "pat:h[ae]llo", "pat:a\\*")
    assert_reply(conn.call("PUBLISH", "pat:hallo", "1"), integer(1))
    assert_reply(conn.call("PUBLISH", "pat:a*", "2"), integer(1))
    assert_reply(conn.call("PUBLISH", "pat:ab", "3"), integer(0))
    assert_reply(conn.call("PUBLISH", "pat:Hallo", "4"), integer(0))
    assert_reply(listener.read_reply(), pmessage(resp, "pat:h[ae]llo", "pat:hallo", "1"))
    assert_reply(listener.read_reply(), pmessage(resp, "pat:a\\*", "pat:a*", "2"))
    assert_quiet(listener)


def test_publish_channel_and_pattern_both_count(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SUBSCRIBE", "both:x")
    subscribed(listener, resp, "PSUBSCRIBE", "both:*")
    assert_reply(conn.call("PUBLISH", "both:x", "hi"), integer(2))
    assert_reply(listener.read_reply(), message(resp, "both:x", "hi"))
    assert_reply(listener.read_reply(), pmessage(resp, "both:*", "both:x", "hi"))


@SHARDED
def test_publish_does_not_reach_shard_subscribers(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SSUBSCRIBE", "shardonly:x")
    assert_reply(conn.call("PUBLISH", "shardonly:x", "1"), integer(0))
    assert_quiet(listener)


@SHARDED
def test_spublish_delivers_smessage(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SSUBSCRIBE", "spub:x")
    subscribed(listener, resp, "SUBSCRIBE", "spub:x")
    assert_reply(conn.call("SPUBLISH", "spub:x", "1"), integer(1))
    assert_reply(listener.read_reply(), push(resp, bulk("smessage"), bulk("spub:x"), bulk("1")))
    assert_quiet(listener)


@SHARDED
def test_spublish_wrong_arity(conn):
    assert_error(conn.call("SPUBLISH", "x"), "ERR wrong number of arguments for 'spublish' command")


@pytest.mark.resp(3)
def test_publish_to_itself_reply_comes_first(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "self:me")
    subscribed(conn, resp, "PSUBSCRIBE", "self:*")
    assert_reply(conn.call("PUBLISH", "self:me", "hi"), integer(2))
    assert_reply(conn.read_reply(), message(resp, "self:me", "hi"))
    assert_reply(conn.read_reply(), pmessage(resp, "self:*", "self:me", "hi"))


def test_publish_to_itself_inside_exec_follows_the_exec_reply(conn, resp):
    assert_ok(conn.call("MULTI"))
    conn.call("SUBSCRIBE", "selfexec:me")
    conn.call("PUBLISH", "selfexec:me", "m1")
    assert_reply(conn.call("EXEC"), array(confirmation(resp, "subscribe", "selfexec:me", 1), integer(1)))
    assert_reply(conn.read_reply(), message(resp, "selfexec:me", "m1"))


# -- the subscribed mode ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(), ("hi",)])
def test_ping_while_subscribed(conn, resp, args):
    subscribed(conn, resp, "SUBSCRIBE", "ping:ch")
    got = conn.call("PING", *args)
    if resp == 2:
        assert_reply(got, array(bulk("pong"), bulk(args[0] if args else "")))
    else:
        assert_reply(got, bulk(args[0]) if args else simple("PONG"))


@SHARDED
@pytest.mark.resp(2)
@pytest.mark.parametrize("command, name", [(("GET", "k"), "get"), (("CLIENT", "LIST"), "client|list"),
                                           (("MULTI",), "multi"), (("HELLO", "3"), "hello"),
                                           (("PUBLISH", "c", "m"), "publish")])
def test_subscribe_resp2_allows_only_pubsub_commands(conn, resp, command, name):
    subscribed(conn, resp, "SSUBSCRIBE", "mode:ch")  # shard subscriptions count too
    assert_error(conn.call(*command), CONTEXT % name)


@pytest.mark.resp(2)
def test_subscribe_resp2_unknown_and_arity_errors_come_first(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "mode2:ch")
    assert_error(conn.call("NOSUCHCMD"), "ERR unknown command 'NOSUCHCMD', with args beginning with: ")
    assert_error(conn.call("CLIENT", "NOSUCH"), "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")
    assert_error(conn.call("PING", "a", "b"), "ERR wrong number of arguments for 'ping' command")


@pytest.mark.resp(3)
def test_subscribe_resp3_runs_any_command(conn, resp):
    subscribed(conn, resp, "SUBSCRIBE", "any:ch")
    assert_reply(conn.call("SET", "k", "v"), simple("OK"))
    assert_reply(conn.call("GET", "k"), bulk("v"))
    assert_reply(conn.call("PUBSUB", "NUMSUB", "any:ch"), array(bulk("any:ch"), integer(1)))


@SHARDED
def test_subscribe_reset_leaves_every_subscription(conn, resp, connect_client):
    other = connect_client()
    subscribed(conn, resp, "SUBSCRIBE", "reset:ch")
    subscribed(conn, resp, "SSUBSCRIBE", "reset:sh")
    assert_reply(conn.call("RESET"), simple("RESET"))
    assert_quiet(conn)
    assert numsub(other, "reset:ch") == 0
    assert_reply(other.call("PUBSUB", "SHARDNUMSUB", "reset:sh"), array(bulk("reset:sh"), integer(0)))
    assert_reply(conn.call("GET", "k"), NULL)


def test_subscribe_quit_closes_and_forgets(conn, resp, connect_client):
    other = connect_client()
    subscribed(conn, resp, "SUBSCRIBE", "quit:ch")
    assert_ok(conn.call("QUIT"))
    assert conn.is_closed()
    assert wait_numsub(other, "quit:ch", 0) == 0


def test_subscribe_closed_connection_is_forgotten(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SUBSCRIBE", "gone:ch")
    assert numsub(conn, "gone:ch") == 1
    listener.close()
    assert wait_numsub(conn, "gone:ch", 0) == 0
    assert_reply(conn.call("PUBLISH", "gone:ch", "x"), integer(0))


@SHARDED
def test_subscribe_shows_in_client_list(conn, resp, connect_client):
    listener = connect_client()
    listener_id = listener.call("CLIENT", "ID").value
    subscribed(listener, resp, "SUBSCRIBE", "list:a", "list:b")
    subscribed(listener, resp, "PSUBSCRIBE", "list:*")
    subscribed(listener, resp, "SSUBSCRIBE", "list:s")
    text = conn.call("CLIENT", "LIST", "ID", str(listener_id))
    line = text.value[1] if resp == 3 else text.value
    fields = dict(f.split("=", 1) for f in line.decode().split())
    assert (fields["flags"], fields["sub"], fields["psub"], fields["ssub"]) == ("P", "2", "1", "1")
    assert_reply(conn.call("CLIENT", "KILL", "TYPE", "pubsub"), integer(1))


# -- PUBSUB ---------------------------------------------------------------------------------------------------------
def test_pubsub_channels_lists_active_channels(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SUBSCRIBE", "chan:a", "chan:b", "other:c")
    subscribed(listener, resp, "PSUBSCRIBE", "chan:*")  # patterns are not channels
    assert_members(conn.call("PUBSUB", "CHANNELS", "chan:*"), [bulk("chan:a"), bulk("chan:b")], Kind.ARRAY)
    assert_reply(conn.call("PUBSUB", "CHANNELS", "chan:??"), array())
    all_channels = conn.call("PUBSUB", "CHANNELS").value
    assert {bulk("chan:a"), bulk("chan:b"), bulk("other:c")} <= set(all_channels)


def test_pubsub_channels_too_many_arguments(conn):
    assert_error(conn.call("PUBSUB", "channels", "a", "b"),
                 "ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.")


@SHARDED
def test_pubsub_shardchannels(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SSUBSCRIBE", "shch:a", "shch:b")
    subscribed(listener, resp, "SUBSCRIBE", "shch:plain")
    assert_members(conn.call("PUBSUB", "SHARDCHANNELS", "shch:*"), [bulk("shch:a"), bulk("shch:b")], Kind.ARRAY)
    assert_error(conn.call("PUBSUB", "SHARDCHANNELS", "a", "b"),
                 "ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB HELP.")


def test_pubsub_numsub(conn, resp, connect_client):
    first, second = connect_client(), connect_client()
    subscribed(first, resp, "SUBSCRIBE", "nsub:a", "nsub:b")
    subscribed(second, resp, "SUBSCRIBE", "nsub:a")
    subscribed(second, resp, "PSUBSCRIBE", "nsub:*")  # patterns are not counted
    assert_reply(conn.call("PUBSUB", "NUMSUB", "nsub:a", "nsub:b", "nsub:none"),
                 array(bulk("nsub:a"), integer(2), bulk("nsub:b"), integer(1), bulk("nsub:none"), integer(0)))
    assert_reply(conn.call("PUBSUB", "NUMSUB"), array())


@SHARDED
def test_pubsub_shardnumsub(conn, resp, connect_client):
    listener = connect_client()
    subscribed(listener, resp, "SSUBSCRIBE", "snum:a")
    subscribed(listener, resp, "SUBSCRIBE", "snum:b")
    assert_reply(conn.call("PUBSUB", "SHARDNUMSUB", "snum:a", "snum:b"),
                 array(bulk("snum:a"), integer(1), bulk("snum:b"), integer(0)))
    assert_reply(conn.call("PUBSUB", "SHARDNUMSUB"), array())


def test_pubsub_numpat_counts_distinct_patterns(conn, resp, connect_client):
    before = conn.call("PUBSUB", "NUMPAT").value
    first, second = connect_client(), connect_client()
    subscribed(first, resp, "PSUBSCRIBE", "npat:*", "npat:?")
    subscribed(second, resp, "PSUBSCRIBE", "npat:*")
    assert_reply(conn.call("PUBSUB", "NUMPAT"), integer(before + 2))
    assert_reply(first.call("PUNSUBSCRIBE", "npat:?"), confirmation(resp, "punsubscribe", "npat:?", 1))
    assert_reply(conn.call("PUBSUB", "NUMPAT"), integer(before + 1))


def test_pubsub_numpat_wrong_arity(conn):
    assert_error(conn.call("PUBSUB", "NUMPAT", "x"), "ERR wrong number of arguments for 'pubsub|numpat' command")


def test_pubsub_help(conn):
    got = conn.call("PUBSUB", "HELP")
    assert_help(got, "PUBSUB", 14)
    assert simple("    pattern subscriptions(default: no channels).") in got.value


def test_pubsub_unknown_subcommand(conn):
    assert_error(conn.call("PUBSUB", "FOO"), "ERR unknown subcommand 'FOO'. Try PUBSUB HELP.")
    assert_error(conn.call("PUBSUB"), "ERR wrong number of arguments for 'pubsub' command")

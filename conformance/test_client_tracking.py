"""Client-side caching: the invalidation messages of CLIENT TRACKING, byte for byte.

Each case runs in both protocols: in RESP3 the tracking client receives `>2 invalidate <keys>` pushes itself; in
RESP2 it redirects them (REDIRECT <id>) to a client subscribed to `__redis__:invalidate`, which receives them as
pub/sub messages. Default mode (keys read are remembered, told once when they change, then forgotten), OPTIN/OPTOUT,
NOLOOP, MULTI/EXEC and scripts, expiry, FLUSHDB/FLUSHALL (a null), BCAST prefixes (one sorted message per prefix
and round), a redirect client that went away, the table limit and INFO's counters. The settings themselves
(TRACKINGINFO, GETREDIR, CACHING errors) are in test_client.py.

`conn` is the other client, the one that changes keys; its FLUSHALL at the start empties the tracking table.
"""
from __future__ import annotations

import time

import pytest

from forkdiff.client import Connection
from forkdiff.resp import encode_command
from forkdiff.types import Kind, Reply, bulk, integer, simple

from .asserts import assert_null, assert_ok, assert_reply
from .helpers import wait_blocked

PUSH_HEAD = b">2\r\n$10\r\ninvalidate\r\n"
MESSAGE_HEAD = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
WAIT_S = 3.0  # an invalidation that must arrive
QUIET_S = 0.05  # nothing arrives: a late arrival would still be caught by the next expectation


def keys_body(*keys: str) -> bytes:
    return b"*%d\r\n" % len(keys) + b"".join(b"$%d\r\n%s\r\n" % (len(k), k.encode()) for k in keys)


def show(reply: Reply) -> str:
    return f"{reply} raw={reply.raw!r}"


class Tracker:
    """A client with tracking on, speaking `resp`, and the connection its invalidations reach: itself in RESP3,
    in RESP2 a client subscribed to __redis__:invalidate that it redirects to."""

    def __init__(self, connect_client, resp: int, *options: str) -> None:
        self.resp = resp
        self.conn: Connection = connect_client(resp)
        self.redirect: tuple = ()  # the options that keep the redirect when tracking is turned on again
        if resp == 3:
            self.inbox, self.head = self.conn, PUSH_HEAD
        else:
            self.inbox, self.head = connect_client(2), MESSAGE_HEAD
            self.redirect = ("REDIRECT", self.inbox.call("CLIENT", "ID").value)
            assert self.inbox.call("SUBSCRIBE", "__redis__:invalidate").kind is Kind.ARRAY
        self.on(*options)

    def on(self, *options: str) -> None:
        assert_ok(self.conn.call("CLIENT", "TRACKING", "on", *self.redirect, *options))

    def call(self, *args) -> Reply:
        return self.conn.call(*args)

    def expect(self, *keys: str) -> None:
        """One invalidation naming exactly these keys, in this order."""
        self.expect_raw(self.head + keys_body(*keys))

    def expect_flush(self) -> None:
        self.expect_raw(self.head + NULL[self.resp])

    def expect_raw(self, raw: bytes) -> None:
        got = self.inbox.read_reply(WAIT_S)
        assert got.raw == raw, f"expected {raw!r}, got {show(got)}"

    def quiet(self) -> None:
        got = self.inbox.read_reply(QUIET_S)
        assert got.kind is Kind.TIMEOUT, f"unexpected: {show(got)}"


@pytest.fixture
def tracker(connect_client, resp):
    """tracker(*options): a new tracking client in the case's protocol."""
    return lambda *options: Tracker(connect_client, resp, *options)


def wait_gone(conn, key: str, limit_s: float = 3.0) -> None:
    """Poll until the key no longer exists (it expired); EXISTS itself deletes it once its time has passed."""
    deadline = time.monotonic() + limit_s
    while conn.call("EXISTS", key).value:
        assert time.monotonic() < deadline, f"{key} never expired"
        time.sleep(0.01)


def info_field(conn, section: str, name: str) -> int:
    reply = conn.call("INFO", section).value
    text = reply[1] if isinstance(reply, tuple) else reply
    for line in text.decode().split("\r\n"):
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"INFO {section} has no {name}")


def wait_info(conn, section: str, expected: dict[str, int], limit_s: float = 3.0) -> None:
    """INFO shows these values (a client closed by an earlier case may take a moment to leave)."""
    deadline = time.monotonic() + limit_s
    while (got := {n: info_field(conn, section, n) for n in expected}) != expected:
        assert time.monotonic() < deadline, f"INFO {section}: expected {expected}, got {got}"
        time.sleep(0.01)


# -- default mode ---------------------------------------------------------------------------------------------------
@pytest.mark.command("client|tracking")
def test_tracking_read_key_is_invalidated_once(conn, tracker):
    t = tracker()
    assert_null(t.call("GET", "k"), t.resp)  # a missing key is remembered too
    assert_ok(conn.call("SET", "k", "1"))
    t.expect("k")
    assert_ok(conn.call("SET", "k", "2"))  # forgotten until read again
    t.quiet()
    assert_reply(t.call("GET", "k"), bulk("2"))
    assert_reply(conn.call("APPEND", "k", "x"), integer(2))
    t.expect("k")


@pytest.mark.command("client|tracking")
def test_tracking_each_key_has_its_own_message(conn, tracker):
    t = tracker()
    t.call("MGET", "a", "b", "c")
    assert_ok(conn.call("MSET", "b", "1", "a", "2"))
    t.expect("b")
    t.expect("a")
    assert_reply(conn.call("DEL", "c", "nothing"), integer(0))  # nothing changed: nothing sent
    t.quiet()


@pytest.mark.command("client|tracking")
def test_tracking_only_read_only_commands_remember(conn, tracker):
    t = tracker()
    assert_ok(t.call("SET", "written", "1"))
    conn.call("RPUSH", "list", "x")
    assert t.call("GET", "list").error_code == "WRONGTYPE"  # a read that fails still read the key
    t.call("EXISTS", "e")
    t.call("DBSIZE")
    assert_ok(conn.call("MSET", "written", "2", "list", "3", "e", "4"))
    t.expect("list")
    t.expect("e")
    t.quiet()


@pytest.mark.command("client|tracking")
def test_tracking_keys_are_names_not_per_database(conn, tracker):
    t = tracker()
    t.call("GET", "k")
    assert_ok(conn.call("SELECT", "9"))
    assert_ok(conn.call("SET", "k", "other database"))
    t.expect("k")
    conn.call("FLUSHDB", "ASYNC")
    t.expect_flush()


@pytest.mark.command("client|tracking")
def test_tracking_swapdb_sends_nothing(conn, tracker):
    t = tracker()
    assert_ok(conn.call("SET", "k", "1"))
    t.call("GET", "k")
    assert_ok(conn.call("SWAPDB", "0", "1"))
    t.quiet()
    assert_ok(conn.call("SWAPDB", "0", "1"))
    assert_ok(conn.call("SET", "k", "2"))  # still remembered
    t.expect("k")


@pytest.mark.command("client|tracking")
def test_tracking_own_write_comes_after_its_reply(tracker):
    t = tracker()
    t.call("GET", "k")
    assert_ok(t.call("SET", "k", "1"))  # in RESP3 the push follows the +OK on the same connection
    t.expect("k")
    t.call("GET", "k")
    t.call("GET", "k2")
    assert_ok(t.call("MULTI"))
    t.call("SET", "k", "2")
    t.call("SET", "k2", "2")
    assert_reply(t.call("EXEC"), Reply(Kind.ARRAY, (simple("OK"), simple("OK"))))
    t.expect("k")
    t.expect("k2")


@pytest.mark.resp(3)
@pytest.mark.command("client|tracking")
def test_tracking_own_invalidation_between_pipelined_replies(connect_client):
    t = Tracker(connect_client, 3)
    t.call("GET", "k")
    t.conn.send_raw(encode_command([b"SET", b"k", b"1"]) + encode_command([b"GET", b"other"]))
    assert_ok(t.conn.read_reply())
    t.expect("k")
    assert_null(t.conn.read_reply(), 3)


@pytest.mark.resp(3)
@pytest.mark.command("client|tracking")
def test_tracking_push_is_sent_with_replies_off(connect_client):
    t = Tracker(connect_client, 3)
    t.call("GET", "k")
    t.conn.send("CLIENT", "REPLY", "OFF")
    t.conn.send("SET", "k", "1")
    t.expect("k")
    assert_ok(t.call("CLIENT", "REPLY", "ON"))


@pytest.mark.command("client|tracking")
def test_tracking_reads_inside_multi_and_scripts(conn, tracker):
    t = tracker()
    assert_ok(t.call("MULTI"))
    t.call("GET", "in-multi")
    t.call("EXEC")
    t.call("EVAL", "return redis.call('get', KEYS[1])", "1", "declared")
    t.call("EVAL", "return redis.call('get', 'undeclared')", "0")  # the key the command read, declared or not
    t.call("EVAL", "return 1", "1", "not-read")
    assert_ok(conn.call("MSET", "in-multi", "1", "declared", "1", "undeclared", "1", "not-read", "1"))
    for key in ("in-multi", "declared", "undeclared"):
        t.expect(key)
    t.quiet()


@pytest.mark.since("7.0")
@pytest.mark.command("eval_ro")
def test_tracking_eval_ro_remembers_what_its_script_reads(conn, tracker):
    t = tracker()
    t.call("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "read-only")
    t.call("EVAL_RO", "return 1", "1", "not-read")  # EVAL_RO's own keys are not remembered
    assert_ok(conn.call("MSET", "read-only", "1", "not-read", "1"))
    t.expect("read-only")
    t.quiet()


@pytest.mark.command("client|tracking")
def test_tracking_script_write_comes_after_its_reply(tracker):
    t = tracker()
    reply = t.call("EVAL", "redis.call('get', KEYS[1]) redis.call('set', KEYS[1], 'v') return 7", "1", "k")
    assert_reply(reply, integer(7))
    t.expect("k")


@pytest.mark.command("client|tracking")
def test_tracking_noloop_skips_own_changes(conn, tracker):
    t = tracker("NOLOOP")
    t.call("GET", "k")
    assert_ok(t.call("SET", "k", "1"))
    assert_ok(conn.call("SET", "k", "2"))  # the own change was not sent, but the key is forgotten all the same
    t.quiet()
    t.call("GET", "k")
    t.call("EVAL", "redis.call('set', KEYS[1], 'v') return 1", "1", "k")  # a script of its own: still its own
    t.quiet()
    t.call("GET", "k")
    assert_ok(conn.call("SET", "k", "3"))
    t.expect("k")


@pytest.mark.command("client|tracking")
def test_tracking_optin_caching_yes_covers_the_next_command(conn, tracker):
    t = tracker("OPTIN")
    assert_ok(t.call("CLIENT", "CACHING", "yes"))
    t.call("GET", "a")
    t.call("GET", "b")  # not asked for
    assert_ok(t.call("CLIENT", "CACHING", "yes"))
    t.call("CLIENT", "ID")  # another CLIENT subcommand leaves the flag for the command after it
    t.call("GET", "c")
    assert_ok(t.call("CLIENT", "CACHING", "yes"))
    t.call("PING")
    t.call("GET", "d")
    assert_ok(conn.call("MSET", "a", "1", "b", "1", "c", "1", "d", "1"))
    t.expect("a")
    t.expect("c")
    t.quiet()


@pytest.mark.command("client|tracking")
def test_tracking_optin_caching_covers_a_transaction(conn, tracker):
    t = tracker("OPTIN")
    assert_ok(t.call("CLIENT", "CACHING", "yes"))
    assert_ok(t.call("MULTI"))
    t.call("GET", "m1")
    t.call("GET", "m2")
    t.call("EXEC")
    t.call("GET", "m3")
    assert_ok(t.call("MULTI"))
    t.call("GET", "n1")
    t.call("CLIENT", "CACHING", "yes")  # queued: from here on in this EXEC
    t.call("GET", "n2")
    t.call("EXEC")
    assert_ok(conn.call("MSET", "m1", "1", "m2", "1", "m3", "1", "n1", "1", "n2", "1"))
    t.expect("m1")
    t.expect("m2")
    t.expect("n2")
    t.quiet()


@pytest.mark.command("client|tracking")
def test_tracking_optout_caching_no_skips_the_next_command(conn, tracker):
    t = tracker("OPTOUT")
    assert_ok(t.call("CLIENT", "CACHING", "no"))
    t.call("GET", "p1")
    t.call("GET", "p2")
    assert_ok(conn.call("MSET", "p1", "1", "p2", "1"))
    t.expect("p2")
    t.quiet()


@pytest.mark.command("client|tracking")
def test_tracking_expired_key_is_invalidated(conn, tracker):
    t = tracker()
    assert_ok(conn.call("SET", "k", "v", "PX", "150"))
    assert_reply(t.call("GET", "k"), bulk("v"))
    wait_gone(conn, "k")
    t.expect("k")


@pytest.mark.command("client|tracking")
def test_tracking_off_stops_messages_but_entries_stay(conn, tracker):
    t = tracker()
    t.call("GET", "k")
    assert_ok(t.call("CLIENT", "TRACKING", "off"))
    assert_ok(conn.call("SET", "k", "1"))
    t.quiet()
    t.on()
    t.call("GET", "k2")
    assert_ok(t.call("CLIENT", "TRACKING", "off"))
    t.on()
    assert_ok(conn.call("SET", "k2", "1"))  # read before OFF: Redis drops a client's entries lazily
    t.expect("k2")


@pytest.mark.command("client|tracking")
def test_tracking_entries_from_before_bcast_are_ignored(conn, tracker):
    t = tracker()
    t.call("GET", "e")
    assert_ok(t.call("CLIENT", "TRACKING", "off"))
    t.on("BCAST", "PREFIX", "zz")
    assert_ok(conn.call("SET", "e", "1"))
    assert_ok(conn.call("SET", "zz1", "1"))
    t.expect("zz1")


@pytest.mark.resp(2)
@pytest.mark.command("client|tracking")
def test_tracking_resp2_without_redirect_sends_nothing(conn, connect_client):
    t = connect_client(2)
    assert_ok(t.call("CLIENT", "TRACKING", "on"))
    t.call("GET", "k")
    assert_ok(conn.call("SET", "k", "1"))
    assert_reply(t.call("PING"), simple("PONG"))


@pytest.mark.resp(2)
@pytest.mark.command("client|tracking")
def test_tracking_redirect_to_a_client_not_subscribed_sends_nothing(conn, connect_client):
    t, target = connect_client(2), connect_client(2)
    assert_ok(t.call("CLIENT", "TRACKING", "on", "REDIRECT", target.call("CLIENT", "ID").value))
    t.call("GET", "k")
    assert_ok(conn.call("SET", "k", "1"))
    assert_reply(target.call("PING"), simple("PONG"))


@pytest.mark.resp(2)
@pytest.mark.command("client|tracking")
def test_tracking_redirect_to_a_resp3_client_is_a_push(conn, connect_client):
    t, target = connect_client(2), connect_client(3)
    assert_ok(t.call("CLIENT", "TRACKING", "on", "REDIRECT", target.call("CLIENT", "ID").value))
    t.call("GET", "k")
    assert_ok(conn.call("SET", "k", "1"))
    assert target.read_reply(WAIT_S).raw == PUSH_HEAD + keys_body("k")


@pytest.mark.resp(3)
@pytest.mark.command("client|tracking")
def test_tracking_broken_redirect(conn, connect_client):
    gone = connect_client(3)
    gone_id = gone.call("CLIENT", "ID").value
    t = connect_client(3)
    assert_ok(t.call("CLIENT", "TRACKING", "on", "REDIRECT", gone_id))
    t.call("GET", "k")
    t.call("GET", "k2")
    gone.close()
    deadline = time.monotonic() + 3
    while (listed := conn.call("CLIENT", "LIST", "ID", gone_id)).value not in (b"", ("txt", b"")):
        assert time.monotonic() < deadline, show(listed)
        time.sleep(0.01)
    assert_ok(conn.call("MSET", "k", "1", "k2", "1"))
    broken = b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n" % gone_id
    for _ in range(2):  # once for every invalidation it could not send
        got = t.read_reply(WAIT_S)
        assert got.raw == broken, show(got)
    flags = dict(t.call("CLIENT", "TRACKINGINFO").value)[bulk("flags")]
    assert flags == Reply(Kind.SET, (bulk("on"), bulk("broken_redirect"))), show(flags)
    line = t.call("CLIENT", "INFO").value[1].decode()
    fields = dict(field.split("=", 1) for field in line.split())  # by name: redir is the last field on Redis 6.2
    assert (fields["flags"], fields["redir"]) == ("tR", str(gone_id)), line


# -- FLUSHDB / FLUSHALL ---------------------------------------------------------------------------------------------
@pytest.mark.command("client|tracking")
def test_tracking_flush_sends_null_and_forgets_everything(conn, tracker):
    t = tracker()
    t.call("GET", "k")
    assert_ok(conn.call("SELECT", "9"))
    assert_ok(conn.call("FLUSHDB"))  # even an empty database, even another one
    t.expect_flush()
    assert_ok(conn.call("SELECT", "0"))
    assert_ok(conn.call("SET", "k", "1"))
    t.quiet()
    assert_ok(conn.call("FLUSHALL"))  # one null for all databases
    t.expect_flush()
    t.quiet()


@pytest.mark.resp(3)
@pytest.mark.command("client|tracking")
def test_tracking_own_flush_order(connect_client):
    t = Tracker(connect_client, 3)
    flushed = PUSH_HEAD + NULL[3]
    t.conn.send("FLUSHALL")  # a synchronous flush answers when its background job is done: after the push
    assert t.conn.read_reply().raw == flushed
    assert_ok(t.conn.read_reply())
    assert_ok(t.call("FLUSHDB", "ASYNC"))
    t.expect_flush()
    assert_ok(t.call("MULTI"))
    t.call("FLUSHDB")
    assert_reply(t.call("EXEC"), Reply(Kind.ARRAY, (simple("OK"),)))
    t.expect_flush()
    assert_reply(t.call("EVAL", "redis.call('flushdb') return 1", "0"), integer(1))
    t.expect_flush()


@pytest.mark.resp(3)
@pytest.mark.command("client|tracking")
def test_tracking_flush_null_is_in_the_tracking_clients_protocol(conn, connect_client):
    resp3_target, resp2_subscriber = connect_client(3), connect_client(2)
    subscriber_id = resp2_subscriber.call("CLIENT", "ID").value
    resp2_subscriber.call("SUBSCRIBE", "__redis__:invalidate")
    from_resp2, from_resp3 = connect_client(2), connect_client(3)
    assert_ok(from_resp2.call("CLIENT", "TRACKING", "on", "REDIRECT", resp3_target.call("CLIENT", "ID").value))
    assert_ok(from_resp3.call("CLIENT", "TRACKING", "on", "REDIRECT", subscriber_id))
    assert_ok(conn.call("FLUSHDB", "ASYNC"))
    assert resp3_target.read_reply(WAIT_S).raw == PUSH_HEAD + b"$-1\r\n"
    assert resp2_subscriber.read_reply(WAIT_S).raw == MESSAGE_HEAD + b"_\r\n"


# -- BCAST ----------------------------------------------------------------------------------------------------------
@pytest.mark.command("client|tracking")
def test_bcast_prefix(conn, tracker):
    t = tracker("BCAST", "PREFIX", "user:")
    assert_ok(conn.call("SET", "other", "1"))
    assert_ok(conn.call("SET", "user:2", "1"))  # no read needed
    t.expect("user:2")
    assert_ok(t.call("SET", "user:1", "1"))  # its own change, after the reply
    t.expect("user:1")
    t.quiet()


@pytest.mark.command("client|tracking")
def test_bcast_without_prefix_follows_every_key(conn, tracker):
    t = tracker("BCAST")
    assert_ok(conn.call("SET", "any", "1"))
    t.expect("any")


@pytest.mark.command("client|tracking")
def test_bcast_one_sorted_message_per_prefix_and_round(conn, tracker):
    t = tracker("BCAST", "PREFIX", "b:", "PREFIX", "a:")
    assert_ok(conn.call("MULTI"))
    for key in ("b:2", "a:1", "b:1", "b:2"):
        conn.call("SET", key, "1")
    conn.call("EXEC")
    t.expect("a:1")
    t.expect("b:1", "b:2")
    assert_ok(conn.call("MSET", "a:z", "1", "a:y", "1"))
    t.expect("a:y", "a:z")


@pytest.mark.command("client|tracking")
def test_bcast_pipelined_commands_share_one_message(conn, tracker):
    t = tracker("BCAST", "PREFIX", "p:")
    conn.send_raw(encode_command([b"SET", b"p:q", b"1"]) + encode_command([b"SET", b"p:p", b"1"]))
    assert_ok(conn.read_reply())
    assert_ok(conn.read_reply())
    t.expect("p:p", "p:q")


@pytest.mark.command("client|tracking")
def test_bcast_noloop(conn, tracker):
    t = tracker("BCAST", "NOLOOP", "PREFIX", "nl:")
    assert_ok(t.call("SET", "nl:1", "1"))
    assert_ok(t.call("MULTI"))
    t.call("SET", "nl:2", "1")
    t.call("EXEC")
    t.quiet()
    t.call("EVAL", "redis.call('set', KEYS[1], '1') return 1", "1", "nl:3")  # a script changes it, not the client
    t.expect("nl:3")
    assert_ok(conn.call("SET", "nl:4", "1"))
    t.expect("nl:4")


@pytest.mark.command("client|tracking")
def test_bcast_noloop_hears_its_own_keys_expire(conn, tracker):
    t = tracker("BCAST", "NOLOOP", "PREFIX", "ex:")
    assert_ok(t.call("SET", "ex:1", "v", "PX", "100"))
    t.quiet()
    wait_gone(conn, "ex:1")
    t.expect("ex:1")


@pytest.mark.command("client|tracking")
def test_bcast_clients_with_overlapping_prefixes(conn, tracker):
    short, long_ = tracker("BCAST", "PREFIX", "a"), tracker("BCAST", "PREFIX", "a:")
    assert_ok(conn.call("SET", "a:5", "1"))
    short.expect("a:5")
    long_.expect("a:5")


@pytest.mark.command("client|tracking")
def test_bcast_prefix_added_to_everything_sends_twice(conn, tracker):
    t = tracker("BCAST", "PREFIX", "a")
    t.on("BCAST")  # adds the empty prefix beside "a"
    assert_ok(conn.call("SET", "a1", "1"))
    t.expect("a1")
    t.expect("a1")


@pytest.mark.command("client|tracking")
def test_bcast_flush(conn, tracker):
    t = tracker("BCAST", "PREFIX", "f")
    assert_ok(conn.call("FLUSHDB", "ASYNC"))
    t.expect_flush()


# -- blocked clients --------------------------------------------------------------------------------------------------
@pytest.mark.command("client|tracking")
def test_tracking_served_blocked_client_hears_after_its_reply(conn, tracker):
    t = tracker()
    t.call("GET", "dst")
    t.conn.send("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
    wait_blocked(conn, 1)
    assert_reply(conn.call("LPUSH", "src", "x"), integer(1))
    assert_reply(t.conn.read_reply(WAIT_S), bulk("x"))
    t.expect("dst")


@pytest.mark.command("client|tracking")
def test_tracking_client_whose_push_serves_a_blocked_client_hears_after_its_reply(conn, tracker, connect_client):
    t, blocked = tracker(), connect_client()
    t.call("GET", "dst")
    blocked.send("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
    wait_blocked(conn, 1)
    assert_reply(t.call("LPUSH", "src", "x"), integer(1))  # in RESP3 the reply first, then the push
    t.expect("dst")
    assert_reply(blocked.read_reply(WAIT_S), bulk("x"))


@pytest.mark.command("client|tracking")
def test_tracking_served_xread_reads_its_keys_again(conn, tracker):
    t = tracker()
    t.conn.send("XREAD", "BLOCK", "0", "STREAMS", "st", "$")
    wait_blocked(conn, 1)
    assert_reply(conn.call("XADD", "st", "1-1", "f", "v"), bulk("1-1"))
    t.expect("st")  # the read before it blocked
    assert t.conn.read_reply(WAIT_S).kind in (Kind.ARRAY, Kind.MAP)
    assert_reply(conn.call("XADD", "st", "2-1", "f", "v"), bulk("2-1"))
    t.expect("st")  # the read that answered


# -- limits and INFO ------------------------------------------------------------------------------------------------
@pytest.mark.command("client|tracking")
def test_tracking_table_max_keys_invalidates_to_fit(conn, tracker, config):
    config("tracking-table-max-keys", "1")
    t = tracker()
    t.call("MGET", "t1", "t2", "t3")
    told = set()
    for _ in range(2):
        got = t.inbox.read_reply(WAIT_S)
        key = got.raw.removeprefix(t.head)
        assert key in {keys_body(k) for k in ("t1", "t2", "t3")}, show(got)
        told.add(key)
    assert len(told) == 2
    t.quiet()
    wait_info(conn, "stats", {"tracking_total_keys": 1, "tracking_total_items": 1})


@pytest.mark.command("client|tracking")
def test_tracking_info_counters(conn, tracker):
    wait_info(conn, "everything", {"tracking_clients": 0, "tracking_total_keys": 0, "tracking_total_items": 0,
                                   "tracking_total_prefixes": 0})
    reader, other = tracker(), tracker()
    reader.call("MGET", "a", "b", "c")
    other.call("GET", "a")
    bcast = tracker("BCAST", "PREFIX", "p1", "PREFIX", "p2")
    wait_info(conn, "everything", {"tracking_clients": 3, "tracking_total_keys": 3, "tracking_total_items": 4,
                                   "tracking_total_prefixes": 2})
    assert_ok(conn.call("SET", "a", "1"))
    reader.expect("a")
    other.expect("a")
    assert_reply(bcast.call("RESET"), simple("RESET"))  # RESET turns tracking off, prefixes and all
    assert_ok(reader.call("CLIENT", "TRACKING", "off"))  # its entries stay until their keys change
    wait_info(conn, "everything", {"tracking_clients": 1, "tracking_total_keys": 2, "tracking_total_items": 2,
                                   "tracking_total_prefixes": 0})

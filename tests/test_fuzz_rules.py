"""Comparison rules for what the clock and randomness decide, on replies from live servers where they can be had."""
from __future__ import annotations

import time

import pytest

from adapters import TargetUnavailable
from forkdiff.spec import load_spec
from forkdiff.types import Command, array, bulks, integer, simple
from fuzz.classify import classify
from fuzz.programs import Program
from fuzz.run import Runner, Trace
from fuzz.targets import start_targets, stop_targets

SPEC = load_spec()
C = Command.of


@pytest.fixture(scope="module")
def servers():
    try:
        targets = start_targets(["redis@8.2", "reference"])
    except TargetUnavailable as exc:
        pytest.skip(f"servers not installed: {exc}")
    yield targets
    stop_targets(targets)


def _findings(program, expected, got):
    traces = {"redis@8.2": Trace("redis@8.2", tuple(expected)), "t": Trace("t", tuple(got))}
    return classify(program, traces, ["redis@8.2"], SPEC)


HASH_EXPIRY = (C("HSET", "h", "f", "v"), C("HEXPIRE", "h", "100", "FIELDS", "1", "f"))


def test_a_gt_condition_the_millisecond_clock_decides_is_not_a_divergence():
    program = Program(HASH_EXPIRY + (C("HEXPIRE", "h", "100", "GT", "FIELDS", "1", "f"),))
    head = [integer(1), array(integer(1))]
    assert _findings(program, head + [array(integer(0))], head + [array(integer(1))]) == []
    key_level = Program((C("SET", "k", "v", "EX", "10"), C("PEXPIRE", "k", "9950", "LT")))
    assert _findings(key_level, [simple("OK"), integer(1)], [simple("OK"), integer(0)]) == []


@pytest.mark.parametrize("third,expected,got", [
    (C("HEXPIRE", "h", "50", "GT", "FIELDS", "1", "f"), 0, 1),  # 50 s is never later than 100 s from just now
    (C("HEXPIRE", "h", "100", "GT", "FIELDS", "1", "f"), 0, 2),  # only a 0/1 flip is the clock's doing
    (C("HEXPIRE", "h", "100", "NX", "FIELDS", "1", "f"), 0, 1),  # NX does not look at the time
])
def test_outside_the_tie_a_condition_flip_is_still_a_divergence(third, expected, got):
    head = [integer(1), array(integer(1))]
    [found] = _findings(Program(HASH_EXPIRY + (third,)), head + [array(integer(expected))],
                        head + [array(integer(got))])
    assert found.mismatch.step == 2 and found.mismatch.cls == "value"


def test_random_pops_inside_a_transaction_do_not_blame_what_reads_the_set_after_them(servers):
    program = Program((C("SADD", "k", *"abcdefghijklmnop"), C("MULTI"), C("SPOP", "k", "2"), C("SMEMBERS", "k"),
                       C("INCR", "n"), C("EXEC"), C("SMEMBERS", "k"), C("SADD", "k", "zz")))
    runner = Runner(servers, spec=SPEC)
    for _ in range(20):  # until the two servers popped different members
        traces = runner.run(program)
        if traces["redis@8.2"].replies[5] != traces["reference"].replies[5]:
            break
    assert traces["redis@8.2"].replies[5] != traces["reference"].replies[5]
    assert classify(program, traces, ["redis@8.2"], SPEC) == []
    wrong_count = list(traces["reference"].replies)
    wrong_count[5] = array(*wrong_count[5].value[:2], integer(99))  # another key: still compared
    [found] = classify(program, {**traces, "reference": Trace("reference", tuple(wrong_count))}, ["redis@8.2"], SPEC)
    assert found.command == "incr"


STREAM = Program((C("XADD", "s", "1-1", "f", "v"), C("XGROUP", "CREATE", "s", "g", "0"),
                  C("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"),
                  C("XINFO", "STREAM", "s", "FULL")))


@pytest.mark.parametrize("resp", [2, 3])
def test_consumer_seen_and_active_times_are_compared_as_clocks(servers, resp):
    program = Program(STREAM.steps, resp)
    runner = Runner({"redis@8.2": servers["redis@8.2"]}, spec=SPEC)
    first = runner.run(program)["redis@8.2"]
    time.sleep(0.02)
    later = runner.run(program)["redis@8.2"]
    assert first.replies[3] != later.replies[3]  # the times moved on by the sleep
    assert _findings(program, first.replies, later.replies) == []
    other_consumer = later.replies[3].raw.replace(b"alice", b"bobby")
    changed = list(later.replies[:3]) + [_reparsed(other_consumer)]
    [found] = _findings(program, first.replies, changed)
    assert found.command == "xinfo|stream"


def _reparsed(raw: bytes):
    from forkdiff.resp import ReplyParser
    parser = ReplyParser()
    parser.feed(raw)
    return parser.get()


BIG_MIXED = C("ZADD", "z", *[x for i in range(140) for x in (i % 7, f"m{i:03d}")])


def test_a_lex_range_on_a_skiplist_with_mixed_scores_is_not_compared():
    program = Program((BIG_MIXED, C("ZRANGEBYLEX", "z", "[m050", "+"), C("ZREMRANGEBYLEX", "z", "(m1", "+"),
                       C("ZCARD", "z"), C("ZCARD", "other")))
    expected = [integer(140), array(), integer(3), integer(137), integer(0)]
    got = [integer(140), bulks("m099"), integer(9), integer(131), integer(0)]
    assert _findings(program, expected, got) == []  # rule skiplist_lex_walk; the removal leaves z incomparable
    inside = Program((BIG_MIXED, C("MULTI"), C("ZLEXCOUNT", "z", "-", "(m1"), C("EXEC")))
    head = [integer(140), simple("OK"), simple("QUEUED")]
    assert _findings(inside, head + [array(integer(3))], head + [array(integer(5))]) == []


def test_a_lex_range_on_a_small_set_is_still_compared():
    program = Program((C("ZADD", "z", 1, "b", 2, "a"), C("ZRANGEBYLEX", "z", "[a", "+")))
    [found] = _findings(program, [integer(2), array()], [integer(2), bulks("b", "a")])
    assert found.command == "zrangebylex"

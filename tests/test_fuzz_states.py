"""The key states programs can start from are what they say they are, on live Redis 8.2."""
from __future__ import annotations

import pytest

from adapters import TargetUnavailable, make_target
from forkdiff.spec import load_spec
from forkdiff.types import Command
from fuzz.programs import Program
from fuzz.run import Runner
from fuzz.states import STATES

SPEC = load_spec()
ENCODINGS = {"mixed scores, listpack": ("z1", b"listpack"), "mixed scores, skiplist": ("z2", b"skiplist"),
             "long list (quicklist)": ("l2", b"quicklist"), "hashtable encoding": ("h2", b"hashtable"),
             "intset": ("s1", b"intset"), "listpack and hashtable": ("s1", b"hashtable"),
             "fields with TTLs": ("h1", b"listpackex")}


@pytest.fixture(scope="module")
def redis():
    target = make_target("redis@8.2")
    try:
        target.start()
    except TargetUnavailable as exc:
        pytest.skip(f"redis@8.2 not installed: {exc}")
    yield Runner({"redis@8.2": target}, spec=SPEC)
    target.stop()


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.name)
def test_a_state_is_built_without_an_error_and_in_its_encoding(redis, state):
    key, encoding = ENCODINGS.get(state.name, (None, None))
    probe = (Command.of("OBJECT", "ENCODING", key),) if key else ()
    [trace] = redis.run(Program(state.steps + probe)).values()
    assert not [r for r in trace.replies if r.is_error], trace.replies
    if key:
        assert trace.replies[-1].value == encoding

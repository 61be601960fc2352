"""`forkdiff serve` started with redis-server's options answers as redis-server started with the same options.

Each scenario starts both servers fresh with the same arguments (Redis 8.2.3 from its package, the reference in a
runtime), runs the same command lines on both and compares the replies; what Redis itself leaves open (addresses,
clocks) is compared by shape only.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from adapters.base import TargetUnavailable
from adapters.binary import BinaryTarget
from adapters.catalogue import BINARIES
from forkdiff.client import connect

RUNTIMES = ["reactor", "io-threads", "sharded", "locked", "tasks"]
_OBJECT_LINE = re.compile(r"Value at:0x[0-9a-f]+ refcount:1 encoding:(\S+) serializedlength:(\d+) lru:\d+ "
                          r"lru_seconds_idle:\d+")


class Serve:
    """`forkdiff serve` in a child process on a free port."""

    def __init__(self, args: list[str], runtime: str = "reactor") -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "forkdiff", "serve", *args, "--runtime", runtime,
                                      "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(5):
            found = re.match(r"port (\d+)", self.proc.stdout.readline())
            if found:
                self.address = ("127.0.0.1", int(found.group(1)))
                return
        self.stop()
        raise AssertionError(f"serve printed no port: {self.proc.stderr.read()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class _RedisWithConfigFile(BinaryTarget):
    """redis-server with its config file as the first argument, where redis-server reads it."""

    def command_line(self, port: int, workdir: str) -> list[str]:
        line = super().command_line(port, workdir)
        return [line[0], self.extra_args[0], *line[1:-len(self.extra_args)], *self.extra_args[1:]]


def _redis(args: list[str]) -> BinaryTarget:
    path = BINARIES["redis@8.2"].find()
    if path is None:
        pytest.skip("redis@8.2 is not installed here")
    kind = _RedisWithConfigFile if args and not args[0].startswith("--") else BinaryTarget
    target = kind("redis@8.2", str(path), extra_args=args)
    try:
        target.start()
    except TargetUnavailable as exc:
        pytest.skip(f"redis@8.2 did not start: {exc}")
    return target


@pytest.fixture
def both(request):
    """Start redis@8.2 and the reference with the same options; yields a function that runs lines on both."""
    started = []

    def start(args: list[str], runtime: str = "reactor"):
        redis, ref = _redis(args), Serve(args, runtime)
        started.extend([redis, ref])
        return redis.address, ref.address

    yield start
    for server in started:
        server.stop()


def _replies(address, lines, resp: int = 2) -> list:
    with connect(address, resp=resp) as conn:
        return [_shape(conn.call(*line)) for line in lines]


def _shape(reply):
    """The reply, with what Redis leaves open reduced to its form."""
    value = reply.value
    if isinstance(value, str) and value.startswith("Value at:"):
        found = _OBJECT_LINE.fullmatch(value)
        return (reply.kind, found.groups() if found else value)
    return (reply.kind, value)


def _same(start, args, lines, runtime="reactor", resp=2):
    redis, ref = start(args, runtime)
    expected, got = _replies(redis, lines, resp), _replies(ref, lines, resp)
    for line, want, have in zip(lines, expected, got):
        assert have == want, f"{' '.join(line)}: redis {want!r}, reference {have!r}"


AUTH_LINES = [("GET", "k"), ("DEBUG", "SLEEP", "0"), ("AUTH", "wrong"), ("AUTH", "default", "wrong"),
              ("HELLO", "3", "AUTH", "default", "wrong"), ("SET", "k", "v"), ("AUTH", "s3cret"), ("SET", "k", "v"),
              ("GET", "k"), ("AUTH", "wrong"), ("GET", "k")]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_requirepass_at_startup(both, runtime):
    _same(both, ["--requirepass", "s3cret"], AUTH_LINES, runtime)


DEBUG_LINES = [("SET", "s", "hello"), ("SET", "n", "12"), ("RPUSH", "l", "a", "b", "c"), ("HSET", "h", "f", "v"),
               ("DEBUG", "ERROR", "LOADING Redis is loading the dataset in memory"),
               ("DEBUG", "ERROR", "READONLY You can't write against a read only replica."), ("DEBUG", "SLEEP", "0"),
               ("DEBUG", "SLEEP", "0.01"), ("DEBUG", "SET-ACTIVE-EXPIRE", "0"), ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
               ("DEBUG", "OBJECT", "s"), ("DEBUG", "OBJECT", "n"), ("DEBUG", "OBJECT", "l"), ("DEBUG", "OBJECT", "h"),
               ("DEBUG", "OBJECT", "missing"), ("DEBUG", "RELOAD"), ("GET", "s"), ("LRANGE", "l", "0", "-1"),
               ("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"), ("DEBUG", "RELOAD", "bogus"), ("DEBUG", "JMAP"),
               ("DEBUG", "SLEEP"), ("DEBUG", "NOSUCH", "x"), ("DEBUG", "PROTOCOL", "array"),
               ("DEBUG", "PROTOCOL", "map"), ("DEBUG", "PROTOCOL", "bogus"), ("DEBUG", "PROTOCOL", "push"),
               ("DEBUG", "DIGEST-VALUE", "missing"), ("DEBUG", "CHANGE-REPL-ID"), ("DEBUG", "SDSLEN", "l"),
               ("DEBUG", "LISTPACK", "s"), ("DEBUG", "QUICKLIST", "l"), ("DEBUG", "POPULATE", "-1"),
               ("DEBUG", "POPULATE", "3", "p"), ("GET", "p:2"), ("DEBUG", "POPULATE", "2", "q", "10"),
               ("GET", "q:1"), ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "abc"), ("DEBUG", "PAUSE-CRON", "0"),
               ("DEBUG", "REPLYBUFFER", "RESIZING", "1"), ("DBSIZE",)]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_debug_enabled_at_startup(both, runtime):
    _same(both, ["--enable-debug-command", "yes"], DEBUG_LINES, runtime)


def test_debug_local_allows_loopback_and_no_refuses(both):
    _same(both, ["--enable-debug-command", "local"], [("DEBUG", "SLEEP", "0"), ("DEBUG", "ERROR", "X y")])
    _same(both, [], [("DEBUG", "SLEEP", "0"), ("DEBUG", "HELP"), ("CONFIG", "GET", "enable-debug-command"),
                     ("CONFIG", "SET", "enable-debug-command", "yes")])


def test_digest_follows_the_dataset(both):
    redis, ref = both(["--enable-debug-command", "yes"])
    for address in (redis, ref):
        with connect(address) as conn:
            assert conn.call("DEBUG", "DIGEST").value == "0" * 40
            conn.call("SET", "a", "1")
            first = conn.call("DEBUG", "DIGEST").value
            conn.call("DEBUG", "RELOAD")
            assert conn.call("DEBUG", "DIGEST").value == first != "0" * 40
            conn.call("SET", "a", "2")
            assert conn.call("DEBUG", "DIGEST").value != first


OOM_LINES = [("SET", "a", "1"), ("CONFIG", "GET", "maxmemory"), ("CONFIG", "SET", "maxmemory", "1"),
             ("SET", "b", "2"), ("GET", "a"), ("LPUSH", "l", "x"), ("INCR", "a"), ("DEL", "a"), ("MULTI",),
             ("SET", "c", "3"), ("EXEC",), ("MULTI",), ("GET", "a"), ("EXEC",), ("CONFIG", "SET", "maxmemory", "0"),
             ("SET", "b", "2")]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_maxmemory_at_startup_and_oom(both, runtime):
    _same(both, ["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"], OOM_LINES, runtime)


def test_used_memory_and_maxmemory_in_info(both):
    redis, ref = both(["--maxmemory", "1mb"])
    for address in (redis, ref):
        with connect(address) as conn:
            text = conn.call("INFO", "memory").value
            text = text.decode() if isinstance(text, bytes) else text
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            assert fields["maxmemory"] == "1048576" and fields["maxmemory_human"] == "1.00M"
            assert 0 < int(fields["used_memory"]) < 1048576


def test_allkeys_policy_evicts_instead_of_refusing(both):
    redis, ref = both(["--maxmemory-policy", "allkeys-random"])
    for address in (redis, ref):
        with connect(address) as conn:
            for i in range(50):
                conn.call("SET", f"k{i}", "x" * 1000)
            conn.call("CONFIG", "SET", "maxmemory", "1")
            # every key goes, and still the limit is not met: the write is refused
            assert conn.call("SET", "new", "v").value == "OOM command not allowed when used memory > 'maxmemory'."
            assert conn.call("DBSIZE").value == 0
            stats = conn.call("INFO", "stats").value
            assert b"evicted_keys:50\r\n" in (stats if isinstance(stats, bytes) else stats.encode())


REPLICA_LINES = [("ROLE",), ("SET", "k", "v"), ("GET", "k"), ("INCR", "n"), ("REPLICAOF", "127.0.0.1", "1"),
                 ("REPLICAOF", "NO", "ONE"), ("SET", "k", "v"), ("ROLE",)]


def test_replicaof_at_startup(both):
    _same(both, ["--replicaof", "127.0.0.1", "1"], REPLICA_LINES)


def test_config_file_and_options_after_it(both, tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text('# a comment\n\nrequirepass "pa ss"\nmaxmemory 2mb\nhz 20\n'
                    'notify-keyspace-events "KEA"\nmaxmemory-policy allkeys-lru\n')
    lines = [("AUTH", "pa ss"), ("CONFIG", "GET", "maxmemory"), ("CONFIG", "GET", "hz"),
             ("CONFIG", "GET", "notify-keyspace-events"), ("CONFIG", "GET", "maxmemory-policy")]
    _same(both, [str(conf), "--hz", "15"], lines)


@pytest.mark.parametrize("args", [["--hz"], ["--maxmemory", "abc"], ["--maxmemory", "1", "2"],
                                  ["--enable-debug-command", "maybe"], ["--nosuchdirective"],
                                  ["--requirepass", "--x", "--save", "--hz"]])
def test_bad_options_are_redis_fatal_errors(args):
    path = BINARIES["redis@8.2"].find()
    if path is None:
        pytest.skip("redis@8.2 is not installed here")
    with tempfile.TemporaryDirectory() as scratch:
        redis = subprocess.run([str(path), *args], capture_output=True, text=True, timeout=30, cwd=scratch)
    ref = subprocess.run([sys.executable, "-m", "forkdiff", "serve", *args], capture_output=True, text=True,
                         timeout=60)
    assert ref.returncode == redis.returncode == 1
    assert ref.stderr.strip() == redis.stderr.strip()


def test_bad_config_file_line_is_numbered_as_redis_numbers_it(tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("# first\nport 7000\nmaxmemory lots\n")
    ref = subprocess.run([sys.executable, "-m", "forkdiff", "serve", str(conf)], capture_output=True, text=True,
                         timeout=60)
    assert ref.returncode == 1
    assert "at line 3\n>>> 'maxmemory lots'\nargument must be a memory value" in ref.stderr
    assert Path(conf).exists()

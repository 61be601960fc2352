"""Adapters against real servers: spawned binaries, an existing endpoint, and a container built here from scratch."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from adapters import TargetUnavailable, make_target
from adapters.binary import BinaryTarget
from adapters.catalogue import BINARIES, IMAGES, describe
from adapters.container import ContainerTarget, Flavour, docker_engine, image_present
from adapters.endpoint import EndpointTarget
from forkdiff import cli
from forkdiff.client import connect
from forkdiff.types import Kind

TEST_IMAGE = "forkdiff-test/redis:8.2.3"


def _binary_path(spec: str) -> Path:
    path = BINARIES[spec].find()
    if path is None:
        pytest.skip(f"{spec} is not installed here ({BINARIES[spec].source})")
    return path


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait_until(condition, deadline_s: float = 5.0) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def redis_binary():
    _binary_path("redis@8.2")
    target = make_target("redis@8.2")
    target.start()
    yield target
    target.stop()


# -- binaries ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", list(BINARIES))
def test_binary_reports_product_and_version_and_stops_cleanly(spec):
    _binary_path(spec)
    target = make_target(spec)
    target.start()
    pid = target.pid
    try:
        assert (target.capabilities.product, target.capabilities.version) == \
               (BINARIES[spec].product, BINARIES[spec].version)
        assert not _process_gone(pid)
    finally:
        target.stop()
    assert _process_gone(pid)
    assert not target.is_alive()


def test_binary_crash_is_detected_and_restart_recovers(redis_binary):
    first_pid = redis_binary.pid
    os.kill(first_pid, signal.SIGKILL)
    assert _wait_until(lambda: not redis_binary.is_alive())
    redis_binary.restart()
    assert redis_binary.is_alive() and redis_binary.pid != first_pid
    with connect(redis_binary.address) as c:
        assert c.call("PING").value == "PONG"


def test_binary_that_cannot_start_reports_its_log():
    target = BinaryTarget("redis@8.2", str(_binary_path("redis@8.2")), extra_args=["--no-such-directive", "1"])
    with pytest.raises(TargetUnavailable, match="exited before it was ready"):
        target.start()
    assert not target.is_alive()


# -- endpoint ------------------------------------------------------------------------------------------------------

def test_endpoint_probes_a_running_server_and_never_stops_it(redis_binary):
    host, port = redis_binary.address
    endpoint = make_target(f"tcp://{host}:{port}")
    assert isinstance(endpoint, EndpointTarget) and endpoint.may_flush is False
    endpoint.start()
    assert (endpoint.capabilities.product, endpoint.capabilities.version) == ("redis", "8.2.3")
    endpoint.stop()
    assert redis_binary.is_alive() and endpoint.is_alive()
    assert make_target(f"tcp://{host}:{port}?flush=1").may_flush is True


def test_endpoint_with_password():
    target = BinaryTarget("redis@8.2", str(_binary_path("redis@8.2")), extra_args=["--requirepass", "s3cret"])
    target.start()
    try:
        port = target.address[1]
        endpoint = make_target(f"tcp://s3cret@127.0.0.1:{port}")
        endpoint.start()
        assert endpoint.capabilities.product == "redis"
        with pytest.raises(TargetUnavailable, match=r"\*\*\*@.*AUTH failed"):
            make_target(f"tcp://wrong@127.0.0.1:{port}").start()
    finally:
        target.stop()


def test_endpoint_with_nothing_listening():
    with pytest.raises(TargetUnavailable, match="nothing answers PING"):
        make_target("tcp://127.0.0.1:1").start()


@pytest.mark.parametrize("spec, reason", [
    ("no-such-server", "unknown target spec"),
    ("redis@5.0", "unknown target spec"),
    ("tcp://127.0.0.1", "HOST and PORT are both needed"),
    ("tcp://127.0.0.1:99999", "out of range"),
    ("tcp://127.0.0.1:6379?flush=yes", "flush must be 0 or 1"),
    ("tcp://127.0.0.1:6379?db=2", "unknown option"),
    ("tcp://user:pw@127.0.0.1:6379", "only a password"),
    ("docker:", "expected docker:IMAGE"),
])
def test_bad_specs_are_refused_with_a_reason(spec, reason):
    with pytest.raises(TargetUnavailable, match=reason):
        make_target(spec)


# -- catalogue and CLI -----------------------------------------------------------------------------------------------

def test_describe_lists_every_seed_server_with_its_availability():
    infos = describe()
    assert {"redis", "valkey", "dragonfly", "keydb", "garnet"} <= {i.product for i in infos}
    assert {"reference", *BINARIES, *IMAGES} == {i.spec for i in infos}
    for info in infos:
        assert info.started_as and (info.available or info.problem)


def test_targets_command_prints_the_table(capsys):
    assert cli.main(["targets"]) == 0
    out = capsys.readouterr().out
    for spec in ["reference", *BINARIES, *IMAGES]:
        assert spec in out
    assert "docker:IMAGE[:TAG]" in out


def test_no_docker_engine_is_a_one_line_reason(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(TargetUnavailable, match="no Docker engine is reachable") as info:
        make_target("dragonfly").start()
    assert "\n" not in str(info.value)


# -- containers ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docker_client():
    try:
        client = docker_engine()
    except TargetUnavailable as exc:
        pytest.skip(f"container tests need a Docker engine: {exc}")
    yield client
    client.close()


def _shared_libraries(binary: Path) -> list[Path]:
    """The loader and libraries `ldd` says the binary needs (absolute paths, as the binary will look them up)."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    paths = [word for line in out.splitlines() for word in line.split() if word.startswith("/")]
    return [Path(p) for p in paths]


def _build_context(binary: Path, directory: Path) -> None:
    """A FROM-scratch image: nothing to pull, just the server and what it links against."""
    shutil.copy2(binary, directory / "redis-server")
    for lib in _shared_libraries(binary):
        target = directory / lib.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(lib, target)  # follows symlinks and keeps the mode: the loader must stay executable
    (directory / "data").mkdir()
    (directory / "Dockerfile").write_text(
        "FROM scratch\nCOPY . /\nWORKDIR /data\nENTRYPOINT [\"/redis-server\"]\n")


@pytest.fixture(scope="module")
def redis_image(docker_client):
    binary = _binary_path("redis@8.2")
    with tempfile.TemporaryDirectory(prefix="forkdiff-image-") as context:
        _build_context(binary, Path(context))
        docker_client.images.build(path=context, tag=TEST_IMAGE, pull=False, rm=True, forcerm=True)
    yield TEST_IMAGE
    docker_client.images.remove(TEST_IMAGE, force=True)


def _container_gone(client, container_id: str) -> bool:
    return not client.containers.list(all=True, filters={"id": container_id})


def test_container_runs_probes_and_is_removed(docker_client, redis_image):
    target = make_target(f"docker:{redis_image}")
    assert isinstance(target, ContainerTarget)
    target.start()
    container_id = target.container_id
    try:
        assert (target.capabilities.product, target.capabilities.version) == ("redis", "8.2.3")
        with connect(target.address) as c:
            assert c.call("PING").value == "PONG"
            assert [r.value for r in c.call("CONFIG", "GET", "save").value] == [b"save", b""]
        bindings = docker_client.containers.get(container_id).attrs["NetworkSettings"]["Ports"]["6379/tcp"]
        assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}
    finally:
        target.stop()
    assert _container_gone(docker_client, container_id)
    assert not target.is_alive()


def test_container_crash_is_detected_and_restart_recovers(docker_client, redis_image):
    target = make_target(f"docker:{redis_image}")
    target.start()
    first_id = target.container_id
    try:
        docker_client.containers.get(first_id).kill()
        assert _wait_until(lambda: not target.is_alive())
        target.restart()
        with connect(target.address) as c:
            assert c.call("PING").kind is Kind.SIMPLE
    finally:
        second_id = target.container_id
        target.stop()
    assert _container_gone(docker_client, first_id) and _container_gone(docker_client, second_id)


def test_container_that_cannot_start_reports_its_log_and_is_removed(docker_client, redis_image):
    target = ContainerTarget("broken", redis_image, Flavour("redis", ("--no-such-directive", "1")), ready_timeout=10)
    with pytest.raises(TargetUnavailable, match="(?s)exited before it was ready.*no-such-directive"):
        target.start()
    assert not docker_client.containers.list(all=True, filters={"label": "org.forkdiff.spec=broken"})


def test_container_with_unlimited_memlock_starts(docker_client, redis_image):
    """Dragonfly and Garnet ask for an unlimited memlock; an engine that refuses it gets a start without it."""
    redis_flavour = make_target(f"docker:{redis_image}").flavour
    target = ContainerTarget("memlock", redis_image, Flavour("redis", redis_flavour.args, unlimited_memlock=True))
    with target:
        ulimits = docker_client.containers.get(target.container_id).attrs["HostConfig"]["Ulimits"] or []
        expected = {("memlock", -1, -1)} if target.unlimited_memlock else set()
        assert {(u["Name"], u["Soft"], u["Hard"]) for u in ulimits} == expected
        assert target.capabilities.version == "8.2.3"
    assert not docker_client.containers.list(all=True, filters={"label": "org.forkdiff.spec=memlock"})


def test_named_image_not_present_locally_is_unavailable(docker_client):
    if image_present(docker_client, IMAGES["garnet"].image):
        pytest.skip("the pinned garnet image is present locally")
    with pytest.raises(TargetUnavailable, match=r"image ghcr\.io/microsoft/garnet:\S+ is not present locally"):
        make_target("garnet").start()
    assert not docker_client.containers.list(all=True, filters={"label": "org.forkdiff.spec=garnet"})


def test_any_absent_image_is_unavailable_without_a_pull(docker_client):
    with pytest.raises(TargetUnavailable, match="forkdiff-test/absent:0 is not present locally"):
        make_target("docker:forkdiff-test/absent:0").start()
    assert not image_present(docker_client, "forkdiff-test/absent:0")

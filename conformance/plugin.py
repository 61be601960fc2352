"""pytest plugin: run the conformance cases against any target, in RESP2 and/or RESP3.

    pytest conformance --target reference --target redis@8.2 [--resp 2|3] [--report-only valkey@9.1]
                       [--results-json rows.jsonl]

Each case gets a fresh raw connection (`conn`, typed replies) on a flushed keyspace. Targets are started once per
session and stopped at its end, on failure and on Ctrl-C. Failures on a `--report-only` target are recorded as
divergences (reported as xfail) instead of failing the run.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from adapters import TargetUnavailable, make_target
from adapters.base import version_tuple
from forkdiff.client import Connection, connect, wait_ready
from forkdiff.spec import load_spec

from .asserts import ErrorTextMismatch

DEFAULT_TARGETS = ["reference"]
MAX_STEPS = 8  # commands kept with a failing row: the last ones, up to the reply that differed


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("forkdiff", "forkdiff conformance")
    group.addoption("--target", action="append", default=[], metavar="SPEC",
                    help="target to run the conformance cases on (repeatable; default: reference)")
    group.addoption("--resp", action="append", default=[], choices=["2", "3"],
                    help="protocol version(s) to run (repeatable; default: both)")
    group.addoption("--report-only", action="append", default=[], metavar="SPEC",
                    help="record failures on this target as divergences instead of failing")
    group.addoption("--results-json", default=None, metavar="PATH",
                    help="append one JSON row per case and target (target, version, command, case, outcome)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "since(version): needs Redis at least this version (compared as versions)")
    config.addinivalue_line("markers", "capability(name): needs a target capability (e.g. resp3)")
    config.addinivalue_line("markers", "command(name): the command a case is about")
    config.addinivalue_line("markers", "resp(n): run the case only in this protocol version")
    config.addinivalue_line("markers", "timing(reason): the outcome depends on timing; run, but left out of scores")
    config._forkdiff = _Session(config)  # type: ignore[attr-defined]


class _Session:
    def __init__(self, config: pytest.Config) -> None:
        report_only = config.getoption("--report-only")
        self.specs: list[str] = list(dict.fromkeys(config.getoption("--target") + report_only)) or DEFAULT_TARGETS
        self.report_only = set(report_only)
        self.resps = [int(r) for r in dict.fromkeys(config.getoption("--resp"))] or [2, 3]
        self.targets: dict[str, Any] = {}
        self.failures: dict[str, str] = {}
        self.suspect: set[str] = set()  # targets whose last case failed: checked before the next case
        path = config.getoption("--results-json")
        self.rows = open(path, "a", buffering=1) if path else None

    def target(self, spec: str) -> Any:
        if spec in self.failures:
            pytest.fail(f"target {spec} is not available: {self.failures[spec]}", pytrace=False)
        if spec not in self.targets:
            try:
                t = make_target(spec)
                t.start()
            except TargetUnavailable as exc:
                self.failures[spec] = str(exc)
                pytest.fail(f"target {spec} is not available: {exc}", pytrace=False)
            self.targets[spec] = t
        t = self.targets[spec]
        # A crash in an earlier case must not sink every later one; a server busy writing its crash report is
        # still alive but no longer answers, so after a failure the target must also answer PING.
        if not t.is_alive() or (spec in self.suspect and not _answers(t)):
            t.restart()
        self.suspect.discard(spec)
        return t

    def close(self) -> None:
        for t in self.targets.values():
            t.stop()
        self.targets.clear()
        if self.rows:
            self.rows.close()


def _answers(t: Any) -> bool:
    try:
        wait_ready(t.address, 2.0, t.is_alive)
    except (TimeoutError, RuntimeError, OSError):
        return False
    return True


def pytest_unconfigure(config: pytest.Config) -> None:
    session = getattr(config, "_forkdiff", None)
    if session is not None:
        session.close()


def _uses_target(metafunc: pytest.Metafunc) -> bool:
    return any(f in metafunc.fixturenames for f in ("conn", "target", "connect_client"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if not _uses_target(metafunc):
        return
    session: _Session = metafunc.config._forkdiff  # type: ignore[attr-defined]
    only = metafunc.definition.get_closest_marker("resp")
    resps = [r for r in session.resps if only is None or r in only.args]
    params = [pytest.param(spec, r, id=f"{spec}-resp{r}") for spec in session.specs for r in resps]
    metafunc.parametrize(("target_spec", "resp"), params, scope="function")


@pytest.fixture
def target(request: pytest.FixtureRequest, target_spec: str) -> Any:
    session: _Session = request.config._forkdiff  # type: ignore[attr-defined]
    t = session.target(target_spec)
    _check_markers(request.node, t)
    return t


def _check_markers(item: pytest.Item, t: Any) -> None:
    caps = t.capabilities
    for m in item.iter_markers("since"):
        # `since` skips only on older Redis: on other products a missing Redis feature is a divergence to record.
        if caps.product in ("redis",) and caps.version_tuple < version_tuple(m.args[0]):
            pytest.skip(f"needs Redis >= {m.args[0]} (target has {caps.version})")
    for m in item.iter_markers("capability"):
        if m.args[0] == "resp3" and not caps.resp3:
            pytest.skip("target has no RESP3")


CALLS = pytest.StashKey[list]()  # the case's commands and reply bytes, written with a failing row as its repro


@pytest.fixture
def connect_client(request: pytest.FixtureRequest, target: Any, resp: int):
    """A factory of extra raw connections (for multi-client cases), all closed after the case."""
    opened: list[Connection] = []

    def factory(protocol: int | None = None) -> Connection:
        c = connect(target.address, resp=protocol or resp, password=getattr(target, "password", None))
        c.log = request.node.stash.setdefault(CALLS, [])
        opened.append(c)
        return c

    yield factory
    for c in opened:
        c.close()


@pytest.fixture
def conn(target: Any, resp: int, connect_client) -> Connection:
    """A fresh raw connection on a flushed keyspace, speaking the case's protocol version."""
    c = connect_client()
    c.resp = resp  # type: ignore[attr-defined]
    if target.may_flush:
        c.call("FLUSHALL")
    return c


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colours: stored messages are plain text
_TEST_NAME = re.compile(r"^test_([a-z0-9_]+)")


def command_of(item: pytest.Item) -> str:
    """The command a case is about: its `command` marker, else the longest command name its test name starts with."""
    marker = item.get_closest_marker("command")
    if marker:
        return marker.args[0].lower()
    m = _TEST_NAME.match(getattr(item, "originalname", item.name))
    if not m:
        return ""
    tokens = m.group(1).split("_")
    spec = load_spec()
    for k in range(len(tokens), 0, -1):
        if k >= 2 and f"{tokens[0]}|{''.join(tokens[1:k])}" in spec:
            return f"{tokens[0]}|{''.join(tokens[1:k])}"
        name = "".join(tokens[:k])
        if name in spec:
            return name
    return ""


def _case_params(item: pytest.Item) -> str:
    """The case's own parameters (not target/protocol), so one case has one name across targets."""
    callspec = getattr(item, "callspec")
    if set(callspec.params) <= {"target_spec", "resp"}:
        return ""
    own = callspec.id.replace(f"{callspec.params['target_spec']}-resp{callspec.params['resp']}", "").strip("-")
    return f"[{own.replace('--', '-')}]"


def group_of(item: pytest.Item) -> str:
    cmd = command_of(item)
    spec = load_spec().get(cmd) if cmd else None
    if spec is not None:
        return spec.group or load_spec()[spec.container].group
    return Path(str(item.fspath)).stem.removeprefix("test_")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    if callspec is None or "target_spec" not in callspec.params:
        return
    session: _Session = item.config._forkdiff  # type: ignore[attr-defined]
    spec = callspec.params["target_spec"]
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        result = report.outcome
        if result == "failed":
            session.suspect.add(spec)
        if result == "failed" and spec in session.report_only and report.when == "call":
            report.outcome = "skipped"
            report.wasxfail = f"divergence on {spec} (report-only)"
            result = "divergent"
        if session.rows:
            kind = ""
            if call.excinfo is not None and result in ("failed", "divergent"):
                kind = "error-text" if call.excinfo.errisinstance(ErrorTextMismatch) else "semantic"
            _write_row(session, item, spec, callspec.params["resp"], result, report, kind, call)


def _outcome_message(report: Any, call: pytest.CallInfo) -> str:
    """What went wrong, in a line or two: the assertion text of a failure, the reason of a skip."""
    if call.excinfo is not None:
        return ANSI.sub("", call.excinfo.exconly())[:800]
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return str(report.longrepr or "")[-600:]


def _write_row(session: _Session, item: pytest.Item, spec: str, resp: int, result: str, report: Any,
               kind: str, call: pytest.CallInfo) -> None:
    t = session.targets.get(spec)
    caps = getattr(t, "capabilities", None)
    message = _outcome_message(report, call) if result != "passed" else ""
    row = {
        "target": spec, "product": caps.product if caps else "", "version": caps.version if caps else "",
        "resp": resp, "group": group_of(item), "command": command_of(item),
        "case": item.name.split("[")[0] + _case_params(item), "outcome": result, "class": kind,
        "message": message,
        "time": round(time.time(), 3),
    }
    if result in ("failed", "divergent"):
        row["steps"] = item.stash.get(CALLS, [])[-MAX_STEPS:]
    if item.get_closest_marker("timing"):
        row["timing"] = item.get_closest_marker("timing").args[0]
    session.rows.write(json.dumps(row, default=str) + "\n")  # never let an odd value stop the run

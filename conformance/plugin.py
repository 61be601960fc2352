"""pytest plugin: run the conformance cases against any target, in RESP2 and/or RESP3.

    pytest conformance --target reference --target redis@8.2 [--resp 2|3] [--report-only valkey@9.1]
                       [--results-json rows.jsonl]

Each case gets a fresh raw connection (`conn`, typed replies) on a flushed keyspace. Targets are started once per
session and stopped at its end, on failure and on Ctrl-C. Failures on a `--report-only` target are recorded as
divergences (reported as xfail) instead of failing the run.
"""
from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

from adapters import TargetUnavailable, make_target
from adapters.base import version_tuple
from forkdiff.client import Connection, connect
from forkdiff.spec import load_spec
from forkdiff.types import Kind

from .asserts import ErrorTextMismatch
from .isolation import Baseline, empty_keyspace, refuse_unless_empty, restore, take_baseline

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
    group.addoption("--order", default="normal", metavar="normal|reverse|shuffle[:SEED]",
                    help="the order cases run in; each case's outcome must not depend on it")


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
        self.baselines: dict[str, Baseline] = {}
        self.failures: dict[str, str] = {}  # targets that could not be started: why
        self.dead: dict[str, str] = {}  # endpoints that stopped answering: why, and after which case
        self.reported: set[str] = set()  # targets whose unavailability was already shown once
        self.terminal = config.pluginmanager.get_plugin("terminalreporter")
        path = config.getoption("--results-json")
        self.rows = open(path, "a", buffering=1) if path else None

    def target(self, spec: str) -> Any:
        if spec in self.failures or spec in self.dead:
            self._not_available(spec)
        if spec not in self.targets:
            try:
                self._start(spec)
            except TargetUnavailable as exc:
                self.failures[spec] = str(exc)
                self._not_available(spec)
        return self.targets[spec]

    def _start(self, spec: str) -> None:
        t = make_target(spec)
        t.start()
        self.targets[spec] = t
        if not t.may_flush:
            refuse_unless_empty(t)
        try:
            self.baselines[spec] = take_baseline(t.address, getattr(t, "password", None))
        except OSError as exc:
            raise TargetUnavailable(f"{spec}: started, but its state could not be read ({exc})") from None

    def _not_available(self, spec: str) -> None:
        """The first case of a target that cannot run fails with the reason; the others are skipped, pointing
        at it, so a dead target gives one error instead of one per case."""
        reason = self.failures.get(spec) or self.dead[spec]
        if spec in self.reported:
            pytest.skip(f"target {spec} is not available (the reason is shown once, above)")
        self.reported.add(spec)
        self.say(f"target {spec} is not available: {reason}")
        pytest.fail(f"target {spec} is not available: {reason}", pytrace=False)

    def after_case(self, spec: str, case: str, still_running: str | None = None) -> str | None:
        """Put the target back as it started; why it had to be restarted (or given up) when the case broke it.
        A command of the case that never answered may still be running (a thread spinning on it while other
        threads answer the check), so a target it may still occupy is restarted."""
        t = self.targets.get(spec)
        if t is None or spec in self.dead:
            return None
        if still_running is not None and getattr(t, "restartable", True) and t.is_alive():
            broke = f"still running `{still_running}` (no reply within its timeout)"
        elif not t.is_alive():
            tail = t.log_tail(5).strip().splitlines()
            broke = "crashed" + (f" (its log ends: {tail[-1][:200]})" if tail else "")
        else:
            restored = restore(t.address, self.baselines[spec], getattr(t, "password", None))
            if not t.may_flush and restored.broken is None:
                empty_keyspace(t.address, getattr(t, "password", None))
            broke = restored.broken
            if broke is None and restored.reset is not None and getattr(t, "restartable", True):
                self._restart(spec, t, case, restored.reset)
                return None
        if broke is None:
            return None
        if not getattr(t, "restartable", True):
            self.dead[spec] = f"stopped answering after {case}: {broke}; the rest of its cases are not run"
            self.say(f"target {spec} {self.dead[spec]}")
            return broke
        self._restart(spec, t, case, broke)
        return broke

    def _restart(self, spec: str, t: Any, case: str, why: str) -> None:
        try:
            t.restart()
            self.baselines[spec] = take_baseline(t.address, getattr(t, "password", None))
        except (TargetUnavailable, OSError) as exc:
            self.failures[spec] = f"could not be restarted after {case} left it {why}: {exc}"

    def say(self, text: str) -> None:
        if self.terminal is not None:
            self.terminal.write_line(text, red=True)

    def close(self) -> None:
        for t in self.targets.values():
            t.stop()
        self.targets.clear()
        if self.rows:
            self.rows.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    order = config.getoption("--order")
    if order == "normal":
        return
    if order == "reverse":
        items.reverse()
    elif order.startswith("shuffle"):
        seed = order.partition(":")[2] or "0"
        random.Random(seed).shuffle(items)
    else:
        raise pytest.UsageError(f"--order {order!r}: expected normal, reverse or shuffle[:SEED]")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A target that could not be started or stopped answering makes the run fail, whatever else passed."""
    state = getattr(session.config, "_forkdiff", None)
    if state is not None and (state.failures or state.dead) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
    """The started target; after the case, whatever the case changed in the server is undone (or the target
    restarted, and the break recorded against this case)."""
    session: _Session = request.config._forkdiff  # type: ignore[attr-defined]
    t = session.target(target_spec)
    _check_markers(request.node, t)
    yield t
    hung = request.node.stash.get(_HUNG, [])
    broke = session.after_case(target_spec, request.node.name, still_running=hung[0] if hung else None)
    if broke is not None:
        request.node.stash[_BROKE if not hung else _STILL_RUNNING] = broke


def _check_markers(item: pytest.Item, t: Any) -> None:
    caps = t.capabilities
    for m in item.iter_markers("since"):
        # `since` skips only on older Redis: on other products a missing Redis feature is a divergence to record.
        if caps.product in ("redis",) and caps.version_tuple < version_tuple(m.args[0]):
            pytest.skip(f"needs Redis >= {m.args[0]} (target has {caps.version})")
    for m in item.iter_markers("capability"):
        if m.args[0] == "resp3" and not caps.resp3:
            pytest.skip("target has no RESP3")
    if getattr(item, "callspec", None) is not None and item.callspec.params.get("resp") == 3 and not caps.resp3:
        pytest.skip("target has no RESP3 (HELLO 3 refused): its RESP3 column stays empty")


class _CaseConnection(Connection):
    """A case's connection that notes the commands the server called unknown, so a case that fails only because
    the target lacks a command it uses for set-up is told apart from a failure of the command it tests."""
    unknown: set[str]
    hung: list[str]  # commands sent and awaited that got no reply in time: they may still be running

    def execute(self, command, timeout: float | None = None):
        reply = super().execute(command, timeout)
        if reply.kind is Kind.TIMEOUT:
            self.hung.append(str(command)[:120])
        return reply

    def read_reply(self, timeout: float | None = None):
        reply = super().read_reply(timeout)
        if reply.kind is Kind.ERROR and "unknown" in reply.value:
            name = unknown_command_in(reply.value)
            if name:
                self.unknown.add(name)
        return reply


_UNKNOWN_COMMAND = re.compile(r"unknown command [`'\"]?([^`'\"\s,]+)", re.IGNORECASE)
_UNKNOWN_SUBCOMMAND = re.compile(r"unknown subcommand [`'\"]?([^`'\"\s,]+)[`'\"]?\. Try (\S+) HELP", re.IGNORECASE)


def unknown_command_in(error: str) -> str:
    """The command (or CONTAINER|SUB) an 'unknown command' error names, when it is one of the spec's commands."""
    m = _UNKNOWN_SUBCOMMAND.search(error)
    name = f"{m.group(2)}|{m.group(1)}".lower() if m else ""
    if not m:
        m = _UNKNOWN_COMMAND.search(error)
        name = m.group(1).lower() if m else ""
    return name if name and name in load_spec() else ""


CALLS = pytest.StashKey[list]()  # the case's commands and reply bytes, written with a failing row as its repro


@pytest.fixture
def connect_client(request: pytest.FixtureRequest, target: Any, resp: int):
    """A factory of extra raw connections (for multi-client cases), all closed after the case."""
    opened: list[Connection] = []
    unknown: set[str] = request.node.stash.setdefault(_UNKNOWN, set())

    def factory(protocol: int | None = None) -> Connection:
        c = connect(target.address, resp=protocol or resp, password=getattr(target, "password", None),
                    factory=_CaseConnection)
        c.unknown = unknown
        c.hung = request.node.stash.setdefault(_HUNG, [])
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


PROTOCOL_FILES = frozenset({"test_protocol"})  # cases about RESP framing itself: a group of their own


def group_of(item: pytest.Item) -> str:
    if Path(str(item.fspath)).stem in PROTOCOL_FILES:
        return "protocol"
    cmd = command_of(item)
    spec = load_spec().get(cmd) if cmd else None
    if spec is not None:
        return spec.group or load_spec()[spec.container].group
    return Path(str(item.fspath)).stem.removeprefix("test_")


_BROKE = pytest.StashKey[str]()  # why the target had to be restarted after this case
_UNKNOWN = pytest.StashKey[set]()  # commands the target called unknown during this case
_HUNG = pytest.StashKey[list]()  # the case's commands that got no reply within their timeout
_STILL_RUNNING = pytest.StashKey[str]()  # why the target was restarted after a command of this case never answered
_PENDING = pytest.StashKey[dict]()  # the case's row, written once its teardown has checked the target


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    if callspec is None or "target_spec" not in callspec.params:
        return
    session: _Session = item.config._forkdiff  # type: ignore[attr-defined]
    spec = callspec.params["target_spec"]
    if report.when == "setup" and report.outcome != "passed":
        # A skip (since, capability, target not available), or a harness error before the case could run: the
        # target never answered this case, so it is not counted for or against it. A set-up that failed only for
        # a command or parameter the target lacks makes the case not measurable there, like a failure would.
        failed_on_target = report.outcome == "failed" and spec in session.report_only
        missing = _missing_dependency(item) if failed_on_target else ""
        if missing:
            row = _not_measurable(report, spec, item, missing)
        elif failed_on_target and call.excinfo is not None and call.excinfo.errisinstance(AssertionError):
            # a set-up fixture got another reply than Redis's (a command it prepares with refused or answered
            # otherwise): the case never reached what it tests, so it is not measurable there; the reply counts
            # in the cases of the command that gave it
            steps = item.stash.get(CALLS, [])
            needs = steps[-1]["command"].split(" ")[0].lower() if steps else "set-up"
            row = _not_measurable(report, spec, item, needs)
            row["message"] = (f"its set-up failed on {spec} ({_outcome_message(report, call)[:300]}); "
                              "not measurable there")
        else:
            result = "skipped" if report.outcome == "skipped" else "error"
            row = {"outcome": result, "class": "harness" if result == "error" else "",
                   "message": _outcome_message(report, call)}
        _write_row(session, item, spec, row)
    elif report.when == "call":
        item.stash[_PENDING] = _call_outcome(session, item, spec, report, call)
    elif report.when == "teardown" and _PENDING in item.stash:
        _write_row(session, item, spec, _teardown_outcome(session, item, spec, report, call))


def _call_outcome(session: _Session, item: pytest.Item, spec: str, report: Any, call: pytest.CallInfo) -> dict:
    """The case's result on this target; a report-only target's failure becomes an expected divergence, and a
    failure that only comes from a command the case uses but does not test being absent is not counted."""
    result, kind = report.outcome, ""
    if result == "failed" and spec in session.report_only:
        missing = _missing_dependency(item)
        if missing:
            return _not_measurable(report, spec, item, missing)
        report.outcome = "skipped"
        report.wasxfail = f"divergence on {spec} (report-only)"
        result = "divergent"
    message = _outcome_message(report, call) if result != "passed" else ""
    if call.excinfo is not None and result in ("failed", "divergent"):
        kind = "error-text" if call.excinfo.errisinstance(ErrorTextMismatch) else "semantic"
        steps = item.stash.get(CALLS, [])
        if not call.excinfo.errisinstance(AssertionError) and steps:
            # the case could not read a reply as Redis's (a field, an element or a type it lacks): say which
            last = steps[-1]
            message = (f"the reply to `{last['command'][:200]}` does not have Redis's shape ({message}); "
                       f"it was: {last['reply'][:300]!r}")
    return {"outcome": result, "class": kind, "message": message}


def _not_measurable(report: Any, spec: str, item: pytest.Item, missing: str) -> dict:
    """The row of a case that could not run on `spec` for a command or parameter it uses but does not test."""
    what = (f"the parameter {missing.split(' ', 1)[1]}" if missing.startswith("config ")
            else missing.upper().replace('|', ' '))
    reason = f"needs {what}, which {spec} does not have (counted in its own cases)"
    report.outcome, report.longrepr = "skipped", (str(item.fspath), 0, f"Skipped: {reason}")
    return {"outcome": "skipped", "class": "missing-dependency", "needs": missing, "message": reason}


def _missing_dependency(item: pytest.Item) -> str:
    """A command other than the one the case is about that the target called unknown during the case."""
    own = command_of(item)
    for name in sorted(item.stash.get(_UNKNOWN, set())):
        if name.startswith("config ") and own.startswith("config"):
            continue  # a missing parameter is what a CONFIG case is about
        if name != own and not name.startswith(own + "|") and not own.startswith(name + "|"):
            return name
    return ""


def _teardown_outcome(session: _Session, item: pytest.Item, spec: str, report: Any, call: pytest.CallInfo) -> dict:
    """The row of the case, told whether the case left the target broken (a finding about this case, which is
    why the check runs before the next one) or a fixture failed while cleaning up (the harness's trouble)."""
    row = item.stash[_PENDING]
    broke = item.stash.get(_BROKE, None)
    if broke is not None:
        note = f"the case left the target {broke}; the target was restarted"
        if row["outcome"] in ("passed", "skipped"):
            row.update(outcome="divergent" if spec in session.report_only else "failed", message=note)
        else:
            row["message"] = f"{note}\n{row['message']}"
        row["class"] = row["class"] or "left-broken"
        if spec not in session.report_only:
            report.outcome, report.longrepr = "failed", note
    elif report.outcome == "failed":
        row["harness"] = _outcome_message(report, call)
    if _STILL_RUNNING in item.stash:  # the case's own outcome stands; the restart spares the cases after it
        row["restarted"] = f"the target was restarted: {item.stash[_STILL_RUNNING]}"
    return row


def _outcome_message(report: Any, call: pytest.CallInfo) -> str:
    """What went wrong, in a line or two: the assertion text of a failure, the reason of a skip."""
    if call.excinfo is not None and call.excinfo.type is not pytest.skip.Exception:
        return ANSI.sub("", call.excinfo.exconly())[:800]
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return str(report.longrepr or "")[-600:]


def _write_row(session: _Session, item: pytest.Item, spec: str, fields: dict) -> None:
    if not session.rows:
        return
    t = session.targets.get(spec)
    caps = getattr(t, "capabilities", None)
    row = {
        "target": spec, "product": caps.product if caps else "", "version": caps.version if caps else "",
        "resp": item.callspec.params["resp"], "group": group_of(item), "command": command_of(item),  # type: ignore[attr-defined]
        "case": item.name.split("[")[0] + _case_params(item), **fields, "time": round(time.time(), 3),
    }
    if fields["outcome"] in ("failed", "divergent"):
        row["steps"] = item.stash.get(CALLS, [])[-MAX_STEPS:]
    if item.get_closest_marker("timing"):
        row["timing"] = item.get_closest_marker("timing").args[0]
    session.rows.write(json.dumps(row, default=str) + "\n")  # never let an odd value stop the run

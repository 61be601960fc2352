"""Running scripts against the engine: the script cache, the script's own client, and redis.call's checks.

A script executes its commands through a client of its own, as Redis's Lua client does: it starts in the caller's
database and in RESP2 (redis.setresp changes it), may not block (blocking commands answer at once), and a SELECT
inside the script leaves the caller's database alone. Commands go through ``engine.call`` below the EVAL that
runs the script, so blocked clients are served only once the whole script has finished.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..engine import ClientState
from ..replies import Err
from .conversions import lua_argument, lua_to_reply, reply_to_lua
from .lua import LuaBridge, sha1hex


@dataclass
class Script:
    sha: str
    body: bytes
    function: Any
    read_only: bool = False  # the shebang's flags=no-writes


@dataclass(eq=False)
class ScriptRun:
    engine: Any
    caller: Any
    client: ClientState
    sha: str
    read_only: bool
    oom_at_start: bool = False  # an EVAL without flags that began over maxmemory may not start writing
    wrote: bool = False


@dataclass(eq=False)
class Scripting:
    """Per-engine scripting state: ``engine.extensions["scripting"]``."""

    engine: Any
    scripts: dict[str, Script] = field(default_factory=dict)
    current: ScriptRun | None = None
    bridge_type: type = LuaBridge  # the function engine runs its own interpreter (functions_lua.FunctionBridge)
    bridge: LuaBridge = field(init=False)

    def __post_init__(self) -> None:
        self.bridge = self.bridge_type(self._call, self._set_resp, self._known_command, self.engine.busy.interrupt)

    # -- the cache ----------------------------------------------------------------------------------------------
    def load(self, body: bytes, function_body: bytes, read_only: bool) -> Script:
        """Compile (once per body) and remember the script; a compile error raises CommandError."""
        sha = sha1hex(body)
        script = self.scripts.get(sha)
        if script is None:
            function, message = self.bridge.compile(function_body)
            if function is None:
                text = message.decode("utf-8", "surrogateescape")
                raise errors.CommandError(errors.SCRIPT_COMPILE % _one_line(text))
            script = self.scripts[sha] = Script(sha, body, function, read_only)
        return script

    def flush(self) -> None:
        self.scripts.clear()

    # -- running ------------------------------------------------------------------------------------------------
    def run(self, caller: Any, script: Script, keys: list[bytes], args: list[bytes], read_only: bool,
            command: list[bytes] = ()) -> Any:
        client = ClientState(id=0, db=caller.db, resp=2, flags={"deny_blocking", "script"},
                             extra={"script_caller": caller}, user=caller.user, authenticated=True)
        outer = self.current
        self.current = ScriptRun(self.engine, caller, client, script.sha, read_only or script.read_only,
                                 _undeclared_oom(self.engine, caller, script))
        busy = self.engine.busy
        running = busy.begin(caller, script.sha, list(command), eval_mode=self.bridge_type is LuaBridge)
        try:
            outcome = self.bridge.run(script.function, keys, args)
        finally:
            self.current = outer
            busy.end(running)
        if outcome.ok:
            return lua_to_reply(self.bridge, outcome.value, client.resp)
        return Err(_failure_text(outcome, script.sha))

    def _call(self, raise_error: bool, *args: Any) -> tuple[bool, Any]:
        """redis.call / redis.pcall: (True, value) or (False, the error table to raise or return)."""
        run = self.current
        reply = _checked_call(run, args)
        lua_value = reply_to_lua(self.bridge, reply, run.client.resp)
        return type(reply) is not Err or not raise_error, lua_value

    def _set_resp(self, version: int) -> None:
        self.current.client.resp = version

    def _known_command(self, *args: Any) -> bool | None:
        """redis.acl_check_cmd: None for an unknown command, else whether the script's user may run the line
        (checked as Redis's ACLCheckAllUserCommandPerm does, without an ACL LOG entry)."""
        argv = [lua_argument(a) for a in args]
        if not argv or None in argv:
            return None
        spec, _handler, rejection = self.engine.lookup(argv[0].decode("utf-8", "surrogateescape").lower(), argv)
        if rejection is not None:
            return None if rejection.startswith("ERR unknown") else True
        acls = self.engine.extensions.get("acl")
        user = acls.users.get(self.current.client.user) if acls is not None else None
        if user is None or user.unrestricted:
            return True
        from ..acl import check_user
        from ..acl_state import _key_refs
        return check_user(user, spec, argv, lambda: _key_refs(spec, argv)) is None


def scripting(engine: Any) -> Scripting:
    state = engine.extensions.get("scripting")
    if state is None:
        state = engine.extensions.setdefault("scripting", Scripting(engine))
    return state


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def _failure_text(outcome: Any, sha: str) -> str:
    message = outcome.message.decode("utf-8", "surrogateescape") if outcome.message else "ERR unknown error"
    if outcome.source is not None and outcome.line is not None:
        where = f"{outcome.source.decode('utf-8', 'surrogateescape')}:{outcome.line.decode()}"
        message = f"{message} script: {sha}, on {where}."
    return _one_line(message)


def _checked_call(run: ScriptRun, args: tuple) -> Any:
    """What Redis's scriptCall checks before running a command for a script, then the command's reply."""
    if not args:
        return Err(errors.SCRIPT_NO_ARGUMENTS)
    argv = [lua_argument(a) for a in args]
    if None in argv:
        return Err(errors.SCRIPT_BAD_ARGUMENT)
    engine = run.engine
    spec, handler, rejection = engine.lookup(argv[0].decode("utf-8", "surrogateescape").lower(), argv)
    if rejection is not None:
        arity = rejection.startswith("ERR wrong number of arguments")
        return _rejected(engine, errors.SCRIPT_WRONG_ARITY if arity else errors.SCRIPT_UNKNOWN_COMMAND)
    if "noscript" in spec.flags and not engine.extensions.get("debug_switches", {}).get("disable-deny-scripts"):
        return _rejected(engine, errors.SCRIPT_COMMAND_NOT_ALLOWED)  # DEBUG SET-DISABLE-DENY-SCRIPTS 1 lifts it
    if run.read_only and (spec.is_write or "may_replicate" in spec.flags):  # PUBLISH too, as Redis refuses it
        return _rejected(engine, errors.SCRIPT_WRITE_IN_READ_ONLY)
    if spec.is_write and _lacks_good_replicas(engine):  # only an EVAL without flags gets here with a write
        return _rejected(engine, errors.NOREPLICAS)
    if run.oom_at_start and not run.wrote and "denyoom" in spec.flags:  # Redis's scriptVerifyOOM
        return _rejected(engine, errors.OOM)
    if spec.is_write:  # from now on SCRIPT KILL cannot end the script
        engine.busy.note_write()
        run.wrote = True
    return engine.call(run.client, spec, handler, argv)


def _lacks_good_replicas(engine: Any) -> bool:
    """min-replicas-to-write on a master: replicas attached here never acknowledge, so none counts as good."""
    values = engine.config.values
    if values["min-replicas-to-write"] == "0" or values["min-replicas-max-lag"] == "0":
        return False
    from ..replication import is_replica
    return not is_replica(engine)


def _undeclared_oom(engine: Any, caller: Any, script: Script) -> bool:
    """A script without declared flags (EVAL without a shebang) started while over maxmemory: its first
    denyoom command is refused. Scripts with flags were refused before running (scripting/declared_flags.py)."""
    if not script.body or script.body.startswith(b"#!") or engine.config.values["maxmemory"] == "0":
        return False
    from ..maxmemory import over_limit
    return "master" not in caller.flags and over_limit(engine)


def _rejected(engine: Any, text: str) -> Err:
    engine.stats["rejected_calls"] += 1
    engine.count_error(text)
    return Err(text)

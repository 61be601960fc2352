"""A script that runs long: Redis's busy-script state, shared by every runtime (``engine.busy``).

While a script (EVAL/EVALSHA/FCALL) runs, nothing else executes. Every 100000 Lua instructions the interpreter calls
`BusyScripts.interrupt` (Redis's scriptInterrupt): once the script has run `busy-reply-threshold` milliseconds it is
"timed out", and from then on the runtime serves other clients between two of those calls (Redis's
processEventsWhileBlocked): commands flagged allow-busy run (SCRIPT KILL, FUNCTION KILL/STATS, MULTI, WATCH,
HELLO…), every other one is refused with BUSY. SCRIPT KILL / FUNCTION KILL mark a script that has not written as
killed; the next interrupt raises Redis's error in it.

How a runtime serves others while the script holds its thread is the runtime's business, given as `process_events`:
a single event loop processes its pending socket events nested inside the script's interrupt; threads that are not
the script's wait at `wait_turn` until the script has timed out (or ended) and then execute without locks, since an
allow-busy command touches no key a script may be changing. What must not run beside a script (a closed
connection's clean-up, the active expire cycle) is deferred to its end or skipped.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import errors
from ..replies import OK, Err, Map

INTERRUPT_EVERY = 100_000  # Lua instructions between two interrupts, as Redis's count hook


@dataclass(eq=False)
class RunningScript:
    caller: Any
    name: str  # the script's SHA1, or the function's name
    command: list[bytes]  # the caller's command line (FUNCTION STATS shows it)
    eval_mode: bool  # EVAL/EVALSHA (SCRIPT KILL ends it) rather than FCALL (FUNCTION KILL)
    started: float = field(default_factory=time.monotonic)
    thread: int = field(default_factory=threading.get_ident)
    timed_out: bool = False
    killed: bool = False
    wrote: bool = False  # a write command ran: the script can no longer be killed
    scratch: dict = field(default_factory=dict)  # what the runtime keeps while serving others from this script

    @property
    def busy_error(self) -> str:
        return errors.BUSY_EVAL if self.eval_mode else errors.BUSY_FUNCTION

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


class BusyScripts:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.running: RunningScript | None = None
        self.changed = threading.Condition()
        self.deferred: list[Callable[[], None]] = []
        self.aborting = False  # the server stops: a running script ends at its next interrupt, written or not
        # How the script's thread serves other clients once it has timed out (set by the runtime).
        self.process_events: Callable[[], None] = lambda: None

    # -- the script's side --------------------------------------------------------------------------------------
    def begin(self, caller: Any, name: str, command: list[bytes], eval_mode: bool) -> RunningScript:
        run = RunningScript(caller, name, command, eval_mode)
        with self.changed:
            self.running = run
            self.engine.refresh_prechecks()  # other clients' commands meet the busy check from now on
        return run

    def end(self, run: RunningScript) -> None:
        with self.changed:
            self.running = None
            deferred, self.deferred = self.deferred, []
            self.engine.refresh_prechecks()
            self.changed.notify_all()
        for fn in deferred:
            fn()

    def interrupt(self) -> bool:
        """Called from the running script every INTERRUPT_EVERY instructions: True when it must end now."""
        run = self.running
        if run is None:
            return False
        if not run.timed_out:
            threshold = self.engine.config.get_int("busy-reply-threshold")  # 0: never (Redis sets no hook)
            if self.aborting or threshold <= 0 or run.elapsed_ms() < threshold:
                return self.aborting
            with self.changed:
                run.timed_out = True
                self.changed.notify_all()
        if not (run.killed or self.aborting):
            with self.engine.outside_command():
                self.process_events()
            self.engine.refresh_command_time()  # as Redis's cached time moves once the script serves events
        return run.killed or self.aborting

    def note_write(self) -> None:
        if self.running is not None:
            self.running.wrote = True

    # -- everyone else's side -----------------------------------------------------------------------------------
    def wait_turn(self) -> bool:
        """For threads other than the script's: wait while a script runs that has not timed out. True when a
        timed-out script is running (execute at once, without locks: the engine answers BUSY, or runs an
        allow-busy command)."""
        run = self.running
        if run is None:
            return False
        if run.thread == threading.get_ident():
            return True
        with self.changed:
            while self.running is run and not (run.timed_out or self.aborting):
                self.changed.wait(0.05)
            return self.running is not None and self.running.timed_out

    def timed_out_elsewhere(self) -> bool:
        run = self.running
        return run is not None and run.timed_out and run.thread != threading.get_ident()

    def defer(self, fn: Callable[[], None]) -> bool:
        """Run `fn` when the running script ends; False (not kept) when none runs."""
        with self.changed:
            if self.running is None:
                return False
            self.deferred.append(fn)
            return True

    def abort(self) -> None:
        with self.changed:
            self.aborting = True
            self.changed.notify_all()

    # -- the commands -------------------------------------------------------------------------------------------
    def rejection(self, spec: Any) -> Err | None:
        """BUSY for a command that may not run beside a timed-out script (Redis's processCommand check)."""
        run = self.running
        if run is None or not run.timed_out or "allow_busy" in spec.flags:
            return None
        return Err(run.busy_error)

    def kill(self, eval_mode: bool) -> Any:
        """SCRIPT KILL (eval_mode) or FUNCTION KILL."""
        run = self.running
        if run is None:
            return Err(errors.NOTBUSY)
        if run.wrote:
            return Err(errors.UNKILLABLE)
        if run.eval_mode != eval_mode:
            return Err(run.busy_error)
        run.killed = True
        return OK

    def function_stats(self) -> Any:
        """FUNCTION STATS' running_script: None, the running function, or BUSY while an EVAL script runs."""
        run = self.running
        if run is None:
            return None
        if run.eval_mode:
            return Err(errors.BUSY_EVAL)
        return Map([(b"name", run.name.encode()), (b"command", list(run.command)),
                    (b"duration_ms", run.elapsed_ms())])

    def shutdown_refusal(self, nosave: bool) -> Err | None:
        """SHUTDOWN beside a timed-out script: only NOSAVE is taken, and it ends the script whatever it wrote."""
        run = self.running
        if run is None or not run.timed_out:
            return None
        if not nosave:
            return Err(run.busy_error)
        run.killed = True
        return None

"""Stop every started target when the process ends: normal exit, Ctrl-C (via atexit) or SIGTERM.

Spawned servers and containers outlive a crashed test run unless someone stops them, so every adapter that starts
something outside this process registers it here while it runs.
"""
from __future__ import annotations

import atexit
import signal
import threading
import weakref
from typing import Any

_LIVE: "weakref.WeakSet[Any]" = weakref.WeakSet()


def track(target: Any) -> None:
    """Stop `target` at exit unless it was stopped before; installs the SIGTERM handler on first use."""
    _install_signal_cleanup()
    _LIVE.add(target)


def untrack(target: Any) -> None:
    _LIVE.discard(target)


def stop_all() -> None:
    for target in list(_LIVE):
        try:
            target.stop()
        except Exception:  # noqa: BLE001 - one failed stop must not leave the others running
            pass


atexit.register(stop_all)


def _install_signal_cleanup() -> None:
    """SIGTERM stops every tracked target, then does what it would have done without us."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "_forkdiff", False):
        return

    def on_term(signum, frame):
        stop_all()
        if callable(previous):
            previous(signum, frame)
        else:
            raise SystemExit(128 + signum)

    on_term._forkdiff = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, on_term)

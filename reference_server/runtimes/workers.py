"""A pool of executor threads that a running script can drain: work queued to it is answered through a Future, and
`run_pending` executes, nested on a pool thread busy with a script that timed out, what was queued meanwhile (as
Redis's and Valkey's main thread serve events from inside a long script)."""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable

_Item = tuple[Future, Callable[..., Any], tuple]


class Workers:
    def __init__(self, count: int, name: str) -> None:
        self.work: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._run, name=f"{name}{i}", daemon=True) for i in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def owns_current_thread(self) -> bool:
        return threading.current_thread() in self.threads

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        self.work.put((future, fn, args))
        return future

    def _run(self) -> None:
        while (item := self.work.get()) is not None:
            _run_item(item)

    def run_pending(self) -> None:
        if not self.owns_current_thread():
            return
        while True:
            try:
                item = self.work.get_nowait()
            except queue.Empty:
                return
            if item is None:  # stopping: the sentinel is for a thread's own loop
                self.work.put(None)
                return
            _run_item(item)

    def stop(self) -> None:
        for _ in self.threads:
            self.work.put(None)
        for thread in self.threads:
            thread.join(5)


def _run_item(item: _Item) -> None:
    future, fn, args = item
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(fn(*args))
    except BaseException as exc:  # surfaced to the waiting connection
        future.set_exception(exc)

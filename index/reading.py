"""Read articles in worker processes that may die or hang, without losing the build.

Python catches what a parser raises, but not a native crash, the OOM
killer or a parser that spins forever: the worker just dies or never
answers, and a plain ``multiprocessing.Pool`` then waits for its result
forever (pebble's pool too, when the worker dies holding its channel lock).
Here chunks run in a loky executor, which notices a dead worker and
breaks, and every result is awaited with a time limit. The chunks that
were in flight are then read again one file at a time in a worker of
their own, so that only the culprit is lost, reported with its path and why.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from loky import ProcessPoolExecutor
from loky.process_executor import BrokenProcessPool

from common.errors import BuildError
from common.signals import ctrl_c_ignored

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 256  # files per task: large enough to pay for the trip to a worker, small enough to balance
CHUNK_SECONDS = 600.0  # a chunk of a few hundred articles takes about a second
ITEM_SECONDS = 60.0  # one article takes milliseconds; a minute means it never ends
MAX_LOST = 20  # files lost to dead workers before the build is called off: more means the machine is the problem
ATTEMPTS = 2  # a worker killed from outside (the OOM killer) is not the file's fault: try it once more
AHEAD = 2  # chunks queued per worker, so that none waits while the parent merges
# A panicking Rust parser prints its backtrace to stderr; the report already names the file.
WORKER_ENV = {"RUST_BACKTRACE": "0"}
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# loky's resource tracker is a process of its own that outlives ours and shares our stderr. When a
# semaphore's release does not reach it (a race inside loky, seen once in CI: the semaphore was
# already unlinked), it warns about it after the command's last line, with nothing left to clean.
TRACKER_WARNINGS = "ignore::UserWarning:loky.backend.resource_tracker"


def chunked(items: list[Item], size: int = CHUNK) -> list[list[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Gone(Exception):
    """A worker gave no result: it died, or ran out of time and was stopped."""


def _executor(workers: int) -> contextlib.AbstractContextManager[ProcessPoolExecutor]:
    return _stopping(_new_executor(workers))


def _new_executor(workers: int) -> ProcessPoolExecutor:
    _quiet_tracker()  # the tracker starts with the first executor and reads its warning filters from the environment
    with ctrl_c_ignored():  # so do the trackers it starts: a Ctrl-C is the command's to handle
        return ProcessPoolExecutor(max_workers=workers, env=WORKER_ENV, initializer=_die_with_parent)


def _die_with_parent() -> None:
    """In a worker: be killed when the process that started it dies, as a killed build does (SIGKILL,
    the OOM killer), instead of waiting for work for ever. Linux only (``prctl``)."""
    if sys.platform != "linux":
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _quiet_tracker() -> None:
    filters = os.environ.get("PYTHONWARNINGS", "")
    if TRACKER_WARNINGS not in filters:
        os.environ["PYTHONWARNINGS"] = f"{filters},{TRACKER_WARNINGS}" if filters else TRACKER_WARNINGS


@contextlib.contextmanager
def _stopping(executor: ProcessPoolExecutor) -> Iterator[ProcessPoolExecutor]:
    try:
        yield executor
    finally:
        # Killing is what ends a worker that hangs; the others have no work left.
        executor.shutdown(wait=True, kill_workers=True)


def _submit(executor: ProcessPoolExecutor, function: Callable, chunk: list) -> Future:
    """``executor.submit``, or a future that fails as a dead worker's would if one died since the last result."""
    try:
        with ctrl_c_ignored():  # loky starts its workers at a submit: they ignore it for good
            return executor.submit(function, chunk)
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


def _result(future, seconds: float):
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        raise _Gone(f"reading took over {seconds:.0f} s and was stopped") from None
    except BrokenProcessPool as exc:
        raise _Gone(f"the reading process died ({_cause(exc)})") from None


def _cause(error: BrokenProcessPool) -> str:
    # loky names the exit codes of the workers it found dead: "{SIGKILL(-9)}", "{EXIT(1)}".
    text = str(error)
    return text[text.index("{") + 1 : text.index("}")] if "{" in text and "}" in text else "no exit code"


class Reader:
    """Maps a function over chunks in ``procs`` worker processes, in order, surviving dead and stuck workers.

    ``procs`` 0 runs everything in this process (for tests and small jobs).
    """

    def __init__(self, procs: int) -> None:
        self.procs = procs
        self.notes: list[str] = []  # failures that were recovered from, for the report
        self.lost = 0
        self._started: ProcessPoolExecutor | None = None  # one worker booted ahead of the first ``map``

    def start(self, warm_up: Callable[[], object]) -> None:
        """Boot one worker now, running ``warm_up`` (for its imports), for the first ``map`` that needs one.

        An update stats every file before it knows which to read: a worker boots meanwhile
        instead of after (a few tenths of a second). Call ``close`` when done.
        """
        if self.procs >= 1 and self._started is None:
            self._started = _new_executor(1)
            with ctrl_c_ignored():  # loky boots its workers at the first task: they ignore it for good
                self._started.submit(warm_up)

    def close(self) -> None:
        """Stop the worker ``start`` booted, if no ``map`` took it."""
        if self._started is not None:
            self._started.shutdown(wait=True, kill_workers=True)
            self._started = None

    def _take_started(self, workers: int) -> ProcessPoolExecutor | None:
        """The worker ``start`` booted, when ``workers`` is one; a pool of more is started anew."""
        if workers != 1:
            self.close()
        started, self._started = self._started, None
        return started

    def map(
        self,
        function: Callable[[list[Item]], Result],
        chunks: Sequence[list[Item]],
        lost: Callable[[list[Item], str], Result],
    ) -> Iterator[Result]:
        """``function(chunk)`` for each chunk, in order; a file that no worker survives is ``lost([file], why)``."""
        if self.procs < 1 or not chunks:
            yield from map(function, chunks)
            return
        # Starting a process costs a few tenths of a second: an update's few changed files need one.
        workers = min(self.procs, len(chunks))
        todo = iter(chunks)
        while True:
            started = self._take_started(workers)
            with _stopping(started) if started else _executor(workers) as executor:
                failed = yield from self._run(executor, function, todo)
            if not failed:
                return
            for chunk in failed:
                yield from self._one_by_one(function, chunk, lost)

    def _run(self, executor, function, todo: Iterator[list]) -> Iterator:
        """Results of ``todo``'s chunks until a worker is lost; return the chunks then in flight."""
        waiting: deque = deque()
        while True:
            while len(waiting) < AHEAD * self.procs and (chunk := next(todo, None)) is not None:
                waiting.append((chunk, _submit(executor, function, chunk)))
            if not waiting:
                return []
            try:
                result = _result(waiting[0][1], CHUNK_SECONDS)
            except _Gone as exc:
                files = sum(len(chunk) for chunk, _ in waiting)
                self.notes.append(f"{exc} while reading {files:,} files; they were read again one by one")
                return [chunk for chunk, _ in waiting]
            waiting.popleft()
            yield result

    def _one_by_one(self, function, chunk: list, lost) -> Iterator:
        """Each file of ``chunk`` alone in one worker, replaced whenever a file kills it or hangs."""
        with contextlib.ExitStack() as stack:
            executor = None
            for item in chunk:
                for attempt in range(ATTEMPTS):
                    executor = executor or stack.enter_context(_executor(1))
                    try:
                        yield _result(_submit(executor, function, [item]), ITEM_SECONDS)
                        break
                    except _Gone as exc:
                        executor.shutdown(wait=True, kill_workers=True)
                        executor = None
                        if attempt == ATTEMPTS - 1:
                            yield lost([item], self._lose(item, f"{exc}, {ATTEMPTS} times on this file"))

    def _lose(self, item, reason: str) -> str:
        self.lost += 1
        if self.lost > MAX_LOST:
            raise BuildError(
                f"reading processes died on more than {MAX_LOST} files (the last: {item}: {reason}); "
                "the machine may be short of memory. Nothing was published."
            )
        return reason

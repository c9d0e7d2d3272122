"""Training off the server's script threads: a few worker processes train every session's
network, a chunk of steps at a time.

Why: Streamlit runs every session's script in a thread of one process, under one GIL. When a
room presses Train at once, thirty training loops in those threads starve each other and
every participant's drawing. Here the arithmetic runs in `workers` processes (one per core by
default) and a session's script thread only asks for the next chunk and draws it.

How a run goes (all of it behind `TrainingRun`, playground/train_run.py):

    job = pool.submit(config, data, seed, report_every)   # the worker builds the model
    job.request(max_reports, max_s)  # "train on for `max_reports` reports or `max_s`"
    chunk = job.take(timeout_s)     # the reports and a snapshot of the weights, or None
    job.close()                     # Reset, Train again, or the session ended: forget it

A job lives in one worker (its generator cannot move), and asks for one chunk at a time, so
the work of many runs interleaves chunk by chunk in each worker's queue, in arrival order.
Nothing computes ahead of what the page shows: Pause simply stops asking, and a run whose
session is gone costs no CPU; `close()` (or the job being garbage collected with the
session) frees the worker's copy. Each job is private to the `TrainingRun` that submitted
it: results are routed by a random job id, never shared.

No Streamlit here; the pool is one per server process (`shared_pool()`), like the server's
own thread pool, and holds no per-user state beyond the jobs it is running.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import math
import multiprocessing as mp
import os
import queue
import secrets
import sys
import threading
import time
import types
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from cnn_core.model import CNNClassifier, CNNConfig, Progress, generated_data

WORKERS_ENV = "CNN_PLAYGROUND_WORKERS"  # set by `python -m playground.serve --workers N`
MAX_WORKERS = 64
MAX_WAIT_S = 120  # a chunk is a fraction of a second of training: far longer means trouble
PARENT_CHECK_S = 2.0  # an idle worker looks this often whether its server is still there


@dataclass(frozen=True)
class Chunk:
    """What a worker sends back for one request: the new reports, the model as it is after
    the last of them (`CNNClassifier.snapshot()`), and whether the run has ended."""

    reports: list[Progress]
    snapshot: dict
    finished: bool
    error: str = ""  # set if the worker could not train this job (never expected)
    data: tuple = ()  # the answer to a "data" request: generated_data's four arrays


# --- the worker process ----------------------------------------------------------------------


def _worker_main(inbox: mp.Queue, outbox: mp.Queue, server: int) -> None:
    """A worker: keeps its jobs' models and step generators, runs one chunk per request.

    It also stops when the server that started it (process ``server``) is gone. A server
    stopped normally sends "stop" (and daemon processes end with it), but one that is killed
    cannot: its workers would wait on their inbox for ever, since each holds that queue's
    writing end itself.
    """
    jobs: dict[str, tuple[CNNClassifier, Iterator[Progress]]] = {}
    while True:
        try:
            command, job_id, *args = inbox.get(timeout=PARENT_CHECK_S)
        except queue.Empty:
            if os.getppid() != server:  # adopted by another process: the server died
                return
            continue
        if command == "stop":
            return
        if command == "drop":
            model_steps = jobs.pop(job_id, None)
            if model_steps is not None:
                model_steps[1].close()
            continue
        try:
            if command == "start":
                config_json, arrays, seed, every = args
                model = CNNClassifier(CNNConfig.from_json(config_json), random_state=seed)
                steps = model.train_steps(*arrays, report_every=every)
                jobs[job_id] = (model, steps)
            elif command == "data":
                config_json, seed = args
                data = generated_data(CNNConfig.from_json(config_json), seed)
                outbox.put((job_id, Chunk([], {}, True, data=tuple(data))))
            elif command == "more" and job_id in jobs:
                max_reports, max_seconds = args
                model, steps = jobs[job_id]
                reports, finished = [], False
                deadline = time.perf_counter() + max_seconds
                while len(reports) < max_reports and (
                    not reports or time.perf_counter() < deadline
                ):
                    record = next(steps, None)
                    if record is None:
                        finished = True
                        break
                    reports.append(record)
                    if record.done:
                        finished = True
                        break
                if finished:
                    del jobs[job_id]
                outbox.put((job_id, Chunk(reports, model.snapshot(), finished)))
        except Exception as error:  # a bug, not bad input: TrainingRun checked it first
            jobs.pop(job_id, None)
            outbox.put((job_id, Chunk([], {}, True, f"{type(error).__name__}: {error}")))


# --- the server side -------------------------------------------------------------------------


class Job:
    """One run in the pool, as its owner sees it. Not shared between sessions."""

    def __init__(self, pool: TrainingPool, job_id: str, worker: int) -> None:
        self._pool = pool
        self.id = job_id
        self.worker = worker
        self._replies: queue.SimpleQueue[Chunk] = queue.SimpleQueue()
        self.in_flight = False  # a request was sent and its chunk has not been taken
        self.closed = False
        # A session that ends without Reset still frees the worker's copy.
        self._finalizer = weakref.finalize(self, pool._drop, job_id, worker)

    def __repr__(self) -> str:
        return f"Job({self.id[:8]}, worker={self.worker}, in_flight={self.in_flight})"

    def request(self, max_reports: int, max_seconds: float = math.inf) -> None:
        """Ask the worker for the next chunk: at most `max_reports` reports, and no more than
        about `max_seconds` of training (at least one report). One request at a time."""
        if not self.in_flight and not self.closed:
            self.in_flight = True
            self._pool._send(self, ("more", self.id, max(1, int(max_reports)), max_seconds))

    def take(self, timeout_s: float | None = 0.0) -> Chunk | None:
        """The requested chunk if it arrived within `timeout_s` (None: wait for it, up to
        MAX_WAIT_S), else None (ask again later). Waiting releases the GIL: other sessions'
        scripts run meanwhile. A worker or router that stopped gives a chunk with `error`."""
        deadline = time.monotonic() + (MAX_WAIT_S if timeout_s is None else timeout_s)
        while True:
            left = deadline - time.monotonic()
            try:
                chunk = (
                    self._replies.get(timeout=min(left, 1.0))
                    if left > 0
                    else (self._replies.get_nowait())
                )
                break
            except queue.Empty:
                problem = self._pool._problem(self.worker)
                if problem:
                    chunk = Chunk([], {}, True, problem)
                    break
                if time.monotonic() >= deadline:
                    if timeout_s is not None:
                        return None  # not yet: ask again later
                    chunk = Chunk(
                        [], {}, True, f"no answer from the training worker in {MAX_WAIT_S} s"
                    )
                    break
        self.in_flight = False
        if chunk.finished:
            self._close(notify_worker=False)
        return chunk

    def queue_position(self) -> int:
        """How many requests of other runs the worker will serve before this one's (0 when
        this run is being trained now, or has nothing requested)."""
        return self._pool._position(self) if self.in_flight else 0

    def close(self) -> None:
        """Forget the run: the worker drops its model and data."""
        self._close(notify_worker=True)

    def _close(self, notify_worker: bool) -> None:
        if not self.closed:
            self.closed = True
            self._pool._forget(self)
            if notify_worker:
                self._finalizer()
            else:
                self._finalizer.detach()


@contextlib.contextmanager
def _no_main_module():
    """Start processes without making them re-run this process's main script.

    spawn re-imports `__main__` in every child; under Streamlit (and AppTest) that is the
    page script being run, which a worker must never execute (in AppTest it is a temporary
    file that fails outright). A bare module in its place makes spawn import nothing but
    what the worker's target needs."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class TrainingPool:
    """`workers` processes that train runs for every session of this server.

    workers : how many processes (default: $CNN_PLAYGROUND_WORKERS, else one per core).
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is None:
            workers = int(os.environ.get(WORKERS_ENV) or os.cpu_count() or 1)
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"workers must be between 1 and {MAX_WORKERS}, got {workers}")
        # spawn, not fork: the server has threads (and locks) that a fork would copy mid-use.
        context = mp.get_context("spawn")
        self._outbox = context.Queue()
        self._inboxes = [context.Queue() for _ in range(workers)]
        self._processes = [
            context.Process(
                target=_worker_main,
                args=(inbox, self._outbox, os.getpid()),
                name=f"cnn-training-{n}",
                daemon=True,
            )
            for n, inbox in enumerate(self._inboxes)
        ]
        with _no_main_module():
            for process in self._processes:
                process.start()
        self._lock = threading.Lock()
        self._jobs: dict[str, weakref.ReferenceType[Job]] = {}
        self._waiting: list[list[str]] = [[] for _ in range(workers)]  # requests, in order
        self._load = [0] * workers  # open jobs per worker
        self._sent = itertools.count()
        self._closed = False
        self._router = threading.Thread(target=self._route, name="cnn-training-router", daemon=True)
        self._router.start()

    def __repr__(self) -> str:
        return f"TrainingPool(workers={self.workers}, jobs={len(self._jobs)})"

    @property
    def workers(self) -> int:
        return len(self._processes)

    def pids(self) -> list[int]:
        return [p.pid for p in self._processes]

    def _problem(self, worker: int) -> str:
        """Why `worker`'s answers cannot come ("" when they can)."""
        if not self._processes[worker].is_alive():
            return "the training worker process stopped"
        if not self._router.is_alive():
            return "the training pool stopped routing answers"
        return ""

    def open_jobs(self) -> int:
        """Runs that are neither finished nor closed (paused ones included)."""
        with self._lock:
            return len(self._jobs)

    def busy_jobs(self) -> int:
        """Runs with a chunk requested or waiting to be drawn: the room's live trainers."""
        with self._lock:
            return sum(1 for ref in self._jobs.values() if (job := ref()) and job.in_flight)

    def submit(self, config: CNNConfig, arrays: tuple, seed: int, report_every: int) -> Job:
        """Start a run: the least busy worker builds the model for `config` and `seed` and
        waits for the first request. arrays : (X_train, y_train, X_test, y_test)."""
        job = self._new_job()
        self._inboxes[job.worker].put(
            ("start", job.id, config.to_json(), arrays, seed, report_every)
        )
        return job

    def generate(self, config: CNNConfig, seed: int) -> tuple[np.ndarray, ...]:
        """``cnn_core.model.generated_data(config, seed)``, made by a worker: (X_train,
        X_test, y_train, y_test), the same arrays as in this process.

        Drawing 1,400 drawings is about 0.7 s of Python; in the server it holds the GIL, and
        in a room that presses Train together every participant's stroke waited seconds
        behind it (bench.room train). Here the calling script thread only waits. Raises
        RuntimeError if the worker cannot answer."""
        job = self._new_job()
        job.in_flight = True
        self._send(job, ("data", job.id, config.to_json(), int(seed)))
        chunk = job.take(None)
        if chunk.error or len(chunk.data) != 4:
            raise RuntimeError(f"the drawings could not be generated: {chunk.error}")
        return chunk.data

    def _new_job(self) -> Job:
        """A job on the least busy worker, under a fresh random id."""
        if self._closed:
            raise RuntimeError("the training pool is shut down")
        job_id = secrets.token_hex(16)
        with self._lock:
            worker = min(range(self.workers), key=lambda w: (self._load[w], w))
            self._load[worker] += 1
            job = Job(self, job_id, worker)
            self._jobs[job_id] = weakref.ref(job)
        return job

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Stop the workers (waiting up to `timeout_s` for each) and the router thread."""
        if self._closed:
            return
        self._closed = True
        for inbox in self._inboxes:
            inbox.put(("stop", ""))
        deadline = time.monotonic() + timeout_s
        for process in self._processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
        self._outbox.put(None)  # wakes the router, which then ends
        self._router.join(timeout_s)

    # --- used by Job ------------------------------------------------------------------------

    def _send(self, job: Job, command: tuple) -> None:
        with self._lock:
            self._waiting[job.worker].append(job.id)
        self._inboxes[job.worker].put(command)

    def _position(self, job: Job) -> int:
        with self._lock:
            waiting = self._waiting[job.worker]
            return waiting.index(job.id) if job.id in waiting else 0

    def _forget(self, job: Job) -> None:
        with self._lock:
            if self._jobs.pop(job.id, None) is not None:
                self._load[job.worker] -= 1
            waiting = self._waiting[job.worker]
            if job.id in waiting:
                waiting.remove(job.id)

    def _drop(self, job_id: str, worker: int) -> None:
        """The job's owner is gone (closed, or garbage collected with its session)."""
        with self._lock:
            if self._jobs.pop(job_id, None) is not None:
                self._load[worker] -= 1
            if job_id in self._waiting[worker]:
                self._waiting[worker].remove(job_id)
        if not self._closed:
            self._inboxes[worker].put(("drop", job_id))

    def _route(self) -> None:
        """Hand each chunk to the job that asked for it (the only reader of the outbox)."""
        while True:
            try:
                item = self._outbox.get()
            except (EOFError, OSError):  # the pool's pipes are gone: shutting down
                return
            if item is None:
                return
            job_id, chunk = item
            with self._lock:
                ref = self._jobs.get(job_id)
                for waiting in self._waiting:
                    if job_id in waiting:
                        waiting.remove(job_id)
                        break
            job = ref() if ref is not None else None
            if job is not None:
                job._replies.put(chunk)
            del job, ref, chunk  # hold no job alive while waiting: its session may end


_shared: TrainingPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> TrainingPool:
    """This server's pool, started on first use and stopped when the server exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TrainingPool()
            atexit.register(_shared.shutdown)
        return _shared


def as_arrays(X_train, y_train, X_test, y_test) -> tuple[np.ndarray, ...]:
    """The data as plain arrays for the worker (labels as str: no objects cross)."""
    return (
        np.ascontiguousarray(X_train),
        np.asarray(y_train, dtype=str),
        np.ascontiguousarray(X_test),
        np.asarray(y_test, dtype=str),
    )

"""Training in worker processes (playground/training_pool.py) against training in the thread.

The same seed must give the same network bit for bit wherever it trains; Pause must stop the
worker's work, and Reset, Train again and a session that disappears must free the worker's
copy; shutting the pool down leaves no process behind.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cnn_core.model import CNNConfig, generated_data
from playground.train_run import Dataset, TrainingRun
from playground.training_pool import TrainingPool

ROOT = Path(__file__).resolve().parent.parent

CONFIG = CNNConfig(n_train=96, n_test=40, epochs=2)  # 6 steps a run: quick, still learns


@pytest.fixture(scope="module")
def data() -> Dataset:
    X_train, X_test, y_train, y_test = generated_data(CONFIG, 0)
    return Dataset(X_train, y_train, X_test, y_test)


@pytest.fixture(scope="module")
def pool():
    pool = TrainingPool(workers=2)
    yield pool
    pool.shutdown()


def wait_until(condition, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def first_report(run: TrainingRun) -> bool:
    """Advance until the worker's first chunk arrived (the worker may still be starting)."""
    return wait_until(lambda: run.advance(0.5, max_reports=1) > 0)


def test_a_worker_trains_the_same_network_as_the_thread_bit_for_bit(data, pool):
    here = TrainingRun(CONFIG, data, seed=3)
    here.run_to_end()
    there = TrainingRun(CONFIG, data, seed=3, pool=pool)
    assert there.remote and not here.remote
    there.run_to_end()
    assert there.status == here.status == "done"
    assert [p.step for p in there.history] == [p.step for p in here.history]
    assert [p.loss for p in there.history] == [p.loss for p in here.history]
    assert [p.test_accuracy for p in there.history] == [p.test_accuracy for p in here.history]
    for mine, theirs in zip(here.history, there.history, strict=True):
        np.testing.assert_array_equal(mine.kernels, theirs.kernels)
    # The mirrored model is the trained one: every weight, every prediction, the counters.
    for (name, layer), (_, twin) in zip(here.model.layers, there.model.layers, strict=True):
        for key, value in layer.params.items():
            np.testing.assert_array_equal(twin.params[key], value, err_msg=f"{name}.{key}")
    np.testing.assert_array_equal(
        there.model.predict_proba(data.X_test), here.model.predict_proba(data.X_test)
    )
    assert there.model.loss_curve_ == here.model.loss_curve_
    assert there.model.n_steps_ == here.model.n_steps_ == there.total_steps
    assert len(there.model.history_) == len(here.model.history_)
    np.testing.assert_array_equal(there.confusion(), here.confusion())
    assert pool.open_jobs() == 0  # a finished run leaves nothing in the pool


def test_chunks_stream_reports_in_order_and_a_diverged_run_keeps_its_message(data, pool):
    run = TrainingRun(CONFIG, data, seed=0, pool=pool)
    seen = 0
    while not run.finished:
        seen += run.advance(5.0, max_reports=1)
        assert len(run.history) == seen
    assert run.slices == len(run.history) > 1  # one report per chunk, as asked
    wild = TrainingRun(
        CNNConfig(n_train=96, n_test=40, epochs=2, optimizer="sgd", learning_rate=1e6),
        data,
        seed=0,
        pool=pool,
    )
    wild.run_to_end()
    assert wild.status == "diverged" and "loss" in wild.message
    assert np.isfinite(wild.model.predict_proba(data.X_test)).all()  # last good weights


def test_a_chunk_may_train_longer_than_the_page_waits_for_it(pool):
    # In a busy room the page redraws every few seconds: the worker may then train until the
    # next redraw (chunk_s) while each redraw still waits only briefly (budget_s) for it.
    config = CNNConfig()  # 220 steps: several 20 ms chunks on any machine
    X_train, X_test, y_train, y_test = generated_data(config, 0)
    default = Dataset(X_train, y_train, X_test, y_test)
    short = TrainingRun(config, default, seed=0, pool=pool)
    long = TrainingRun(config, default, seed=0, pool=pool)
    while not (short.finished and long.finished):
        short.advance(0.02, chunk_s=0.02)
        long.advance(0.02, chunk_s=60.0)
    assert long.slices == 1 < short.slices  # the whole run in one chunk, against several
    assert [p.loss for p in long.history] == [p.loss for p in short.history]  # same network
    np.testing.assert_array_equal(long.model.kernels, short.model.kernels)


def test_pause_stops_the_worker_and_resume_continues_the_same_run(data, pool):
    config = CNNConfig(n_train=400, n_test=40, epochs=4)  # 52 steps
    run = TrainingRun(config, data_of(config), seed=1, pool=pool)
    assert first_report(run)
    run.paused = True
    step = run.step
    # The one chunk asked for before the pause is computed; after it the worker has nothing
    # to do for this run, and the page shows nothing new.
    job = run._job
    assert wait_until(lambda: job.id not in pool._waiting[job.worker])
    time.sleep(0.3)
    assert job.id not in pool._waiting[job.worker]
    assert run.advance(0.5) == 0 and run.step == step
    first = run.history[0]
    run.paused = False
    run.run_to_end()
    assert run.status == "done" and run.history[0] is first and run.step == run.total_steps
    here = TrainingRun(config, data_of(config), seed=1)
    here.run_to_end()
    assert [p.loss for p in run.history] == [p.loss for p in here.history]


def data_of(config: CNNConfig) -> Dataset:
    X_train, X_test, y_train, y_test = generated_data(config, 0)
    return Dataset(X_train, y_train, X_test, y_test)


def test_reset_and_a_vanished_session_free_the_workers_copy(data, pool):
    config = CNNConfig(n_train=400, n_test=40, epochs=10)
    run = TrainingRun(config, data_of(config), seed=2, pool=pool)
    assert first_report(run)
    assert pool.open_jobs() == 1
    run.close()  # Reset / Train again
    assert pool.open_jobs() == 0
    assert run.advance(0.0) == 0 or run.finished  # a closed run asks for nothing more

    orphan = TrainingRun(config, data_of(config), seed=2, pool=pool)
    assert first_report(orphan)
    assert pool.open_jobs() == 1
    del orphan  # the session ended: its state is garbage collected
    gc.collect()
    assert pool.open_jobs() == 0
    # The workers still serve new runs after dropping jobs.
    fresh = TrainingRun(CONFIG, data, seed=0, pool=pool)
    fresh.run_to_end()
    assert fresh.status == "done"


def test_a_worker_draws_the_same_generated_drawings_as_this_process(pool):
    for config, seed in ((CONFIG, 0), (CNNConfig(n_train=50, n_test=30, noise=0.2), 7)):
        here = generated_data(config, seed)
        there = pool.generate(config, seed)
        assert len(there) == 4
        for a, b in zip(here, there, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
    assert pool.open_jobs() == 0  # a data request leaves nothing open in the worker


def test_runs_wait_in_line_and_say_where_they_stand(data):
    pool = TrainingPool(workers=1)
    try:
        config = CNNConfig(n_train=800, n_test=200, epochs=3)
        slow = [TrainingRun(config, data_of(config), seed=s, pool=pool) for s in range(4)]
        for run in slow:
            run._job.request(run.total_reports)  # whole runs, one after the other
        last = TrainingRun(CONFIG, data, seed=0, pool=pool)
        last._job.request(1)
        assert last.queue_position >= 1  # others' chunks are ahead of this one
        last.run_to_end()
        assert last.queue_position == 0
        for run in slow:
            run.run_to_end()
    finally:
        pool.shutdown()


def test_shutdown_leaves_no_process_behind(data):
    pool = TrainingPool(workers=2)
    run = TrainingRun(CONFIG, data, seed=0, pool=pool)
    run.run_to_end()
    processes = list(pool._processes)
    assert all(p.is_alive() for p in processes)
    pool.shutdown()
    assert not any(p.is_alive() for p in processes)
    assert not pool._router.is_alive()
    with pytest.raises(RuntimeError, match="shut down"):
        TrainingRun(CONFIG, data, seed=0, pool=pool)


def test_bad_worker_counts_are_refused():
    with pytest.raises(ValueError, match="workers must be between 1 and 64"):
        TrainingPool(workers=0)


def test_a_worker_that_dies_ends_its_runs_with_a_message_not_a_hang(data):
    pool = TrainingPool(workers=1)
    try:
        config = CNNConfig(n_train=400, n_test=40, epochs=20)
        run = TrainingRun(config, data_of(config), seed=0, pool=pool)
        assert first_report(run)
        pool._processes[0].kill()
        pool._processes[0].join(5)
        assert wait_until(lambda: run.advance(0.2) >= 0 and run.finished)
        assert run.status == "diverged"  # the page shows its message, as for divergence
        assert "worker process stopped" in run.message and "Train again" in run.message
        assert np.isfinite(run.model.predict_proba(data.X_test)).all()  # what it had learned
    finally:
        pool.shutdown()


def test_workers_never_run_the_main_script_of_the_process_that_starts_them(data, tmp_path):
    """Under Streamlit (and AppTest) `__main__` is the page script being run; spawn would
    re-run it in every worker. Here it is a script that fails if it is ever run."""
    import sys
    import types

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a worker ran the page script')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    real_main = sys.modules["__main__"]
    sys.modules["__main__"] = fake_main
    try:
        pool = TrainingPool(workers=1)
    finally:
        sys.modules["__main__"] = real_main
    try:
        run = TrainingRun(CONFIG, data, seed=0, pool=pool)
        run.run_to_end()
        assert run.status == "done" and pool._processes[0].is_alive()
    finally:
        pool.shutdown()


_KILLED_SERVER = """
import sys
from playground.training_pool import TrainingPool
pool = TrainingPool(workers=2)
print(*pool.pids(), flush=True)
sys.stdin.read()  # until the test kills this process
"""


def test_workers_leave_when_their_server_is_killed(tmp_path):
    # A killed server cannot tell its workers to stop: they notice it is gone and leave.
    server = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        pids = [int(p) for p in server.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        server.kill()
        server.wait(10)
        assert wait_until(lambda: not any(_alive(pid) for pid in pids), timeout_s=15)
    finally:
        server.kill()


def _alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

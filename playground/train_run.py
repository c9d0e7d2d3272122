"""One session's training run: the data, the model, its step generator and what it reported.

The Train page keeps a `TrainingRun` in `st.session_state` (never in `st.cache_resource`, so
no two browser sessions share a model) and calls `advance(budget_s)` from a fragment that
reruns several times a second: each call brings in the next reports, then the page redraws
the curves and kernels. Pause is simply "stop calling advance"; Resume calls it again on the
same generator; Reset (`close`) throws the run away.

Where the steps are taken: with `pool=None`, here, in the caller's thread (tests, the
benchmark, the command line's twin). With a `training_pool.TrainingPool`, in a worker
process: `advance` asks for the next chunk of reports and waits at most `budget_s` for it,
and `model` mirrors the worker's weights after each chunk, so predictions, the confusion
matrix and the Inside page see exactly the network the curves describe. Same seed, same
numbers, bit for bit, either way.

No Streamlit here, so the run can be tested and benchmarked without a browser. All model
numbers come from `cnn_core.model`; this module only keeps them in order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnn_core import grids
from cnn_core.model import CNNClassifier, CNNConfig, Progress
from cnn_core.untrusted import shorten
from playground.training_pool import Job, TrainingPool, as_arrays

# Every report scores the whole held-out test set, which costs several training steps' worth
# of time (about ten with 200 test drawings): reporting every step would spend most of the
# run measuring instead of learning. Reports come at least every MIN_REPORT_EVERY steps and
# at most MAX_REPORTS times a run; the curves still get dozens of points (55 for the default
# 220 steps; when the default was 190 steps, reporting every 2 steps made 95 reports that
# cost more than the training itself: 0.37 s a run in-process against 0.25 s).
MIN_REPORT_EVERY = 4
MAX_REPORTS = 200

# Labels a learner may give a drawing: short enough to fit a probability bar and an axis.
MAX_LABEL_CHARS = 12

RUNNING, PAUSED, DONE, DIVERGED = "running", "paused", "done", "diverged"


@dataclass(frozen=True)
class Dataset:
    """Drawings for one run. X_* : (n, H, W) float in [0, 1]; y_* : (n,) str labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_added: int = 0  # how many of the training drawings are the learner's own


@dataclass(frozen=True)
class Added:
    """A learner's drawing put into the training set. grid : (H, W) int 0/1."""

    grid: np.ndarray
    label: str


def check_label(text: str | None) -> str:
    """A label typed by a learner, trimmed; ValueError with the reason if it is unusable."""
    label = (text or "").strip()
    if not label:
        raise ValueError("Type a name for the new label first (for example: triangle).")
    if len(label) > MAX_LABEL_CHARS:
        raise ValueError(
            f"The label {shorten(label)!r} is {len(label)} characters long; use at most "
            f"{MAX_LABEL_CHARS}."
        )
    return label


def with_shifts(grid: np.ndarray) -> list[np.ndarray]:
    """The drawing and its one-cell shifts (up, down, left, right) that keep all its ink.

    The deck's first variation is translation: an X one cell to the left is still an X.
    One drawing alone barely moves a network trained on hundreds, so each added drawing
    brings its shifted copies along. grid : (H, W) 0/1 → list of (H, W) int arrays.
    """
    grid = np.asarray(grid, dtype=int)
    copies = [grid.copy()]
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        moved = grids.shift(grid, dr, dc)
        if moved.sum() == grid.sum() and not any(np.array_equal(moved, c) for c in copies):
            copies.append(moved)
    return copies


def merge_added(data: Dataset, added: Sequence[Added], *, shifts: bool = True) -> Dataset:
    """`data` with the learner's drawings (and, if `shifts`, their shifted copies) appended
    to the training set. The held-out test set stays as generated."""
    if not added:
        return data
    images, labels = [], []
    for item in added:
        copies = with_shifts(item.grid) if shifts else [np.asarray(item.grid, dtype=int)]
        images += copies
        labels += [item.label] * len(copies)
    X_extra = np.stack(images).astype(data.X_train.dtype)
    y_extra = np.asarray(labels)
    return Dataset(
        X_train=np.concatenate([data.X_train, X_extra]),
        y_train=np.concatenate([data.y_train.astype(str), y_extra.astype(str)]),
        X_test=data.X_test,
        y_test=data.y_test,
        n_added=len(images),
    )


def report_every(config: CNNConfig, n_train: int, max_reports: int = MAX_REPORTS) -> int:
    """Steps between two reports: at least MIN_REPORT_EVERY, and at most about `max_reports`
    reports (curve points) in the whole run."""
    total = config.epochs * math.ceil(n_train / config.batch_size)
    return max(MIN_REPORT_EVERY, math.ceil(total / max(1, max_reports)))


class TrainingRun:
    """A model being trained on `data` with `config`, one time slice at a time.

    max_reports : about how many reports (curve points) the run gives; fewer reports are
    cheaper (a busy room asks for fewer) and change nothing but the curves' resolution.

    Creating a run checks everything (ValueError with a readable message); `advance` then
    never raises for bad settings: divergence ends the run with a message instead.
    """

    def __init__(
        self,
        config: CNNConfig,
        data: Dataset,
        seed: int = 0,
        pool: TrainingPool | None = None,
        max_reports: int = MAX_REPORTS,
    ) -> None:
        self.config = config
        self.seed = seed
        self.data = data
        self.model = CNNClassifier(config, random_state=seed)
        # Reports (curve points) cost more than steps: each scores the whole test set.
        self._every = report_every(config, len(data.y_train), max_reports)
        # train_steps checks the data and builds the network now; steps run on next().
        self._steps = self.model.train_steps(
            data.X_train, data.y_train, data.X_test, data.y_test, report_every=self._every
        )
        self._job: Job | None = None
        if pool is not None:  # the worker trains; this model only mirrors its weights
            self._steps.close()
            arrays = as_arrays(data.X_train, data.y_train, data.X_test, data.y_test)
            self._job = pool.submit(config, arrays, seed, self._every)
        self.history: list[Progress] = []
        self.paused = False
        self.finished = False
        self.train_seconds = 0.0  # time spent inside advance(): the training itself
        self.started_at = time.perf_counter()
        self.finished_at: float | None = None
        self.slices = 0  # advance() calls that took steps: one redraw each on the page

    def __repr__(self) -> str:
        return (
            f"TrainingRun(status={self.status!r}, step={self.step}/{self.total_steps}, "
            f"classes={self.classes})"
        )

    # --- state ------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """ "running", "paused", "done" or "diverged"."""
        if self.diverged:
            return DIVERGED
        if self.finished:
            return DONE
        return PAUSED if self.paused else RUNNING

    @property
    def remote(self) -> bool:
        """True when a worker process takes the steps."""
        return self._job is not None

    @property
    def queue_position(self) -> int:
        """Before its first report: how many other runs' chunks the worker serves first
        (0 once it trains, or when it runs here)."""
        if self._job is None or self.history or self.finished:
            return 0
        return self._job.queue_position()

    @property
    def latest(self) -> Progress | None:
        return self.history[-1] if self.history else None

    @property
    def diverged(self) -> bool:
        return bool(self.history) and self.history[-1].diverged

    @property
    def message(self) -> str:
        """Why training stopped early ("" unless it diverged)."""
        return self.history[-1].message if self.diverged else ""

    @property
    def step(self) -> int:
        return self.history[-1].step if self.history else 0

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.data.y_train) / self.config.batch_size)

    @property
    def total_steps(self) -> int:
        return self.config.epochs * self.steps_per_epoch

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.model.classes_]

    @property
    def kernels(self) -> np.ndarray:
        """(K, k, k) first-layer kernels as last reported (as initialised before any report)."""
        return self.history[-1].kernels if self.history else self.model.kernels

    @property
    def wall_seconds(self) -> float:
        """Time from creating the run to its end (or to now while it runs)."""
        end = self.finished_at if self.finished_at is not None else time.perf_counter()
        return end - self.started_at

    # --- training ---------------------------------------------------------------------------

    @property
    def total_reports(self) -> int:
        """Reports the whole run will give (one every few steps, and one after the last)."""
        return math.ceil(self.total_steps / self._every)

    def advance(
        self, budget_s: float, max_reports: int | None = None, chunk_s: float | None = None
    ) -> int:
        """Train for about `budget_s` seconds and at most `max_reports` reports (at least
        one); return the number of reports added.

        With a training worker, `budget_s` is how long to wait for its chunk, and `chunk_s`
        (default `budget_s`) how long the worker may train on the next one: in a busy room
        the page redraws only every few seconds, and a chunk as short as the wait would
        stretch a run over many redraws.

        Does nothing when paused or finished. The last step's report always arrives, and a
        diverged report ends the run with the last good weights kept (cnn_core does that).
        """
        if self.paused or self.finished:
            return 0
        if self._job is not None:
            return self._advance_remote(budget_s, max_reports, chunk_s)
        start = time.perf_counter()
        added = 0
        while True:
            record = next(self._steps, None)
            if record is None:
                self._finish()
                break
            self.history.append(record)
            added += 1
            if record.done:
                self._finish()
                break
            if time.perf_counter() - start >= budget_s:
                break
            if max_reports is not None and added >= max_reports:
                break
        self.train_seconds += time.perf_counter() - start
        if added:
            self.slices += 1
        return added

    def _advance_remote(
        self, budget_s: float, max_reports: int | None, chunk_s: float | None
    ) -> int:
        """Take the worker's next chunk if it comes within `budget_s`, and ask for the one
        after it at once, so the worker trains while the page draws."""
        chunk_size = max_reports if max_reports is not None else self.total_reports
        # Alone, a chunk trains for about as long as an in-thread slice would have.
        chunk_s = budget_s if chunk_s is None else chunk_s
        seconds = math.inf if math.isinf(chunk_s) else max(chunk_s, 0.02)
        start = time.perf_counter()
        self._job.request(chunk_size, seconds)
        chunk = self._job.take(None if math.isinf(budget_s) else budget_s)
        self.train_seconds += time.perf_counter() - start
        if chunk is None:
            return 0
        if chunk.error:  # not expected; end the run with a message, keep what it learned
            self.history.append(self._failure(chunk.error))
            self._finish()
            return 1
        self.history += chunk.reports
        self.model.restore(chunk.snapshot)
        self.model.history_ = list(self.history)
        if chunk.reports:
            self.slices += 1
        if chunk.finished:
            self._finish()
        elif not self.paused:
            self._job.request(chunk_size, seconds)
        return len(chunk.reports)

    def _failure(self, reason: str) -> Progress:
        """A last report that stops the run, as divergence does, saying why."""
        last = self.latest
        return Progress.stopped(
            epoch=last.epoch if last else 0,
            step=self.step,
            total_steps=self.total_steps,
            kernels=self.kernels,
            message=f"Training stopped: {reason}. Press Train again to start a new run.",
        )

    def run_to_end(self) -> None:
        """Train without pausing until the run ends (for tests and the benchmark)."""
        self.paused = False
        while not self.finished:
            self.advance(math.inf)

    def close(self) -> None:
        """Throw the run away (Reset, Train again): a worker forgets its copy at once."""
        if self._job is not None:
            self._job.close()

    def _finish(self) -> None:
        self.finished = True
        self.finished_at = time.perf_counter()
        self._steps.close()
        self.close()

    # --- what the page draws ----------------------------------------------------------------

    def curves(self) -> dict[str, tuple[list[float], list[float]]]:
        """Points of the four curves, x in epochs: {"loss", "accuracy", "test_loss",
        "test_accuracy"} → (x, y). A diverged report (NaN) is left out."""
        per_epoch = self.steps_per_epoch
        good = [p for p in self.history if not p.diverged]
        x = [p.step / per_epoch for p in good]
        out = {"loss": (x, [p.loss for p in good]), "accuracy": (x, [p.accuracy for p in good])}
        for name in ("test_loss", "test_accuracy"):
            pts = [(p.step / per_epoch, getattr(p, name)) for p in good]
            pts = [(a, b) for a, b in pts if b is not None]
            out[name] = ([a for a, _ in pts], [b for _, b in pts])
        return out

    def test_predictions(self) -> np.ndarray:
        """(n_test, n_classes) class probabilities of the held-out drawings, now."""
        return self.model.predict_proba(self.data.X_test)

    def confusion(self, proba: np.ndarray | None = None) -> np.ndarray:
        """(n_classes, n_classes) counts: row = true label, column = predicted label, both in
        `classes` order, over the held-out test drawings."""
        proba = self.test_predictions() if proba is None else proba
        classes = self.model.classes_
        true = np.searchsorted(classes, self.data.y_test)
        predicted = proba.argmax(axis=1)
        counts = np.zeros((len(classes), len(classes)), dtype=int)
        np.add.at(counts, (true, predicted), 1)
        return counts

    def misclassified(self, proba: np.ndarray | None = None) -> list[tuple[int, str, str, float]]:
        """Test drawings the network gets wrong, most confident mistakes first:
        (index into X_test, true label, predicted label, probability of the prediction)."""
        proba = self.test_predictions() if proba is None else proba
        classes = self.model.classes_
        predicted = proba.argmax(axis=1)
        wrong = np.flatnonzero(classes[predicted] != self.data.y_test)
        confidence = proba[wrong, predicted[wrong]]
        order = wrong[np.argsort(-confidence, kind="stable")]
        return [
            (int(i), str(self.data.y_test[i]), str(classes[predicted[i]]), float(proba[i].max()))
            for i in order
        ]

    def predict(self, grid: np.ndarray) -> dict[str, float]:
        """{label: probability} for one drawing (H, W) of 0/1, in `classes` order."""
        proba = self.model.predict_proba(np.asarray(grid, dtype=float))
        return {label: float(p) for label, p in zip(self.classes, proba, strict=True)}

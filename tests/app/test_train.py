"""The Train page in AppTest: settings, training to the end, pause/resume/reset, the learner's
drawing classified and added to the training set, bad settings and divergence.

AppTest runs the script but never the browser's timer, so the training fragment advances one
time slice per `at.run()`; `train_until_stopped` keeps running until the run ends. Drawing is
simulated by putting a stroke into the grid component's state, as the browser would.

The second half tests playground/train_run.py directly (no Streamlit): shifts, merging the
learner's drawings, the confusion matrix against a counting loop.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import grids
from cnn_core.model import CNNClassifier, CNNConfig, generated_data
from playground import live_training
from playground.live_training import (
    LIVE_INTERVAL_S,
    LIVE_SPAN_S,
    MIN_FRAMES,
    MIN_FRAMES_IN_A_ROOM,
    REPORTS_PER_FRAME_IN_A_ROOM,
    ROOM_FRAMES_PER_S,
    live_plan,
)
from playground.train_charts import mosaic_tiles, percent
from playground.train_run import (
    MAX_REPORTS,
    MIN_REPORT_EVERY,
    Added,
    Dataset,
    TrainingRun,
    check_label,
    merge_added,
    report_every,
    with_shifts,
)
from playground.training_pool import TrainingPool
from tests.app.helpers import curves_shown, displayed, map_rows

PAGE = "../../playground/views/train/train.py"
TIMEOUT_S = 60
MAX_RUNS = 200  # generous: each run trains for ~0.1 s

X8 = grids.DECK_X_8x8
O8 = grids.DECK_O_8x8


# --- helpers ---------------------------------------------------------------------------------


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    return at


def run_of(at: AppTest):
    return at.session_state["train_run"]


def train_until_stopped(at: AppTest):
    """Click Train, then rerun (one training slice each) until the run has ended."""
    at.button(key="train_start").click().run()
    for _ in range(MAX_RUNS):
        assert not at.exception, at.exception
        if run_of(at).status != "running":
            break
        at.run()
    run = run_of(at)
    assert run.status in ("done", "diverged"), run
    return run


def draw(at: AppTest, grid: np.ndarray) -> None:
    """What the browser sends after a stroke: the whole grid, tagged with its revision."""
    rev = at.session_state["train_grid_rev"]
    previous = at.session_state.get("train_draw")
    seq = (previous or {}).get("grid", {}) or {}
    at.session_state["train_draw"] = {
        "grid": {"rev": rev, "seq": seq.get("seq", 0) + 1, "cells": np.asarray(grid).tolist()}
    }
    at.run()
    assert not at.exception, at.exception


def verdict(at: AppTest) -> str:
    (metric,) = [m for m in at.metric if m.label.startswith("The network says")]
    return metric.value


def probability_bars(at: AppTest) -> dict[str, int]:
    """{label: percent} from the probability bars ("**X** 97%")."""
    bars = {}
    for bar in at.get("progress"):
        text = bar.proto.text
        if text.startswith("**") and text.endswith("%"):
            label, pct = text[2:].split("** ")
            bars[label] = int(pct[:-1])
    return bars


def shown_kernels(at: AppTest, prefix: str) -> np.ndarray:
    """The (N, k, k) kernels drawn as the maps `{prefix}_1`, `{prefix}_2`, … on the page."""
    panels = [p for row in map_rows(at) for p in row["panels"] if p["key"].startswith(prefix + "_")]
    assert panels, f"no kernels {prefix!r} on the page"
    assert [p["key"] for p in panels] == [f"{prefix}_{n + 1}" for n in range(len(panels))]
    return np.array([p["z"] for p in panels], dtype=float)


def chart_spec(at: AppTest, key_part: str) -> dict:
    """The plotly figure of the chart whose element id mentions `key_part`."""
    for chart in at.get("plotly_chart"):
        if key_part in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key_part!r} on the page")


# --- the page --------------------------------------------------------------------------------


def test_defaults_render_with_the_cli_defaults_and_the_decks_kernels():
    at = fresh()
    defaults = CNNConfig()
    assert at.slider(key="train_n_train").value == defaults.n_train
    assert at.slider(key="train_epochs").value == defaults.epochs
    assert at.number_input(key="train_lr").value == pytest.approx(defaults.learning_rate)
    assert at.button(key="train_start").label == "Train"
    assert not at.button(key="train_start").disabled
    for key in ("train_pause", "train_resume", "train_reset"):
        assert at.button(key=key).disabled, key
    assert verdict(at) == "?"
    assert not at.error
    # The deck's hand-made kernels are on the page from the start, with their numbers.
    deck = shown_kernels(at, "train_deck_kernel")
    np.testing.assert_array_equal(deck[1], [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])
    np.testing.assert_array_equal(deck[2], [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    assert at.session_state["train_run"] is None


def test_train_to_completion_then_results_match_the_model():
    at = fresh()
    run = train_until_stopped(at)
    assert run.status == "done"
    steps_per_epoch = -(-CNNConfig().n_train // CNNConfig().batch_size)
    assert run.step == run.total_steps == CNNConfig().epochs * steps_per_epoch
    assert at.button(key="train_start").label == "Train again"
    assert at.button(key="train_pause").disabled and at.button(key="train_resume").disabled

    # The success message states the accuracy the model really has on the held-out set.
    X_test, y_test = run.data.X_test, run.data.y_test
    accuracy = run.model.score(X_test, y_test)
    (message,) = at.success
    assert f"**{percent(accuracy)}**" in message.value
    assert accuracy > 0.7  # it learned something: chance is 50%

    # Curves: one point per report, train loss from the model's own history.
    loss, accuracy_panel = curves_shown(at, "train_curves")["panels"]
    assert [loss["title"], accuracy_panel["title"]] == ["loss", "accuracy"]
    curves = loss["series"] + accuracy_panel["series"]  # loss: train, test; accuracy: train, test
    assert [c["name"] for c in curves] == ["train", "test (held out)"] * 2
    history = run.model.history_
    assert curves[0]["y"] == pytest.approx([p.loss for p in history])
    assert curves[1]["y"] == pytest.approx([p.test_loss for p in history])
    assert curves[3]["y"] == pytest.approx([p.test_accuracy for p in history])
    assert curves[3]["y"][-1] == pytest.approx(accuracy)
    assert curves[0]["x"][-1] == pytest.approx(CNNConfig().epochs)  # the last report: the end

    # Confusion matrix: counts of (true, predicted) over the test set, rows in classes_ order.
    predicted = run.model.predict(X_test)
    expected = [[int(np.sum((y_test == t) & (predicted == p))) for p in run.classes]
                for t in run.classes]  # fmt: skip
    assert chart_spec(at, "train_confusion")["data"][0]["z"] == expected
    # The learned kernels shown are the model's kernels now.
    learned = run.model.kernels
    shown = shown_kernels(at, "train_kernel")
    np.testing.assert_allclose(shown, learned)
    # The misclassified drawings (up to 12), most confident mistake first, with their labels.
    wrong = np.flatnonzero(predicted != y_test)
    if len(wrong):
        fig = chart_spec(at, "train_mistakes")
        titles = [a["text"] for a in fig["layout"]["annotations"]]
        assert len(titles) == min(len(wrong), 12)
        per_row = (len(fig["data"][0]["z"][0]) + 2) // (8 + 2)
        tiles = mosaic_tiles(fig, len(titles), 8, per_row, gap=2)
        proba = run.model.predict_proba(X_test)
        first = wrong[np.argmax(proba[wrong].max(axis=1))]
        np.testing.assert_array_equal(tiles[0], X_test[first])
        assert titles[0] == f"<b>{y_test[first]} → {predicted[first]} {proba[first].max():.0%}</b>"


def test_a_drawn_x_and_o_are_classified_on_every_stroke():
    at = fresh()
    run = train_until_stopped(at)
    for picture, label in ((X8, "X"), (O8, "O")):
        draw(at, picture)
        np.testing.assert_array_equal(at.session_state["train_grid"], picture)
        proba = run.model.predict_proba(picture.astype(float))
        assert verdict(at) == label == run.classes[int(np.argmax(proba))]
        bars = probability_bars(at)
        assert bars == {c: round(100 * p) for c, p in zip(run.classes, proba, strict=True)}


def test_add_drawing_as_x_and_as_a_new_label_then_retrain_uses_them():
    at = fresh()
    train_until_stopped(at)
    triangle = grids.parse_grid(
        "00000000 00010000 00101000 00101000 01000100 01000100 11111110 00000000"
    )
    draw(at, X8)
    at.button(key="train_add_x").click().run()
    assert [(a.label, a.grid.tolist()) for a in at.session_state["train_added"]] == [
        ("X", X8.tolist())
    ]
    assert any("Added your drawing as **X**" in s.value for s in at.success)

    draw(at, triangle)
    at.text_input(key="train_new_label").input("  triangle ").run()
    at.button(key="train_add_new").click().run()
    assert [a.label for a in at.session_state["train_added"]] == ["X", "triangle"]
    assert any("not used yet" in c.value for c in at.caption)

    run = train_until_stopped(at)
    assert run.classes == ["O", "X", "triangle"]
    n_extra = len(with_shifts(X8)) + len(with_shifts(triangle))
    assert run.data.n_added == n_extra
    assert len(run.data.y_train) == CNNConfig().n_train + n_extra
    assert int(np.sum(run.data.y_train == "triangle")) == len(with_shifts(triangle))
    # The prediction panel now has a bar per class, and they add up to 100% (± rounding).
    draw(at, triangle)
    bars = probability_bars(at)
    assert set(bars) == {"O", "X", "triangle"}
    assert abs(sum(bars.values()) - 100) <= 2
    # The confusion matrix has a row and a column for the new label.
    assert np.asarray(chart_spec(at, "train_confusion")["data"][0]["z"]).shape == (3, 3)

    at.button(key="train_forget").click().run()
    assert at.session_state["train_added"] == []


def test_adding_an_empty_drawing_or_an_empty_label_is_refused_with_a_message():
    at = fresh()
    at.button(key="train_clear").click().run()
    assert not at.session_state["train_grid"].any()
    at.button(key="train_add_o").click().run()
    assert at.session_state["train_added"] == []
    assert any("draw something first" in w.value for w in at.warning)

    draw(at, O8)
    at.button(key="train_add_new").click().run()  # the label box is empty
    assert at.session_state["train_added"] == []
    assert any("Type a name for the new label" in w.value for w in at.warning)
    assert not at.exception


@pytest.mark.parametrize(
    ("widget", "value", "words"),
    [
        ("train_lr", 0.0, "learning_rate"),
        ("train_lr", -1.0, "learning_rate"),
        ("train_kernel_size", 5, "kernel_init='deck' needs kernel_size=3"),
    ],
)
def test_bad_settings_show_a_message_disable_train_and_keep_the_last_model(widget, value, words):
    at = fresh()
    run = train_until_stopped(at)
    if widget == "train_kernel_size":
        at.button_group(key="train_init").set_value("deck").run()
        at.button_group(key="train_kernel_size").set_value(value).run()
    else:
        at.number_input(key=widget).set_value(value).run()
    assert not at.exception
    (error,) = at.error
    message = displayed(error.value)
    assert "These settings cannot be trained" in message and words in message
    assert at.button(key="train_start").disabled
    # The trained network is still there and still answers.
    assert run_of(at) is run
    draw(at, X8)
    assert verdict(at) in run.classes


def test_a_huge_learning_rate_diverges_with_a_message_and_keeps_good_weights():
    at = fresh()
    at.number_input(key="train_lr").set_value(1000.0).run()
    run = train_until_stopped(at)
    assert run.status == "diverged"
    assert not at.exception
    (error,) = at.error
    assert "diverged" in error.value and "learning rate" in error.value
    # The kept weights are sane: finite, and their loss on the training drawings is small
    # (the blown-up step reached a loss above 1000).
    assert np.isfinite(run.model.kernels).all()
    proba = run.model.predict_proba(run.data.X_train)
    truth = np.searchsorted(run.model.classes_, run.data.y_train)
    kept_loss = -np.mean(np.log(proba[np.arange(len(truth)), truth]))
    assert kept_loss < 5.0
    assert "the loss became" in error.value  # the step that blew up, named
    # The page shows the kept kernels, not the blown-up ones.
    kept = run.model.kernels
    np.testing.assert_allclose(shown_kernels(at, "train_kernel"), kept)
    draw(at, O8)
    bars = probability_bars(at)
    assert set(bars) == {"O", "X"} and abs(sum(bars.values()) - 100) <= 2
    # The results are still drawn from the kept network.
    assert chart_spec(at, "train_confusion")["data"][0]["z"]


def test_pause_stops_resume_continues_the_same_run_and_reset_clears_it():
    at = fresh()
    at.slider(key="train_n_train").set_value(2000)
    at.slider(key="train_epochs").set_value(60).run()
    at.button(key="train_start").click().run()
    run = run_of(at)
    for _ in range(MAX_RUNS):  # a worker process trains: the first report comes a run later
        if run.step > 0:
            break
        at.run()
    assert run.status == "running" and 0 < run.step < run.total_steps
    assert not at.button(key="train_pause").disabled

    at.button(key="train_pause").click().run()
    assert run.status == "paused"
    paused_at = run.step
    first_report = run.history[0]
    at.run()
    at.run()
    assert run.step == paused_at  # nothing advances while paused
    assert at.button(key="train_pause").disabled and not at.button(key="train_resume").disabled
    assert any("Paused" in bar.proto.text for bar in at.get("progress"))

    at.button(key="train_resume").click().run()
    assert run_of(at) is run and run.history[0] is first_report  # the same generator
    assert run.step > paused_at

    at.button(key="train_reset").click().run()
    assert run_of(at) is None
    assert at.button(key="train_start").label == "Train"
    assert verdict(at) == "?"


def test_each_session_trains_its_own_model_and_the_same_seed_gives_the_same_model():
    first, second = fresh(), fresh()
    run = train_until_stopped(first)
    second.run()
    assert run_of(second) is None  # nothing leaked into the other session
    other = train_until_stopped(second)
    assert other is not run and other.model is not run.model
    np.testing.assert_array_equal(other.model.kernels, run.model.kernels)
    assert [p.loss for p in other.history] == [p.loss for p in run.history]

    second.number_input(key="train_seed").set_value(1).run()
    reseeded = train_until_stopped(second)
    assert not np.array_equal(reseeded.model.kernels, run.model.kernels)
    np.testing.assert_array_equal(run_of(first).model.kernels, run.model.kernels)


# --- playground/train_run.py -----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_data() -> Dataset:
    config = CNNConfig(n_train=64, n_test=40, epochs=2)
    X_train, X_test, y_train, y_test = generated_data(config, seed=3)
    return Dataset(X_train, y_train, X_test, y_test)


def test_with_shifts_keeps_only_shifts_that_keep_all_the_ink():
    centre = np.zeros((5, 5), dtype=int)
    centre[2, 2] = 1
    copies = with_shifts(centre)
    assert len(copies) == 5
    assert sorted(tuple(np.argwhere(c)[0]) for c in copies) == [
        (1, 2),
        (2, 1),
        (2, 2),
        (2, 3),
        (3, 2),
    ]
    corner = np.zeros((5, 5), dtype=int)
    corner[0, 0] = 1
    # Up and left would push the ink off the grid: only down and right remain.
    assert sorted(tuple(np.argwhere(c)[0]) for c in with_shifts(corner)) == [(0, 0), (0, 1), (1, 0)]


def test_merge_added_appends_drawings_and_shifts_to_training_only(small_data):
    added = [Added(X8, "X"), Added(O8, "ring")]
    merged = merge_added(small_data, added)
    n_x, n_o = len(with_shifts(X8)), len(with_shifts(O8))
    assert merged.n_added == n_x + n_o
    assert len(merged.X_train) == len(small_data.X_train) + n_x + n_o
    np.testing.assert_array_equal(merged.X_train[: len(small_data.X_train)], small_data.X_train)
    np.testing.assert_array_equal(merged.X_train[len(small_data.X_train)], X8)
    assert list(merged.y_train[-n_o:]) == ["ring"] * n_o
    assert merged.X_test is small_data.X_test and merged.y_test is small_data.y_test
    plain = merge_added(small_data, added, shifts=False)
    assert plain.n_added == 2
    assert merge_added(small_data, []) is small_data


@pytest.mark.parametrize("text", ["", "   ", None, "a" * 13])
def test_check_label_refuses_empty_and_long_labels(text):
    with pytest.raises(ValueError):
        check_label(text)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.9, "90%"), (1.0, "100%"), (0.995, "99.5%"), (0.0, "0%"), (0.004, "0.4%"), (0.5, "50%")],
)
def test_percent_never_rounds_a_mistake_away(fraction, text):
    assert percent(fraction) == text


def test_check_label_trims():
    assert check_label("  triangle ") == "triangle"


def test_report_every_keeps_curves_short_and_reports_every_few_steps():
    config = CNNConfig(epochs=60, n_train=2000)
    every = report_every(config, 2000)
    steps = 60 * -(-2000 // config.batch_size)
    assert steps / every <= MAX_REPORTS < steps / (every - 1)
    short = CNNConfig(epochs=2, n_train=64)  # 4 steps
    assert report_every(short, 64) == MIN_REPORT_EVERY


def test_run_confusion_and_mistakes_agree_with_a_counting_loop(small_data):
    run = TrainingRun(CNNConfig(n_train=64, n_test=40, epochs=2), small_data, seed=0)
    run.run_to_end()
    assert run.status == "done" and run.step == run.total_steps == 2 * 2
    proba = run.test_predictions()
    classes = list(run.model.classes_)
    counts = np.zeros((2, 2), dtype=int)
    mistakes = []
    for i, (truth, p) in enumerate(zip(small_data.y_test, proba, strict=True)):
        said = classes[int(np.argmax(p))]
        counts[classes.index(truth), classes.index(said)] += 1
        if said != truth:
            mistakes.append((float(p.max()), i, truth, said))
    np.testing.assert_array_equal(run.confusion(proba), counts)
    expected = [(i, t, s, c) for c, i, t, s in sorted(mistakes, key=lambda m: (-m[0], m[1]))]
    assert run.misclassified(proba) == pytest.approx(expected)
    # curves(): x in epochs, one point per report
    x, y = run.curves()["loss"]
    assert x == [p.step / 2 for p in run.history] and y == [p.loss for p in run.history]


def test_run_pauses_and_advances_in_slices(small_data):
    config = CNNConfig(n_train=64, n_test=40, epochs=50)
    run = TrainingRun(config, small_data, seed=0)
    assert run.status == "running" and run.step == 0
    assert run.advance(0.0) == 1  # a zero budget still takes one report's worth of steps
    run.paused = True
    assert run.advance(10.0) == 0 and run.status == "paused"
    run.paused = False
    before = len(run.history)
    assert run.advance(10.0, max_reports=3) == 3  # the report cap stops a long time slice
    assert len(run.history) == before + 3
    run.run_to_end()
    assert run.status == "done" and run.step == 100
    assert run.total_reports == len(run.history) == 100 // MIN_REPORT_EVERY  # one every few steps
    # The same seed and data train the same weights as fitting the model directly.
    model = CNNClassifier(config, random_state=0).fit(small_data.X_train, small_data.y_train)
    np.testing.assert_array_equal(model.kernels, run.model.kernels)


def test_a_busy_room_asks_for_fewer_reports_and_gets_the_same_network(small_data):
    config = CNNConfig(n_train=64, n_test=40, epochs=12)  # 24 steps: 6 reports at most
    full = TrainingRun(config, small_data, seed=0)
    coarse = TrainingRun(config, small_data, seed=0, max_reports=3)
    full.run_to_end()
    coarse.run_to_end()
    assert len(coarse.history) == 3 < len(full.history)
    assert coarse.history[-1].step == full.history[-1].step == full.total_steps
    np.testing.assert_array_equal(coarse.model.kernels, full.model.kernels)
    assert coarse.history[-1].test_accuracy == full.history[-1].test_accuracy


def test_the_live_view_paces_a_run_alone_and_coalesces_in_a_room():
    # Alone: redraws every LIVE_INTERVAL_S, at least MIN_FRAMES of them, every report drawn.
    assert live_plan(1) == (LIVE_INTERVAL_S, MIN_FRAMES, MAX_REPORTS)
    # A room: the trainers share about ROOM_FRAMES_PER_S redraws a second; each run gets as
    # many as fit in LIVE_SPAN_S (at least MIN_FRAMES_IN_A_ROOM), and fewer reports.
    plans = {n: live_plan(n) for n in (2, 3, 6, 30)}
    assert plans[30] == (30 / ROOM_FRAMES_PER_S, MIN_FRAMES_IN_A_ROOM, 8)
    assert plans[3] == (0.25, 4, 16)
    frames = [plans[n][1] for n in sorted(plans)]
    assert frames == sorted(frames, reverse=True)
    assert plans[2][1] == min(MIN_FRAMES, round(LIVE_SPAN_S / plans[2][0]))
    for _, frames, reports in plans.values():
        assert MIN_FRAMES_IN_A_ROOM <= frames <= MIN_FRAMES
        assert reports == frames * REPORTS_PER_FRAME_IN_A_ROOM < MAX_REPORTS


def test_the_generated_drawings_come_even_when_no_worker_can_answer(monkeypatch):
    # A pool that cannot answer (here: shut down; a worker that died says so the same way).
    broken = TrainingPool(workers=1)
    broken.shutdown()
    with pytest.raises(RuntimeError):
        broken.generate(CNNConfig(n_train=30, n_test=10), 3)
    monkeypatch.setattr(live_training.training_pool, "shared_pool", lambda: broken)
    live_training.generated_dataset.clear()
    try:
        data = live_training.generated_dataset(30, 10, 8, 0.02, 3)
    finally:
        live_training.generated_dataset.clear()
    X_train, X_test, y_train, y_test = generated_data(
        CNNConfig(n_train=30, n_test=10, grid_size=8, noise=0.02), 3
    )
    np.testing.assert_array_equal(data.X_train, X_train)
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_train, y_train)
    np.testing.assert_array_equal(data.y_test, y_test)

"""The classifier: its gradient, training, prediction, save / load, divergence, bad input."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from cnn_core.data import make_xo
from cnn_core.kernels import preset
from cnn_core.model import DECK_KERNELS, CNNClassifier, CNNConfig, Progress, generated_data
from tests.reference import numerical_gradient

SMALL = dict(n_kernels=3, kernel_size=3, n_train=64, n_test=32, epochs=2, batch_size=16)


@pytest.fixture(scope="module")
def trained():
    """The default model on the default data (seed 0) and that data."""
    X_train, X_test, y_train, y_test = generated_data(CNNConfig(n_test=1000), seed=0)
    return CNNClassifier(CNNConfig(), random_state=0).fit(X_train, y_train), X_test, y_test


# --- the configuration --------------------------------------------------------------------------


def test_default_config_describes_the_network():
    shapes = dict(CNNConfig().layer_shapes())
    assert shapes["input"] == (8, 8, 1)
    assert shapes["conv1"] == (8, 8, 16)
    assert shapes["pool"] == (1, 1, 16)
    assert CNNConfig.from_json(CNNConfig().to_json()) == CNNConfig()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_kernels": 0}, "n_kernels must be between 1 and 16, got 0"),
        ({"kernel_size": 7}, "kernel_size"),
        ({"kernel_size": 4}, "padding='same' needs odd"),
        ({"padding": "full"}, "padding"),
        ({"pool": "median"}, "pool must be 'max' or 'avg'"),
        ({"pool_size": 9}, "does not fit"),
        ({"padding": "valid", "kernel_size": 5, "conv_layers": 2, "kernel_size2": 5}, "fit"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "finite"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"epochs": 2.5}, "epochs must be an integer"),
        ({"kernel_init": "deck"}, "kernel_size=3"),
        ({"freeze_kernels": "yes"}, "True or False"),
        ({"noise": 0.9}, "noise"),
    ],
)
def test_config_refuses_bad_values_with_readable_messages(changes, message):
    with pytest.raises(ValueError, match=message):
        CNNConfig(**changes)


def test_config_from_json_refuses_foreign_text():
    with pytest.raises(ValueError, match="unknown configuration fields: colour"):
        CNNConfig.from_json(json.dumps({"colour": "red"}))
    with pytest.raises(ValueError, match="not valid JSON"):
        CNNConfig.from_json("{")


# --- the gradient -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {},  # global max pooling: the winners-only backward
        {"padding": "valid", "pool_size": 2},
        {"pool": "avg", "pool_size": 2},
        {"pool": "avg", "pool_size": "global"},
        {"conv_layers": 2, "n_kernels2": 2, "pool_size": 2},
        {"conv_layers": 2, "n_kernels2": 2, "kernel_size2": 2, "padding": 1},
        {"kernel_init": "deck", "freeze_kernels": True},
    ],
)
def test_whole_model_gradient_matches_finite_differences(changes):
    config = CNNConfig(**{**SMALL, "grid_size": 6, "padding": "same", **changes})
    model = CNNClassifier(config, random_state=1, dtype="float64")
    rng = np.random.default_rng(2)
    X = rng.random((5, 6, 6))  # grey levels: no ties, no kinks
    y = np.array(["O", "X", "X", "O", "X"])
    model.train_steps(X, y, epochs=1)  # builds the network, takes no step yet
    cols, y_index = model._windows(X), np.searchsorted(model.classes_, y)

    def loss(flat):
        model._flat[...] = flat
        return model._loss.forward(model._logits(cols), y_index)

    weights = model._flat.copy()
    loss(weights)
    model._flat_grad[...] = 0.0
    model._backward(model._loss.backward())
    analytic = model._flat_grad.copy()
    numeric = numerical_gradient(loss, weights.copy())
    np.testing.assert_allclose(analytic, numeric, atol=1e-7)
    assert np.abs(analytic).max() > 1e-4  # the check compared something


# --- training -----------------------------------------------------------------------------------


def test_default_model_reaches_99_percent_on_held_out_generated_drawings(trained):
    model, X_test, y_test = trained
    assert model.score(X_test, y_test) >= 0.99
    config = CNNConfig()
    steps_per_epoch = -(-config.n_train // config.batch_size)
    assert model.n_steps_ == config.epochs * steps_per_epoch
    assert len(model.loss_curve_) == config.epochs
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_same_seed_same_weights_bit_for_bit_and_other_seeds_differ():
    X, y = make_xo(64, seed=3)
    config = CNNConfig(**SMALL)
    a = CNNClassifier(config, random_state=5).fit(X, y)
    b = CNNClassifier(config, random_state=5).fit(X, y)
    c = CNNClassifier(config, random_state=6).fit(X, y)
    for (name, layer_a), (_, layer_b) in zip(a.layers, b.layers, strict=True):
        for key in layer_a.params:
            assert np.array_equal(layer_a.params[key], layer_b.params[key]), name
    assert not np.array_equal(a.kernels, c.kernels)
    a.fit(X, y)  # fitting again starts afresh
    assert np.array_equal(a.kernels, b.kernels)


def test_train_steps_reports_progress_for_a_live_page():
    X_train, X_test, y_train, y_test = generated_data(CNNConfig(**SMALL), seed=1)
    model = CNNClassifier(CNNConfig(**SMALL))
    records = list(model.train_steps(X_train, y_train, X_test, y_test, report_every=1))
    assert [r.step for r in records] == list(range(1, 9))  # 64 drawings / 16, two epochs
    assert all(isinstance(r, Progress) and not r.diverged for r in records)
    assert [r.epoch for r in records] == [1] * 4 + [2] * 4
    assert records[-1].done and not records[0].done and records[0].total_steps == 8
    assert records[-1].kernels.shape == (3, 3, 3)
    assert not np.shares_memory(records[-1].kernels, model.kernels)  # a copy to keep
    assert 0 <= records[-1].test_accuracy <= 1 and records[-1].test_loss > 0
    assert model.history_ == records
    # Stopping early keeps the weights of the last step; warm start trains on from there.
    model = CNNClassifier(CNNConfig(**SMALL))
    steps = model.train_steps(X_train, y_train, report_every=1)
    next(steps), next(steps)
    kernels_after_two = model.kernels
    assert model.n_steps_ == 2
    more = list(model.train_steps(X_train, y_train, epochs=1, warm_start=True))
    assert model.n_steps_ == 6 and more[-1].step == 6
    assert not np.array_equal(model.kernels, kernels_after_two)
    with pytest.raises(ValueError, match="warm_start needs the labels"):
        model.train_steps(X_train, np.where(y_train == "X", "x", "o"), warm_start=True)


def test_frozen_deck_kernels_stay_put_and_only_the_dense_layer_learns():
    X, y = make_xo(64, seed=4)
    config = CNNConfig(**{**SMALL, "kernel_init": "deck", "freeze_kernels": True})
    model = CNNClassifier(config).fit(X, y)
    np.testing.assert_array_equal(model.kernels, [preset(name) for name in DECK_KERNELS])
    untrained = CNNClassifier(config)
    untrained.train_steps(X, y)  # built, not trained
    assert not np.array_equal(model.layers[-1][1].params["W"], untrained.layers[-1][1].params["W"])


def test_divergence_stops_training_and_keeps_the_last_good_weights():
    X, y = make_xo(64, seed=5)
    config = CNNConfig(**{**SMALL, "optimizer": "sgd", "learning_rate": 1e6, "epochs": 5})
    model = CNNClassifier(config)
    steps = model.train_steps(X, y, report_every=1)
    weights = [model._flat.copy()]  # weights[k]: after k steps
    records = []
    for record in steps:
        records.append(record)
        weights.append(model._flat.copy())
    assert records[-1].diverged and not any(r.diverged for r in records[:-1])
    assert "diverged" in records[-1].message and "learning rate" in records[-1].message
    taken = len(records) - 1  # steps taken; the last of them led to the blown-up loss
    assert taken >= 1 and model.n_steps_ == taken
    # The weights that still gave a finite loss are those from before the last step taken.
    np.testing.assert_array_equal(model._flat, weights[taken - 1])
    assert np.isfinite(model._flat).all()
    assert np.isfinite(model.predict_proba(X)).all()
    # Adam with a huge step: the loss explodes without overflowing, and is caught too.
    adam = CNNClassifier(CNNConfig(**{**SMALL, "learning_rate": 1e6}))
    last = list(adam.train_steps(X, y))[-1]
    assert last.diverged and np.isfinite(adam._flat).all()


def test_any_label_set_is_data_not_code():
    rng = np.random.default_rng(0)
    X = np.zeros((90, 8, 8))
    labels = np.array(["line", "dot", "square"] * 30)
    for i, label in enumerate(labels):
        r, c = rng.integers(1, 5, size=2)
        if label == "line":
            X[i, r, :] = 1
        elif label == "dot":
            X[i, r, c] = 1
        else:
            X[i, r : r + 3, c : c + 3] = 1
    model = CNNClassifier(CNNConfig(epochs=10, batch_size=16)).fit(X, labels)
    assert model.classes_.tolist() == ["dot", "line", "square"]
    assert model.predict_proba(X).shape == (90, 3)
    assert set(model.predict(X)) <= {"dot", "line", "square"}
    assert model.score(X, labels) >= 0.9
    numbers = CNNClassifier(CNNConfig(**SMALL)).fit(X[:40], np.arange(40) % 2)
    assert numbers.classes_.tolist() == ["0", "1"]  # labels become strings


# --- prediction ---------------------------------------------------------------------------------


def test_predictions_single_drawing_fast_path_and_activations(trained):
    model, X_test, _ = trained
    proba = model.predict_proba(X_test[:50])
    assert proba.shape == (50, 2) and np.allclose(proba.sum(axis=1), 1)
    labels = model.predict(X_test[:50])
    assert labels.tolist() == model.classes_[proba.argmax(axis=1)].tolist()
    for grid, row, label in zip(X_test[:50], proba, labels, strict=True):
        one = model.predict_proba(grid)  # the compiled one-drawing path
        assert one.shape == (2,)
        np.testing.assert_allclose(one, row, atol=1e-5)
        assert model.predict(grid) == label  # its label path (from the logits) agrees
    assert model.predict(X_test[0].astype(int).tolist()) in ("O", "X")  # lists of ints work
    acts = model.activations(X_test[0])
    assert list(acts) == ["input", "conv1", "relu1", "pool", "flatten", "dense", "proba"]
    assert acts["conv1"].shape == (16, 8, 8) and acts["pool"].shape == (16, 1, 1)
    np.testing.assert_array_equal(acts["relu1"], np.maximum(acts["conv1"], 0))
    np.testing.assert_allclose(acts["pool"][:, 0, 0], acts["relu1"].max(axis=(1, 2)))
    np.testing.assert_allclose(acts["proba"], model.predict_proba(X_test[0]), atol=1e-5)


@pytest.mark.parametrize(
    "changes", [{"pool_size": 2}, {"pool": "avg", "pool_size": 2}, {"conv_layers": 2}]
)
def test_one_drawing_path_equals_the_batch_path_for_other_networks(changes):
    X, y = make_xo(64, seed=6)
    model = CNNClassifier(CNNConfig(**{**SMALL, **changes})).fit(X, y)
    batch = model.predict_proba(X[:10])
    single = np.array([model.predict_proba(grid) for grid in X[:10]])
    np.testing.assert_allclose(single, batch, atol=1e-5)
    assert [model.predict(grid) for grid in X[:10]] == model.predict(X[:10]).tolist()
    model.fit(X[::-1], y[::-1])  # new weights: the compiled plan must follow
    np.testing.assert_allclose(model.predict_proba(X[0]), model.predict_proba(X[:1])[0], atol=1e-5)


def test_one_drawing_path_equals_the_batch_path_for_three_labels():
    X, y = make_xo(60, seed=7)
    labels = np.where(np.arange(60) % 3 == 0, "mine", y)  # a learner's own third label
    model = CNNClassifier(CNNConfig(**SMALL)).fit(X, labels)
    assert len(model.classes_) == 3
    single = np.array([model.predict_proba(grid) for grid in X[:10]])
    np.testing.assert_allclose(single, model.predict_proba(X[:10]), atol=1e-5)
    assert [model.predict(grid) for grid in X[:10]] == model.predict(X[:10]).tolist()


@pytest.mark.parametrize("diff", [-1000.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 1000.0])
def test_two_class_softmax_is_exact_and_never_overflows(diff):
    from cnn_core.fast_paths import softmax_one

    proba = softmax_one([diff, 0.0])
    expected = np.exp([diff, 0.0] - np.max([diff, 0.0]))  # the textbook form, shifted
    np.testing.assert_allclose(proba, expected / expected.sum(), rtol=1e-12, atol=1e-300)
    assert proba.sum() == pytest.approx(1.0) and np.all(np.isfinite(proba))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((2, 7, 7)), "8×8"),
        (np.full((8, 8), 2.0), r"\[0, 1\]"),
        (np.full((1, 8, 8), np.nan), r"\[0, 1\]"),
        (np.full((8, 8), -1), r"\[0, 1\]"),
        ([["a"] * 8] * 8, "numbers"),
    ],
)
def test_bad_drawings_are_refused_with_a_readable_message(trained, bad, message):
    model = trained[0]
    with pytest.raises(ValueError, match=message):
        model.predict(bad)


def test_bad_training_input_is_refused():
    X, y = make_xo(20, seed=7)
    model = CNNClassifier(CNNConfig(**SMALL))
    with pytest.raises(ValueError, match="has not been trained"):
        model.predict(X)
    with pytest.raises(ValueError, match="one label per drawing"):
        model.fit(X, y[:5])
    with pytest.raises(ValueError, match="at least two different labels"):
        model.fit(X, np.full(20, "X"))
    with pytest.raises(ValueError, match="y_test has labels the training data lacks"):
        model.train_steps(X, y, X[:2], ["X", "triangle"])
    with pytest.raises(ValueError, match="both X_test and y_test"):
        model.train_steps(X, y, X[:2])
    with pytest.raises(ValueError, match="random_state"):
        CNNClassifier(random_state=-1)
    with pytest.raises(ValueError, match="dtype"):
        CNNClassifier(dtype="int8")


# --- save / load --------------------------------------------------------------------------------


def test_save_load_round_trip_gives_identical_predictions(trained, tmp_path):
    model, X_test, y_test = trained
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = CNNClassifier.load(path)
    assert loaded.config == model.config and loaded.classes_.tolist() == model.classes_.tolist()
    assert loaded.loss_curve_ == model.loss_curve_
    np.testing.assert_array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))
    np.testing.assert_array_equal(loaded.predict_proba(X_test[3]), model.predict_proba(X_test[3]))
    buffer = io.BytesIO()
    model.save(buffer)
    from_bytes = CNNClassifier.load(buffer.getvalue())
    np.testing.assert_array_equal(from_bytes.predict_proba(X_test), model.predict_proba(X_test))
    exact = CNNClassifier(CNNConfig(**SMALL), dtype="float64").fit(X_test[:40], y_test[:40])
    exact.save(tmp_path / "exact.npz")
    reloaded = CNNClassifier.load(tmp_path / "exact.npz")
    assert reloaded.dtype == np.float64
    np.testing.assert_array_equal(reloaded.predict_proba(X_test), exact.predict_proba(X_test))
    with np.load(path, allow_pickle=False) as archive:  # readable without this program
        assert json.loads(str(archive["config"]))["n_kernels"] == 16


def _archive(path, **arrays):
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    return path


def test_bad_model_files_give_a_clear_value_error(trained, tmp_path):
    model = trained[0]
    good = tmp_path / "good.npz"
    model.save(good)
    data = dict(np.load(good, allow_pickle=False))
    whole = good.read_bytes()

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(whole[: len(whole) // 2])
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    foreign = _archive(tmp_path / "foreign.npz", weights=np.arange(3.0))
    pickled = _archive(tmp_path / "pickled.npz", **{**data, "config": np.array([{"a": 1}])})
    wrong_shape = _archive(tmp_path / "shape.npz", **{**data, "conv1.W": np.zeros((2, 1, 5, 5))})
    nan = _archive(tmp_path / "nan.npz", **{**data, "dense.b": np.array([np.nan, 0.0])})
    bad_config = _archive(tmp_path / "config.npz", **{**data, "config": np.array('{"x": 1}')})
    single = tmp_path / "single.npy"
    np.save(single, np.arange(3))

    cases = {
        truncated: "damaged or truncated",
        text: "not an .npz archive",
        foreign: "'format' is missing",
        pickled: "pickled Python objects, which are never loaded",
        wrong_shape: "the weights 'conv1.W' have shape",
        nan: "NaN",
        bad_config: "unknown configuration fields",
        single: "single array",
    }
    for path, message in cases.items():
        with pytest.raises(ValueError, match=message):
            CNNClassifier.load(path)
    with pytest.raises(FileNotFoundError):
        CNNClassifier.load(tmp_path / "missing.npz")

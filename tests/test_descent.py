"""One step of gradient descent on one kernel: the gradient against finite differences, the
step against the deck's rule K ← K − η ∂L/∂K, and what the step does to the loss."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core.descent import kernel_step
from cnn_core.model import CNNClassifier, CNNConfig, generated_data


def built(**changes) -> tuple[CNNClassifier, np.ndarray, np.ndarray]:
    """A float64 network trained a little (so its dense layer is not random), and drawings."""
    config = CNNConfig(n_train=200, n_test=40, epochs=1, **changes)
    X, _, y, _ = generated_data(config, seed=3)
    model = CNNClassifier(config, random_state=3, dtype="float64").fit(X, y)
    return model, X[:24], y[:24]


def loss_with_kernel(model, X, y, index, kernel) -> float:
    saved = model.kernels[index].copy()
    model.set_kernel(index, kernel)
    loss, _ = model.kernel_gradients(X, y)
    model.set_kernel(index, saved)
    return loss


@pytest.mark.parametrize(
    "changes",
    [{}, {"kernel_size": 3, "n_kernels": 4}, {"pool": "avg", "pool_size": 2},
     {"conv_layers": 2, "n_kernels": 4, "n_kernels2": 3, "kernel_size2": 3}],
    ids=["default (fused global max)", "3×3", "average pooling", "two convolutions"],
)  # fmt: skip
def test_the_kernel_gradient_matches_finite_differences(changes):
    model, X, y = built(**changes)
    loss, gradients = model.kernel_gradients(X, y)
    for index in (0, model.config.n_kernels - 1):
        kernel = model.kernels[index].astype(np.float64)
        h = 1e-6
        numeric = np.zeros_like(kernel)
        for r, c in np.ndindex(kernel.shape):
            bump = np.zeros_like(kernel)
            bump[r, c] = h
            up = loss_with_kernel(model, X, y, index, kernel + bump)
            down = loss_with_kernel(model, X, y, index, kernel - bump)
            numeric[r, c] = (up - down) / (2 * h)
        np.testing.assert_allclose(gradients[index], numeric, rtol=1e-4, atol=1e-8)
    # Nothing moved while measuring.
    assert model.kernel_gradients(X, y)[0] == loss


def test_one_step_is_the_decks_rule_and_lowers_the_loss():
    model, X, y = built(kernel_size=3, n_kernels=4)
    before = model.kernels.copy()
    others = [p.copy() for _, layer in model.layers for p in layer.params.values()]
    step = kernel_step(model, X, y, index=1, learning_rate=0.1)
    np.testing.assert_array_equal(step.kernel, before[1])
    np.testing.assert_allclose(step.updated, before[1] - 0.1 * step.gradient)
    np.testing.assert_allclose(model.kernels[1], step.updated)
    # Only that kernel moved.
    np.testing.assert_array_equal(np.delete(model.kernels, 1, axis=0), np.delete(before, 1, 0))
    after = [p for _, layer in model.layers for p in layer.params.values()]
    assert sum(not np.array_equal(a, b) for a, b in zip(others, after, strict=True)) == 1
    # A small step against the gradient lowers the loss on the same drawings.
    assert step.loss_after < step.loss
    assert step.loss_after == pytest.approx(model.kernel_gradients(X, y)[0])


def test_the_formula_writes_one_cell_out():
    model, X, y = built(kernel_size=3, n_kernels=4)
    step = kernel_step(model, X, y, index=0, learning_rate=0.5)
    r, c = np.unravel_index(np.abs(step.gradient).argmax(), step.gradient.shape)
    text = step.formula(r, c)
    left, result = text.split(" = ")
    kernel, rest = left.split(" − ")
    eta, gradient = rest.split(" × ")
    assert float(kernel) == pytest.approx(step.kernel[r, c], rel=1e-3)
    assert float(eta) == 0.5
    assert float(gradient.strip("()")) == pytest.approx(step.gradient[r, c], rel=1e-2)
    assert float(result) == pytest.approx(step.updated[r, c], rel=1e-3)
    assert gradient.startswith("(") == (step.gradient[r, c] < 0)


def test_steps_on_one_drawing_make_the_network_say_its_label():
    # Step after step on one drawing with a label the network gets wrong: the loss falls.
    model, X, y = built(kernel_size=3, n_kernels=4)
    drawing = X[:1]
    wrong = np.array([next(c for c in model.classes_ if c != model.predict(drawing)[0])])
    losses = [kernel_step(model, drawing, wrong, index=0, learning_rate=0.5).loss for _ in range(8)]
    assert losses[-1] < losses[0]


def test_bad_requests_are_refused_with_a_reason():
    model, X, y = built(kernel_size=3, n_kernels=4)
    with pytest.raises(ValueError, match="does not know"):
        model.kernel_gradients(X[:2], ["X", "triangle"])
    with pytest.raises(ValueError, match="kernel number 0 to 3"):
        kernel_step(model, X, y, index=4)
    with pytest.raises(ValueError, match="learning_rate"):
        kernel_step(model, X, y, learning_rate=0)
    frozen, X, y = built(kernel_size=3, n_kernels=4, freeze_kernels=True)
    with pytest.raises(ValueError, match="frozen"):
        frozen.kernel_gradients(X, y)

"""One step of gradient descent by hand, on the Train page and the Lesson's last step: the maps
show cnn_core's numbers, "Take the step" applies exactly them, and the real model stays."""

from __future__ import annotations

import re

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core.descent import kernel_step
from playground.descent_view import copy_of
from playground.views.lesson.steps import STEPS
from tests.app.helpers import run, z
from tests.app.test_train import fresh, train_until_stopped

KEY = "train_descent"


def shown_step(at: AppTest, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return z(at, f"{key}_kernel_map"), z(at, f"{key}_gradient_map"), z(at, f"{key}_updated_map")


def test_the_train_page_steps_a_copy_of_the_trained_kernel_by_hand():
    at = fresh()
    trained = train_until_stopped(at)
    at = run(at)
    kernels_before = trained.model.kernels.copy()
    batch = trained.config.batch_size
    X, y = trained.data.X_train[:batch], trained.data.y_train[:batch]

    # What the page shows is cnn_core's step for kernel 1 on the first batch, η = 0.5.
    expected = kernel_step(copy_of(trained.model), X, y, index=0, learning_rate=0.5)
    kernel, gradient, updated = shown_step(at, KEY)
    np.testing.assert_allclose(kernel, expected.kernel, rtol=1e-6)
    np.testing.assert_allclose(gradient, expected.gradient, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(updated, expected.kernel - 0.5 * expected.gradient, rtol=1e-6)

    # Another kernel, another learning rate, the learner's drawing labelled O.
    at.selectbox(key=f"{KEY}_kernel").set_value(2)
    at.number_input(key=f"{KEY}_eta").set_value(2.0)
    at = run(at.selectbox(key=f"{KEY}_data").set_value("your drawing, labelled O"))
    drawing = np.asarray(at.session_state["train_grid"], dtype=float)[None]
    expected = kernel_step(copy_of(trained.model), drawing, ["O"], index=2, learning_rate=2.0)
    kernel, gradient, updated = shown_step(at, KEY)
    np.testing.assert_allclose(gradient, expected.gradient, rtol=1e-6, atol=1e-12)

    # Taking the step: the copy's kernel becomes what was shown; the next step starts there.
    at = run(at.button(key=f"{KEY}_take").click())
    kernel_now, _, _ = shown_step(at, KEY)
    np.testing.assert_allclose(kernel_now, updated, rtol=1e-6)
    assert at.session_state[f"{KEY}_steps"] == 1
    assert any("Steps taken by hand: 1." in c.value for c in at.caption)
    # ...and the trained network itself never moved.
    np.testing.assert_array_equal(trained.model.kernels, kernels_before)

    at = run(at.button(key=f"{KEY}_reset").click())
    np.testing.assert_allclose(shown_step(at, KEY)[0], kernels_before[2], rtol=1e-6)
    assert at.session_state[f"{KEY}_steps"] == 0


def test_the_lessons_last_step_shows_one_step_and_the_loss_falls():
    at = AppTest.from_file("../../playground/app.py", default_timeout=120)
    at.switch_page("views/lesson/lesson.py")
    at.query_params["step"] = str(len(STEPS))
    at = run(at)
    key = "lesson_descent_descent"
    kernel, gradient, updated = shown_step(at, key)
    np.testing.assert_allclose(updated, kernel - 0.5 * gradient, rtol=1e-3, atol=1e-3)
    losses = []
    for _ in range(3):
        text = next(m.value for m in at.markdown if "the loss L on" in m.value)
        before, after = (float(v) for v in re.findall(r"\*\*([\d.]+)\*\*", text))
        losses.append(before)
        assert after < before
        at = run(at.button(key=f"{key}_take").click())
    assert losses == sorted(losses, reverse=True)

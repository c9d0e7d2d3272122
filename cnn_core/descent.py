"""One step of gradient descent on one kernel, with every number, as the deck writes it:

    K ← K − η · ∂L/∂K

The lecture ends on "who determines the masks? gradient descent". Training shows that as a
result (curves and kernels that change); this shows one step of it: the kernel, the gradient
of the loss with respect to each of its cells for some drawings, the learning rate and the
kernel after the step. The gradient comes from the backward pass training uses
(``CNNClassifier.kernel_gradients``); a test checks it against finite differences.

    step = kernel_step(model, X, y, index=0, learning_rate=0.5)
    step.kernel, step.gradient, step.updated       # (k, k) each
    step.formula(0, 0)                             # "0.1203 − 0.5 × 0.031 = 0.1048"
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnn_core import _checks


@dataclass(frozen=True, eq=False)
class KernelStep:
    """What one step did to first-layer kernel ``index`` (0-based) of a model."""

    index: int
    kernel: np.ndarray  # (k, k) K before the step
    gradient: np.ndarray  # (k, k) ∂L/∂K: how the loss changes per unit of each cell
    learning_rate: float  # η
    updated: np.ndarray  # (k, k) K − η ∂L/∂K: the kernel after the step
    loss: float  # the drawings' mean cross-entropy before the step
    loss_after: float  # and after it (the same drawings, only this kernel changed)

    def formula(self, row: int, col: int) -> str:
        """One cell's update written out, e.g. ``"0.1203 − 0.5 × (-0.031) = 0.1358"``."""
        gradient = significant(self.gradient[row, col])
        if gradient.startswith("-"):
            gradient = f"({gradient})"
        return (
            f"{significant(self.kernel[row, col], 4)} − {significant(self.learning_rate)} × "
            f"{gradient} = {significant(self.updated[row, col], 4)}"
        )


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits: gradients are often far below 0.001, where
    the deck's three decimals would show 0."""
    text = f"{float(value):.{digits}g}"
    return "0" if text == "-0" else text


def kernel_step(model, X, y, index: int = 0, learning_rate: float = 0.5) -> KernelStep:
    """Take one plain gradient-descent step on kernel ``index`` of ``model`` (changed in place).

    X : (n, H, W) drawings and y : (n,) their labels (the model's classes): the loss L is
    their mean cross-entropy. Only that kernel moves; every other weight stays.
    """
    learning_rate = _checks.as_real(learning_rate, "learning_rate", positive=True)
    loss, gradients = model.kernel_gradients(X, y)
    if not 0 <= index < len(gradients):
        raise ValueError(f"index must be a kernel number 0 to {len(gradients) - 1}, got {index}")
    kernel = model.kernels[index].astype(np.float64)
    gradient = gradients[index]
    updated = _checks.finite_result(kernel - learning_rate * gradient, "the step")
    model.set_kernel(index, updated)
    loss_after, _ = model.kernel_gradients(X, y)
    return KernelStep(index, kernel, gradient, learning_rate, updated, loss, loss_after)

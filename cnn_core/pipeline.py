"""The lecture's pipeline in one place: convolution → threshold → pooling, stage by stage.

Every page that shows the three maps (the lab, Same?, the Lesson, Inside the network) asks
this module for them, with one settings type, so a setting means the same everywhere and its
default is written once (`PipelineSettings`).

    stages = run(drawing, kernel, PipelineSettings(padding="valid"))
    stages.feature, stages.thresholded, stages.pooled   # (oh, ow), (oh, ow), (ph, pw)

`run` never raises for settings that do not fit a drawing (a kernel larger than an unpadded
image, a pooling window larger than the map): it returns the stages it could compute and, in
`error`, which stage stopped and why, so a page can show what exists and say the rest.
`maps` is the same pipeline for code that wants the exception instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnn_core.ops import conv2d, pool2d, threshold


@dataclass(frozen=True)
class PipelineSettings:
    """The feature pipeline's settings, with the deck's defaults."""

    padding: str | int = "same"
    stride: int = 1
    t: float = 0.0  # threshold: keep values > t
    pool_size: int = 2
    pool_stride: int | None = None  # None: = pool_size (windows side by side)
    pool_mode: str = "max"  # "max", "avg" or "lp"
    p: float = 2.0  # exponent of "lp" pooling


DEFAULTS = PipelineSettings()


@dataclass(frozen=True)
class Stages:
    """One kernel's pass through the pipeline. A stage that could not be computed is None,
    and `error` says which one stopped and why ("Convolution: …" or "Pooling: …")."""

    kernel: np.ndarray  # (k, k)
    name: str = ""  # what the kernel is called on the page (a preset's name, "custom")
    feature: np.ndarray | None = None  # (oh, ow) the convolution
    thresholded: np.ndarray | None = None  # (oh, ow)
    pooled: np.ndarray | None = None  # (ph, pw)
    error: str | None = None


def run(image, kernel, settings: PipelineSettings = DEFAULTS, name: str = "") -> Stages:
    """Convolve ``image`` (H, W) with ``kernel`` (k, k), threshold, pool: every stage that
    fits, and the error that stopped the others."""
    kernel = np.asarray(kernel, dtype=float)
    try:
        feature = conv2d(image, kernel, settings.padding, settings.stride)
    except ValueError as error:
        return Stages(kernel, name, error=f"Convolution: {error}")
    thresholded = threshold(feature, settings.t)
    try:
        pooled = pool2d(
            thresholded, settings.pool_size, settings.pool_stride, settings.pool_mode, settings.p
        )
    except ValueError as error:
        return Stages(kernel, name, feature, thresholded, error=f"Pooling: {error}")
    return Stages(kernel, name, feature, thresholded, pooled)


def maps(image, kernel, settings: PipelineSettings = DEFAULTS):
    """(feature, thresholded, pooled) for ``image`` and ``kernel``; ValueError, naming the
    stage, when a setting does not fit."""
    stages = run(image, kernel, settings)
    if stages.error:
        raise ValueError(stages.error)
    return stages.feature, stages.thresholded, stages.pooled

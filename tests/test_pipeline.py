"""cnn_core.pipeline: the one conv → threshold → pool pipeline, stage by stage, against the
deck's tables and the operations themselves."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core import conv2d, pipeline, pool2d, threshold
from cnn_core.grids import DECK_O_8x8
from cnn_core.kernels import preset
from cnn_core.pipeline import PipelineSettings
from tests import deck

KERNEL = preset("deck diagonal /")


def test_the_deck_defaults_give_the_decks_maps():
    stages = pipeline.run(DECK_O_8x8, KERNEL, name="deck diagonal /")
    assert stages.error is None and stages.name == "deck diagonal /"
    np.testing.assert_array_equal(stages.feature, conv2d(DECK_O_8x8, KERNEL, "same"))
    np.testing.assert_array_equal(stages.thresholded, threshold(stages.feature))
    np.testing.assert_array_equal(stages.pooled, pool2d(stages.thresholded, 2))
    valid = pipeline.run(DECK_O_8x8, KERNEL, PipelineSettings(padding="valid"))
    np.testing.assert_array_equal(valid.feature, deck.VALID_6x6)


@pytest.mark.parametrize(
    "settings, kernel, stage, kept",
    [
        (PipelineSettings(padding="valid"), np.ones((9, 9)), "Convolution: ", ()),
        (PipelineSettings(pool_size=9), KERNEL, "Pooling: ", ("feature", "thresholded")),
    ],
)
def test_a_setting_that_does_not_fit_stops_at_its_stage(settings, kernel, stage, kept):
    stages = pipeline.run(DECK_O_8x8, kernel, settings)
    assert stages.error.startswith(stage)
    for name in ("feature", "thresholded", "pooled"):
        assert (getattr(stages, name) is not None) == (name in kept)
    with pytest.raises(ValueError, match=stage):
        pipeline.maps(DECK_O_8x8, kernel, settings)


def test_threshold_and_pooling_settings_reach_their_stages():
    s = PipelineSettings(padding=1, t=1.0, pool_size=3, pool_stride=2, pool_mode="lp", p=3.0)
    feature, thresholded, pooled = pipeline.maps(DECK_O_8x8, KERNEL, s)
    np.testing.assert_array_equal(feature, conv2d(DECK_O_8x8, KERNEL, 1))
    np.testing.assert_array_equal(thresholded, threshold(feature, 1.0))
    np.testing.assert_allclose(pooled, pool2d(thresholded, 3, 2, "lp", 3.0))

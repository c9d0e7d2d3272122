"""Fixtures shared by the page tests."""

import pytest

from cnn_core.model import CNNConfig, generated_data
from playground.train_run import Dataset, TrainingRun


@pytest.fixture(scope="module")
def trained_run() -> TrainingRun:
    """A small model trained to the end, as the Train page leaves it in session state."""
    config = CNNConfig(n_train=120, n_test=40, epochs=3)
    X_train, X_test, y_train, y_test = generated_data(config, seed=0)
    run_ = TrainingRun(config, Dataset(X_train, y_train, X_test, y_test), seed=0)
    run_.run_to_end()
    return run_

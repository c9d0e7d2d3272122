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


@pytest.fixture(autouse=True, scope="session")
def _room_data_dir(tmp_path_factory):
    """Every page test's Room lives in a temporary data directory, never the project's."""
    import os

    from playground.views.room import config

    os.environ[config.DATA_ENV] = str(tmp_path_factory.mktemp("room-data"))
    os.environ.pop(config.ROOM_DB_ENV, None)
    os.environ.pop(config.TEACHER_KEY_ENV, None)

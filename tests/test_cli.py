"""`python -m cnn_core` end to end, in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
X_GRID = [[1 if r == c or r + c == 7 else 0 for c in range(8)] for r in range(8)]
O_GRID = [
    [1 if (r in (1, 6) and 2 <= c <= 5) or (c in (1, 6) and 2 <= r <= 5) else 0 for c in range(8)]
    for r in range(8)
]


def run(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cnn_core", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def assert_clean_failure(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "model.npz"
    result = run("train", "--seed", 3, "--out", path, "--n-train", 400, "--epochs", 2)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"saved {path}: test accuracy")
    assert "epoch 1/2" in result.stderr and "test accuracy" in result.stderr  # progress lines
    return path


def test_train_then_predict_prints_one_json_object_per_grid(model_file, tmp_path):
    grids = tmp_path / "grids.json"
    grids.write_text(json.dumps([X_GRID, O_GRID]))
    result = run("predict", model_file, grids)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in records] == ["X", "O"]
    for record in records:
        assert set(record["proba"]) == {"X", "O"}
        assert sum(record["proba"].values()) == pytest.approx(1, abs=1e-5)
    piped = run("predict", model_file, "-", stdin=json.dumps([O_GRID]))
    assert json.loads(piped.stdout)["label"] == "O"


def test_train_with_the_same_seed_gives_the_same_file_contents(model_file, tmp_path):
    again = tmp_path / "again.npz"
    result = run("train", "--seed", 3, "--out", again, "--n-train", 400, "--epochs", 2, "--quiet")
    assert result.returncode == 0 and result.stderr == ""
    with np.load(model_file) as a, np.load(again) as b:
        assert a.files == b.files
        for key in a.files:
            assert np.array_equal(a[key], b[key]), key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[1, 0]", "not valid JSON"),
        ("{}", "non-empty JSON list"),
        (json.dumps([[[0] * 7] * 8]), "grid 1 is not 8×8"),
        (json.dumps([X_GRID, [[2] * 8] * 8]), "grid 2 holds 2: cells must be 0 or 1"),
        (json.dumps([[[0.5] * 8] * 8]), "cells must be 0 or 1"),
        (json.dumps([[[True] * 8] * 8]), "cells must be 0 or 1"),
    ],
)
def test_bad_grids_fail_in_one_line(model_file, tmp_path, content, message):
    grids = tmp_path / "grids.json"
    grids.write_text(content)
    assert_clean_failure(run("predict", model_file, grids), message)


def test_bad_files_and_options_fail_in_one_line(model_file, tmp_path):
    grids = tmp_path / "grids.json"
    grids.write_text(json.dumps([X_GRID]))
    assert_clean_failure(run("predict", tmp_path / "nope.npz", grids), "does not exist")
    assert_clean_failure(run("predict", model_file, tmp_path / "nope.json"), "does not exist")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.arange(3))
    assert_clean_failure(run("predict", foreign, grids), "not a usable CNN Playground model")
    assert_clean_failure(run("predict", grids, grids), "not a CNN Playground model file")
    out = tmp_path / "x.npz"
    assert_clean_failure(run("train", "--out", out, "--kernel-size", 9), "kernel_size")
    diverged = run("train", "--out", out, "--lr", "1e6", "--optimizer", "sgd", "--quiet")
    assert_clean_failure(diverged, "diverged")
    assert not out.exists()
    usage = run("train", "--epochs", "many", "--out", out)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert run().returncode == 2


def test_help_explains_every_option():
    text = run("train", "--help").stdout
    for option in ("--seed", "--out", "--n-train", "--epochs", "--lr", "--optimizer", "--kernels",
                   "--kernel-size", "--init", "--freeze", "--pool", "--conv-layers"):  # fmt: skip
        assert option in text
    assert "grids" in run("predict", "--help").stdout

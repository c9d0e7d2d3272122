"""Command line: train the playground's CNN on generated X/O drawings, or use a saved one.

    python -m cnn_core train --seed 0 --out model.npz
    python -m cnn_core predict model.npz grids.json

`train` uses the same defaults as the Train page (CNNConfig()); every option changes one of
them. `predict` reads a JSON list of 0/1 grids and prints one JSON object per line.
Bad input ends with a one-line message on stderr and exit status 1 (2 for bad options).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from cnn_core import _checks, untrusted
from cnn_core.model import CNNClassifier, CNNConfig, generated_data

_DEFAULTS = CNNConfig()
MAX_GRIDS_BYTES = 32 * 1024 * 1024  # about 200,000 8×8 grids


class _Failure(Exception):
    """A problem with the user's input: reported in one line, exit status 1."""


def _pool_size(text: str):
    if text == "global":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'global' or a whole number, got {text!r}"
        ) from None


def _padding(text: str):
    if text in ("valid", "same"):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'valid', 'same' or a whole number, got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    d = _DEFAULTS
    parser = argparse.ArgumentParser(
        prog="python -m cnn_core",
        description="Train the CNN Playground's small CNN on generated X/O drawings, "
        "or predict drawings with a saved model.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{train,predict}")

    train = commands.add_parser(
        "train",
        help="train a model on generated drawings and save it",
        description="Train on generated X/O drawings (the Train page's defaults) and save "
        "the model as .npz. Progress goes to stderr, the result line to stdout.",
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the data and the weights")
    train.add_argument("--out", required=True, help="where to save the model (.npz)")
    data = train.add_argument_group("generated data")
    data.add_argument("--n-train", type=int, default=d.n_train, help="training drawings")
    data.add_argument("--n-test", type=int, default=d.n_test, help="held-out drawings scored")
    data.add_argument(
        "--noise", type=float, default=d.noise, help="chance of a stray speck per background pixel"
    )
    data.add_argument("--grid-size", type=int, default=d.grid_size, help="drawing side")
    net = train.add_argument_group("network")
    net.add_argument("--kernels", type=int, default=d.n_kernels, help="first-layer kernels")
    net.add_argument("--kernel-size", type=int, default=d.kernel_size, help="kernel side, 2–5")
    net.add_argument(
        "--padding", type=_padding, default=d.padding, help="'valid', 'same' or a number"
    )
    net.add_argument(
        "--init",
        choices=("random", "deck"),
        default=d.kernel_init,
        help="start from random kernels, or the deck's \\ / — kernels (needs --kernel-size 3)",
    )
    net.add_argument(
        "--freeze", action="store_true", help="keep the kernels fixed; train the dense layer only"
    )
    net.add_argument(
        "--conv-layers", type=int, choices=(1, 2), default=d.conv_layers, help="1 or 2"
    )
    net.add_argument(
        "--kernels2", type=int, default=d.n_kernels2, help="second convolution's kernels"
    )
    net.add_argument("--kernel-size2", type=int, default=d.kernel_size2, help="second kernel side")
    net.add_argument("--pool", choices=("max", "avg"), default=d.pool, help="pooling")
    net.add_argument(
        "--pool-size", type=_pool_size, default=d.pool_size, help="'global' or a window side"
    )
    fit = train.add_argument_group("training")
    fit.add_argument("--epochs", type=int, default=d.epochs, help="passes over the data")
    fit.add_argument("--lr", type=float, default=d.learning_rate, help="learning rate")
    fit.add_argument(
        "--optimizer", choices=("adam", "sgd"), default=d.optimizer, help="adam or sgd"
    )
    fit.add_argument("--momentum", type=float, default=d.momentum, help="SGD momentum")
    fit.add_argument("--batch-size", type=int, default=d.batch_size, help="drawings per step")
    train.add_argument("--quiet", action="store_true", help="no progress lines")

    predict = commands.add_parser(
        "predict",
        help="predict drawings with a saved model",
        description="Read a JSON list of 0/1 grids and print one JSON object per grid: "
        '{"label": ..., "proba": {label: probability, ...}}.',
    )
    predict.add_argument("model", help="a model saved by 'train' (.npz)")
    predict.add_argument("grids", help="JSON file with a list of 0/1 grids ('-': stdin)")
    return parser


def _config(args) -> CNNConfig:
    return CNNConfig(
        grid_size=args.grid_size,
        n_kernels=args.kernels,
        kernel_size=args.kernel_size,
        padding=args.padding,
        kernel_init=args.init,
        freeze_kernels=args.freeze,
        conv_layers=args.conv_layers,
        n_kernels2=args.kernels2,
        kernel_size2=args.kernel_size2,
        pool=args.pool,
        pool_size=args.pool_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        momentum=args.momentum,
        batch_size=args.batch_size,
        epochs=args.epochs,
        n_train=args.n_train,
        n_test=args.n_test,
        noise=args.noise,
    )


def _train(args) -> int:
    config = _config(args)
    if args.seed < 0:
        raise _Failure(f"--seed must be a non-negative integer, got {args.seed}")
    X_train, X_test, y_train, y_test = generated_data(config, args.seed)
    model = CNNClassifier(config, random_state=args.seed)
    start = time.perf_counter()
    last = None
    for last in model.train_steps(X_train, y_train, X_test, y_test, report_every=5):
        if last.diverged:
            raise _Failure(f"{last.message} Nothing was saved.")
        if not args.quiet:
            print(
                f"epoch {last.epoch}/{config.epochs}  step {last.step}/{last.total_steps}  "
                f"loss {last.loss:.4f}  accuracy {last.accuracy:.3f}  "
                f"test accuracy {last.test_accuracy:.3f}",
                file=sys.stderr,
                flush=True,
            )
    seconds = time.perf_counter() - start
    try:
        model.save(args.out)
    except OSError as error:
        raise _Failure(f"cannot write {args.out!r}: {error.strerror or error}") from None
    print(
        f"saved {args.out}: test accuracy {last.test_accuracy:.3f} on {config.n_test} held-out "
        f"drawings after {model.n_steps_} steps ({1e3 * seconds:.0f} ms)"
    )
    return 0


def _read_grids(path: str, size: int) -> np.ndarray:
    try:
        if path == "-":
            text = sys.stdin.buffer.read(MAX_GRIDS_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                text = handle.read(MAX_GRIDS_BYTES + 1)
    except FileNotFoundError:
        raise _Failure(f"grids file {path!r} does not exist") from None
    except OSError as error:
        raise _Failure(f"cannot read grids file {path!r}: {error}") from None
    try:  # a list of grids of rows of cells: 3 levels deep
        grids = untrusted.load_json(
            text, f"{untrusted.shorten(path)!r}", max_bytes=MAX_GRIDS_BYTES, max_depth=3
        )
    except ValueError as error:
        raise _Failure(str(error)) from None
    if not isinstance(grids, list) or not grids:
        raise _Failure(f"{path!r} must hold a non-empty JSON list of grids")
    for number, grid in enumerate(grids, start=1):
        rows_ok = isinstance(grid, list) and len(grid) == size
        if not rows_ok or not all(isinstance(row, list) and len(row) == size for row in grid):
            raise _Failure(f"grid {number} is not {size}×{size} (a list of {size} rows of {size})")
        for row in grid:
            for value in row:
                if isinstance(value, bool) or value not in (0, 1):
                    raise _Failure(
                        f"grid {number} holds {_checks.describe(value, untrusted.ECHO_CHARS)}: "
                        "cells must be 0 or 1"
                    )
    return np.array(grids, dtype=np.float64)


def _predict(args) -> int:
    try:
        model = CNNClassifier.load(args.model)
    except FileNotFoundError:
        raise _Failure(f"model file {args.model!r} does not exist") from None
    except ValueError as error:
        raise _Failure(str(error)) from None
    except OSError as error:
        raise _Failure(f"cannot read model file {args.model!r}: {error}") from None
    grids = _read_grids(args.grids, model.config.grid_size)
    proba = model.predict_proba(grids)
    labels = model.classes_[proba.argmax(axis=1)]
    for label, row in zip(labels, proba, strict=True):
        record = {
            "label": str(label),
            "proba": {str(c): round(float(p), 6) for c, p in zip(model.classes_, row, strict=True)},
        }
        print(json.dumps(record))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _train(args) if args.command == "train" else _predict(args)
    except (_Failure, ValueError) as error:
        # ValueError: a configuration the model refuses, with its own readable message.
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback for a learner
        print(f"error: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

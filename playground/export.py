"""Save and load: drawings and kernels as JSON, the trained model as ``.npz``.

The JSON file is small enough to read and edit by hand::

    {"cnn_playground": 1,
     "drawings": [[[0, 0, 0, 1, 1, 0, 0, 0], ...]],   # one or more (H, W) grids of 0/1
     "kernels": [[[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]]}   # zero or more (k, k) kernels

Either part may be left out; a bare list of 0/1 rows is read as one drawing. Everything is
checked on import with the same bounds as the widgets and a link (``playground.links.codec``),
and a file with anything wrong is refused whole, with a message that names the problem.

Pure: no Streamlit (a test imports it in a fresh interpreter to check). The sidebar's
"Save & load" box that offers these files on every page is ``playground.save_load``.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import numpy as np

from cnn_core import untrusted
from cnn_core.model import CNNClassifier
from playground.links import codec

FORMAT_KEY = "cnn_playground"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 64 * 1024  # a 16×16 drawing and four 5×5 kernels are under 2 KB
MAX_MODEL_BYTES = 5 * 1024 * 1024  # the playground's models are tens of KB


@dataclass(frozen=True, eq=False)
class Imported:
    """What a JSON file holds: drawings (H, W) int 0/1 and kernels (k, k) float."""

    drawings: tuple[np.ndarray, ...] = ()
    kernels: tuple[np.ndarray, ...] = ()

    def as_link_state(self) -> codec.LinkState:
        return codec.LinkState(self.drawings, self.kernels)


def to_json(drawings=(), kernels=()) -> str:
    """Drawings and kernels as the JSON text above (numbers written as the deck does)."""
    data: dict[str, object] = {FORMAT_KEY: FORMAT_VERSION}
    if len(drawings):
        data["drawings"] = [np.asarray(d, dtype=int).tolist() for d in drawings]
    if len(kernels):
        data["kernels"] = [
            [[_plain(v) for v in row] for row in np.asarray(k, dtype=float).tolist()]
            for k in kernels
        ]
    return json.dumps(data, indent=1)


def _plain(value: float) -> int | float:
    """-1.0 → -1, 0.5 → 0.5: JSON a person can read."""
    return int(value) if float(value).is_integer() else float(value)


def _matrix(value, name: str) -> list[list]:
    """A non-empty list of equally long lists, or a ValueError naming ``name``."""
    if not isinstance(value, list) or not value:
        raise ValueError(f"{name} must be a list of rows, got {_kind(value)}")
    for i, row in enumerate(value, start=1):
        if not isinstance(row, list) or not row:
            raise ValueError(f"{name}: row {i} must be a list of numbers, got {_kind(row)}")
    widths = {len(row) for row in value}
    if len(widths) > 1:
        raise ValueError(f"{name} must have rows of equal length, got lengths {sorted(widths)}")
    return value


def _kind(value) -> str:
    return f"{type(value).__name__} {untrusted.shorten(json.dumps(value)[:100])}"


def _drawing(value, name: str) -> np.ndarray:
    rows = _matrix(value, name)
    h, w = len(rows), len(rows[0])
    # As small as a lesson step's patch: the page it is loaded into says what it can show.
    if h != w or not codec.LESSON_GRID_MIN <= h <= codec.GRID_MAX:
        raise ValueError(
            f"{name} must be square, {codec.LESSON_GRID_MIN}×{codec.LESSON_GRID_MIN} to "
            f"{codec.GRID_MAX}×{codec.GRID_MAX}, got {h}×{w}"
        )
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if isinstance(v, bool) or v not in (0, 1):
                raise ValueError(f"{name}: row {i}, column {j} must be 0 or 1, got {_kind(v)}")
    return np.array(rows, dtype=int)


def _kernel(value, name: str) -> np.ndarray:
    rows = _matrix(value, name)
    h, w = len(rows), len(rows[0])
    if h != w or not codec.KERNEL_MIN <= h <= codec.KERNEL_MAX:
        raise ValueError(
            f"{name} must be square, {codec.KERNEL_MIN}×{codec.KERNEL_MIN} to "
            f"{codec.KERNEL_MAX}×{codec.KERNEL_MAX}, got {h}×{w}"
        )
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            # load_json reads integers too large for a float as errors, so isfinite is safe
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{name}: row {i}, column {j} must be a number, got {_kind(v)}")
            if abs(v) > codec.MAX_ABS:
                raise ValueError(
                    f"{name}: row {i}, column {j} is {v}; use numbers between "
                    f"−{codec.MAX_ABS:g} and {codec.MAX_ABS:g}"
                )
    return np.array(rows, dtype=float)


def read_json(data: bytes | str) -> Imported:
    """Read a drawings-and-kernels file. ValueError with a readable reason for anything wrong."""
    # A drawings file nests at most 4 deep: {"drawings": [drawing [row [cell]]]}.
    value = untrusted.load_json(data, "the file", max_bytes=MAX_JSON_BYTES, max_depth=4)
    if isinstance(value, list):  # a bare drawing
        return Imported(drawings=(_drawing(value, "the drawing"),))
    if not isinstance(value, dict):
        raise ValueError(
            f"the file must hold an object with drawings and kernels, got {_kind(value)}"
        )
    version = value.get(FORMAT_KEY, FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ValueError(
            f"the file is format version {untrusted.shorten(json.dumps(version))}; "
            f"this program reads {FORMAT_VERSION}"
        )
    unknown = sorted(set(value) - {FORMAT_KEY, "drawings", "kernels"})
    if unknown:
        raise ValueError(
            f"the file has unknown entries {untrusted.shorten(unknown)}; allowed are "
            "'drawings' and 'kernels'"
        )
    drawings = value.get("drawings", [])
    kernels = value.get("kernels", [])
    if not isinstance(drawings, list) or not isinstance(kernels, list):
        raise ValueError("'drawings' and 'kernels' must each be a list")
    if not drawings and not kernels:
        raise ValueError("the file holds no drawings and no kernels")
    if len(drawings) > codec.MAX_GRIDS:
        raise ValueError(f"the file holds {len(drawings)} drawings; at most {codec.MAX_GRIDS}")
    if len(kernels) > codec.MAX_KERNELS:
        raise ValueError(f"the file holds {len(kernels)} kernels; at most {codec.MAX_KERNELS}")
    many = len(drawings) > 1
    grids = tuple(
        _drawing(d, f"drawing {i}" if many else "the drawing") for i, d in enumerate(drawings, 1)
    )
    if len({g.shape for g in grids}) > 1:
        raise ValueError("the drawings must all have the same size")
    return Imported(
        drawings=grids,
        kernels=tuple(_kernel(k, f"kernel {i}") for i, k in enumerate(kernels, 1)),
    )


def model_to_bytes(model) -> bytes:
    """A trained ``CNNClassifier`` as the bytes of its ``.npz`` file."""
    buffer = io.BytesIO()
    model.save(buffer)
    return buffer.getvalue()


def model_from_bytes(data: bytes):
    """A ``CNNClassifier`` from an uploaded ``.npz`` (no pickle); ValueError if it is not one."""
    if len(data) > MAX_MODEL_BYTES:
        raise ValueError(
            f"the file is {len(data) // 1024} KB; a playground model is at most "
            f"{MAX_MODEL_BYTES // (1024 * 1024)} MB"
        )
    return CNNClassifier.load(bytes(data))

"""The link codec: a page's shareable state (``LinkState``) ⇄ URL query parameters.

Pure: no Streamlit. The URL format is described in ``playground.links``. The bounds below are
declared once; the widgets, the file reader and the decoder all use them, so a link can hold
exactly what the widgets can show. A link with anything wrong is refused as a whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from cnn_core.untrusted import shorten

# --- bounds: declared here once; the widgets, the file reader and the codec all use them ---

GRID_MIN, GRID_MAX = 5, 16
LESSON_GRID_MIN = 3  # the lesson's dot product multiplies a 3×3 patch
KERNEL_MIN, KERNEL_MAX = 2, 5
MAX_KERNELS = 4
MAX_GRIDS = 3  # channels of a 3-D input, or the two drawings of "Same?"
MAX_ABS = 1000.0  # the kernel editor refuses larger numbers too
PADDING_WORDS = ("valid", "same")
MAX_PAD = 4
MAX_STRIDE = 4
MAX_POOL = 4
POOL_MODES = ("max", "avg", "lp")
P_MIN, P_MAX = 1.0, 10.0
T_MIN, T_MAX = -6.0, 6.0  # the threshold slider's range
NUMBER_STEP = 0.5  # the threshold slider and the p input move in halves

# The Train page's widgets (views/train/train.py): (lowest, highest)
TRAIN_GRID = 8  # its drawing is CNNConfig().grid_size a side
TRAIN_N_TRAIN = (20, 2000)
TRAIN_N_TEST = (20, 1000)
TRAIN_NOISE = (0.0, 0.3)
TRAIN_SEED = (0, 10_000)
TRAIN_N_KERNELS = (1, 16)
TRAIN_EPOCHS = (1, 60)
TRAIN_INITS = ("random", "deck")
TRAIN_OPTIMIZERS = ("adam", "sgd")
TRAIN_LR_MAX = MAX_ABS  # the learning rate: more than 0, at most this
# Inside the network (views/inside/inside.py)
INSIDE_SOURCES = ("deck", "lab")
INSIDE_COLOUR_BY = ("cell", "value")  # its options "kernel cell" and "value"

# Longest text a parameter may hold before we even look at it: a 16×16 grid is 271 characters,
# a 5×5 kernel of long decimals a few hundred. Anything longer is refused unread.
MAX_PARAM_CHARS = 600

ROW_SEP, VALUE_SEP = "~", "_"  # unreserved characters: the address bar shows them as they are
GRID_ROW_SEP = "-"


# --- one value at a time ---------------------------------------------------------------------


def format_value(value: float) -> str:
    """A number as short as it can be and still read back exactly: ``-1``, ``0.5``, ``1e-05``."""
    value = float(value) + 0.0  # -0.0 → 0.0
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _check_length(text: str, name: str) -> None:
    if len(text) > MAX_PARAM_CHARS:
        raise ValueError(
            f"{name} is {len(text)} characters long; a link holds at most {MAX_PARAM_CHARS}"
        )


def parse_number(text: str, name: str, low: float = -MAX_ABS, high: float = MAX_ABS) -> float:
    """A finite decimal number between ``low`` and ``high`` (``inf``, ``nan``, hex refused)."""
    cleaned = text.strip().replace("−", "-")
    # float() also reads "inf", "nan", "1_000" and surrounding junk like "\t"; links carry
    # plain decimals only.
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", cleaned):
        raise ValueError(f"{name} must be a number, got {shorten(text)!r}")
    value = float(cleaned)
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(
            f"{name} must be between {format_value(low)} and {format_value(high)}, "
            f"got {shorten(text)}"
        )
    return value


def parse_int(text: str, name: str, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``."""
    cleaned = text.strip()
    if not re.fullmatch(r"\d{1,6}", cleaned):
        raise ValueError(
            f"{name} must be a whole number from {low} to {high}, got {shorten(text)!r}"
        )
    value = int(cleaned)
    if not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value}")
    return value


def parse_choice(text: str, name: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        allowed = ", ".join(choices)
        raise ValueError(f"{name} must be one of {allowed}, got {shorten(text)!r}")
    return text


# --- grids and kernels -----------------------------------------------------------------------


def encode_grid(grid) -> str:
    """(H, W) 0/1 → ``"00000000-00011000-…"`` (one run of digits per row)."""
    grid = np.asarray(grid)
    return GRID_ROW_SEP.join("".join("1" if v else "0" for v in row) for row in grid.tolist())


def decode_grid(text: str, name: str = "the drawing (g)", smallest: int = GRID_MIN) -> np.ndarray:
    """``"00110-01001-…"`` → (H, W) int array of 0/1, square, ``smallest``–16 cells a side."""
    _check_length(text, name)
    rows = text.strip().split(GRID_ROW_SEP)
    if not smallest <= len(rows) <= GRID_MAX:
        raise ValueError(f"{name} must have {smallest} to {GRID_MAX} rows, got {len(rows)}")
    for number, row in enumerate(rows, start=1):
        if not row or set(row) - {"0", "1"}:
            raise ValueError(
                f"{name}: row {number} must be a run of 0s and 1s, got {shorten(row)!r}"
            )
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise ValueError(f"{name} must have rows of equal length, got {sorted(widths)}")
    if widths != {len(rows)}:
        raise ValueError(f"{name} must be square, got {len(rows)} rows of {widths.pop()} cells")
    return np.array([[int(c) for c in row] for row in rows], dtype=int)


def encode_kernel(kernel) -> str:
    """(k, k) numbers → ``"-1_-1_1~-1_1_-1~1_-1_-1"``."""
    kernel = np.asarray(kernel, dtype=float)
    return ROW_SEP.join(VALUE_SEP.join(format_value(v) for v in row) for row in kernel.tolist())


def decode_kernel(text: str, name: str = "kernel") -> np.ndarray:
    """``"-1_-1_1~…"`` (or ``"-1,-1,1;…"``) → (k, k) float array, k from 2 to 5."""
    _check_length(text, name)
    rows = [r for r in re.split(r"[~;]", text.strip())]
    if not KERNEL_MIN <= len(rows) <= KERNEL_MAX:
        raise ValueError(f"{name} must have {KERNEL_MIN} to {KERNEL_MAX} rows, got {len(rows)}")
    values = []
    for i, row in enumerate(rows, start=1):
        cells = re.split(r"[_,]", row)
        values.append(
            [parse_number(c, f"{name}, row {i}, column {j}") for j, c in enumerate(cells, 1)]
        )
    widths = {len(row) for row in values}
    if widths != {len(rows)}:
        raise ValueError(
            f"{name} must be square ({len(rows)} numbers in each of its {len(rows)} rows), "
            f"got rows of {sorted(widths)} numbers"
        )
    return np.array(values, dtype=float)


# --- the whole state -------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One short URL key for a setting, and how to read it."""

    key: str  # in the URL
    name: str  # in messages
    kind: str  # "int", "number", "choice" or "padding"
    low: float = 0
    high: float = 0
    choices: tuple[str, ...] = ()
    step: float | None = None  # numbers must be multiples of this (the widget's step)

    def parse(self, text: str):
        label = f"{self.name} ({self.key})"
        if self.kind == "int":
            value = parse_int(text, label, int(self.low), int(self.high))
            if self.step and value % int(self.step):
                raise ValueError(f"{label} must be a multiple of {int(self.step)}, got {value}")
            return value
        if self.kind == "number":
            value = parse_number(text, label, self.low, self.high)
            # A slider's steps of 0.01 are not exact in binary (0.07 / 0.01 = 7.000000000000001).
            if self.step and abs(value / self.step - round(value / self.step)) > 1e-9:
                raise ValueError(
                    f"{label} must be a multiple of {format_value(self.step)}, got {shorten(text)}"
                )
            return value
        if self.kind == "choice":
            return parse_choice(text, label, self.choices)
        # padding: a word or a number of zero rows
        if text in PADDING_WORDS:
            return text
        if text.strip().isdigit():
            return parse_int(text, label, 0, MAX_PAD)
        raise ValueError(
            f"{label} must be valid, same or a whole number from 0 to {MAX_PAD}, "
            f"got {shorten(text)!r}"
        )

    def format(self, value) -> str:
        if self.kind == "number":
            return format_value(value)
        return str(value)


SETTINGS: tuple[Setting, ...] = (
    Setting("pad", "padding", "padding"),
    Setting("s", "stride", "int", 1, MAX_STRIDE),
    Setting("t", "threshold", "number", T_MIN, T_MAX, step=NUMBER_STEP),
    Setting("pm", "pooling", "choice", choices=POOL_MODES),
    Setting("ps", "pool size", "int", 1, MAX_POOL),
    Setting("pst", "pool stride", "int", 1, MAX_POOL),
    Setting("lp", "the p of Lp pooling", "number", P_MIN, P_MAX, step=NUMBER_STEP),
    Setting("r", "window row", "int", 1, GRID_MAX),
    Setting("c", "window column", "int", 1, GRID_MAX),
    # the Train page (its sidebar's widgets, views/train/train.py)
    Setting("n", "training drawings", "int", *TRAIN_N_TRAIN, step=20),
    Setting("nt", "test drawings", "int", *TRAIN_N_TEST, step=20),
    Setting("noise", "noise", "number", *TRAIN_NOISE, step=0.01),
    Setting("seed", "seed", "int", *TRAIN_SEED),
    Setting("nk", "number of kernels", "int", *TRAIN_N_KERNELS),
    Setting("ks", "kernel size", "int", KERNEL_MIN, KERNEL_MAX),
    Setting("init", "start from", "choice", choices=TRAIN_INITS),
    Setting("frz", "freeze the kernels", "choice", choices=("0", "1")),
    Setting("opt", "optimizer", "choice", choices=TRAIN_OPTIMIZERS),
    Setting("lr", "learning rate", "number", 0.0, TRAIN_LR_MAX),
    Setting("ep", "epochs", "int", *TRAIN_EPOCHS),
    # Inside the network (views/inside/inside.py)
    Setting("src", "example", "choice", choices=INSIDE_SOURCES),
    Setting("lk", "lab kernel", "int", 1, MAX_KERNELS),
    Setting("pr", "pooled neuron row", "int", 1, GRID_MAX // 2),
    Setting("pc", "pooled neuron column", "int", 1, GRID_MAX // 2),
    Setting("by", "colour the weights by", "choice", choices=INSIDE_COLOUR_BY),
)
SETTING_BY_KEY = {s.key: s for s in SETTINGS}
KNOWN_KEYS = ("g", "k", *SETTING_BY_KEY, "step")


@dataclass(frozen=True, eq=False)
class LinkState:
    """What a link carries. Every part is optional: a page shares only what it shows.

    grids : tuple of (H, W) int 0/1 drawings, all the same size (usually one)
    kernels : tuple of (k, k) float arrays
    settings : {setting key: value}, keys from ``SETTINGS`` (e.g. ``{"pad": "same", "t": 0.0}``)
    step : the lesson step, counted from 1, or None
    """

    grids: tuple[np.ndarray, ...] = ()
    kernels: tuple[np.ndarray, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)
    step: int | None = None

    def __eq__(self, other) -> bool:
        if not isinstance(other, LinkState):
            return NotImplemented
        return encode(self) == encode(other)

    def __repr__(self) -> str:
        return f"LinkState({encode(self)!r})"


@dataclass(frozen=True)
class Decoded:
    """The result of reading a link: ``state`` (None when the link is refused) and the
    readable reasons it was refused."""

    state: LinkState | None
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def encode(state: LinkState) -> dict[str, str | list[str]]:
    """The query parameters for ``state``, in a fixed order (equal states, equal URLs)."""
    params: dict[str, str | list[str]] = {}
    if state.grids:
        params["g"] = [encode_grid(g) for g in state.grids]
    if state.kernels:
        params["k"] = [encode_kernel(k) for k in state.kernels]
    for setting in SETTINGS:
        if setting.key in state.settings and state.settings[setting.key] is not None:
            params[setting.key] = setting.format(state.settings[setting.key])
    if state.step is not None:
        params["step"] = str(int(state.step))
    return params


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def decode(
    params: Mapping[str, str | list[str]],
    *,
    n_steps: int | None = None,
    smallest_grid: int = GRID_MIN,
) -> Decoded:
    """Read query parameters (``{key: value or [values]}``) back into a ``LinkState``.

    Unknown keys are ignored (other tools add their own, e.g. ``utm_source``). Every known key
    is checked; if anything is wrong the whole link is refused and every problem is listed.
    n_steps : how many lesson steps there are (``step`` must be 1..n_steps)
    smallest_grid : the smallest drawing allowed (the lesson's dot product is 3×3)
    """
    errors: list[str] = []
    grids: list[np.ndarray] = []
    kernels: list[np.ndarray] = []
    settings: dict[str, object] = {}
    step = None

    def single(key: str, name: str) -> str | None:
        values = _values(params, key)
        if len(values) > 1:
            errors.append(f"{name} ({key}) is given {len(values)} times; give it once")
            return None
        return values[0] if values else None

    grid_texts = _values(params, "g")
    if len(grid_texts) > MAX_GRIDS:
        errors.append(f"a link holds at most {MAX_GRIDS} drawings (g), got {len(grid_texts)}")
    else:
        for i, text in enumerate(grid_texts, start=1):
            name = "the drawing (g)" if len(grid_texts) == 1 else f"drawing {i} (g)"
            try:
                grids.append(decode_grid(text, name, smallest_grid))
            except ValueError as error:
                errors.append(str(error))
        if len({g.shape for g in grids}) > 1:
            sizes = ", ".join(f"{g.shape[0]}×{g.shape[1]}" for g in grids)
            errors.append(f"the drawings (g) must all have the same size, got {sizes}")

    kernel_texts = _values(params, "k")
    if len(kernel_texts) > MAX_KERNELS:
        errors.append(f"a link holds at most {MAX_KERNELS} kernels (k), got {len(kernel_texts)}")
    else:
        for i, text in enumerate(kernel_texts, start=1):
            try:
                kernels.append(decode_kernel(text, f"kernel {i} (k)"))
            except ValueError as error:
                errors.append(str(error))

    for setting in SETTINGS:
        text = single(setting.key, setting.name)
        if text is None:
            continue
        try:
            settings[setting.key] = setting.parse(text)
        except ValueError as error:
            errors.append(str(error))

    text = single("step", "the lesson step")
    if text is not None:
        high = n_steps if n_steps is not None else 999
        try:
            step = parse_int(text, "the lesson step (step)", 1, high)
        except ValueError as error:
            errors.append(str(error))

    if errors:
        return Decoded(None, tuple(errors))
    return Decoded(LinkState(tuple(grids), tuple(kernels), settings, step))

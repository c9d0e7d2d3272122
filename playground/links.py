"""Shareable links: what is on screen ⇄ the URL's query parameters.

Copying the address bar shares exactly what is on screen; opening the link in another browser
restores it. The first part of this module is a pure codec (no Streamlit; unit-tested on its
own); the last part keeps ``st.session_state`` and ``st.query_params`` in step.

The URL format (every character is one a URL carries unescaped, so links stay readable)::

    /lab?g=00000000-00011000-00101100-01000010-01000010-00101100-00011000-00000000
         &k=-1_-1_1~-1_1_-1~1_-1_-1&k=1_1_1~0_0_0~-1_-1_-1
         &pad=same&s=1&t=0&pm=max&ps=2&pst=2&lp=2
    /lesson?step=5

    path   the page (lab is also the app's root ``/``), kept by Streamlit's navigation
    g      a drawing: rows of 0/1 joined by ``-`` (5–16 rows of 5–16 cells); a view with
           several drawings (the channels of a 3-D input, the pair of "Same?") repeats ``g``
    k      one kernel per ``k`` (at most 4): numbers joined by ``_``, rows by ``~``
           (2×2 to 5×5; ``,`` and ``;`` are accepted too, for links typed by hand)
    pad    padding: ``valid``, ``same`` or a number of zero rows 0–4
    s      convolution stride 1–4
    t      threshold (keep values > t): −6 to 6 in steps of 0.5, as the slider
    pm     pooling: ``max``, ``avg`` or ``lp``;  ps  pool size 1–4;  pst  pool stride 1–4
    lp     the exponent p of Lᵖ pooling: 1 to 10 in steps of 0.5
    r, c   the output cell being explained (the sliding window's place), counted from 1
    step   the lesson step, 1 to the number of steps

    The Train page (/train): ``g`` its 8×8 drawing and its settings (a trained model is never
    in a link: it is trained again with these settings)
    n      training drawings 20–2000 in steps of 20;  nt  test drawings 20–1000 in steps of 20
    noise  0 to 0.3 in steps of 0.01;  seed  0–10000
    nk     kernels 1–16;  ks  kernel size 2–5;  init  ``random`` or ``deck``;  frz  ``0``/``1``
    opt    ``adam`` or ``sgd``;  lr  learning rate, more than 0 and at most 1000;  ep  epochs 1–60

    Inside the network (/inside): ``src`` the example (``deck`` or ``lab``; with ``lab`` also
    ``g`` and ``k``, the lab's drawing and kernels, ``lk`` the lab kernel shown, counted from 1,
    and ``pad`` ``valid`` or ``same``), ``r``, ``c`` the output neuron traced and ``pr``, ``pc``
    the pooled neuron (counted from 1), ``by`` the weights' colouring (``cell`` or ``value``)

Decoding checks everything against the same bounds the widgets have. A link with anything
wrong is refused as a whole (a half-applied link would show something nobody shared): the
caller gets readable messages and opens the defaults.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from cnn_core.ops import conv_output_shape, pool_output_shape
from cnn_core.pipeline import PipelineSettings
from cnn_core.untrusted import shorten
from playground.plain_text import md

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

# The Train page's widgets (views/train.py): (lowest, highest)
TRAIN_GRID = 8  # its drawing is CNNConfig().grid_size a side
TRAIN_N_TRAIN = (20, 2000)
TRAIN_N_TEST = (20, 1000)
TRAIN_NOISE = (0.0, 0.3)
TRAIN_SEED = (0, 10_000)
TRAIN_N_KERNELS = (1, 16)
TRAIN_EPOCHS = (1, 60)
TRAIN_INITS = ("random", "deck")
TRAIN_OPTIMIZERS = ("adam", "sgd")
# Inside the network (views/inside.py)
INSIDE_SOURCES = ("deck", "lab")
INSIDE_COLOUR_BY = ("cell", "value")  # its options "kernel cell" and "value"

# Longest text a parameter may hold before we even look at it: a 16×16 grid is 271 characters,
# a 5×5 kernel of long decimals a few hundred. Anything longer is refused unread.
_MAX_PARAM_CHARS = 600

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
    if len(text) > _MAX_PARAM_CHARS:
        raise ValueError(
            f"{name} is {len(text)} characters long; a link holds at most {_MAX_PARAM_CHARS}"
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
    # the Train page (its sidebar's widgets, views/train.py)
    Setting("n", "training drawings", "int", *TRAIN_N_TRAIN, step=20),
    Setting("nt", "test drawings", "int", *TRAIN_N_TEST, step=20),
    Setting("noise", "noise", "number", *TRAIN_NOISE, step=0.01),
    Setting("seed", "seed", "int", *TRAIN_SEED),
    Setting("nk", "number of kernels", "int", *TRAIN_N_KERNELS),
    Setting("ks", "kernel size", "int", KERNEL_MIN, KERNEL_MAX),
    Setting("init", "start from", "choice", choices=TRAIN_INITS),
    Setting("frz", "freeze the kernels", "choice", choices=("0", "1")),
    Setting("opt", "optimizer", "choice", choices=TRAIN_OPTIMIZERS),
    Setting("lr", "learning rate", "number", 0.0, MAX_ABS),
    Setting("ep", "epochs", "int", *TRAIN_EPOCHS),
    # Inside the network (views/inside.py)
    Setting("src", "example", "choice", choices=INSIDE_SOURCES),
    Setting("lk", "lab kernel", "int", 1, MAX_KERNELS),
    Setting("pr", "pooled neuron row", "int", 1, GRID_MAX // 2),
    Setting("pc", "pooled neuron column", "int", 1, GRID_MAX // 2),
    Setting("by", "colour the weights by", "choice", choices=INSIDE_COLOUR_BY),
)
_SETTING_BY_KEY = {s.key: s for s in SETTINGS}
KNOWN_KEYS = ("g", "k", *_SETTING_BY_KEY, "step")


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


# =============================================================================================
# Keeping the session and the address bar in step. Streamlit is imported inside these
# functions only, so the codec above stays importable (and testable) without it.
#
# The app calls ``restore_from_url(url_path)`` once per session before the page runs (a link
# opened in a new browser sets the page's session keys), and ``write_url(url_path)`` after the
# page ran (the address bar follows every change; assigning only when something changed, so
# no extra history entries).
# =============================================================================================

LAB_PAGE = ""  # the lab is the default page: its url_path is "" (the app's root)
SAME_PAGE = "same"
LESSON_PAGE = "lesson"
TRAIN_PAGE = "train"
INSIDE_PAGE = "inside"
LINKED_PAGES = (LAB_PAGE, SAME_PAGE, LESSON_PAGE, TRAIN_PAGE, INSIDE_PAGE)

NOTICE = "links_notice"  # list of messages about a link that could not be opened
_RESTORED = "links_restored"  # set once the first run of the session has read the URL

# --- the lab's session keys (documented at the top of views/lab.py) --------------------------
LAB_GRID = "lab_grid"
LAB_N_KERNELS = "lab_n_kernels"
_PIPELINE = PipelineSettings()  # the pipeline's defaults, stated once in cnn_core.pipeline
LAB_DEFAULTS = {
    "pad": _PIPELINE.padding, "s": _PIPELINE.stride, "t": _PIPELINE.t,
    "pm": _PIPELINE.pool_mode, "ps": _PIPELINE.pool_size, "pst": _PIPELINE.pool_stride,
    "lp": _PIPELINE.p,
}  # fmt: skip
_EQUAL_STRIDE = "= size"  # the lab's pool stride option meaning "the pool size"

# --- the lesson's session keys (views/lesson.py draws them) ----------------------------------
LESSON_STEP = "lesson_step"  # the current step, counted from 1


def lesson_key(slug: str, part: str) -> str:
    """Session key of one part of a lesson step's live view, e.g. ``lesson_conv_g0``."""
    return f"lesson_{slug}_{part}"


def lesson_drawing_key(slug: str, i: int) -> str:
    return lesson_key(slug, f"g{i}")


def lesson_kernel_key(slug: str, i: int) -> str:
    """The prefix of the kernel editor's keys (``…_last_good`` holds its kernel)."""
    return lesson_key(slug, f"k{i}")


def lesson_setting_key(slug: str, key: str) -> str:
    """The widget key of one setting (``pad``, ``t``, ``r`` …) of a step's view."""
    return lesson_key(slug, f"set_{key}")


def preset_name(kernel: np.ndarray) -> str:
    """The preset a kernel equals, so the editor shows its name; else "(custom)"."""
    from cnn_core import kernels as presets
    from playground import widgets

    for name, preset in presets.PRESETS.items():
        if preset.values.shape == kernel.shape and np.allclose(preset.values, kernel):
            return name
    return widgets.CUSTOM


# --- the lab ---------------------------------------------------------------------------------


def lab_link_state(ss: Mapping) -> LinkState | None:
    """The lab's drawing, kernels and settings as they are in session state."""
    if LAB_GRID not in ss:
        return None
    n = int(ss.get(LAB_N_KERNELS) or 1)
    kernels = tuple(
        np.asarray(ss[f"lab_k{i}_last_good"], dtype=float)
        for i in range(1, n + 1)
        if f"lab_k{i}_last_good" in ss
    )
    kind = ss.get("lab_pad_kind") or LAB_DEFAULTS["pad"]
    settings: dict[str, object] = {
        "pad": int(ss.get("lab_pad_n", 1)) if kind == "n" else kind,
        "s": int(ss.get("lab_stride", LAB_DEFAULTS["s"])),
        "t": float(ss.get("lab_t", LAB_DEFAULTS["t"])),
        "pm": ss.get("lab_pool_mode") or LAB_DEFAULTS["pm"],
        "ps": int(ss.get("lab_pool_size", LAB_DEFAULTS["ps"])),
    }
    pool_stride = ss.get("lab_pool_stride", _EQUAL_STRIDE)
    if pool_stride not in (None, _EQUAL_STRIDE):
        settings["pst"] = int(pool_stride)
    if settings["pm"] == "lp":
        settings["lp"] = float(ss.get("lab_p", LAB_DEFAULTS["lp"]))
    return LinkState((np.asarray(ss[LAB_GRID], dtype=int),), kernels, settings)


def check_for_lab(state: LinkState) -> list[str]:
    """What in ``state`` the lab cannot show (it takes one square drawing 5–16 a side)."""
    errors = []
    if len(state.grids) > 1:
        errors.append(f"the lab shows one drawing (g), the link has {len(state.grids)}")
    for grid in state.grids:
        if grid.shape[0] < GRID_MIN:
            errors.append(
                f"the lab's drawings are {GRID_MIN}×{GRID_MIN} to {GRID_MAX}×{GRID_MAX}, "
                f"the link's is {grid.shape[0]}×{grid.shape[1]}"
            )
    return errors


def apply_to_lab(
    ss, state: LinkState, *, step_cell: tuple[int, int] | None = None, settings: bool = True
) -> None:
    """Load ``state`` into the lab's session keys (before the lab runs, or from a callback).

    Settings the link leaves out get the lab's defaults, so the lab shows exactly the link;
    ``settings=False`` keeps the lab's settings (a file of drawings and kernels).
    step_cell : (row, col) counted from 0 of the convolution window to show in the lab's
        step-through (the lesson's "Open in the lab" passes its window)
    """
    from playground import widgets

    if state.grids:
        widgets.set_grid(LAB_GRID, state.grids[0])
    if state.kernels:
        ss[LAB_N_KERNELS] = len(state.kernels)
        for i, kernel in enumerate(state.kernels, start=1):
            widgets.set_kernel(f"lab_k{i}", kernel, preset_name(kernel))
    if not settings:
        return
    settings = {**LAB_DEFAULTS, **state.settings}
    pad = settings["pad"]
    if isinstance(pad, str):
        ss["lab_pad_kind"] = pad
    else:
        ss["lab_pad_kind"] = "n"
        ss["lab_pad_n"] = int(pad)
    ss["lab_stride"] = int(settings["s"])
    ss["lab_t"] = float(settings["t"])
    ss["lab_pool_mode"] = settings["pm"]
    ss["lab_pool_size"] = int(settings["ps"])
    ss["lab_pool_stride"] = _EQUAL_STRIDE if settings["pst"] is None else int(settings["pst"])
    ss["lab_p"] = float(settings["lp"])
    if step_cell is not None and state.grids and state.kernels:
        from cnn_core import conv_output_shape

        try:
            _, ow = conv_output_shape(
                state.grids[0].shape, state.kernels[0].shape, pad, int(settings["s"])
            )
        except ValueError:
            return
        ss["lab_step_what"] = "convolution"
        ss["lab_step_kernel"] = 0
        ss["lab_step_pos_convolution"] = int(step_cell[0]) * ow + int(step_cell[1])


# --- the "Same?" and "Inside the network" pages (their documented session keys) ---------------


SAME_LAB_KERNELS = "the lab's kernels"  # the Same? page's kernel choice meaning "the lab's"
SAME_SETTINGS = {
    "pad": "same_padding",
    "t": "same_t",
    "pm": "same_pool_mode",
    "ps": "same_pool_size",
}
SAME_DEFAULTS = {"pad": "same", "t": 0.0, "pm": "max", "ps": 2}


def same_link_state(ss: Mapping) -> LinkState | None:
    """The "Same?" page's two drawings, its kernels and settings as they are in session state."""
    if "same_a" not in ss or "same_b" not in ss:
        return None
    choice = ss.get("same_kernels") or SAME_LAB_KERNELS
    if choice in _presets():
        chosen = (np.asarray(_presets()[choice].values, dtype=float),)
    else:
        from playground import network_sources

        chosen = tuple(np.asarray(k, dtype=float) for k in network_sources.current_kernels()[0])
    settings = {
        key: ss.get(same_key, SAME_DEFAULTS[key]) for key, same_key in SAME_SETTINGS.items()
    }
    settings["t"] = float(settings["t"])
    settings["ps"] = int(settings["ps"])
    drawings = (np.asarray(ss["same_a"], dtype=int), np.asarray(ss["same_b"], dtype=int))
    return LinkState(drawings, chosen[:MAX_KERNELS], settings)


def check_for_same(state: LinkState) -> list[str]:
    """What in ``state`` the "Same?" page cannot show: it compares two drawings."""
    errors = []
    if state.grids and len(state.grids) != 2:
        errors.append(f"the Same? page compares 2 drawings (g), the link has {len(state.grids)}")
    if state.settings.get("pad") not in (None, "valid", "same"):
        errors.append("the Same? page pads with valid or same (pad)")
    return errors


def apply_to_same(ss, state: LinkState) -> None:
    """Load two drawings (and kernels, and settings) into the "Same?" page (views/same.py).

    When B is A shifted, B is kept as the page's shift recipe (its arrows go on from there);
    otherwise B counts as drawn by hand. One preset kernel is chosen by name; other kernels
    are put into the lab, whose kernels the page can use.
    """
    from cnn_core.compare import CopyRecipe
    from playground import widgets

    if len(state.grids) != 2:
        return
    a, b = state.grids[0], state.grids[1]
    widgets.set_grid("same_a", a)
    widgets.set_grid("same_b", b)
    ss["same_b_source"] = np.array(a)
    shift = _find_shift(a, b)
    ss["same_recipe"] = CopyRecipe() if shift is None else CopyRecipe(dr=shift[0], dc=shift[1])
    ss["same_b_free"] = shift is None
    if state.kernels:
        name = preset_name(state.kernels[0])
        if len(state.kernels) == 1 and name in _presets():
            ss["same_kernels"] = name
        else:
            apply_to_lab(ss, LinkState(kernels=state.kernels), settings=False)
            ss["same_kernels"] = SAME_LAB_KERNELS
    for key, same_key in SAME_SETTINGS.items():
        if key in state.settings:
            value = state.settings[key]
            ss[same_key] = float(value) if key == "t" else value


def _find_shift(a: np.ndarray, b: np.ndarray, limit: int = 3) -> tuple[int, int] | None:
    """(dr, dc) when ``b`` is ``a`` moved by at most ``limit`` cells, else None."""
    from cnn_core import grids as grid_ops

    if a.shape != b.shape:
        return None
    for dr in range(-limit, limit + 1):
        for dc in range(-limit, limit + 1):
            if np.array_equal(grid_ops.shift(a, dr, dc), b):
                return dr, dc
    return None


def _presets() -> dict:
    from cnn_core import kernels as presets

    return presets.PRESETS


def apply_to_inside(ss, state: LinkState, *, deck_example: bool) -> None:
    """Show a drawing and kernel on "Inside the network" (views/inside.py): its own deck
    example when unchanged, otherwise through the lab, which that page reads."""
    if deck_example:
        ss["inside_source"] = "deck"
        return
    apply_to_lab(ss, LinkState(state.grids[:1], state.kernels[:1]), settings=False)
    ss["inside_source"] = "lab"
    ss["inside_lab_kernel"] = 0
    ss["inside_padding"] = "valid"


# --- the Train page (views/train.py: its drawing and its sidebar's widgets) ------------------

TRAIN_DRAWING = "train_grid"
TRAIN_SETTINGS = {
    "n": "train_n_train",
    "nt": "train_n_test",
    "noise": "train_noise",
    "seed": "train_seed",
    "nk": "train_n_kernels",
    "ks": "train_kernel_size",
    "init": "train_init",
    "frz": "train_frozen",
    "opt": "train_optimizer",
    "lr": "train_lr",
    "ep": "train_epochs",
}


def train_defaults() -> dict[str, object]:
    """The Train page's settings before anyone touches them (its widgets' defaults)."""
    from cnn_core.model import CNNConfig

    d = CNNConfig()
    return {
        "n": d.n_train,
        "nt": d.n_test,
        "noise": d.noise,
        "seed": 0,
        "nk": d.n_kernels,
        "ks": d.kernel_size,
        "init": d.kernel_init,
        "frz": "1" if d.freeze_kernels else "0",
        "opt": d.optimizer,
        "lr": d.learning_rate,
        "ep": d.epochs,
    }


def train_link_state(ss: Mapping) -> LinkState | None:
    """The Train page's drawing and settings as they are in session state (never its model)."""
    if TRAIN_DRAWING not in ss:
        return None
    settings: dict[str, object] = {}
    for key, default in train_defaults().items():
        value = ss.get(TRAIN_SETTINGS[key], default)
        if value is None:
            value = default
        if key == "frz":
            value = "1" if value in (True, "1") else "0"
        elif key in ("noise", "lr"):
            value = float(value)
        elif key not in ("init", "opt"):
            value = int(value)
        settings[key] = value
    return LinkState((np.asarray(ss[TRAIN_DRAWING], dtype=int),), (), settings)


def check_for_train(state: LinkState) -> list[str]:
    """What in ``state`` the Train page cannot show: one 8×8 drawing, a learning rate > 0."""
    errors = []
    if len(state.grids) > 1:
        errors.append(f"the Train page shows one drawing (g), the link has {len(state.grids)}")
    for grid in state.grids:
        if grid.shape != (TRAIN_GRID, TRAIN_GRID):
            errors.append(
                f"the Train page's drawing (g) is {TRAIN_GRID}×{TRAIN_GRID}, "
                f"the link's is {grid.shape[0]}×{grid.shape[1]}"
            )
    if state.settings.get("lr", 1.0) <= 0:
        errors.append("the learning rate (lr) must be more than 0")
    return errors


def apply_to_train(ss, state: LinkState) -> None:
    """Load a link into the Train page's session keys; settings it leaves out get defaults."""
    from playground import widgets

    if state.grids:
        widgets.set_grid(TRAIN_DRAWING, state.grids[0])
    settings = {**train_defaults(), **state.settings}
    for key, ss_key in TRAIN_SETTINGS.items():
        value = settings[key]
        ss[ss_key] = value == "1" if key == "frz" else value


# --- Inside the network (views/inside.py: its widgets; the drawing and kernels are the lab's) --

INSIDE_DECK_KERNEL = "deck 2×2"  # the deck's example: its 5×5 drawing and this kernel
INSIDE_POOL = 2
_COLOUR_BY = {"cell": "kernel cell", "value": "value"}  # URL word → the page's option


def _inside_example(ss: Mapping):
    """(source, drawing, kernels, kernel index, padding) as views/inside.py chooses them."""
    from cnn_core import grids as grid_ops

    source = ss.get("inside_source") or "deck"
    if source == "deck":
        return source, grid_ops.DECK_5x5, [_presets()[INSIDE_DECK_KERNEL].values], 0, "valid"
    lab = lab_link_state(ss)
    drawing = lab.grids[0] if lab is not None else grid_ops.DECK_O_8x8
    chosen = list(lab.kernels) if lab is not None and lab.kernels else []
    if not chosen:
        from playground import network_sources

        chosen = [_presets()[network_sources.DEFAULT_KERNEL].values]
    index = int(ss.get("inside_lab_kernel") or 0) if len(chosen) > 1 else 0
    index = min(max(index, 0), len(chosen) - 1)
    return source, drawing, chosen, index, ss.get("inside_padding") or "same"


def _inside_shapes(drawing, kernel, padding) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(the convolution's output size, the pooled size or None when it cannot pool)."""
    from cnn_core import conv_output_shape

    oh, ow = conv_output_shape(np.shape(drawing), np.shape(kernel), padding)
    pooled = (oh // INSIDE_POOL, ow // INSIDE_POOL)
    return (oh, ow), pooled if min(pooled) >= 1 else None


def inside_link_state(ss: Mapping) -> LinkState | None:
    """The page's example, its padding and the neurons it traces, as in session state."""
    if "inside_source" not in ss:
        return None
    source, drawing, chosen, index, padding = _inside_example(ss)
    settings: dict[str, object] = {"src": source}
    grids_: tuple = ()
    kernels_: tuple = ()
    if source == "lab":
        lab = lab_link_state(ss)
        if lab is not None:
            grids_, kernels_ = lab.grids, lab.kernels
        settings["pad"] = padding
        if len(chosen) > 1:
            settings["lk"] = index + 1
    try:
        (oh, ow), pooled = _inside_shapes(drawing, chosen[index], padding)
    except ValueError:
        return LinkState(grids_, kernels_, settings)
    neuron = int(ss.get(f"inside_neuron_{oh}x{ow}", min(1, oh * ow - 1)))
    settings["r"], settings["c"] = neuron // ow + 1, neuron % ow + 1
    if pooled is not None:
        cell = int(ss.get(f"inside_pool_cell_{pooled[0]}x{pooled[1]}", 0))
        settings["pr"], settings["pc"] = cell // pooled[1] + 1, cell % pooled[1] + 1
    by = ss.get("inside_colour_by") or "kernel cell"
    settings["by"] = "value" if by == "value" else "cell"
    return LinkState(grids_, kernels_, settings)


def check_for_inside(state: LinkState, ss: Mapping) -> list[str]:
    """What in ``state`` "Inside the network" cannot show (``ss``: the lab it would use)."""
    errors = []
    source = state.settings.get("src", "deck")
    if source == "lab":
        if len(state.grids) > 1:
            errors.append(f"Inside shows one drawing (g), the link has {len(state.grids)}")
        if state.settings.get("pad", "same") not in ("valid", "same"):
            errors.append("Inside pads with valid or same (pad)")
    if errors:
        return errors
    # Try it on a copy of the keys the page reads: the session changes only if all is well.
    trial = {k: ss[k] for k in list(ss.keys()) if str(k).startswith(("lab_", "inside_"))}
    _load_inside(trial, state)
    _, drawing, chosen, index, padding = _inside_example(trial)
    if source == "lab" and state.settings.get("lk", 1) > len(chosen):
        return [f"the lab kernel (lk) must be 1 to {len(chosen)}, got {state.settings['lk']}"]
    try:
        (oh, ow), pooled = _inside_shapes(drawing, chosen[index], padding)
    except ValueError as error:
        return [f"this kernel and padding do not fit this drawing: {error}"]
    for rows, cols, r, c, what in (
        (oh, ow, "r", "c", "the output neuron"),
        (*(pooled or (0, 0)), "pr", "pc", "the pooled neuron"),
    ):
        for key, most in ((r, rows), (c, cols)):
            if key in state.settings and state.settings[key] > most:
                errors.append(
                    f"{what} ({r}, {c}) must lie in the {rows}×{cols} output, "
                    f"got {key}={state.settings[key]}"
                )
    return errors


def _load_inside(ss, state: LinkState) -> None:
    """The example's choice into ``ss`` (a dict to try it out, or the session)."""
    source = state.settings.get("src", "deck")
    ss["inside_source"] = source
    if source != "lab":
        return
    if state.grids:
        ss[LAB_GRID] = np.asarray(state.grids[0], dtype=int)
    if state.kernels:
        ss[LAB_N_KERNELS] = len(state.kernels)
        for i, kernel in enumerate(state.kernels, start=1):
            ss[f"lab_k{i}_last_good"] = np.asarray(kernel, dtype=float)
    ss["inside_padding"] = state.settings.get("pad", "same")
    ss["inside_lab_kernel"] = int(state.settings.get("lk", 1)) - 1


def apply_to_inside_link(ss, state: LinkState) -> None:
    """Load a link into "Inside the network" (its drawing and kernels go to the lab)."""
    source = state.settings.get("src", "deck")
    if source == "lab" and (state.grids or state.kernels):
        apply_to_lab(ss, LinkState(state.grids[:1], state.kernels), settings=False)
    ss["inside_source"] = source
    if source == "lab":
        ss["inside_padding"] = state.settings.get("pad", "same")
        ss["inside_lab_kernel"] = int(state.settings.get("lk", 1)) - 1
    ss["inside_colour_by"] = _COLOUR_BY[state.settings.get("by", "cell")]
    _, drawing, chosen, index, padding = _inside_example(ss)
    (oh, ow), pooled = _inside_shapes(drawing, chosen[index], padding)
    if "r" in state.settings or "c" in state.settings:
        r, c = int(state.settings.get("r", 1)), int(state.settings.get("c", 1))
        ss[f"inside_neuron_{oh}x{ow}"] = (r - 1) * ow + (c - 1)
    if pooled is not None and ("pr" in state.settings or "pc" in state.settings):
        r, c = int(state.settings.get("pr", 1)), int(state.settings.get("pc", 1))
        ss[f"inside_pool_cell_{pooled[0]}x{pooled[1]}"] = (r - 1) * pooled[1] + (c - 1)


# --- the lesson ------------------------------------------------------------------------------


def init_step(ss, step) -> None:
    """Put a lesson step's example into session state, once per session (or after a reset).

    step : a ``lesson_steps.Step``. Drawings go to ``lesson_{slug}_g{i}`` with a revision,
    kernels into kernel editors ``lesson_{slug}_k{i}``, settings into their widget keys.
    """
    if lesson_key(step.slug, "ready") in ss:
        return
    load_step(ss, step, step.example.drawings, step.example.kernels, step.example.settings)


def load_step(ss, step, drawings, kernels, settings) -> None:
    """Replace a step's live view state (bumping revisions so the browser shows it)."""
    from playground import widgets

    for i, drawing in enumerate(drawings):
        widgets.set_grid(lesson_drawing_key(step.slug, i), drawing)
    for i, kernel in enumerate(kernels):
        widgets.set_kernel(lesson_kernel_key(step.slug, i), kernel, preset_name(kernel))
    for key, value in settings.items():
        ss[lesson_setting_key(step.slug, key)] = value
    ss[lesson_key(step.slug, "ready")] = True


def step_link_state(ss, step) -> LinkState:
    """A step's live view as it is now (the example's values where nothing is stored yet)."""
    example = step.example
    drawings = tuple(
        np.asarray(ss.get(lesson_drawing_key(step.slug, i), d), dtype=int)
        for i, d in enumerate(example.drawings)
    )
    kernels = tuple(
        np.asarray(ss.get(lesson_kernel_key(step.slug, i) + "_last_good", k), dtype=float)
        for i, k in enumerate(example.kernels)
    )
    settings = {
        key: ss.get(lesson_setting_key(step.slug, key), value)
        for key, value in example.settings.items()
    }
    return LinkState(drawings, kernels, settings)


def step_is_pristine(ss, step) -> bool:
    """True when the step shows the deck's example unchanged."""
    example = step.example
    return step_link_state(ss, step) == LinkState(
        example.drawings, example.kernels, example.settings
    )


def check_for_step(state: LinkState, step) -> list[str]:
    """What in ``state`` this lesson step cannot show."""
    example = step.example
    where = f"lesson step {step.slug!r}"
    errors = []
    if step.fixed:
        return errors  # nothing to change: the link's drawings and kernels are ignored
    if state.grids:
        if len(state.grids) != len(example.drawings):
            errors.append(
                f"{where} shows {len(example.drawings)} drawing(s) (g), "
                f"the link has {len(state.grids)}"
            )
        for grid, own in zip(state.grids, example.drawings, strict=False):
            fixed_size = step.same_size_drawings or own.shape[0] < GRID_MIN
            if (fixed_size and grid.shape != own.shape) or (
                not fixed_size and grid.shape[0] < GRID_MIN
            ):
                allowed = (
                    f"{own.shape[0]}×{own.shape[1]}"
                    if fixed_size
                    else f"{GRID_MIN}×{GRID_MIN} to {GRID_MAX}×{GRID_MAX}"
                )
                errors.append(
                    f"{where} takes drawings of {allowed}, "
                    f"the link has {grid.shape[0]}×{grid.shape[1]}"
                )
                break
    if state.kernels:
        if len(state.kernels) != len(example.kernels):
            errors.append(
                f"{where} uses {len(example.kernels)} kernel(s) (k), "
                f"the link has {len(state.kernels)}"
            )
        elif step.view == "conv3d" and len({k.shape for k in state.kernels}) > 1:
            errors.append(f"{where} needs kernel slices of one size (k)")
        elif any(k.shape[0] not in step.kernel_sizes for k in state.kernels):
            sizes = " or ".join(f"{n}×{n}" for n in step.kernel_sizes)
            errors.append(f"{where} takes {sizes} kernels (k)")
    unknown = [key for key in state.settings if key not in example.settings]
    if unknown:
        names = ", ".join(f"{_SETTING_BY_KEY[key].name} ({key})" for key in unknown)
        errors.append(f"{where} has no setting {names}")
    if state.settings.get("pad", "valid") not in PADDING_WORDS:
        errors.append(f"{where} pads with valid or same (pad)")
    if not errors and ("r" in state.settings or "c" in state.settings):
        try:
            rows, cols = _step_window_map(step, state)
        except ValueError as error:
            return [f"{where}: {error}"]
        for key, most in (("r", rows), ("c", cols)):
            if state.settings.get(key, 1) > most:
                errors.append(
                    f"{where}'s window (r, c) must lie in its {rows}×{cols} map, "
                    f"got {key}={state.settings[key]}"
                )
    return errors


def _step_window_map(step, state: LinkState) -> tuple[int, int]:
    """The shape of the map whose cell a lesson step's ``r`` and ``c`` pick, for ``state``."""
    example = step.example
    grid = (state.grids or example.drawings)[0]
    kernel = (state.kernels or example.kernels)[0]
    settings = {**example.settings, **state.settings}
    padding = "valid" if step.view == "network" else settings["pad"]  # its view pads never
    shape = conv_output_shape(grid.shape, kernel.shape, padding, 1)
    if step.view == "pool":  # the window is a pooling block of the thresholded map
        shape = pool_output_shape(shape, int(settings["ps"]))
    return shape


def apply_to_step(ss, step, state: LinkState) -> None:
    """Load a link's drawings, kernels and settings into a step; missing parts: the example."""
    if step.fixed:
        init_step(ss, step)
        return
    example = step.example
    settings = {key: state.settings.get(key, value) for key, value in example.settings.items()}
    load_step(
        ss,
        step,
        state.grids or example.drawings,
        state.kernels or example.kernels,
        settings,
    )


# --- page by page ----------------------------------------------------------------------------


def _params_of(state: LinkState) -> dict[str, list[str]]:
    return {key: [v] if isinstance(v, str) else list(v) for key, v in encode(state).items()}


def session_params(url_path: str, ss) -> dict[str, list[str]]:
    """The query parameters that describe the page ``url_path`` as it is in ``ss``."""
    if url_path == LAB_PAGE:
        state = lab_link_state(ss)
        return {} if state is None else _params_of(state)
    if url_path == SAME_PAGE:
        state = same_link_state(ss)
        return {} if state is None else _params_of(state)
    if url_path == TRAIN_PAGE:
        state = train_link_state(ss)
        return {} if state is None else _params_of(state)
    if url_path == INSIDE_PAGE:
        state = inside_link_state(ss)
        return {} if state is None else _params_of(state)
    if url_path == LESSON_PAGE:
        from playground.lesson_steps import STEPS

        number = int(ss.get(LESSON_STEP, 1))
        step = STEPS[number - 1]
        if step.fixed or step_is_pristine(ss, step):
            return {"step": [str(number)]}
        state = step_link_state(ss, step)
        return {**_params_of(state), "step": [str(number)]}
    return {}


def apply_params(url_path: str, params: Mapping[str, str | list[str]], ss) -> list[str]:
    """Open a link on page ``url_path``: check everything, then load it all or nothing.

    Returns the problems (empty when the link was loaded). Parameters a page does not use
    are ignored; a page without shareable state ignores the link.
    """
    if url_path not in LINKED_PAGES:
        return []
    from playground.lesson_steps import STEPS

    # Only the lesson has drawings smaller than the lab's (the 3×3 patch of the dot product).
    smallest = LESSON_GRID_MIN if url_path == LESSON_PAGE else GRID_MIN
    decoded = decode(params, n_steps=len(STEPS), smallest_grid=smallest)
    if not decoded.ok:
        return list(decoded.errors)
    state = decoded.state
    if url_path == LAB_PAGE:
        errors = check_for_lab(state)
        if not errors:
            apply_to_lab(ss, state)
        return errors
    if url_path == SAME_PAGE:
        errors = check_for_same(state)
        if not errors:
            apply_to_same(ss, state)
        return errors
    if url_path == TRAIN_PAGE:
        errors = check_for_train(state)
        if not errors:
            apply_to_train(ss, state)
        return errors
    if url_path == INSIDE_PAGE:
        errors = check_for_inside(state, ss)
        if not errors:
            apply_to_inside_link(ss, state)
        return errors
    step = STEPS[(state.step or 1) - 1]
    errors = check_for_step(state, step)
    if not errors:
        ss[LESSON_STEP] = state.step or 1
        apply_to_step(ss, step, state)
    return errors


def current_params() -> dict[str, list[str]]:
    """``st.query_params`` as ``{key: [values]}``."""
    import streamlit as st

    return {key: st.query_params.get_all(key) for key in st.query_params}


def _raw_query_string() -> str:
    """The query string the browser sent, even one Streamlit refused to parse (too long)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # pragma: no cover - a Streamlit without it: nothing to report
        return ""
    ctx = get_script_run_ctx()
    return str(getattr(ctx, "query_string", "") or "")


def restore_from_url(url_path: str) -> None:
    """On the session's first run: open the link in the address bar, or say why not.

    A refused link leaves the defaults in place; its problems go to ``st.session_state
    [NOTICE]`` for ``show_notice`` to display, and ``write_url`` replaces the address.
    """
    import streamlit as st

    ss = st.session_state
    if ss.get(_RESTORED):
        return
    ss[_RESTORED] = True
    params = current_params()
    if not params:
        raw = _raw_query_string()
        if len(raw) > _MAX_PARAM_CHARS and url_path in LINKED_PAGES:
            # Streamlit drops a query string beyond its own limits before we see it.
            ss[NOTICE] = [f"the link's address is {len(raw):,} characters long; far too long"]
        return
    errors = apply_params(url_path, params, ss)
    if errors:
        ss[NOTICE] = errors


def show_notice() -> None:
    """A clear, dismissable message about a link that could not be opened."""
    import streamlit as st

    errors = st.session_state.get(NOTICE)
    if not errors:
        return
    with st.container(border=True, key="links_notice_box"):
        st.warning(
            "**This link could not be opened**, so the page shows its defaults instead. "
            "What was wrong:\n\n" + "\n".join(f"- {md(e, 300)}" for e in errors[:8]),
            icon=":material/link_off:",
        )
        if st.button("OK", key="links_notice_ok"):
            del st.session_state[NOTICE]
            st.rerun()


def write_url(url_path: str) -> None:
    """Put the page's state into the address bar (only when it changed)."""
    import streamlit as st

    wanted = session_params(url_path, st.session_state)
    if wanted != current_params():
        st.query_params.from_dict(wanted)

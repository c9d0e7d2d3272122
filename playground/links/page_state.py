"""Each linked page's session state ⇄ a ``LinkState`` (see ``playground.links.codec``).

For every page: ``*_link_state(ss)`` reads what is on screen, ``check_for_*`` says what a
decoded link asks that the page cannot show, and ``apply_to_*`` loads it into the page's
session keys. ``session_params`` and ``apply_params`` dispatch by page. Works on any mapping
of session state, so the adapters are tested without a running app.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core import conv_output_shape, pool_output_shape
from cnn_core import grids as grid_ops
from cnn_core import kernels as presets
from cnn_core.compare import CopyRecipe
from cnn_core.model import CNNConfig
from cnn_core.pipeline import PipelineSettings
from playground import network_sources, widgets
from playground.lesson_steps import STEPS
from playground.links.codec import (
    GRID_MAX,
    GRID_MIN,
    LESSON_GRID_MIN,
    MAX_KERNELS,
    PADDING_WORDS,
    SETTING_BY_KEY,
    TRAIN_GRID,
    LinkState,
    decode,
    encode,
)

LAB_PAGE = ""  # the lab is the default page: its url_path is "" (the app's root)
SAME_PAGE = "same"
LESSON_PAGE = "lesson"
TRAIN_PAGE = "train"
INSIDE_PAGE = "inside"
LINKED_PAGES = (LAB_PAGE, SAME_PAGE, LESSON_PAGE, TRAIN_PAGE, INSIDE_PAGE)

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
    if a.shape != b.shape:
        return None
    for dr in range(-limit, limit + 1):
        for dc in range(-limit, limit + 1):
            if np.array_equal(grid_ops.shift(a, dr, dc), b):
                return dr, dc
    return None


def _presets() -> dict:
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
    source = ss.get("inside_source") or "deck"
    if source == "deck":
        return source, grid_ops.DECK_5x5, [_presets()[INSIDE_DECK_KERNEL].values], 0, "valid"
    lab = lab_link_state(ss)
    drawing = lab.grids[0] if lab is not None else grid_ops.DECK_O_8x8
    chosen = list(lab.kernels) if lab is not None and lab.kernels else []
    if not chosen:
        chosen = [_presets()[network_sources.DEFAULT_KERNEL].values]
    index = int(ss.get("inside_lab_kernel") or 0) if len(chosen) > 1 else 0
    index = min(max(index, 0), len(chosen) - 1)
    return source, drawing, chosen, index, ss.get("inside_padding") or "same"


def _inside_shapes(drawing, kernel, padding) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(the convolution's output size, the pooled size or None when it cannot pool)."""
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
        names = ", ".join(f"{SETTING_BY_KEY[key].name} ({key})" for key in unknown)
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

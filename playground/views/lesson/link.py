"""The Lesson's link adapter: each step's drawings, kernels and settings (session.py) ⇄ a
LinkState."""

from __future__ import annotations

from cnn_core import conv_output_shape, pool_output_shape
from playground.links.codec import (
    GRID_MAX,
    GRID_MIN,
    PADDING_WORDS,
    SETTING_BY_KEY,
    LinkState,
)
from playground.views.lesson import session


def step_link_state(ss, step) -> LinkState:
    """A step's live view as it is now (the example's values where nothing is stored yet)."""
    view = session.read_step(ss, step)
    return LinkState(view.drawings, view.kernels, view.settings)


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
        session.init_step(ss, step)
        return
    example = step.example
    settings = {key: state.settings.get(key, value) for key, value in example.settings.items()}
    drawings = state.grids or example.drawings
    kernels = state.kernels or example.kernels
    session.load_step(ss, step, session.StepState(tuple(drawings), tuple(kernels), settings))

"""The Lesson's session state: which step is open, and each step's drawings, kernels and
settings as one typed value (read by the page and its views, lesson.py and lesson/views_*.py,
and by its link adapter, link.py).

Keys (all start with ``lesson_``):
    lesson_step               : the current step, counted from 1
    lesson_{slug}_ready       : set once the step's example was loaded (``init_step``)
    lesson_{slug}_g{i}, …_rev : the step's drawing i (H, W) of 0/1 and its revision
    lesson_{slug}_k{i}_…      : the step's kernel editor i (widgets.kernel_editor)
    lesson_{slug}_set_{name}  : one setting (``pad``, ``t``, ``r``, ``c`` …: links.codec's names)
    lesson_{slug}_…           : the step's other widgets (``key(slug, part)``)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from playground.ui import widgets
from playground.views.lab.link import preset_name
from playground.views.lesson.steps import STEPS, Step

STEP = "lesson_step"


def key(slug: str, part: str) -> str:
    """Session key of one part of a lesson step's live view, e.g. ``lesson_conv_g0``."""
    return f"lesson_{slug}_{part}"


def drawing_key(slug: str, i: int) -> str:
    """The key of the step's drawing i (with its revision under ``…_rev``)."""
    return key(slug, f"g{i}")


def kernel_key(slug: str, i: int) -> str:
    """The key of the step's kernel editor i (``widgets.kernel_value`` reads its kernel)."""
    return key(slug, f"k{i}")


def setting_key(slug: str, name: str) -> str:
    """The widget key of one setting (``pad``, ``t``, ``r`` …) of a step's view."""
    return key(slug, f"set_{name}")


def step_number(ss: Mapping) -> int:
    """The open step, counted from 1 (step 1 if the stored number is not a step's)."""
    number = ss.get(STEP, 1)
    return number if isinstance(number, int) and 1 <= number <= len(STEPS) else 1


def current_number(ss) -> int:
    """``step_number``, stored back so the page's widgets and links agree on it."""
    ss[STEP] = step_number(ss)
    return ss[STEP]


def go_to(ss, number: int) -> None:
    """Open step ``number`` (kept within the lesson)."""
    ss[STEP] = max(1, min(len(STEPS), int(number)))


@dataclass(frozen=True)
class StepState:
    """One step's live view: its drawings, kernels and settings (codec names → values)."""

    drawings: tuple[np.ndarray, ...]  # (H, W) of 0/1 each
    kernels: tuple[np.ndarray, ...]  # (k, k) each
    settings: dict[str, object]


def example_state(step: Step) -> StepState:
    """The deck's example for ``step``, as the step starts."""
    example = step.example
    return StepState(tuple(example.drawings), tuple(example.kernels), dict(example.settings))


def init_step(ss, step: Step) -> None:
    """Put a lesson step's example into session state, once per session (or after a reset)."""
    if key(step.slug, "ready") not in ss:
        load_step(ss, step, example_state(step))


def load_step(ss, step: Step, view: StepState) -> None:
    """Replace a step's live view state (bumping revisions so the browser shows it)."""
    for i, drawing in enumerate(view.drawings):
        widgets.set_grid(drawing_key(step.slug, i), drawing)
    for i, kernel in enumerate(view.kernels):
        widgets.set_kernel(kernel_key(step.slug, i), kernel, preset_name(kernel))
    for name, value in view.settings.items():
        ss[setting_key(step.slug, name)] = value
    ss[key(step.slug, "ready")] = True


def read_step(ss: Mapping, step: Step) -> StepState:
    """A step's live view as it is now (the example's values where nothing is stored yet)."""
    example = step.example
    drawings = tuple(
        np.asarray(ss.get(drawing_key(step.slug, i), d), dtype=int)
        for i, d in enumerate(example.drawings)
    )
    kernels = []
    for i, default in enumerate(example.kernels):
        kernel = widgets.kernel_value(ss, kernel_key(step.slug, i))
        kernels.append(np.asarray(default, dtype=float) if kernel is None else kernel)
    settings = {
        name: ss.get(setting_key(step.slug, name), value)
        for name, value in example.settings.items()
    }
    return StepState(drawings, tuple(kernels), settings)

"""Lesson: the lecture's narrative step by step, each step with a live view of the deck's example.

The steps themselves (titles, plain-words text, examples) are data in ``steps.py`` beside it; this
page draws one step at a time with Prev / Next and a progress bar, and each kind of step's live
view is a function in ``views_*.py`` (``VIEWS`` below says which). Each step keeps its own
drawings, kernels and settings in session state (keys ``lesson_{slug}_…``, see
``lesson/session.py``), so a learner can change a view, walk on, and come back to it.

Every number comes from ``cnn_core``; this page only draws.
"""

from __future__ import annotations

import streamlit as st

from playground import state
from playground.views.inside import link as inside_link
from playground.views.lab import link as lab_link
from playground.views.lesson import link as lesson_link
from playground.views.lesson import session as lesson_session
from playground.views.lesson import steps as lesson_steps
from playground.views.lesson.steps import STEPS, Step
from playground.views.lesson.view import View
from playground.views.lesson.views_convolution import (
    view_conv,
    view_conv3d,
    view_erratum,
    view_examples,
    view_threshold,
)
from playground.views.lesson.views_network import view_descent, view_masks, view_network
from playground.views.lesson.views_pixels import view_dot, view_local, view_same, view_xo
from playground.views.lesson.views_pooling import view_pool, view_shift, view_structure
from playground.views.same import link as same_link

ss = st.session_state
N_STEPS = len(STEPS)
PAGES = {
    "lab": "views/lab/lab.py",
    "same": "views/same/same.py",
    "inside": "views/inside/inside.py",
}
OPEN_HELP = {
    "lab": "Loads this step's drawing, kernels and settings into the lab (replacing the lab's).",
    "same": "Loads these drawings into the Same? page.",
    "inside": "Shows this example there (a changed one goes through the lab's drawing).",
}

# --- navigation -------------------------------------------------------------------------------


def current_number() -> int:
    return lesson_session.current_number(ss)


def _go(number: int) -> None:
    lesson_session.go_to(ss, number)


def _on_pick() -> None:
    _go(int(ss["lesson_pick"]))


def navigation(number: int, where: str) -> None:
    """Prev / Next buttons around a progress marker (``where`` keeps the keys apart)."""
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center")
    bar.button(
        "← Previous",
        key=f"lesson_prev_{where}",
        on_click=_go,
        args=(number - 1,),
        disabled=number == 1,
    )
    if where == "top":
        ss["lesson_pick"] = number
        bar.selectbox(
            "Jump to step",
            range(1, N_STEPS + 1),
            key="lesson_pick",
            format_func=lambda n: f"{n}. {STEPS[n - 1].title}",
            on_change=_on_pick,
            label_visibility="collapsed",
            width=300,
        )
    else:
        bar.markdown(f"**Step {number} of {N_STEPS}**")
    bar.button(
        "Next →",
        key=f"lesson_next_{where}",
        on_click=_go,
        args=(number + 1,),
        disabled=number == N_STEPS,
        type="primary",
    )


# --- the views, one per kind of step (lesson/views_*.py) ---------------------------------------

VIEWS = {
    "xo": view_xo,
    "same": view_same,
    "local": view_local,
    "dot": view_dot,
    "conv": view_conv,
    "erratum": view_erratum,
    "threshold": view_threshold,
    "conv3d": view_conv3d,
    "examples": view_examples,
    "pool": view_pool,
    "shift": view_shift,
    "structure": view_structure,
    "network": view_network,
    "masks": view_masks,
    "descent": view_descent,
}
assert set(VIEWS) == set(lesson_steps.VIEWS), "every kind of step needs a view"


# --- step actions -------------------------------------------------------------------------------


def _reset(step: Step) -> None:
    lesson_session.load_step(ss, step, lesson_session.example_state(step))


def open_elsewhere(step: Step) -> None:
    """Load this step's example, as changed, into another page and go there."""
    link = lesson_link.step_link_state(ss, step)
    if step.open_in == "lab":
        cell = None
        if "r" in link.settings and "c" in link.settings and step.view in ("conv", "erratum"):
            cell = (int(link.settings["r"]) - 1, int(link.settings["c"]) - 1)
        lab_link.apply_to_lab(ss, link, step_cell=cell)
    elif step.open_in == "same":
        same_link.apply_to_same(ss, link)
    elif step.open_in == "inside":
        inside_link.apply_to_inside(ss, link, deck_example=lesson_link.step_is_pristine(ss, step))
    st.switch_page(PAGES[step.open_in])


def actions(step: Step) -> None:
    bar = st.container(horizontal=True, gap="small")
    if not step.fixed:
        bar.button(
            "Reset to the deck's example",
            key=f"lesson_reset_{step.slug}",
            on_click=_reset,
            args=(step,),
            disabled=lesson_link.step_is_pristine(ss, step),
        )
    if step.open_in and bar.button(
        f"Open in {lesson_steps.OPEN_IN[step.open_in]} →",
        key=f"lesson_open_{step.slug}",
        help=OPEN_HELP[step.open_in],
    ):
        open_elsewhere(step)


# --- the page -------------------------------------------------------------------------------------


def main() -> None:
    number = current_number()
    step = STEPS[number - 1]
    navigation(number, "top")
    presenter = state.presenter()
    if not presenter:  # on the wall the step picker above says where we are
        st.progress(number / N_STEPS, text=f"Lesson: step {number} of {N_STEPS}")

    if presenter:  # on the wall the live view is on the first screen: the title, the
        # explanation (the teacher says it, or opens it here) and the task share one row
        head = st.container(horizontal=True, gap="medium", vertical_alignment="center")
        head.subheader(f"{number}. {step.title}", anchor=False, width="content")
        with head.expander("The step's explanation"):
            st.markdown(step.text)
    else:
        st.subheader(f"{number}. {step.title}", anchor=False)
        st.caption(f"Slides: {step.deck}")
        st.markdown(step.text)
    st.markdown(f"**Try this:** {step.try_this}")
    with st.container(key=f"lesson_view_{step.slug}"):
        VIEWS[step.view](View(step))
    actions(step)
    st.divider()
    navigation(number, "bottom")


main()

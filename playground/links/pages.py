"""Page by page: which pages have links, and the dispatch from a page's address to its adapter.

Each linked page has its adapter module (``lab_link``, ``same_link``, ``train_link``,
``inside_link``, ``lesson_link``): ``*_link_state(ss)`` reads what is on screen,
``check_for_*`` says what a decoded link asks that the page cannot show, and ``apply_to_*``
loads it into the page's session keys. They work on any mapping of session state, so they are
tested without a running app.
"""

from __future__ import annotations

from collections.abc import Mapping

from playground.links.codec import (
    GRID_MIN,
    LESSON_GRID_MIN,
    LinkState,
    decode,
    encode,
)
from playground.views.inside.link import apply_to_inside_link, check_for_inside, inside_link_state
from playground.views.lab.link import apply_to_lab, check_for_lab, lab_link_state
from playground.views.lesson.link import (
    apply_to_step,
    check_for_step,
    step_is_pristine,
    step_link_state,
)
from playground.views.lesson.session import STEP as LESSON_STEP
from playground.views.lesson.session import step_number
from playground.views.lesson.steps import STEPS
from playground.views.same.link import apply_to_same, check_for_same, same_link_state
from playground.views.train.link import apply_to_train, check_for_train, train_link_state

LAB_PAGE = ""  # the lab is the default page: its url_path is "" (the app's root)
SAME_PAGE = "same"
LESSON_PAGE = "lesson"
TRAIN_PAGE = "train"
INSIDE_PAGE = "inside"
LINKED_PAGES = (LAB_PAGE, SAME_PAGE, LESSON_PAGE, TRAIN_PAGE, INSIDE_PAGE)


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
        number = step_number(ss)
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
